package dev.ecsretrier.local.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** AWS's limits on the requests {@code serve} takes, and AWS's words when one is passed. */
final class RequestLimits {

    /**
     * Lambda Invoke payloads: "For synchronous invocations, the maximum payload size is 6 MB. For
     * asynchronous invocations, the maximum payload size is 1 MB." (MB meaning 1,024 KB)
     * https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html,
     * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
     */
    static final long SYNC_INVOKE_PAYLOAD = 6L * 1024 * 1024;
    static final long ASYNC_INVOKE_PAYLOAD = 1024L * 1024;

    /**
     * EventBridge PutEvents: 1 to 10 entries, their total size (Time 14 bytes, then the UTF-8 bytes of
     * Source, DetailType, Detail and each of Resources) at most 256 KB.
     * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html,
     * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
     */
    static final int PUT_EVENTS_MAX_ENTRIES = 10;
    static final long PUT_EVENTS_MAX_SIZE = 256L * 1024;
    /** EventBridge's own words for a call over the size limit. */
    static final String PUT_EVENTS_TOO_LARGE = "Total size of the entries in the request is over the limit.";

    /**
     * Any other request's body. The largest is a PutEvents call of 256 KB of entries whose JSON
     * escapes (a {@code \u0001} is six bytes) can make it up to six times as long on the wire.
     */
    static final long OTHER_BODY = 2L * 1024 * 1024;

    /** Jackson's streaming parser, for checking a payload is one JSON value without building it. */
    private static final JsonFactory PARSERS = new JsonFactory();

    private RequestLimits() {
    }

    static long invokePayload(String invocationType) {
        return "Event".equals(invocationType) ? ASYNC_INVOKE_PAYLOAD : SYNC_INVOKE_PAYLOAD;
    }

    /** Lambda's message for a payload over the limit, as it words it for each invocation type. */
    static String invokeTooLargeMessage(String invocationType, long declaredLength, long limit) {
        if ("Event".equals(invocationType) && declaredLength >= 0) {
            return declaredLength + " byte payload is too large for the Event invocation type (limit " + limit + " bytes)";
        }
        return "Request must be smaller than " + limit + " bytes for the InvokeFunction operation";
    }

    /** Why a PutEvents request breaks the API's limits; empty when it does not. */
    static Optional<String> putEventsProblem(AwsEndpoint.PutEventsBody request) {
        List<AwsEndpoint.PutEventsRequestEntry> entries = request.Entries();
        if (entries == null) {
            return Optional.of("1 validation error detected: Value null at 'entries' failed to satisfy constraint:"
                    + " Member must not be null");
        }
        if (entries.isEmpty() || entries.size() > PUT_EVENTS_MAX_ENTRIES) {
            return Optional.of("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must"
                    + " have length " + (entries.isEmpty() ? "greater than or equal to 1"
                    : "less than or equal to " + PUT_EVENTS_MAX_ENTRIES) + " (got " + entries.size() + ")");
        }
        long size = 0;
        for (AwsEndpoint.PutEventsRequestEntry entry : entries) {
            size += entry == null ? 0 : entrySize(entry);
        }
        return size > PUT_EVENTS_MAX_SIZE ? Optional.of(PUT_EVENTS_TOO_LARGE) : Optional.empty();
    }

    /** EventBridge's size of one entry (eb-putevent-size.html). */
    static long entrySize(AwsEndpoint.PutEventsRequestEntry entry) {
        long size = entry.Time() != null ? 14 : 0;
        size += utf8(entry.Source()) + utf8(entry.DetailType()) + utf8(entry.Detail());
        for (String resource : entry.Resources() == null ? List.<String>of() : entry.Resources()) {
            size += utf8(resource);
        }
        return size;
    }

    private static long utf8(String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Why {@code payload} is not one JSON value, in the parser's words without its internals; empty when it is. */
    static Optional<String> notJson(byte[] payload) {
        try (JsonParser parser = PARSERS.createParser(payload)) {
            if (parser.nextToken() == null) {
                return Optional.of("no JSON value");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                return Optional.of("more than one JSON value, at " + where(parser.currentTokenLocation()));
            }
            return Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.of(describe(e));
        } catch (IOException e) {
            return Optional.of("unreadable: " + e.getClass().getSimpleName());
        }
    }

    /** {@link #describe(JsonProcessingException)} for what a tree reader throws. */
    static String describe(IOException e) {
        return e instanceof JsonProcessingException parse ? describe(parse) : "not JSON: unreadable";
    }

    /** A parser's complaint without its "[Source: ...]" internals: what it found, and where. */
    static String describe(JsonProcessingException e) {
        String what = e.getOriginalMessage();
        int newline = what.indexOf('\n');
        if (newline >= 0) {
            what = what.substring(0, newline);
        }
        // A nested location ("start marker at [Source: REDACTED (...); line: 1, column: 13]") keeps its place only.
        what = what.replaceAll("\\[Source: [^;\\]]*; (line: \\d+, column: \\d+)\\]", "$1");
        if (what.length() > 200) {
            what = what.substring(0, 200) + "…";
        }
        return "not JSON: " + what + (e.getLocation() == null ? "" : " at " + where(e.getLocation()));
    }

    private static String where(JsonLocation location) {
        return "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
