package dev.ecsretrier.local.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.JsonRecords;
import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.bus.LocalEventBus;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.lambda.LocalLambda;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /**
     * PutEvents' body, the members the local bus reads, named as EventBridge spells them
     * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html,
     * API_PutEventsRequestEntry.html); EndpointId and an entry's TraceHeader are skipped.
     *
     * @param Entries 1 to 10 (checked by {@link RequestLimits#putEventsProblem})
     */
    record PutEventsBody(List<PutEventsRequestEntry> Entries) {
    }

    /**
     * @param Time epoch seconds (a number, as JSON 1.1 sends a timestamp) or ISO-8601 text (the CLI's);
     *             anything else is refused for the entry
     */
    record PutEventsRequestEntry(String Source, String DetailType, String Detail, List<String> Resources,
                                 String EventBusName, Object Time) {
    }

    /** API_PutEventsResultEntry.html: an EventId, or an ErrorCode and ErrorMessage. */
    record PutEventsResultEntry(String EventId, String ErrorCode, String ErrorMessage) {
    }

    record PutEventsAnswer(int FailedEntryCount, List<PutEventsResultEntry> Entries) {
    }

    /** Lambda's REST-JSON error body (the type is in {@code X-Amzn-ErrorType}). */
    record LambdaErrorAnswer(String Type, String message) {
    }

    /** What Invoke answers for a function error (with {@code X-Amz-Function-Error: Unhandled}), as Lambda's Java runtime writes it. */
    record FunctionErrorAnswer(String errorMessage, String errorType, List<String> stackTrace) {
    }

    /** The member of an Invoke payload named in the request's log line. */
    record NamedRun(String runId) {
    }

    private AwsEndpoint(LocalRuntime runtime, HttpServer server, ExecutorService threads, Consumer<String> log) {
        this.runtime = runtime;
        this.server = server;
        this.threads = threads;
        this.log = log;
        this.apis = List.of(new ThrottlingApi(runtime.quotas(), log),
                new EcsApi(runtime.ecs(), runtime.config().firstContainer(), log),
                new SchedulerApi(runtime.scheduler(), runtime.config().scheduleGroup(), LocalSettings.REGION,
                        LocalSettings.ACCOUNT, log),
                // Before SNS: both take form-encoded query requests; SQS claims only its own.
                new SqsApi(runtime.queues(), log),
                new SnsApi(runtime.topic(), log),
                new LogsApi(runtime.logs(), LocalSettings.REGION, LocalSettings.ACCOUNT, log));
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
        try {
            String path = exchange.getRequestURI().getRawPath();
            Matcher invoke = INVOKE.matcher(path);
            boolean post = "POST".equals(exchange.getRequestMethod());
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String invocationType = Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type"))
                    .orElse("RequestResponse");
            boolean isInvoke = post && invoke.matches();
            // Every route's body is bounded here, before any handler sees it.
            byte[] body;
            try {
                body = BoundedBody.read(exchange, isInvoke ? RequestLimits.invokePayload(invocationType)
                        : RequestLimits.OTHER_BODY);
            } catch (BoundedBody.TooLargeException e) {
                refuseTooLarge(exchange, isInvoke, invocationType, target, e);
                return;
            }
            WireRequest request = new WireRequest(exchange.getRequestMethod(), path,
                    exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), body);
            // Invoke first: its path is its own, whatever Content-Type a client defaults to for an empty body.
            Optional<WireResponse> answer = isInvoke ? Optional.empty() : apis.stream().map(api -> api.answer(request))
                    .flatMap(Optional::stream).findFirst();
            if (isInvoke) {
                invoke(exchange, URLDecoder.decode(invoke.group(1), StandardCharsets.UTF_8), invocationType, body);
            } else if (answer.isPresent()) {
                answer.get().headers().forEach(exchange.getResponseHeaders()::set);
                send(exchange, answer.get().status(), answer.get().contentType(), answer.get().body());
            } else if (post && target != null) {
                if (PUT_EVENTS.equals(target)) {
                    putEvents(exchange, body);
                } else {
                    jsonError(exchange, 400, "UnknownOperationException", "operation " + target
                            + " is not served locally; only " + PUT_EVENTS + " and ECS RunTask, DescribeTasks, StopTask, ListTasks");
                }
            } else {
                jsonError(exchange, 404, "UnknownOperationException", exchange.getRequestMethod() + " " + path
                        + " is not served locally: use Lambda Invoke, EventBridge PutEvents, ECS, Scheduler or SNS");
            }
        } catch (RuntimeException e) {
            // A bug here still gets an answer, as AWS answers 500 for its own faults.
            log.accept("endpoint: internal error: " + e);
            try {
                String message = "internal error in the local endpoint: " + e.getClass().getSimpleName()
                        + " (please report it)";
                if (INVOKE.matcher(exchange.getRequestURI().getRawPath()).matches()) {
                    lambdaError(exchange, 500, "ServiceException", message);
                } else {
                    jsonError(exchange, 500, "InternalFailure", message);
                }
            } catch (IOException | RuntimeException alreadyAnswered) {
                // the answer had begun: the connection closes
            }
        } finally {
            exchange.close();
        }
    }

    /** The protocol's own answer to a body over its limit; the body is never read into memory. */
    private void refuseTooLarge(HttpExchange exchange, boolean isInvoke, String invocationType, String target,
                                BoundedBody.TooLargeException e) throws IOException {
        byte[] answer;
        int status = 413;
        String contentType;
        String type;
        if (isInvoke) {
            type = "RequestEntityTooLargeException";
            answer = Json.writeBytes(new LambdaErrorAnswer("User",
                    RequestLimits.invokeTooLargeMessage(invocationType, e.declaredLength(), e.limit())));
            contentType = "application/json";
        } else if (PUT_EVENTS.equals(target)) {
            status = 400;
            type = "ValidationException";
            answer = jsonErrorBody(type, RequestLimits.PUT_EVENTS_TOO_LARGE);
            contentType = JSON_11;
        } else {
            type = "RequestEntityTooLargeException";
            answer = jsonErrorBody(type, "request body over " + e.limit() + " bytes");
            contentType = JSON_11;
        }
        log.accept(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + ": refused, " + type
                + " (body " + (e.declaredLength() >= 0 ? e.declaredLength() + " bytes" : "chunked") + ", limit "
                + e.limit() + ")");
        exchange.getResponseHeaders().set("X-Amzn-ErrorType", type);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("X-Amzn-RequestId", UUID.randomUUID().toString());
        exchange.getResponseHeaders().set("Connection", "close");
        exchange.sendResponseHeaders(status, answer.length);
        OutputStream out = exchange.getResponseBody();
        out.write(answer);
        out.flush();
        // A client that writes its whole body before reading still gets the answer; then the connection closes.
        BoundedBody.discardRest(exchange);
        out.close();
    }

    private void invoke(HttpExchange exchange, String function, String type, byte[] requestBody) throws IOException {
        LocalLambda lambda = runtime.lambda();
        Optional<String> name = lambda.resolve(function);
        Optional<String> version = name.flatMap(n -> LocalSettings.executedVersion(function,
                query(exchange, "Qualifier")));
        if (name.isEmpty() || version.isEmpty()) {
            String qualifier = query(exchange, "Qualifier");
            lambdaError(exchange, 404, "ResourceNotFoundException", "Function not found: "
                    + (function.startsWith("arn:") ? function : lambda.arn(function))
                    + (qualifier == null ? "" : ":" + qualifier));
            log.accept("lambda invoke " + function + ": function not found");
            return;
        }
        // An empty payload is an empty event, as Lambda passes it; anything else must be JSON.
        byte[] payload = isBlank(requestBody) ? "{}".getBytes(StandardCharsets.UTF_8) : requestBody;
        Optional<String> notJson = RequestLimits.notJson(payload);
        if (notJson.isPresent()) {
            lambdaError(exchange, 400, "InvalidRequestContentException",
                    "Could not parse request body into json: " + notJson.get());
            log.accept("lambda invoke " + name.get() + ": refused, payload is not JSON: " + notJson.get());
            return;
        }
        String run = runOf(payload);
        // X-Amz-Executed-Version: the version an alias points to (API_Invoke).
        exchange.getResponseHeaders().set("X-Amz-Executed-Version", version.get());
        switch (type) {
            case "Event" -> {
                // Logged before the invocation is queued: its task's lines come after it.
                log.accept("lambda invoke " + name.get() + " (Event)" + run + ": accepted");
                lambda.invokeAsync(name.get(), payload);
                send(exchange, 202, "application/json", new byte[0]);
            }
            case "DryRun" -> send(exchange, 204, "application/json", new byte[0]);
            case "RequestResponse" -> {
                log.accept("lambda invoke " + name.get() + " (RequestResponse)" + run);
                LocalLambda.Invocation invocation = lambda.invoke(name.get(), payload);
                if (invocation instanceof LocalLambda.Invocation.Succeeded succeeded) {
                    log.accept("lambda invoke " + name.get() + " (RequestResponse): " + new String(succeeded.payload(), java.nio.charset.StandardCharsets.UTF_8));
                    send(exchange, 200, "application/json", succeeded.payload());
                } else if (invocation instanceof LocalLambda.Invocation.Throttled) {
                    // https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
                    log.accept("lambda invoke " + name.get() + " (RequestResponse): throttled, no concurrency");
                    lambdaError(exchange, 429, "TooManyRequestsException", "Rate Exceeded.");
                } else {
                    LocalLambda.Invocation.Failed failed = (LocalLambda.Invocation.Failed) invocation;
                    List<String> trace = java.util.Arrays.stream(failed.error().getStackTrace()).limit(10)
                            .map(StackTraceElement::toString).toList();
                    exchange.getResponseHeaders().set("X-Amz-Function-Error", "Unhandled");
                    log.accept("lambda invoke " + name.get() + " (RequestResponse): function error "
                            + failed.errorType() + ": " + failed.error().getMessage());
                    send(exchange, 200, "application/json", Json.writeBytes(new FunctionErrorAnswer(
                            String.valueOf(failed.error().getMessage()), failed.errorType(), trace)));
                }
            }
            default -> lambdaError(exchange, 400, "InvalidParameterValueException",
                    "X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got " + type);
        }
    }

    /**
     * " run ID" for a payload that names its run, for the request's log line; "" otherwise. The
     * payload is the function's event, any JSON: only an object with a text runId names one.
     */
    private static String runOf(byte[] payload) {
        try {
            Object plain = Json.parse(payload);
            String runId = plain instanceof Map<?, ?> ? WireBody.bind(plain, NamedRun.class).runId() : null;
            return runId == null ? "" : " run " + runId;
        } catch (JsonProcessingException | WireBody.Refused e) {
            return "";
        }
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    private static String query(HttpExchange exchange, String parameter) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).equals(parameter)) {
                return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** Lambda's REST-JSON error: the type in X-Amzn-ErrorType, {"Type": "User", "message": ...} in the body. */
    private static void lambdaError(HttpExchange exchange, int status, String type, String message) throws IOException {
        exchange.getResponseHeaders().set("X-Amzn-ErrorType", type);
        send(exchange, status, "application/json", Json.writeBytes(new LambdaErrorAnswer("User", message)));
    }

    private void putEvents(HttpExchange exchange, byte[] body) throws IOException {
        PutEventsBody request;
        try {
            request = WireBody.read(body, PutEventsBody.class);
        } catch (WireBody.Refused e) {
            // JSON that is not an object has no Entries: EventBridge's validation error, not a serialization one.
            String type = e.notJson() && !e.notAnObject() ? "SerializationException" : "ValidationException";
            String message = e.notAnObject() ? RequestLimits.putEventsProblem(new PutEventsBody(null)).orElseThrow()
                    : e.getMessage();
            jsonError(exchange, 400, type, message);
            log.accept("events put-events: refused, " + type + ": " + message);
            return;
        }
        Optional<String> invalid = RequestLimits.putEventsProblem(request);
        if (invalid.isPresent()) {
            jsonError(exchange, 400, "ValidationException", invalid.get());
            log.accept("events put-events: refused: " + invalid.get());
            return;
        }
        List<PutEventsResultEntry> results = new ArrayList<>();
        int failed = 0;
        for (PutEventsRequestEntry entry : request.Entries()) {
            PutEventsResultEntry result = put(entry);
            results.add(result);
            if (result.ErrorCode() != null) {
                failed++;
                log.accept("events put-events: entry refused: " + result.ErrorCode() + ": " + result.ErrorMessage());
            }
        }
        send(exchange, 200, JSON_11, Json.writeBytes(new PutEventsAnswer(failed, results)));
    }

    /** Puts one entry: its EventId, or the ErrorCode and ErrorMessage EventBridge gives it. */
    private PutEventsResultEntry put(PutEventsRequestEntry entry) {
        if (entry == null) {
            return refuse("InvalidArgument", "Parameters Source and DetailType are required.");
        }
        String source = entry.Source() == null ? "" : entry.Source();
        String detailType = entry.DetailType() == null ? "" : entry.DetailType();
        String bus = entry.EventBusName() == null ? LocalEventBus.DEFAULT_BUS : entry.EventBusName();
        if (source.isEmpty() || detailType.isEmpty()) {
            return refuse("InvalidArgument", "Parameters Source and DetailType are required.");
        }
        if (!bus.equals(LocalEventBus.DEFAULT_BUS) && !bus.endsWith(":event-bus/" + LocalEventBus.DEFAULT_BUS)) {
            return refuse("InvalidArgument", "Event bus " + bus + " does not exist; the local bus is 'default'.");
        }
        Object detail;
        try {
            detail = Json.parse(entry.Detail() == null ? "" : entry.Detail());
        } catch (JsonProcessingException e) {
            detail = null;
        }
        if (!(detail instanceof Map<?, ?> detailFields)) {
            return refuse("MalformedDetail", "Detail is malformed.");
        }
        List<String> resources = entry.Resources() == null ? List.of() : entry.Resources();
        Instant time;
        try {
            time = time(entry.Time());
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return refuse("InvalidArgument", "Parameter Time is not valid: " + e.getMessage());
        }
        LocalEventBus.Put put = runtime.eventBus().put(source, detailType, detailFields, resources, time);
        log.accept("events put-events: " + source + " / " + detailType + " -> "
                + (put.matched() ? "matched " + put.matchedRules() : "unmatched: no rule matched event " + put.eventId()));
        return new PutEventsResultEntry(put.eventId(), null, null);
    }

    private static PutEventsResultEntry refuse(String code, String message) {
        return new PutEventsResultEntry(null, code, message);
    }

    /** JSON 1.1 sends timestamps as epoch seconds; the CLI may send ISO text. */
    private static Instant time(Object time) {
        if (time instanceof Number seconds) {
            return Instant.ofEpochMilli(Math.round(seconds.doubleValue() * 1000));
        }
        if (time instanceof String text && !text.isBlank()) {
            return Instant.parse(text);
        }
        if (time != null && !(time instanceof String)) {
            throw new IllegalArgumentException("must be epoch seconds or ISO-8601 text, got " + JsonRecords.describe(time));
        }
        return null;
    }

    /** The JSON 1.1 error: {"__type": ..., "message": ...}. */
    private static void jsonError(HttpExchange exchange, int status, String type, String message) throws IOException {
        exchange.getResponseHeaders().set("X-Amzn-ErrorType", type);
        send(exchange, status, JSON_11, jsonErrorBody(type, message));
    }

    private static byte[] jsonErrorBody(String type, String message) {
        return Json.writeBytes(new EcsApi.ErrorAnswer(type, message));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("X-Amzn-RequestId", UUID.randomUUID().toString());
        if (body.length == 0) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
