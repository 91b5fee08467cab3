package dev.ecsretrier.local.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ecsretrier.local.LocalJson;
import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.LocalSettings;
import dev.ecsretrier.local.bus.LocalEventBus;
import dev.ecsretrier.local.lambda.LocalLambda;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local runtime behind the AWS wire protocols, so the AWS CLI and SDKs can drive it with an
 * endpoint override: Lambda {@code Invoke} (REST-JSON) and EventBridge {@code PutEvents} (JSON 1.1),
 * and the calls the functions make: ECS {@code RunTask}, {@code DescribeTasks}, {@code StopTask}
 * ({@link EcsApi}), Scheduler {@code CreateSchedule}, {@code DeleteSchedule} ({@link SchedulerApi}),
 * SNS {@code Publish} ({@link SnsApi}). So the functions' jar, run with {@code AWS_ENDPOINT_URL}
 * pointing here, drives the local loop.
 */
public final class AwsEndpoint implements AutoCloseable {

    static final Pattern INVOKE = Pattern.compile("/2015-03-31/functions/([^/]+)/invocations/?");
    static final String PUT_EVENTS = "AWSEvents.PutEvents";
    static final String JSON_11 = "application/x-amz-json-1.1";

    private final LocalRuntime runtime;
    private final HttpServer server;
    private final ExecutorService threads;
    private final Consumer<String> log;
    private final List<AwsApi> apis;

    private AwsEndpoint(LocalRuntime runtime, HttpServer server, ExecutorService threads, Consumer<String> log) {
        this.runtime = runtime;
        this.server = server;
        this.threads = threads;
        this.log = log;
        this.apis = List.of(new EcsApi(runtime.ecs(), runtime.config().containerName(), log),
                new SchedulerApi(runtime.scheduler(), runtime.config().scheduleGroup(), LocalSettings.REGION,
                        LocalSettings.ACCOUNT, log),
                new SnsApi(runtime.topic(), log));
    }

    /**
     * Listens on {@code host:port} (port 0: any free port).
     *
     * @param log one line per request
     */
    public static AwsEndpoint start(LocalRuntime runtime, String host, int port, Consumer<String> log) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
            Thread thread = new Thread(r, "ecs-retrier-endpoint");
            thread.setDaemon(true);
            return thread;
        });
        AwsEndpoint endpoint = new AwsEndpoint(runtime, server, threads, log);
        server.createContext("/", endpoint::handle);
        server.setExecutor(threads);
        server.start();
        return endpoint;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI uri() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + port());
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = readAll(exchange.getRequestBody());
            String path = exchange.getRequestURI().getRawPath();
            Matcher invoke = INVOKE.matcher(path);
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            WireRequest request = new WireRequest(exchange.getRequestMethod(), path,
                    exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), body);
            Optional<WireResponse> answer = apis.stream().map(api -> api.answer(request))
                    .flatMap(Optional::stream).findFirst();
            if (answer.isPresent()) {
                answer.get().headers().forEach(exchange.getResponseHeaders()::set);
                send(exchange, answer.get().status(), answer.get().contentType(), answer.get().body());
            } else if ("POST".equals(exchange.getRequestMethod()) && invoke.matches()) {
                invoke(exchange, URLDecoder.decode(invoke.group(1), StandardCharsets.UTF_8), body);
            } else if ("POST".equals(exchange.getRequestMethod()) && target != null) {
                if (PUT_EVENTS.equals(target)) {
                    putEvents(exchange, body);
                } else {
                    jsonError(exchange, 400, "UnknownOperationException", "operation " + target
                            + " is not served locally; only " + PUT_EVENTS + " and ECS RunTask, DescribeTasks, StopTask");
                }
            } else {
                jsonError(exchange, 404, "UnknownOperationException", exchange.getRequestMethod() + " " + path
                        + " is not served locally: use Lambda Invoke, EventBridge PutEvents, ECS, Scheduler or SNS");
            }
        } catch (RuntimeException e) {
            log.accept("endpoint: " + e);
            throw e;
        }
    }

    private void invoke(HttpExchange exchange, String function, byte[] payload) throws IOException {
        LocalLambda lambda = runtime.lambda();
        Optional<String> name = lambda.resolve(function);
        if (name.isEmpty()) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", "ResourceNotFoundException");
            ObjectNode error = LocalJson.MAPPER.createObjectNode();
            error.put("Type", "User");
            error.put("message", "Function not found: " + (function.startsWith("arn:") ? function : lambda.arn(function)));
            send(exchange, 404, "application/json", LocalJson.writeBytes(error));
            log.accept("lambda invoke " + function + ": function not found");
            return;
        }
        String type = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type"))
                .orElse("RequestResponse");
        exchange.getResponseHeaders().set("X-Amz-Executed-Version", "$LATEST");
        switch (type) {
            case "Event" -> {
                lambda.invokeAsync(name.get(), payload);
                log.accept("lambda invoke " + name.get() + " (Event): accepted");
                send(exchange, 202, "application/json", new byte[0]);
            }
            case "DryRun" -> send(exchange, 204, "application/json", new byte[0]);
            case "RequestResponse" -> {
                LocalLambda.Invocation invocation = lambda.invoke(name.get(), payload);
                if (invocation instanceof LocalLambda.Invocation.Succeeded succeeded) {
                    log.accept("lambda invoke " + name.get() + " (RequestResponse): " + LocalJson.write(succeeded.result()));
                    send(exchange, 200, "application/json", succeeded.payload());
                } else {
                    LocalLambda.Invocation.Failed failed = (LocalLambda.Invocation.Failed) invocation;
                    ObjectNode error = LocalJson.MAPPER.createObjectNode();
                    error.put("errorMessage", String.valueOf(failed.error().getMessage()));
                    error.put("errorType", failed.errorType());
                    ArrayNode trace = error.putArray("stackTrace");
                    for (StackTraceElement frame : failed.error().getStackTrace()) {
                        trace.add(frame.toString());
                        if (trace.size() == 10) {
                            break;
                        }
                    }
                    exchange.getResponseHeaders().set("X-Amz-Function-Error", "Unhandled");
                    log.accept("lambda invoke " + name.get() + " (RequestResponse): function error "
                            + failed.errorType() + ": " + failed.error().getMessage());
                    send(exchange, 200, "application/json", LocalJson.writeBytes(error));
                }
            }
            default -> {
                exchange.getResponseHeaders().set("x-amzn-ErrorType", "InvalidParameterValueException");
                ObjectNode error = LocalJson.MAPPER.createObjectNode();
                error.put("Type", "User");
                error.put("message", "X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got " + type);
                send(exchange, 400, "application/json", LocalJson.writeBytes(error));
            }
        }
    }

    private void putEvents(HttpExchange exchange, byte[] body) throws IOException {
        JsonNode request;
        try {
            request = LocalJson.MAPPER.readTree(body);
        } catch (IOException e) {
            jsonError(exchange, 400, "SerializationException", "request body is not JSON: " + e.getMessage());
            return;
        }
        if (request == null || !request.path("Entries").isArray() || request.path("Entries").isEmpty()) {
            jsonError(exchange, 400, "ValidationException", "Entries must be a list of 1 to 10 entries");
            return;
        }
        ObjectNode response = LocalJson.MAPPER.createObjectNode();
        ArrayNode results = LocalJson.MAPPER.createArrayNode();
        int failed = 0;
        for (JsonNode entry : request.path("Entries")) {
            ObjectNode result = results.addObject();
            Optional<String> problem = put(entry, result);
            if (problem.isPresent()) {
                failed++;
                log.accept("events put-events: entry refused: " + problem.get());
            }
        }
        response.put("FailedEntryCount", failed);
        response.set("Entries", results);
        send(exchange, 200, JSON_11, LocalJson.writeBytes(response));
    }

    /** Puts one entry; fills its result (EventId, or ErrorCode and ErrorMessage); returns the error, if any. */
    private Optional<String> put(JsonNode entry, ObjectNode result) {
        String source = entry.path("Source").asText("");
        String detailType = entry.path("DetailType").asText("");
        String bus = entry.path("EventBusName").asText(LocalEventBus.DEFAULT_BUS);
        if (source.isEmpty() || detailType.isEmpty()) {
            return refuse(result, "InvalidArgument", "Parameters Source and DetailType are required.");
        }
        if (!bus.equals(LocalEventBus.DEFAULT_BUS) && !bus.endsWith(":event-bus/" + LocalEventBus.DEFAULT_BUS)) {
            return refuse(result, "InvalidArgument", "Event bus " + bus + " does not exist; the local bus is 'default'.");
        }
        JsonNode detail;
        try {
            detail = LocalJson.tree(entry.path("Detail").asText(""));
        } catch (IOException e) {
            detail = null;
        }
        if (detail == null || !detail.isObject()) {
            return refuse(result, "MalformedDetail", "Detail is malformed.");
        }
        List<String> resources = new ArrayList<>();
        entry.path("Resources").forEach(r -> resources.add(r.asText()));
        Instant time;
        try {
            time = time(entry.path("Time"));
        } catch (DateTimeParseException e) {
            return refuse(result, "InvalidArgument", "Parameter Time is not valid: " + e.getMessage());
        }
        LocalEventBus.Put put = runtime.eventBus().put(source, detailType, detail, resources, time);
        result.put("EventId", put.eventId());
        log.accept("events put-events: " + source + " / " + detailType + " -> "
                + (put.matched() ? "matched " + put.matchedRules() : "unmatched: no rule matched event " + put.eventId()));
        return Optional.empty();
    }

    private static Optional<String> refuse(ObjectNode result, String code, String message) {
        result.put("ErrorCode", code);
        result.put("ErrorMessage", message);
        return Optional.of(code + ": " + message);
    }

    /** JSON 1.1 sends timestamps as epoch seconds; the CLI may send ISO text. */
    private static Instant time(JsonNode time) {
        if (time.isNumber()) {
            return Instant.ofEpochMilli(Math.round(time.doubleValue() * 1000));
        }
        if (time.isTextual() && !time.textValue().isBlank()) {
            return Instant.parse(time.textValue());
        }
        return null;
    }

    private static void jsonError(HttpExchange exchange, int status, String type, String message) throws IOException {
        ObjectNode error = LocalJson.MAPPER.createObjectNode();
        error.put("__type", type);
        error.put("message", message);
        exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
        send(exchange, status, JSON_11, LocalJson.writeBytes(error));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        if (body.length == 0) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}
