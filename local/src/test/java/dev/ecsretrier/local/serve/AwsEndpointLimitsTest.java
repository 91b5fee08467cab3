package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.local.JsonTrees;
import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.ecs.TaskProgram;
import dev.ecsretrier.local.emulator.LocalSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.EventBridgeException;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code serve} enforces AWS's request limits before it reads a body, and answers in AWS's shapes. */
class AwsEndpointLimitsTest {

    static ServedRuntime served;
    static LocalRuntime runtime;
    static AwsEndpoint endpoint;
    static LambdaClient lambda;
    static EventBridgeClient events;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        served = new ServedRuntime(LocalRuntime.builder().timeScale(0.001).seed(3)
                .taskProgram(TaskProgram.process(List.of("/bin/true"), null)).build());
        runtime = served.runtime;
        endpoint = served.endpoint;
        lambda = served.client(LambdaClient.builder());
        events = served.client(EventBridgeClient.builder());
    }

    @AfterAll
    static void stop() {
        lambda.close();
        events.close();
        served.close();
    }

    static String jsonString(int bytes) {
        return "\"" + "a".repeat(bytes - 2) + "\"";
    }

    static InvokeResponse invoke(String function, InvocationType type, String payload) {
        return lambda.invoke(r -> r.functionName(function).invocationType(type).payload(SdkBytes.fromUtf8String(payload)));
    }

    @Test
    void aSynchronousPayloadOver6MbIsRequestEntityTooLarge413() {
        assertThatThrownBy(() -> invoke("starter", InvocationType.REQUEST_RESPONSE, jsonString(6 * 1024 * 1024 + 1)))
                .isInstanceOfSatisfying(LambdaException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(413);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("RequestEntityTooLargeException");
                    assertThat(e.awsErrorDetails().errorMessage())
                            .isEqualTo("Request must be smaller than 6291456 bytes for the InvokeFunction operation");
                });
    }

    @Test
    void aSynchronousPayloadOfExactly6MbIsReadAndHandedToTheFunction() {
        InvokeResponse response = invoke("starter", InvocationType.REQUEST_RESPONSE, jsonString(6 * 1024 * 1024));

        // Taken by Lambda; the starter itself refuses a request that is not an object.
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.functionError()).isEqualTo("Unhandled");
    }

    @Test
    void anAsynchronousPayloadOver1MbIsRequestEntityTooLarge413() {
        assertThatThrownBy(() -> invoke("starter", InvocationType.EVENT, jsonString(1024 * 1024 + 1)))
                .isInstanceOfSatisfying(LambdaException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(413);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("RequestEntityTooLargeException");
                    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(
                            "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)");
                });
    }

    @Test
    void aBodyOverTheLimitIsRefusedByItsContentLengthBeforeAByteIsRead() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", endpoint.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            // 2.5 GB announced, none sent: an answer proves the endpoint did not wait to read it.
            out.write(("POST /2015-03-31/functions/starter/invocations HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Length: 2684354560\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            List<String> head = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                head.add(line.toLowerCase());
            }
            assertThat(head.get(0)).isEqualTo("http/1.1 413 request entity too large");
            assertThat(head).contains("x-amzn-errortype: requestentitytoolargeexception");
        }
    }

    @Test
    void aChunkedBodyIsCutOffAtTheLimit() throws Exception {
        long size = 20L * 1024 * 1024;
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint.uri() + "/2015-03-31/functions/starter/invocations"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Filler(size))).build();

        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(JsonTrees.tree(response.body()).path("message").asText())
                .isEqualTo("Request must be smaller than 6291456 bytes for the InvokeFunction operation");
    }

    @Test
    void putEventsTakesAtMostTenEntries() {
        List<PutEventsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            entries.add(PutEventsRequestEntry.builder().source("ecs-retrier.test").detailType("x").detail("{}").build());
        }
        int before = runtime.eventBus().unmatched().size();

        assertThatThrownBy(() -> events.putEvents(r -> r.entries(entries)))
                .isInstanceOfSatisfying(EventBridgeException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
                    assertThat(e.awsErrorDetails().errorMessage()).contains("less than or equal to 10");
                });
        assertThat(runtime.eventBus().unmatched()).hasSize(before);
    }

    @Test
    void putEventsTakesAtMost256KbOfEntriesByEventBridgesOwnCount() {
        String detail = "{\"a\":\"" + "x".repeat(128 * 1024) + "\"}";
        PutEventsRequestEntry entry = PutEventsRequestEntry.builder().source("ecs-retrier.test").detailType("x")
                .detail(detail).build();

        assertThatThrownBy(() -> events.putEvents(r -> r.entries(entry, entry)))
                .isInstanceOfSatisfying(EventBridgeException.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
                    assertThat(e.awsErrorDetails().errorMessage())
                            .isEqualTo("Total size of the entries in the request is over the limit.");
                });
        assertThat(events.putEvents(r -> r.entries(entry)).failedEntryCount()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"Entries\": [tru", "{\"Entries\":[{", "\"unterminated", "{\"a\" 1}"})
    void aPutEventsBodyThatIsNotJsonIsASerializationExceptionWithoutParserInternals(String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(endpoint.uri())
                .header("X-Amz-Target", "AWSEvents.PutEvents").header("Content-Type", "application/x-amz-json-1.1")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JsonTrees.tree(response.body());
        assertThat(error.path("__type").asText()).isEqualTo("SerializationException");
        assertThat(error.path("message").asText()).startsWith("not JSON: ").contains("line 1, column")
                .doesNotContain("Source:", "REDACTED", "StreamReadFeature");
    }

    /**
     * PutEvents' body is read by the functions' binder: a member of the wrong type is a
     * ValidationException naming its path; an entry's Time of neither number nor text fails that entry.
     */
    @Test
    void aPutEventsMemberOfTheWrongTypeIsAValidationExceptionNamingItsPath() throws Exception {
        java.util.function.Function<String, HttpResponse<String>> put = body -> {
            try {
                return HTTP.send(HttpRequest.newBuilder(endpoint.uri())
                        .header("X-Amz-Target", "AWSEvents.PutEvents").header("Content-Type", "application/x-amz-json-1.1")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        };

        HttpResponse<String> wrong = put.apply("{\"Entries\":[{\"Source\":\"ecs-retrier.test\",\"DetailType\":\"x\","
                + "\"Detail\":\"{}\",\"Resources\":[\"a\",1]}]}");
        HttpResponse<String> time = put.apply("{\"Entries\":[{\"Source\":\"ecs-retrier.test\",\"DetailType\":\"x\","
                + "\"Detail\":\"{}\",\"Time\":true}]}");

        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(JsonTrees.tree(wrong.body()).path("__type").asText()).isEqualTo("ValidationException");
        assertThat(JsonTrees.tree(wrong.body()).path("message").asText())
                .isEqualTo("Entries[0].Resources[1] must be a string, got number 1");
        assertThat(time.statusCode()).isEqualTo(200);
        assertThat(JsonTrees.tree(time.body()).path("FailedEntryCount").asInt()).isEqualTo(1);
        assertThat(JsonTrees.tree(time.body()).path("Entries").path(0).path("ErrorCode").asText()).isEqualTo("InvalidArgument");
    }

    @Test
    void anInvokePayloadThatIsNotJsonIsInvalidRequestContent400() {
        assertThatThrownBy(() -> invoke("starter", InvocationType.REQUEST_RESPONSE, "{\"runId\":"))
                .isInstanceOfSatisfying(LambdaException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidRequestContentException");
                    assertThat(e.awsErrorDetails().errorMessage()).startsWith("Could not parse request body into json")
                            .doesNotContain("Source:", "REDACTED");
                });
    }

    @Test
    void anEmptyPayloadIsAnEmptyRequest() throws Exception {
        InvokeResponse response = lambda.invoke(r -> r.functionName("starter"));

        assertThat(response.functionError()).as(response.payload().asUtf8String()).isNull();
        String runId = JsonTrees.tree(response.payload().asUtf8String()).path("runId").asText();
        assertThat(runtime.awaitOutcome(runId, Duration.ofSeconds(30)).orElseThrow().outcome()).isEqualTo(Decision.SUCCEEDED);
    }

    @Test
    void anInvokeThroughTheAliasReportsTheVersionItPointsTo() {
        assertThat(invoke(LocalSettings.STARTER_ARN, InvocationType.DRY_RUN, "{}").executedVersion()).isEqualTo("1");
        assertThat(lambda.invoke(r -> r.functionName("starter").qualifier("live").invocationType(InvocationType.DRY_RUN))
                .executedVersion()).isEqualTo("1");
        assertThat(invoke("starter", InvocationType.DRY_RUN, "{}").executedVersion()).isEqualTo("$LATEST");
        assertThatThrownBy(() -> invoke("starter:nope", InvocationType.DRY_RUN, "{}"))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    /** {@code size} bytes of a JSON string, made as read, so the test holds none of it. */
    static final class Filler extends InputStream {
        private long left;

        Filler(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            return left-- > 0 ? 'a' : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 'a');
            left -= n;
            return n;
        }
    }

    @Test
    void aFaultInsideTheEndpointStillGetsAnAwsShapedAnswer() throws Exception {
        LocalRuntime closed = LocalRuntime.builder().taskProgram(TaskProgram.process(List.of("/bin/true"), null)).build();
        try (AwsEndpoint broken = AwsEndpoint.start(closed, "127.0.0.1", 0, line -> { })) {
            closed.close(); // its executor refuses the queued invocation: a RuntimeException in the endpoint

            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(broken.uri()
                            + "/2015-03-31/functions/starter/invocations")).header("X-Amz-Invocation-Type", "Event")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.headers().firstValue("X-Amzn-ErrorType")).hasValue("ServiceException");
            assertThat(JsonTrees.tree(response.body()).path("message").asText()).contains("please report it");
        }
    }
}
