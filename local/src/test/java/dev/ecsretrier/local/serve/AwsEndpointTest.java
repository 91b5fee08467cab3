package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.local.Fixtures;
import dev.ecsretrier.local.JsonTrees;
import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.rule.StoppedTaskPattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code retrier serve} driven by the AWS SDK for Java v2, pointed at the local endpoint. */
class AwsEndpointTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final List<String> LOG = Collections.synchronizedList(new ArrayList<>());

    static LocalRuntime runtime;
    static AwsEndpoint endpoint;
    static LambdaClient lambda;
    static EventBridgeClient events;

    @BeforeAll
    static void start() throws Exception {
        runtime = LocalRuntime.builder()
                .setting(Setting.RETRYABLE_EXIT_CODES, "2")
                .timeScale(0.001)
                .seed(11)
                .build();
        endpoint = AwsEndpoint.start(runtime, "127.0.0.1", 0, LOG::add);
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        lambda = LambdaClient.builder().endpointOverride(endpoint.uri()).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        events = EventBridgeClient.builder().endpointOverride(endpoint.uri()).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void stop() {
        lambda.close();
        events.close();
        endpoint.close();
        runtime.close();
    }

    static InvokeResponse invoke(String function, InvocationType type, String payload) {
        return lambda.invoke(r -> r.functionName(function).invocationType(type).payload(SdkBytes.fromUtf8String(payload)));
    }

    static RunOutcome outcome(String runId) throws InterruptedException {
        return runtime.awaitOutcome(runId, WAIT).orElseThrow(() -> new AssertionError("no outcome for " + runId));
    }

    @Test
    void invokingTheStarterAndWaitingAnswersWithTheRunAndItsTask() throws Exception {
        InvokeResponse response = invoke("starter", InvocationType.REQUEST_RESPONSE, "{\"runId\":\"sdk-sync\","
                + "\"containerOverrides\":[{\"name\":\"app\",\"environment\":[{\"name\":\"FAIL_ON_ATTEMPTS\",\"value\":\"1\"}]}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.functionError()).isNull();
        JsonNode answer = JsonTrees.tree(response.payload().asUtf8String());
        assertThat(answer.path("runId").asText()).isEqualTo("sdk-sync");
        assertThat(answer.path("attempt").asInt()).isEqualTo(1);
        assertThat(answer.path("taskArn").asText()).startsWith("arn:aws:ecs:local:000000000000:task/local/");
        RunOutcome outcome = outcome("sdk-sync");
        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(outcome.attempts()).isEqualTo(2);
    }

    @Test
    void theStarterCanBeNamedByItsAliasArn() throws Exception {
        InvokeResponse response = invoke(LocalSettings.STARTER_ARN, InvocationType.REQUEST_RESPONSE,
                "{\"runId\":\"sdk-arn\"}");

        assertThat(response.functionError()).isNull();
        assertThat(outcome("sdk-arn").outcome()).isEqualTo(Decision.SUCCEEDED);
    }

    @Test
    void anEventInvocationIsAcceptedWith202AndRuns() throws Exception {
        InvokeResponse response = invoke("starter", InvocationType.EVENT, "{\"runId\":\"sdk-event\"}");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.payload().asByteArray()).isEmpty();
        assertThat(outcome("sdk-event").outcome()).isEqualTo(Decision.SUCCEEDED);
    }

    @Test
    void aRequestTheStarterRefusesIsAnUnhandledFunctionErrorLikeLambdas() throws Exception {
        InvokeResponse response = invoke("starter", InvocationType.REQUEST_RESPONSE, "{\"containerOverrides\":[{\"name\":"
                + "\"app\",\"environment\":[{\"name\":\"RETRIER_ATTEMPT\",\"value\":\"9\"}]}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.functionError()).isEqualTo("Unhandled");
        JsonNode error = JsonTrees.tree(response.payload().asUtf8String());
        assertThat(error.path("errorType").asText()).isEqualTo("dev.ecsretrier.core.InvalidStartRequestException");
        assertThat(error.path("errorMessage").asText()).contains("containerOverrides[0].environment[0].name", "reserved");
        assertThat(error.path("stackTrace").isArray()).isTrue();
    }

    @Test
    void anUnknownFunctionIsResourceNotFound() {
        assertThatThrownBy(() -> invoke("nope", InvocationType.REQUEST_RESPONSE, "{}"))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("Function not found: arn:aws:lambda:local:000000000000:function:nope");
    }

    static String detail(String fixture, String runId) {
        return JsonTrees.write(Fixtures.localEvent(fixture, runId).get("detail"));
    }

    @Test
    void aStoppedTaskEventPutWithTheTestSourceGoesThroughTheRuleAndTheClassifier() throws Exception {
        PutEventsResponse response = events.putEvents(r -> r.entries(PutEventsRequestEntry.builder()
                .source(StoppedTaskPattern.TEST_SOURCE).detailType(StoppedTaskPattern.DETAIL_TYPE)
                .detail(detail("app-exit-2.json", "put-test")).build()));

        assertThat(response.failedEntryCount()).isZero();
        assertThat(response.entries()).singleElement().satisfies(e -> assertThat(e.eventId()).isNotBlank());
        RunOutcome outcome = outcome("put-test");
        // The task is unknown to the local ECS: the classifier falls back to the event's environment,
        // decides RETRY for exit code 2, and attempt 2 of the run runs sample-task and succeeds.
        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(outcome.attempts()).isEqualTo(2);
    }

    @Test
    void theAwsEcsSourceIsAcceptedLocallyThoughEventBridgeWouldRefuseIt() throws Exception {
        PutEventsResponse response = events.putEvents(r -> r.entries(PutEventsRequestEntry.builder()
                .source(StoppedTaskPattern.ECS_SOURCE).detailType(StoppedTaskPattern.DETAIL_TYPE)
                .detail(detail("out-of-memory.json", "put-ecs")).build()));

        assertThat(response.failedEntryCount()).isZero();
        assertThat(outcome("put-ecs").rule()).isEqualTo("default:out-of-memory");
    }

    @Test
    void anEventTheRuleDoesNotMatchIsReportedAsUnmatched() {
        ObjectNode detail = (ObjectNode) Fixtures.localEvent("succeeded.json", "put-unmatched").get("detail");
        detail.put("startedBy", "ecs-svc/1234567890");
        int before = runtime.eventBus().unmatched().size();

        PutEventsResponse response = events.putEvents(r -> r.entries(PutEventsRequestEntry.builder()
                .source(StoppedTaskPattern.ECS_SOURCE).detailType(StoppedTaskPattern.DETAIL_TYPE)
                .detail(JsonTrees.write(detail)).build()));

        assertThat(response.failedEntryCount()).isZero();
        String eventId = response.entries().get(0).eventId();
        assertThat(runtime.eventBus().unmatched()).hasSize(before + 1);
        assertThat(LOG).anySatisfy(line -> assertThat(line).contains("unmatched", eventId));
    }

    @Test
    void aDetailThatIsNotJsonIsAFailedEntry() {
        PutEventsResponse response = events.putEvents(r -> r.entries(
                PutEventsRequestEntry.builder().source("ecs-retrier.test").detailType("ECS Task State Change")
                        .detail("{not json").build(),
                PutEventsRequestEntry.builder().source("ecs-retrier.test").detailType("Something Else")
                        .detail("{}").build()));

        assertThat(response.failedEntryCount()).isEqualTo(1);
        assertThat(response.entries().get(0).errorCode()).isEqualTo("MalformedDetail");
        assertThat(response.entries().get(1).eventId()).isNotBlank();
    }
}
