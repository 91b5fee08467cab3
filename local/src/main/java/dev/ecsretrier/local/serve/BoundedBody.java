package dev.ecsretrier.local.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body read with a bound, as AWS reads one: refused by its {@code Content-Length} before a
 * byte is read, or as soon as a chunked body passes the bound. Memory per request is at most the bound.
 */
final class BoundedBody {

    /**
     * After refusing a body, this much more of it is read and thrown away (constant memory), so that a
     * client that writes its whole body before reading the answer still gets the error; past that the
     * connection is closed.
     */
    static final long DISCARD_LIMIT = 64L * 1024 * 1024;

    /** The body passed {@code limit}; {@code declaredLength} is its Content-Length, or -1 when chunked. */
    static final class TooLargeException extends Exception {
        private final long limit;
        private final long declaredLength;

        TooLargeException(long limit, long declaredLength) {
            super("request body over " + limit + " bytes");
            this.limit = limit;
            this.declaredLength = declaredLength;
        }

        long limit() {
            return limit;
        }

        long declaredLength() {
            return declaredLength;
        }
    }

    private BoundedBody() {
    }

    /** The whole body, at most {@code limit} bytes. */
    static byte[] read(HttpExchange exchange, long limit) throws IOException, TooLargeException {
        long declared = declaredLength(exchange);
        if (declared > limit) {
            throw new TooLargeException(limit, declared);
        }
        InputStream in = exchange.getRequestBody();
        ByteArrayOutputStream body = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 0), 64 * 1024));
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total + 1))) > 0) {
            total += n;
            if (total > limit) {
                throw new TooLargeException(limit, declared);
            }
            body.write(buffer, 0, n);
        }
        return body.toByteArray();
    }

    /** Reads and drops what is left of a refused body, up to {@link #DISCARD_LIMIT}. */
    static void discardRest(HttpExchange exchange) {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[16 * 1024];
            long dropped = 0;
            int n;
            while (dropped < DISCARD_LIMIT && (n = in.read(buffer)) > 0) {
                dropped += n;
            }
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    /** Content-Length, or -1 when absent (chunked); an unreadable value counts as absent, the stream is still bounded. */
    static long declaredLength(HttpExchange exchange) {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
