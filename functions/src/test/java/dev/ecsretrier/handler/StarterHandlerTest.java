package dev.ecsretrier.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.AttemptSummary;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.InvalidStartRequestException;
import dev.ecsretrier.core.RunOutcome.MetadataSource;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.history.HistoryRecord;
import dev.ecsretrier.history.HistoryRecords;
import dev.ecsretrier.input.StartRequestReader;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.port.LaunchRequest;
import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.port.LaunchRequest.NetworkSettings;
import dev.ecsretrier.port.Notification;
import dev.ecsretrier.port.ScheduledAttempt;
import dev.ecsretrier.testutil.FakeAttemptScheduler;
import dev.ecsretrier.testutil.FakeLambdaContext;
import dev.ecsretrier.testutil.FakeNotifier;
import dev.ecsretrier.testutil.FakeTaskLauncher;
import dev.ecsretrier.testutil.Fixtures;
import dev.ecsretrier.testutil.MutableClock;
import dev.ecsretrier.testutil.TestEnvironment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Given a start request, this RunTask; given a synchronous RunTask failure, this schedule or notification. */
class StarterHandlerTest {

    private static final Instant NOW = Instant.parse("2025-03-14T09:00:00Z");
    private static final String RUN = "run-7f3a";
    private static final List<String> COMMAND = List.of("python", "job.py", "--date", "2025-03-14");
    private static final EnvironmentVariable JOB_INPUT =
            new EnvironmentVariable("JOB_INPUT", "s3://example-bucket/input/2025-03-14.csv");
    private static final String REQUEST = """
            {"runId": "run-7f3a",
             "containerOverrides": [{"name": "app", "command": ["python", "job.py", "--date", "2025-03-14"],
                                     "environment": [{"name": "JOB_INPUT",
                                                      "value": "s3://example-bucket/input/2025-03-14.csv"}]}]}
            """;
    private static final NetworkSettings NETWORK = new NetworkSettings(
            List.of("subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"), List.of("sg-0123456789abcdef0"), false);

    private final FakeTaskLauncher launcher = new FakeTaskLauncher();
    private final FakeAttemptScheduler scheduler = new FakeAttemptScheduler();
    private final FakeNotifier notifier = new FakeNotifier();
    private final MutableClock clock = new MutableClock(NOW);
    private final List<String> log = new ArrayList<>();

    private StarterHandler handler(RetrierConfig config) {
        return new StarterHandler(config, launcher, scheduler, notifier, clock, new SplittableRandom(1), log::add);
    }

    private final StarterHandler handler = handler(TestEnvironment.sampleConfig());

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private StartResponse start(String json) {
        return handler.start(bytes(json), TestEnvironment.STARTER_ARN);
    }

    private static Map<String, String> runTags(String runId, int attempt) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("ecs-retrier:run-id", runId);
        tags.put("ecs-retrier:attempt", Integer.toString(attempt));
        tags.put("ecs-retrier:max-attempts", "3");
        tags.put("ecs-retrier:job", "default");
        return tags;
    }

    private static JsonNode json(String text) {
        return TestJson.tree(text);
    }

    // The RunTask ------------------------------------------------------------------------------

    @Test
    void firstAttempt_launchesExactlyThisRunTask() {
        StartResponse response = start(REQUEST);

        assertThat(launcher.only()).isEqualTo(new LaunchRequest(TestEnvironment.CLUSTER,
                TestEnvironment.TASK_DEFINITION, "ecs-retrier", "run-7f3a-1", List.of(new ContainerOverride("app", COMMAND,
                List.of(JOB_INPUT, new EnvironmentVariable("RETRIER_RUN_ID", RUN),
                        new EnvironmentVariable("RETRIER_ATTEMPT", "1"),
                        new EnvironmentVariable("RETRIER_MAX_ATTEMPTS", "3"),
                        new EnvironmentVariable("RETRIER_JOB", "default")))),
                runTags(RUN, 1), "FARGATE", List.of(), NETWORK, null));
        assertThat(response).isEqualTo(new StartResponse(RUN, 1,
                "arn:aws:ecs:us-east-1:111122223333:task/batch/00000000000000000000000000000001", null, null));
        assertThat(scheduler.requests()).isEmpty();
        assertThat(notifier.published()).isEmpty();
    }

    @Test
    void laterAttempt_carriesItsNumberAndOneHistoryTagPerEarlierAttempt() {
        AttemptSummary first = AttemptSummary.of(1, Fixtures.parsed("spot-interruption.json").stop(), Decision.RETRY,
                "default:infrastructure-stop");
        AttemptSummary second = AttemptSummary.of(2, AttemptStop.synchronousFailure("RESOURCE:MEMORY", null, NOW),
                Decision.RETRY, "default:infrastructure-stop");
        handler.start(Json.writeBytes(StartRequest.of(RUN, 3, null, List.of(first, second))),
                TestEnvironment.STARTER_ARN);

        LaunchRequest launch = launcher.only();
        assertThat(launch.clientToken()).isEqualTo("run-7f3a-3");
        assertThat(launch.containers().get(0).command()).isNull();
        assertThat(launch.containers().get(0).environment()).containsExactly(new EnvironmentVariable("RETRIER_RUN_ID", RUN),
                new EnvironmentVariable("RETRIER_ATTEMPT", "3"), new EnvironmentVariable("RETRIER_MAX_ATTEMPTS", "3"),
                new EnvironmentVariable("RETRIER_JOB", "default"));
        Map<String, String> tags = new LinkedHashMap<>(runTags(RUN, 3));
        tags.put("ecs-retrier:history-1", first.toTagValue());
        tags.put("ecs-retrier:history-2", second.toTagValue());
        assertThat(launch.tags()).isEqualTo(tags);
        assertThat(launch.tags().get("ecs-retrier:history-2"))
                .isEqualTo("decision=RETRY stop=TaskFailedToStart rule=default:infrastructure-stop task=- exits=-"
                        + " reason=RunTask failed: RESOURCE:MEMORY");
    }

    @Test
    void capacityProviderStrategy_replacesTheLaunchType() {
        StarterHandler spot = handler(TestEnvironment.sampleConfig("RETRIER_LAUNCH_TYPE", null,
                "RETRIER_CAPACITY_PROVIDER_STRATEGY",
                "[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":3,\"base\":0},"
                        + "{\"capacityProvider\":\"FARGATE\",\"weight\":1,\"base\":1}]",
                "RETRIER_ASSIGN_PUBLIC_IP", "ENABLED"));
        spot.start(bytes(REQUEST), TestEnvironment.STARTER_ARN);
        LaunchRequest launch = launcher.only();
        assertThat(launch.launchType()).isNull();
        assertThat(launch.capacityProviderStrategy()).containsExactly(new CapacityProviderItem("FARGATE_SPOT", 3, 0),
                new CapacityProviderItem("FARGATE", 1, 1));
        assertThat(launch.network().assignPublicIp()).isTrue();
    }

    @Test
    void startedBy_comesFromTheConfiguration() {
        handler(TestEnvironment.sampleConfig("RETRIER_STARTED_BY", "nightly-export")).start(bytes(REQUEST),
                TestEnvironment.STARTER_ARN);
        assertThat(launcher.only().startedBy()).isEqualTo("nightly-export");
    }

    // Idempotency -----------------------------------------------------------------------------

    @Test
    void sameRequestTwice_sendsTheSameClientToken_andStartsOneTask() {
        StartResponse first = start(REQUEST);
        clock.advance(java.time.Duration.ofSeconds(5));
        StartResponse second = start(REQUEST);

        assertThat(launcher.requests()).hasSize(2)
                .extracting(LaunchRequest::clientToken).containsOnly("run-7f3a-1");
        assertThat(launcher.requests().get(1)).isEqualTo(launcher.requests().get(0));
        assertThat(launcher.tasksStarted()).isEqualTo(1);
        assertThat(second.taskArn()).isEqualTo(first.taskArn());
    }

    @Test
    void requestWithoutRunId_getsANewRunIdThatTheLoopAccepts() {
        StartResponse first = start("{}");
        StartResponse second = start("{}");

        assertThat(first.runId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
                .matches(dev.ecsretrier.core.AttemptMetadata.RUN_ID).isNotEqualTo(second.runId());
        assertThat(first.attempt()).isEqualTo(1);
        LaunchRequest launch = launcher.requests().get(0);
        assertThat(launch.clientToken()).isEqualTo(first.runId() + "-1").hasSizeLessThanOrEqualTo(64);
        assertThat(launch.tags()).contains(entry("ecs-retrier:run-id", first.runId()));
        assertThat(launch.containers().get(0).environment()).contains(new EnvironmentVariable("RETRIER_RUN_ID", first.runId()));
    }

    /**
     * Lambda retries a failed asynchronous invocation with the same request id: a start without a run
     * id gets the same run, so the same client token, and ECS returns the first try's task.
     */
    @Test
    void requestWithoutRunId_takesTheLambdaRequestId_soLambdasRetryReusesTheClientToken() throws IOException {
        String arn = "arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live";
        FakeLambdaContext invocation = new FakeLambdaContext(arn, "9b2e4c1a-7d3f-4a8e-b5c6-0e1f2a3b4c5d");

        JsonNode first = invoke("{}", invocation);
        JsonNode retry = invoke("{}", invocation);
        JsonNode otherCaller = invoke("{}", new FakeLambdaContext(arn, "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"));

        assertThat(first.get("runId").asText()).isEqualTo("9b2e4c1a-7d3f-4a8e-b5c6-0e1f2a3b4c5d");
        assertThat(retry.get("runId").asText()).isEqualTo(first.get("runId").asText());
        assertThat(retry.get("taskArn")).isEqualTo(first.get("taskArn"));
        assertThat(otherCaller.get("runId").asText()).isEqualTo("0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f");
        assertThat(launcher.requests()).extracting(LaunchRequest::clientToken).containsExactly(
                "9b2e4c1a-7d3f-4a8e-b5c6-0e1f2a3b4c5d-1", "9b2e4c1a-7d3f-4a8e-b5c6-0e1f2a3b4c5d-1",
                "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f-1");
        assertThat(launcher.tasksStarted()).isEqualTo(2);
    }

    @Test
    void requestIdThatIsNotAValidRunId_stillGivesTheSameValidRunIdOnEveryTry() throws IOException {
        FakeLambdaContext invocation = new FakeLambdaContext(
                "arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live", "req/" + "x".repeat(60));

        String runId = invoke("{}", invocation).get("runId").asText();

        assertThat(runId).matches(dev.ecsretrier.core.AttemptMetadata.RUN_ID)
                .isEqualTo(invoke("{}", invocation).get("runId").asText());
        assertThat(launcher.requests().get(0).clientToken()).isEqualTo(runId + "-1").hasSizeLessThanOrEqualTo(64);
    }

    private JsonNode invoke(String request, FakeLambdaContext context) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(bytes(request)), out, context);
        return json(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void longestRunIdAndLastAttempt_fitTheClientTokenAndScheduleNameLimits() {
        String runId = "r".repeat(48);
        StarterHandler tenAttempts = handler(TestEnvironment.sampleConfig("RETRIER_MAX_ATTEMPTS", "10"));
        tenAttempts.start(StartRequest.of(runId, 10, null, null), TestEnvironment.STARTER_ARN);
        assertThat(launcher.only().clientToken()).hasSizeLessThanOrEqualTo(64).matches("[0-9a-zA-Z_.-]+");
    }

    // ECS's 8192 characters of overrides: what RunTask is sent, not only the user's part --------

    /** User overrides the reader measures at 8182 characters: under the limit, until RETRIER_* are added. */
    private static StartRequest overridesJustUnderTheLimitAlone(String runId) {
        int base = Json.write(List.of(new ContainerOverride("app", null,
                List.of(new EnvironmentVariable("BIG", ""))))).length();
        return StartRequest.of(runId, 1, List.of(new ContainerOverride("app", null,
                List.of(new EnvironmentVariable("BIG", "v".repeat(StartRequestReader.MAX_OVERRIDES_CHARS - 10 - base))))),
                null);
    }

    @Test
    void overridesThatFitOnlyWithoutTheRetriersVariables_areRefusedBeforeRunTask() {
        StartRequest request = overridesJustUnderTheLimitAlone(RUN);
        assertThat(Json.write(request.containerOverrides())).hasSize(StartRequestReader.MAX_OVERRIDES_CHARS - 10);

        InvalidStartRequestException e = catchThrowableOfType(InvalidStartRequestException.class,
                () -> handler.start(Json.writeBytes(request), TestEnvironment.STARTER_ARN));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("containerOverrides").contains("RETRIER_").contains("8192");
        assertThat(launcher.requests()).isEmpty();
        assertThat(notifier.published()).isEmpty();
    }

    @Test
    void firstAttemptIsRefusedWhenALaterAttemptsOverridesWouldNotFit_withMemoryEscalation() {
        StarterHandler escalating = handler(TestEnvironment.sampleConfig("RETRIER_MEMORY_ESCALATION", "true",
                "RETRIER_MAX_ATTEMPTS", "10"));
        // Fits as attempt 1 sends it; a later attempt adds task cpu and memory and a two-digit attempt.
        LaunchRequest first = LaunchRequests.of(TestEnvironment.sampleConfig(), new dev.ecsretrier.core.AttemptMetadata(
                RUN, 1, 10, List.of(), dev.ecsretrier.core.LaunchAdjustment.NONE, "default"), List.of(new ContainerOverride("app", null, List.of(
                        new EnvironmentVariable("BIG", "")))));
        int room = StartRequestReader.MAX_OVERRIDES_CHARS - first.overridesJson().length();
        StartRequest request = StartRequest.of(RUN, 1, List.of(new ContainerOverride("app", null,
                List.of(new EnvironmentVariable("BIG", "v".repeat(room - 5))))), null);

        InvalidStartRequestException e = catchThrowableOfType(InvalidStartRequestException.class,
                () -> escalating.start(Json.writeBytes(request), TestEnvironment.STARTER_ARN));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("later attempt");
        assertThat(launcher.requests()).isEmpty();
    }

    // Bad requests ------------------------------------------------------------------------------

    @Test
    void invalidRequest_launchesNothing() {
        InvalidStartRequestException e = catchThrowableOfType(InvalidStartRequestException.class,
                () -> start("{\"containerOverrides\":[{\"name\":\"app\",\"environment\":"
                        + "[{\"name\":\"RETRIER_ATTEMPT\",\"value\":\"9\"}]}]}"));
        assertThat(e.field()).isEqualTo("containerOverrides[0].environment[0].name");
        assertThat(launcher.requests()).isEmpty();
        assertThat(scheduler.requests()).isEmpty();
        assertThat(notifier.published()).isEmpty();
    }

    @Test
    void invalidRequestBuiltInCode_launchesNothing() {
        assertThat(catchThrowableOfType(InvalidStartRequestException.class,
                () -> handler.start(StartRequest.of(RUN, 4, null, null), TestEnvironment.STARTER_ARN)).field())
                .isEqualTo("attempt");
        assertThat(launcher.requests()).isEmpty();
    }

    // The history record and the metrics, as the starter writes them ----------------------------

    private List<HistoryRecord> records() {
        return log.stream().map(HistoryRecords::read).flatMap(java.util.Optional::stream).toList();
    }

    private List<JsonNode> metricLines() {
        return log.stream().filter(line -> line.contains("\"_aws\"")).map(StarterHandlerTest::json).toList();
    }

    @Test
    void launch_writesOneLaunchRecord_withTheTask() {
        start(REQUEST);

        assertThat(records()).singleElement().isInstanceOfSatisfying(HistoryRecord.Launched.class, launched -> {
            assertThat(launched.runId()).isEqualTo(RUN);
            assertThat(launched.attempt()).isEqualTo(1);
            assertThat(launched.maxAttempts()).isEqualTo(3);
            assertThat(launched.job()).isEqualTo("default");
            assertThat(launched.at()).isEqualTo(NOW);
            assertThat(launched.cluster()).isEqualTo(TestEnvironment.CLUSTER);
            assertThat(launched.taskDefinition()).isEqualTo(TestEnvironment.TASK_DEFINITION);
            assertThat(launched.taskArn())
                    .isEqualTo("arn:aws:ecs:us-east-1:111122223333:task/batch/00000000000000000000000000000001");
            assertThat(launched.launch()).as("launched as configured").isNull();
            assertThat(launched.failure()).isNull();
        });
    }

    @Test
    void firstLaunch_countsARunStarted_laterAttemptsDoNot() {
        start(REQUEST);
        assertThat(metricLines()).singleElement().satisfies(metric -> {
            assertThat(metric.at("/_aws/CloudWatchMetrics/0/Metrics/0/Name").asText()).isEqualTo("RunsStarted");
            assertThat(metric.at("/_aws/CloudWatchMetrics/0/Dimensions").toString())
                    .isEqualTo("[[\"Retrier\"],[\"Retrier\",\"Job\"]]");
            assertThat(metric.get("Job").asText()).isEqualTo("default");
            assertThat(metric.get("Retrier").asText()).isEqualTo("ecs-retrier");
            assertThat(metric.get("RunsStarted").asInt()).isEqualTo(1);
            assertThat(metric.at("/_aws/Timestamp").asLong()).isEqualTo(NOW.toEpochMilli());
        });

        log.clear();
        handler.start(StartRequest.of(RUN, 2, null, null), TestEnvironment.STARTER_ARN);
        assertThat(metricLines()).isEmpty();
        assertThat(records()).singleElement().extracting(HistoryRecord::attempt).isEqualTo(2);
    }

    @Test
    void aRefusedLaunch_writesTheLaunchWithItsFailure_thenTheDecision() {
        launcher.failWith("RESOURCE:MEMORY", "No Container Instances have enough memory");
        start(REQUEST);

        List<HistoryRecord> records = records();
        assertThat(records).hasSize(2);
        assertThat(records.get(0)).isInstanceOfSatisfying(HistoryRecord.Launched.class, launched -> {
            assertThat(launched.taskArn()).isNull();
            assertThat(launched.failure()).isEqualTo(new HistoryRecord.Launched.Failure("RESOURCE:MEMORY",
                    "No Container Instances have enough memory"));
        });
        assertThat(records.get(1)).isInstanceOfSatisfying(HistoryRecord.Decided.class, decided -> {
            assertThat(decided.stop().taskArn()).isNull();
            assertThat(decided.stop().stopCode()).isEqualTo("TaskFailedToStart");
            assertThat(decided.stop().stoppedReason())
                    .isEqualTo("RunTask failed: RESOURCE:MEMORY (No Container Instances have enough memory)");
            assertThat(decided.decision()).isEqualTo(Decision.RETRY);
            assertThat(decided.rule()).isEqualTo("default:infrastructure-stop");
            assertThat(decided.kind()).isEqualTo(dev.ecsretrier.core.FailureKind.INFRASTRUCTURE);
            assertThat(decided.metadataSource()).isEqualTo(MetadataSource.REQUEST);
            assertThat(decided.next()).isEqualTo(new HistoryRecord.NextAttempt(2, NOW.plusSeconds(60), 60_000,
                    "run-7f3a-2", false, null));
        });
    }

    @Test
    void aLaunchECSDidNotAnswer_writesNoRecord_sinceTheSameAttemptIsTriedAgain() {
        launcher.unavailable("ThrottlingException", "Rate exceeded");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(REQUEST))
                .isInstanceOf(RunTaskUnavailableException.class);
        assertThat(records()).isEmpty();
        assertThat(metricLines()).isEmpty();
    }

    // Synchronous failures -------------------------------------------------------------------

    @Test
    void synchronousCapacityFailure_schedulesTheNextAttempt() {
        launcher.failWith("RESOURCE:MEMORY", "No Container Instances have enough memory");

        StartResponse response = start(REQUEST);

        ScheduledAttempt schedule = scheduler.only();
        assertThat(schedule.name()).isEqualTo("run-7f3a-2");
        assertThat(schedule.at()).isEqualTo(NOW.plusSeconds(60));
        assertThat(schedule.target()).isEqualTo(TestEnvironment.STARTER_ARN);
        StartRequest next = new StartRequestReader(List.of("app"), 3).read(bytes(schedule.input()));
        assertThat(next.runId()).isEqualTo(RUN);
        assertThat(next.attempt()).isEqualTo(2);
        assertThat(next.containerOverrides()).containsExactly(new ContainerOverride("app", COMMAND, List.of(JOB_INPUT)));
        assertThat(next.history()).singleElement().satisfies(h -> {
            assertThat(h.attempt()).isEqualTo(1);
            assertThat(h.taskArn()).isNull();
            assertThat(h.stopCode()).isEqualTo("TaskFailedToStart");
            assertThat(h.stoppedReason())
                    .isEqualTo("RunTask failed: RESOURCE:MEMORY (No Container Instances have enough memory)");
            assertThat(h.decision()).isEqualTo(Decision.RETRY);
            assertThat(h.rule()).isEqualTo("default:infrastructure-stop");
        });

        assertThat(response.runId()).isEqualTo(RUN);
        assertThat(response.attempt()).isEqualTo(1);
        assertThat(response.taskArn()).isNull();
        assertThat(response.launchFailure()).isEqualTo(new StartResponse.LaunchFailure("RESOURCE:MEMORY",
                "No Container Instances have enough memory"));
        assertThat(response.step().decision()).isEqualTo(Decision.RETRY);
        assertThat(response.step().scheduleName()).isEqualTo("run-7f3a-2");
        assertThat(response.step().metadataSource()).isEqualTo(MetadataSource.REQUEST);
        assertThat(notifier.published()).isEmpty();
    }

    @Test
    void synchronousThrottling_schedulesTheNextAttempt() {
        launcher.failWith("ThrottlingException", "Rate exceeded");
        assertThat(start(REQUEST).step().decision()).isEqualTo(Decision.RETRY);
        assertThat(scheduler.only().name()).isEqualTo("run-7f3a-2");
    }

    @Test
    void synchronousFailureOnTheLastAttempt_notifiesRetriesExhausted() {
        launcher.failWith("RESOURCE:CPU", null);
        StartResponse response = handler.start(StartRequest.of(RUN, 3, null, null), TestEnvironment.STARTER_ARN);

        assertThat(scheduler.requests()).isEmpty();
        Notification n = notifier.only();
        assertThat(n.attributes()).containsOnly(entry("outcome", "RETRIES_EXHAUSTED"), entry("runId", RUN),
                entry("dedupKey", "run-7f3a:RETRIES_EXHAUSTED"), entry("job", "default"));
        JsonNode body = json(n.body());
        assertThat(body.get("metadataSource").asText()).isEqualTo("REQUEST");
        assertThat(body.get("cluster").asText()).isEqualTo(TestEnvironment.CLUSTER);
        assertThat(body.get("taskDefinition").asText()).isEqualTo(TestEnvironment.TASK_DEFINITION);
        assertThat(body.at("/attemptHistory/0/stoppedReason").asText()).isEqualTo("RunTask failed: RESOURCE:CPU");
        assertThat(body.at("/attemptHistory/0").has("taskArn")).isFalse();
        assertThat(response.step().outcome().outcome()).isEqualTo(Decision.RETRIES_EXHAUSTED);
        assertThat(log).anySatisfy(line -> assertThat(line).contains("\"Outcome\":\"RETRIES_EXHAUSTED\""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ClusterNotFoundException", "InvalidParameterException", "AccessDeniedException"})
    void permanentSynchronousFailure_notifiesFailedAtOnce(String reason) {
        launcher.failWith(reason, "the request cannot succeed");
        StartResponse response = start(REQUEST);
        assertThat(scheduler.requests()).isEmpty();
        assertThat(notifier.only().attributes()).contains(entry("outcome", "FAILED"));
        assertThat(response.step().rule()).isEqualTo("default:permanent-start-error");
        assertThat(response.launchFailure().reason()).isEqualTo(reason);
    }

    @Test
    void synchronousFailure_thenTheScheduledStart_launchesTheSecondAttemptWithItsHistory() {
        launcher.failWith("RESOURCE:MEMORY", "No Container Instances have enough memory");
        start(REQUEST);

        FakeTaskLauncher healthy = new FakeTaskLauncher();
        new StarterHandler(TestEnvironment.sampleConfig(), healthy, scheduler, notifier, clock, new SplittableRandom(1),
                log::add).start(bytes(scheduler.only().input()), TestEnvironment.STARTER_ARN);

        LaunchRequest launch = healthy.only();
        assertThat(launch.clientToken()).isEqualTo("run-7f3a-2");
        assertThat(launch.containers().get(0).command()).isEqualTo(COMMAND);
        assertThat(launch.containers().get(0).environment()).startsWith(JOB_INPUT)
                .contains(new EnvironmentVariable("RETRIER_ATTEMPT", "2"));
        assertThat(launch.tags().get("ecs-retrier:history-1")).isEqualTo("decision=RETRY kind=INFRASTRUCTURE"
                + " stop=TaskFailedToStart"
                + " rule=default:infrastructure-stop task=- exits=- reason=RunTask failed: RESOURCE:MEMORY"
                + "  No Container Instances have enough memory ");
    }

    // Attempt timeout ---------------------------------------------------------------------------

    @Test
    void attemptTimeout_schedulesTheStopOfTheStartedTask_once() {
        StarterHandler timed = handler(TestEnvironment.sampleConfig("RETRIER_ATTEMPT_TIMEOUT_SECONDS", "3600"));
        StartResponse first = timed.start(bytes(REQUEST), TestEnvironment.STARTER_ARN);
        timed.start(bytes(REQUEST), TestEnvironment.STARTER_ARN);

        assertThat(scheduler.stops()).singleElement().satisfies(stop -> {
            assertThat(stop.name()).isEqualTo("run-7f3a-1-timeout").hasSizeLessThanOrEqualTo(64);
            assertThat(stop.at()).isEqualTo(NOW.plusSeconds(3600));
            assertThat(stop.cluster()).isEqualTo(TestEnvironment.CLUSTER);
            assertThat(stop.taskArn()).isEqualTo(first.taskArn());
            assertThat(stop.reason()).isEqualTo("ecs-retrier: attempt timeout after 3600 s (attempt 1 of run run-7f3a)");
        });
        assertThat(scheduler.schedules()).isEmpty();
    }

    @Test
    void attemptTimeout_isNotScheduledWhenNoTaskStarted() {
        launcher.failWith("RESOURCE:MEMORY", null);
        handler(TestEnvironment.sampleConfig("RETRIER_ATTEMPT_TIMEOUT_SECONDS", "3600")).start(bytes(REQUEST),
                TestEnvironment.STARTER_ARN);
        assertThat(scheduler.stops()).isEmpty();
        assertThat(scheduler.only().name()).isEqualTo("run-7f3a-2");
    }

    @Test
    void noAttemptTimeout_schedulesNoStop() {
        start(REQUEST);
        assertThat(scheduler.stops()).isEmpty();
    }

    // The Lambda entry -------------------------------------------------------------------------

    @Test
    void handleRequest_answersRunIdAttemptAndTaskArn_only() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(bytes(REQUEST)), out,
                new FakeLambdaContext("arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live"));
        assertThat(json(out.toString(StandardCharsets.UTF_8)).toString()).isEqualTo("{\"runId\":\"run-7f3a\","
                + "\"attempt\":1,\"taskArn\":\"arn:aws:ecs:us-east-1:111122223333:task/batch/00000000000000000000000000000001\"}");
    }

    @Test
    void handleRequest_afterASynchronousFailure_answersTheFailureAndTheStep() throws IOException {
        launcher.failWith("RESOURCE:MEMORY", null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(bytes(REQUEST)), out,
                new FakeLambdaContext("arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live"));
        JsonNode answer = json(out.toString(StandardCharsets.UTF_8));
        assertThat(answer.has("taskArn")).isFalse();
        assertThat(answer.at("/launchFailure/reason").asText()).isEqualTo("RESOURCE:MEMORY");
        assertThat(answer.at("/step/decision").asText()).isEqualTo("RETRY");
        assertThat(answer.at("/step/nextAttemptAt").asText()).isEqualTo("2025-03-14T09:01:00Z");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter",
            "arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live",
            "arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:7",
            "arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:$LATEST"})
    void selfArn_isTheInvokedFunctionQualifiedWithTheConfiguredAlias(String invokedArn) {
        StarterHandler derived = handler(TestEnvironment.sampleConfig("RETRIER_STARTER_ARN", null));
        assertThat(derived.selfArn(new FakeLambdaContext(invokedArn)))
                .isEqualTo("arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live");
        StarterHandler prod = handler(TestEnvironment.sampleConfig("RETRIER_STARTER_ARN", null,
                "RETRIER_STARTER_ALIAS", "prod"));
        assertThat(prod.selfArn(new FakeLambdaContext(invokedArn)))
                .isEqualTo("arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:prod");
    }

    @Test
    void selfArn_configuredStarterArnWins() {
        assertThat(handler.selfArn(new FakeLambdaContext("arn:aws:lambda:eu-west-1:999999999999:function:other:1")))
                .isEqualTo(TestEnvironment.STARTER_ARN);
    }

    @Test
    void handleRequest_withoutAConfiguredStarterArn_schedulesThroughTheDerivedAlias() throws IOException {
        launcher.failWith("RESOURCE:MEMORY", null);
        StarterHandler derived = handler(TestEnvironment.sampleConfig("RETRIER_STARTER_ARN", null));
        derived.handleRequest(new ByteArrayInputStream(bytes(REQUEST)), new ByteArrayOutputStream(),
                new FakeLambdaContext("arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:12"));
        assertThat(scheduler.only().target())
                .isEqualTo("arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live");
    }
}
