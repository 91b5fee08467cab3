package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.local.Fixtures;
import dev.ecsretrier.local.JsonTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code serve} flooded, in a JVM of its own with a fixed heap, over loopback only: oversized bodies,
 * malformed JSON of each protocol, then 10,000 small requests from 50 connections. It answers every
 * request in AWS's shape, stays within its heap (and the stated peak RSS), and every request it
 * accepted ends in exactly one notification.
 */
class ServeFloodTest {

    /** The heap serve gets here; the docs state it with the peak RSS this test prints. */
    static final String HEAP = "-Xmx128m";
    /** Peak resident memory allowed, heap, metaspace, code and thread stacks included. */
    static final long RSS_BOUND_MIB = 400;
    static final int REQUESTS = 10_000;
    static final int CONNECTIONS = 50;

    record Answer(int status, Map<String, String> headers, String body) {
        String errorType() {
            String header = headers.get("x-amzn-errortype");
            if (header != null) {
                return header;
            }
            try {
                return JsonTrees.tree(body).path("__type").asText(null);
            } catch (IOException e) {
                return null;
            }
        }
    }

    /** One keep-alive HTTP/1.1 connection, requests one after the other, as an SDK's pooled connection. */
    static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Connection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(60_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        Answer post(String path, Map<String, String> headers, byte[] body) throws IOException {
            StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String status = line();
            Map<String, String> answerHeaders = new TreeMap<>();
            for (String line = line(); !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                answerHeaders.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(answerHeaders.getOrDefault("content-length", "0"));
            byte[] answer = in.readNBytes(length);
            return new Answer(Integer.parseInt(status.split(" ")[1]), answerHeaders, new String(answer, StandardCharsets.UTF_8));
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static final String INVOKE = "/2015-03-31/functions/starter/invocations";
    static final Map<String, String> EVENT = Map.of("X-Amz-Invocation-Type", "Event");
    static final Map<String, String> PUT_EVENTS = Map.of("X-Amz-Target", "AWSEvents.PutEvents",
            "Content-Type", "application/x-amz-json-1.1");

    static byte[] putEvent(String runId) {
        ObjectNode detail = (ObjectNode) Fixtures.localEvent("app-exit-1.json", runId).get("detail");
        ObjectNode entry = JsonTrees.MAPPER.createObjectNode().put("Source", "ecs-retrier.test")
                .put("DetailType", "ECS Task State Change").put("Detail", JsonTrees.write(detail));
        ObjectNode request = JsonTrees.MAPPER.createObjectNode();
        request.putArray("Entries").add(entry);
        return JsonTrees.writeBytes(request);
    }

    static void assertAwsShaped(Answer answer, int status, String type) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
        assertThat(answer.errorType()).as(answer.toString()).isEqualTo(type);
        assertThat(answer.body()).doesNotContain("Source:", "REDACTED", "StreamReadFeature", "Exception:", "\tat ");
    }

    @Test
    void aFloodIsAnsweredInAwsShapesWithinTheMemoryBoundAndLosesNoAcceptedWork(@TempDir Path dir) throws Exception {
        Path notifications = dir.resolve("notifications.jsonl");
        Path deadLetters = dir.resolve("dead-letters.jsonl");
        try (ServeProcess serve = ServeProcess.start(List.of(HEAP, "-XX:+ExitOnOutOfMemoryError"),
                "--time-scale", "0.001", "--task-command", "/bin/true", "--notifications", notifications.toString(),
                "--dead-letters", deadLetters.toString())) {
            int port = serve.port();

            // Oversized bodies: refused by their Content-Length, before reading (none is sent).
            for (int i = 0; i < 20; i++) {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.getOutputStream().write(("POST " + INVOKE + " HTTP/1.1\r\nHost: x\r\nContent-Length: "
                            + (2_500_000_000L + i) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    socket.setSoTimeout(10_000);
                    assertThat(new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
                            .isEqualTo("HTTP/1.1 413");
                }
            }
            // ... and sent in full, chunked: cut off at the limit.
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(URI.create(serve.endpoint() + INVOKE))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new AwsEndpointLimitsTest.Filler(50L << 20)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(chunked.statusCode()).isEqualTo(413);
            try (Connection connection = new Connection(port)) {
                assertAwsShaped(connection.post(INVOKE, EVENT, new byte[2 << 20]), 413, "RequestEntityTooLargeException");
            }
            try (Connection connection = new Connection(port)) {
                assertAwsShaped(connection.post("/", PUT_EVENTS, new byte[3 << 20]), 400, "ValidationException");
            }
            // Malformed JSON of each protocol, and requests for what is not served.
            try (Connection connection = new Connection(port)) {
                assertAwsShaped(connection.post(INVOKE, Map.of(), "{\"runId\": tru".getBytes(StandardCharsets.UTF_8)),
                        400, "InvalidRequestContentException");
                assertAwsShaped(connection.post(INVOKE, EVENT, "[1,".getBytes(StandardCharsets.UTF_8)),
                        400, "InvalidRequestContentException");
                assertAwsShaped(connection.post("/", PUT_EVENTS, "{\"Entries\":[{".getBytes(StandardCharsets.UTF_8)),
                        400, "SerializationException");
                assertAwsShaped(connection.post("/", PUT_EVENTS, "{\"Entries\":5}".getBytes(StandardCharsets.UTF_8)),
                        400, "ValidationException");
                assertAwsShaped(connection.post("/", PUT_EVENTS, "\"\\u0000\u00ff\"".getBytes(StandardCharsets.ISO_8859_1)),
                        400, "SerializationException");
                assertAwsShaped(connection.post("/", PUT_EVENTS, "\"a string\"".getBytes(StandardCharsets.UTF_8)),
                        400, "ValidationException");
                assertAwsShaped(connection.post("/", Map.of("X-Amz-Target", "AWSEvents.PutRule"), "{}".getBytes()),
                        400, "UnknownOperationException");
                assertAwsShaped(connection.post("/nowhere", Map.of(), new byte[0]), 404, "UnknownOperationException");
                // the APIs the functions call: ECS (JSON 1.1), Scheduler (REST-JSON), SNS (query)
                assertAwsShaped(connection.post("/", Map.of("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.RunTask",
                        "Content-Type", "application/x-amz-json-1.1"), "{\"cluster\":".getBytes()), 400, "SerializationException");
                assertAwsShaped(connection.post("/schedules/s-1", Map.of("Content-Type", "application/json"),
                        "{\"Target\":{".getBytes()), 400, "ValidationException");
                Map<String, String> form = Map.of("Content-Type", "application/x-www-form-urlencoded");
                for (String body : List.of("Action=Subscribe", "Action=Publish&Message=%%%")) {
                    Answer sns = connection.post("/", form, body.getBytes(StandardCharsets.UTF_8));
                    assertThat(sns.status()).as(sns.toString()).isEqualTo(400);
                    assertThat(sns.body()).as(sns.toString()).containsPattern("<Code>(InvalidAction|MalformedQueryString)</Code>")
                            .doesNotContain("Exception:", "\tat ");
                }
            }

            // 10,000 small requests from 50 connections: PutEvents of STOPPED events (exit 1: FAILED at once),
            // asynchronous invokes (a /bin/true task each: SUCCEEDED), and malformed ones among them.
            Set<String> accepted = ConcurrentHashMap.newKeySet();
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            AtomicInteger next = new AtomicInteger();
            long start = System.nanoTime();
            ExecutorService clients = Executors.newFixedThreadPool(CONNECTIONS);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                done.add(clients.submit(() -> {
                    try (Connection connection = new Connection(port)) {
                        for (int i = next.getAndIncrement(); i < REQUESTS; i = next.getAndIncrement()) {
                            Answer answer;
                            String runId = "flood-" + i;
                            if (i % 50 == 0) {
                                answer = connection.post(INVOKE, EVENT, ("{\"runId\":\"" + runId + "\"}").getBytes());
                                if (answer.status() == 202) {
                                    accepted.add(runId);
                                }
                            } else if (i % 10 == 9) {
                                answer = connection.post(i % 20 == 9 ? INVOKE : "/", i % 20 == 9 ? Map.of() : PUT_EVENTS,
                                        "{oops".getBytes());
                                assertThat(answer.status()).isEqualTo(400);
                                assertThat(answer.errorType()).isIn("InvalidRequestContentException", "SerializationException");
                            } else {
                                answer = connection.post("/", PUT_EVENTS, putEvent(runId));
                                if (answer.status() == 200 && JsonTrees.tree(answer.body()).path("FailedEntryCount").asInt() == 0) {
                                    accepted.add(runId);
                                }
                            }
                            statuses.computeIfAbsent(answer.status(), s -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
            clients.shutdown();
            double floodSeconds = (System.nanoTime() - start) / 1e9;

            assertThat(statuses.keySet()).containsOnly(200, 202, 400);
            assertThat(accepted).hasSize(REQUESTS - REQUESTS / 10);
            // Every accepted request ends in exactly one notification, none in a dead letter.
            Set<String> notified = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
            while (System.nanoTime() < deadline) {
                notified.clear();
                if (Files.exists(notifications)) {
                    for (JsonNode line : Fixtures.jsonLines(notifications)) {
                        notified.add(line.path("attributes").path("runId").asText());
                    }
                }
                if (notified.containsAll(accepted)) {
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(notified).containsExactlyInAnyOrderElementsOf(accepted);
            assertThat(Fixtures.jsonLines(notifications)).hasSize(accepted.size());
            assertThat(deadLetters).doesNotExist();

            long peakRssMiB = serve.peakRssKiB() / 1024;
            assertThat(serve.alive()).as("serve survived (no OutOfMemoryError)").isTrue();
            assertThat(serve.output()).noneMatch(line -> line.contains("OutOfMemoryError") || line.contains("internal error"));
            assertThat(peakRssMiB).isLessThan(RSS_BOUND_MIB);
            System.out.printf(Locale.ROOT, "serve flood: %d requests from %d connections in %.1f s; %d accepted, all"
                            + " notified; peak RSS %d MiB with %s%n", REQUESTS, CONNECTIONS, floodSeconds, accepted.size(),
                    peakRssMiB, HEAP);
        }
    }
}
