package dev.ecsretrier.testutil;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * A local AWS endpoint for adapter tests: records every request the SDK sends (method, path,
 * headers, body) and answers each operation with canned responses, in order, the last one
 * repeating. An operation is named the way its protocol names it: the {@code X-Amz-Target}
 * header (JSON 1.1, e.g. ECS), the {@code Action} form field (AWS Query, e.g. SNS), or
 * {@code METHOD /path} (REST-JSON, e.g. Scheduler).
 *
 * <p>The clients it builds are the SDK's real ones with the URLConnection HTTP client, region
 * us-east-1 and static credentials, as {@code AwsClients} builds them apart from the endpoint.
 */
public final class RecordingAwsEndpoint implements AutoCloseable {

    public static final Region REGION = Region.US_EAST_1;

    /** What the SDK sent. Header names are lower case; each header's values are joined with ",". */
    public record Request(String method, String path, String query, Map<String, String> headers, String body) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String operation() {
            String target = header("X-Amz-Target");
            if (target != null) {
                return target;
            }
            String action = form().get("Action");
            return action != null ? action : method + " " + path;
        }

        /**
         * SNS message attributes of a Query request as name → "DataType=StringValue", from the fields
         * {@code MessageAttributes.entry.N.Name}, {@code .Value.DataType} and {@code .Value.StringValue}.
         */
        public Map<String, String> messageAttributes() {
            Map<String, String> form = form();
            Map<String, String> attributes = new LinkedHashMap<>();
            for (int n = 1; form.containsKey("MessageAttributes.entry." + n + ".Name"); n++) {
                String entry = "MessageAttributes.entry." + n;
                attributes.put(form.get(entry + ".Name"),
                        form.get(entry + ".Value.DataType") + "=" + form.get(entry + ".Value.StringValue"));
            }
            return attributes;
        }

        /** Short, for assertion messages: the headers are long and mostly signing. */
        @Override
        public String toString() {
            return operation() + " " + header("amz-sdk-request") + " " + body;
        }

        /** The body as {@code application/x-www-form-urlencoded} fields, in order (AWS Query). */
        public Map<String, String> form() {
            Map<String, String> fields = new LinkedHashMap<>();
            String type = header("Content-Type");
            if (type == null || !type.startsWith("application/x-www-form-urlencoded") || body.isEmpty()) {
                return fields;
            }
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                fields.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
            return fields;
        }
    }

    /** One canned answer. */
    public record Response(int status, String contentType, String body, Map<String, String> headers) {

        public static Response json(int status, String body) {
            return new Response(status, "application/x-amz-json-1.1", body, Map.of());
        }

        /** A REST-JSON answer; the error code travels in {@code X-Amzn-ErrorType} as AWS sends it. */
        public static Response restJson(int status, String body) {
            return new Response(status, "application/json", body, Map.of());
        }

        public static Response restJsonError(int status, String errorType, String message) {
            return new Response(status, "application/json", "{\"Message\":\"" + message + "\"}",
                    Map.of("X-Amzn-ErrorType", errorType + ":http://internal.amazon.com/coral/com.amazonaws.scheduler/"));
        }

        /** A JSON 1.1 error as ECS sends it: {@code __type} and {@code message}. */
        public static Response jsonError(int status, String type, String message) {
            return json(status, "{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}");
        }

        public static Response xml(int status, String body) {
            return new Response(status, "text/xml", body, Map.of());
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Response>> answers = new ConcurrentHashMap<>();
    private final SdkHttpClient http = UrlConnectionHttpClient.create();

    public RecordingAwsEndpoint() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Answers {@code operation} with {@code responses} in turn; the last one answers every later call.
     * An operation ending in {@code *} answers every operation it is a prefix of, e.g.
     * {@code "POST /schedules/*"} for a schedule whose name is not known in advance.
     */
    public RecordingAwsEndpoint answer(String operation, Response... responses) {
        answers.put(operation, new ArrayDeque<>(List.of(responses)));
        return this;
    }

    /** Forgets every request and answer so far. */
    public void clear() {
        requests.clear();
        answers.clear();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The operations called, in order. */
    public List<String> operations() {
        return requests.stream().map(Request::operation).toList();
    }

    public List<Request> requests(String operation) {
        return requests.stream().filter(r -> r.operation().equals(operation)).toList();
    }

    /** The one request of {@code operation}; fails when there were none or several. */
    public Request only(String operation) {
        List<Request> matching = requests(operation);
        if (matching.size() != 1) {
            throw new AssertionError("expected one " + operation + " request, got " + matching.size() + ": "
                    + requests().stream().map(Request::operation).toList());
        }
        return matching.get(0);
    }

    public EcsClient ecs() {
        return EcsClient.builder().endpointOverride(uri()).region(REGION).httpClient(http)
                .credentialsProvider(credentials()).build();
    }

    public SchedulerClient scheduler() {
        return SchedulerClient.builder().endpointOverride(uri()).region(REGION).httpClient(http)
                .credentialsProvider(credentials()).build();
    }

    /** As {@code AwsClients.logs} builds it: the SDK's standard retries, within {@code apiCallTimeout}. */
    public CloudWatchLogsClient logs(java.time.Duration apiCallTimeout) {
        return CloudWatchLogsClient.builder().endpointOverride(uri()).region(REGION).httpClient(http)
                .credentialsProvider(credentials())
                .overrideConfiguration(o -> o.retryStrategy(software.amazon.awssdk.core.retry.RetryMode.STANDARD)
                        .apiCallTimeout(apiCallTimeout))
                .build();
    }

    public SnsClient sns() {
        return SnsClient.builder().endpointOverride(uri()).region(REGION).httpClient(http)
                .credentialsProvider(credentials()).build();
    }

    /** A test resource as text, e.g. {@code "aws/ecs/run-task-started.json"} or {@code "events/app-exit-2.json"}. */
    public static String fixture(String name) {
        try (InputStream in = RecordingAwsEndpoint.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret"));
    }

    @Override
    public void close() {
        server.stop(0);
        http.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) ->
                    headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), headers, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            requests.add(request);
            Response response = next(request.operation());
            byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            exchange.getResponseHeaders().set("x-amzn-RequestId", "req-" + requests.size());
            response.headers().forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private Response next(String operation) {
        Deque<Response> queue = answers.get(operation);
        if (queue == null) {
            queue = answers.entrySet().stream()
                    .filter(e -> e.getKey().endsWith("*")
                            && operation.startsWith(e.getKey().substring(0, e.getKey().length() - 1)))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }
        if (queue == null) {
            // Unexpected calls fail loudly, with a non-retryable code so the test sees them at once.
            return Response.jsonError(400, "UnexpectedOperation", "no canned answer for " + operation);
        }
        synchronized (queue) {
            return queue.size() > 1 ? queue.poll() : queue.peek();
        }
    }
}
