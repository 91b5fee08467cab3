package dev.ecsretrier.local.ric;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lambda's Runtime API on the loopback interface, as a Lambda execution environment serves it to
 * the runtime inside: {@code GET /2018-06-01/runtime/invocation/next} hands out one queued
 * invocation (blocking until there is one) with the {@code Lambda-Runtime-Aws-Request-Id},
 * {@code Lambda-Runtime-Deadline-Ms}, {@code Lambda-Runtime-Invoked-Function-Arn} and
 * {@code Lambda-Runtime-Trace-Id} headers; {@code POST .../invocation/{id}/response} and
 * {@code .../invocation/{id}/error} end it; {@code POST .../init/error} reports a failed
 * initialization. Each answers 202 Accepted.
 * See https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 */
final class LoopbackRuntimeApi implements AutoCloseable {

    static final String RUNTIME = "/2018-06-01/runtime";
    static final Pattern INVOCATION_END = Pattern.compile(RUNTIME + "/invocation/([^/]+)/(response|error)");
    static final String ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type";

    /** How an invocation or the initialization ended, as the runtime reported it. */
    sealed interface Result {
        String body();

        /** {@code POST /invocation/{id}/response}: the function's answer. */
        record Response(String body) implements Result {
        }

        /**
         * {@code POST /invocation/{id}/error} or {@code /init/error}: {@code errorType} from the
         * {@value #ERROR_TYPE_HEADER} header, the body as the runtime sent it ({@code errorMessage},
         * {@code errorType}, {@code stackTrace}).
         */
        record Error(String errorType, String body) implements Result {
        }
    }

    private record Invocation(String requestId, String payload, String functionArn, long deadlineMillis) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "loopback-runtime-api");
        thread.setDaemon(true);
        return thread;
    });
    private final BlockingQueue<Invocation> pending = new LinkedBlockingQueue<>();
    private final Map<String, CompletableFuture<Result>> results = new ConcurrentHashMap<>();
    private final CompletableFuture<Result.Error> initError = new CompletableFuture<>();
    /** Every call the runtime made, as "METHOD path". */
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    LoopbackRuntimeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** What AWS_LAMBDA_RUNTIME_API is set to: host and port, no scheme. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues one invocation; completes when the runtime reports its response or its error. */
    CompletableFuture<Result> invoke(String payload, String functionArn, Duration timeout) {
        String requestId = UUID.randomUUID().toString();
        CompletableFuture<Result> result = new CompletableFuture<>();
        results.put(requestId, result);
        pending.add(new Invocation(requestId, payload, functionArn, System.currentTimeMillis() + timeout.toMillis()));
        return result;
    }

    CompletableFuture<Result.Error> initError() {
        return initError;
    }

    List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            calls.add(method + " " + path);
            if ("GET".equals(method) && path.equals(RUNTIME + "/invocation/next")) {
                next(exchange);
                return;
            }
            Matcher end = INVOCATION_END.matcher(path);
            if ("POST".equals(method) && end.matches()) {
                CompletableFuture<Result> result = results.get(end.group(1));
                if (result == null) {
                    send(exchange, 400, "{\"errorMessage\":\"unknown request id " + end.group(1) + "\","
                            + "\"errorType\":\"InvalidRequestID\"}");
                    return;
                }
                String text = new String(body, StandardCharsets.UTF_8);
                result.complete(end.group(2).equals("response") ? new Result.Response(text)
                        : new Result.Error(exchange.getRequestHeaders().getFirst(ERROR_TYPE_HEADER), text));
                send(exchange, 202, "{\"status\":\"OK\"}");
                return;
            }
            if ("POST".equals(method) && path.equals(RUNTIME + "/init/error")) {
                initError.complete(new Result.Error(exchange.getRequestHeaders().getFirst(ERROR_TYPE_HEADER),
                        new String(body, StandardCharsets.UTF_8)));
                send(exchange, 202, "{\"status\":\"OK\"}");
                return;
            }
            send(exchange, 404, "{\"errorMessage\":\"" + method + " " + path + " is not part of the Runtime API\"}");
        }
    }

    /** Blocks until an invocation is queued: the runtime's GET has no timeout, as the API asks. */
    private void next(HttpExchange exchange) throws IOException {
        Invocation invocation;
        try {
            invocation = pending.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Lambda-Runtime-Aws-Request-Id", invocation.requestId());
        exchange.getResponseHeaders().set("Lambda-Runtime-Deadline-Ms", Long.toString(invocation.deadlineMillis()));
        exchange.getResponseHeaders().set("Lambda-Runtime-Invoked-Function-Arn", invocation.functionArn());
        exchange.getResponseHeaders().set("Lambda-Runtime-Trace-Id",
                "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=0");
        byte[] payload = invocation.payload().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, payload.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(payload);
        }
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
