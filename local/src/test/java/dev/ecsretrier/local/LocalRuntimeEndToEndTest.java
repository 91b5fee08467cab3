package dev.ecsretrier.local;

import static dev.ecsretrier.local.Fixtures.jsonLines;
import static dev.ecsretrier.local.Fixtures.sampleTask;
import static dev.ecsretrier.local.emulator.TimelineEntry.Kind.DECISION;
import static dev.ecsretrier.local.emulator.TimelineEntry.Kind.EVENT_DUPLICATED;
import static dev.ecsretrier.local.emulator.TimelineEntry.Kind.HANDLER_CRASHED;
import static dev.ecsretrier.local.emulator.TimelineEntry.Kind.INVOCATION_RETRIED;
import static dev.ecsretrier.local.emulator.TimelineEntry.Kind.NOTIFIED;
import static dev.ecsretrier.local.emulator.TimelineEntry.Kind.RUN_TASK_FAILED;
import static dev.ecsretrier.local.emulator.TimelineEntry.Kind.SCHEDULE_FIRED;
import static dev.ecsretrier.local.emulator.TimelineEntry.Kind.TASK_LAUNCHED;
import static dev.ecsretrier.local.emulator.TimelineEntry.Kind.TASK_STOPPED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.handler.RunTaskUnavailableException;
import dev.ecsretrier.handler.StartResponse;
import dev.ecsretrier.history.HistoryRecord;
import dev.ecsretrier.history.HistoryRecords;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LaunchFault;
import dev.ecsretrier.local.emulator.LaunchKey;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.rule.StoppedTaskPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The whole loop through the runtime's Java API: real sample-task processes, the real handlers,
 * Event Ruler, the local scheduler and topic, at time scale 0.001 (a 60 s backoff waits 60 ms).
 */
class LocalRuntimeEndToEndTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path files;

    LocalRuntime runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    LocalRuntime start(Faults faults, UnaryOperator<LocalRuntime.Builder> more) {
        runtime = more.apply(LocalRuntime.builder()
                .setting(Setting.RETRYABLE_EXIT_CODES, "2")
                .setting(Setting.MAX_ATTEMPTS, "3")
                .timeScale(0.001)
                .seed(42)
                .faults(faults)
                .notificationsFile(notificationsFile())
                .deadLetterFile(deadLetterFile()))
                .build();
        return runtime;
    }

    LocalRuntime start(Faults faults) {
        return start(faults, b -> b);
    }

    Path notificationsFile() {
        return files.resolve("notifications.jsonl");
    }

    Path deadLetterFile() {
        return files.resolve("dead-letters.jsonl");
    }

    RunOutcome outcomeOf(String runId) throws InterruptedException {
        RunOutcome outcome = runtime.awaitOutcome(runId, WAIT).orElseThrow();
        assertThat(runtime.awaitIdle(WAIT)).as("the runtime comes to rest").isTrue();
        return outcome;
    }

    static JsonNode tree(String line) {
        try {
            return JsonTrees.tree(line);
        } catch (java.io.IOException e) {
            throw new AssertionError("a handler log line is not JSON: " + line, e);
        }
    }

    List<TimelineEntry.Kind> kinds(String runId) {
        return runtime.timeline(runId).stream().map(TimelineEntry::kind).toList();
    }

    @Test
    void aTaskThatExits0SucceedsOnTheFirstAttempt() throws Exception {
        start(Faults.NONE);

        StartResponse started = runtime.startRun(sampleTask("first-time"));
        RunOutcome outcome = outcomeOf("first-time");

        assertThat(started.taskArn()).startsWith("arn:aws:ecs:local:000000000000:task/local/");
        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(outcome.rule()).isEqualTo("default:succeeded");
        assertThat(outcome.attempts()).isEqualTo(1);
        assertThat(kinds("first-time")).containsExactly(TASK_LAUNCHED, TASK_STOPPED, NOTIFIED, DECISION);
        List<JsonNode> lines = jsonLines(notificationsFile());
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).path("attributes").path("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(lines.get(0).path("attributes").path("dedupKey").asText()).isEqualTo("first-time:SUCCEEDED");
        assertThat(lines.get(0).path("message").path("attemptHistory").get(0).path("taskArn").asText())
                .isEqualTo(started.taskArn());
        assertThat(lines.get(0).path("message").path("metadataSource").asText()).isEqualTo("TAGS");
    }

    @Test
    void theOutcomeIsTheOneTheClassifierDecidedNotTheNotificationTextReadBack() throws Exception {
        start(Faults.NONE);
        // Whoever may publish to the topic can send a message about the run that is no run outcome.
        runtime.topic().publish(new dev.ecsretrier.port.Notification("about typed-outcome", "not a run outcome",
                Map.of("runId", "typed-outcome")));

        runtime.startRun(sampleTask("typed-outcome"));
        RunOutcome outcome = outcomeOf("typed-outcome");

        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(outcome.attempts()).isEqualTo(1);
        assertThat(runtime.outcomes()).containsExactly(outcome);
    }

    @Test
    void aTransientEcsFailureThenARetryableExitCodeAreRetriedUntilSuccess() throws Exception {
        start(Faults.builder().nextLaunches(1, LaunchFault.cannotPullContainer()).build());

        runtime.startRun(sampleTask("retried", "FAIL_ON_ATTEMPTS", "2"));
        RunOutcome outcome = outcomeOf("retried");

        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(outcome.attempts()).isEqualTo(3);
        assertThat(outcome.attemptHistory()).extracting(a -> a.stopCode() + " " + a.decision() + " " + a.rule())
                .containsExactly("TaskFailedToStart RETRY default:transient-error",
                        "EssentialContainerExited RETRY default:retryable-exit-code",
                        "EssentialContainerExited SUCCEEDED default:succeeded");
        assertThat(kinds("retried")).containsExactly(
                TASK_LAUNCHED, TASK_STOPPED, DECISION, SCHEDULE_FIRED,
                TASK_LAUNCHED, TASK_STOPPED, DECISION, SCHEDULE_FIRED,
                TASK_LAUNCHED, TASK_STOPPED, NOTIFIED, DECISION);
        assertThat(runtime.timeline("retried").stream().filter(e -> e.kind() == DECISION).map(TimelineEntry::text))
                .first().asString().startsWith("RETRY by default:transient-error; next attempt 2 in ");
        assertThat(runtime.launchCounts()).containsOnly(Map.entry(new LaunchKey("retried", 1), 1),
                Map.entry(new LaunchKey("retried", 2), 1), Map.entry(new LaunchKey("retried", 3), 1));
        assertThat(runtime.scheduler().pending()).as("schedules are deleted after they fire").isEmpty();
        JsonNode message = jsonLines(notificationsFile()).get(0).path("message");
        assertThat(message.path("attempts").asInt()).isEqualTo(3);
        assertThat(message.path("attemptHistory").get(1).path("containers").get(0).path("exitCode").asInt()).isEqualTo(2);
    }

    @Test
    void anEarlierAttemptsStopReasonLongerThanATagValueReachesTheNotificationWhole() throws Exception {
        start(Faults.builder().nextLaunches(1, LaunchFault.cannotPullContainer()).build());

        runtime.startRun(sampleTask("whole", "FAIL_ON_ATTEMPTS", "2", "FAIL_EXIT_CODE", "1"));
        RunOutcome outcome = outcomeOf("whole");

        assertThat(outcome.outcome()).isEqualTo(Decision.FAILED);
        // What the second task's tag kept of attempt 1: cut to an ECS tag value, sanitized.
        String tag = runtime.ecs().describe(outcome.cluster(), outcome.attemptHistory().get(1).taskArn()).orElseThrow()
                .tags().get(dev.ecsretrier.core.AttemptMetadata.HISTORY_TAG_PREFIX + "1");
        assertThat(tag).hasSize(256).doesNotContain("i/o timeout");
        JsonNode first = jsonLines(notificationsFile()).get(0).path("message").path("attemptHistory").get(0);
        assertThat(first.path("stoppedReason").asText()).isEqualTo(LaunchFault.CANNOT_PULL_TRANSIENT);
        assertThat(first.path("taskArn").asText()).startsWith("arn:aws:ecs:local:000000000000:task/local/");
        assertThat(first.path("stoppedAt").asText()).isNotEmpty();
        assertThat(outcome.historySource()).isEqualTo(new dev.ecsretrier.core.HistorySource(true, List.of(1), List.of(),
                null));
    }

    @Test
    void everyLaunchAndEveryDecision_writesOneHistoryRecord_agreeingWithTheNotification() throws Exception {
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        start(Faults.builder().nextLaunches(1, LaunchFault.cannotPullContainer()).build(), b -> b.handlerLog(log::add));

        StartResponse started = runtime.startRun(sampleTask("recorded"));
        RunOutcome outcome = outcomeOf("recorded");

        List<HistoryRecord> records = log.stream().map(HistoryRecords::read).flatMap(java.util.Optional::stream)
                .filter(r -> r.runId().equals("recorded")).toList();
        assertThat(records).extracting(r -> r.getClass().getSimpleName() + " " + r.attempt())
                .containsExactly("Launched 1", "Decided 1", "Launched 2", "Decided 2");
        HistoryRecord.Launched first = (HistoryRecord.Launched) records.get(0);
        assertThat(first.taskArn()).isEqualTo(started.taskArn()).startsWith("arn:aws:ecs:local:000000000000:task/");
        assertThat(first.maxAttempts()).isEqualTo(3);
        assertThat(first.cluster()).isEqualTo(outcome.cluster());
        assertThat(first.taskDefinition()).isEqualTo(outcome.taskDefinition());
        assertThat(first.failure()).isNull();
        HistoryRecord.Decided retried = (HistoryRecord.Decided) records.get(1);
        assertThat(retried.stop().taskArn()).isEqualTo(started.taskArn());
        assertThat(retried.stop().stopCode()).isEqualTo("TaskFailedToStart");
        assertThat(retried.stop().stoppedReason()).as("in full, as ECS gave it")
                .isEqualTo(LaunchFault.CANNOT_PULL_TRANSIENT);
        assertThat(retried.stop().createdAt()).isNotNull();
        assertThat(retried.stop().stoppedAt()).isNotNull();
        assertThat(retried.decision()).isEqualTo(Decision.RETRY);
        assertThat(retried.rule()).isEqualTo("default:transient-error");
        assertThat(retried.kind()).isEqualTo(dev.ecsretrier.core.FailureKind.INFRASTRUCTURE);
        assertThat(retried.next().attempt()).isEqualTo(2);
        assertThat(retried.next().scheduleName()).isEqualTo("recorded-2");
        assertThat(retried.next().at()).isEqualTo(retried.at().plusMillis(retried.next().delayMillis()));
        assertThat(retried.metadataSource()).isEqualTo(RunOutcome.MetadataSource.TAGS);
        HistoryRecord.Launched second = (HistoryRecord.Launched) records.get(2);
        HistoryRecord.Decided ended = (HistoryRecord.Decided) records.get(3);
        assertThat(ended.stop().taskArn()).isEqualTo(second.taskArn()).isNotEqualTo(first.taskArn());
        assertThat(ended.decision()).isEqualTo(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(ended.rule()).isEqualTo(outcome.rule());
        assertThat(ended.reason()).isEqualTo(outcome.reason());
        assertThat(ended.stop().containers()).isEqualTo(outcome.attemptHistory().get(1).containers());
        assertThat(ended.stop().containers().get(0).exitCode()).isEqualTo(0);
        assertThat(ended.next()).isNull();

        List<JsonNode> metrics = log.stream().filter(line -> line.contains("\"_aws\""))
                .map(LocalRuntimeEndToEndTest::tree).filter(m -> m.path("runId").asText().equals("recorded"))
                .toList();
        assertThat(metrics).extracting(m -> m.at("/_aws/CloudWatchMetrics/0/Metrics/0/Name").asText())
                .containsExactly("RunsStarted", "AttemptsRetried", "RunsEnded");
        assertThat(metrics.get(1).get("FailureKind").asText()).isEqualTo("INFRASTRUCTURE");
        assertThat(metrics.get(1).get("RetryDelay").asDouble() * 1000).isEqualTo((double) retried.next().delayMillis());
        assertThat(metrics.get(2).get("Outcome").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void aTaskThatKeepsExitingWithARetryableCodeEndsWithRetriesExhausted() throws Exception {
        start(Faults.NONE);

        runtime.startRun(sampleTask("exhausted", "FAIL_ON_ATTEMPTS", "1,2,3"));
        RunOutcome outcome = outcomeOf("exhausted");

        assertThat(outcome.outcome()).isEqualTo(Decision.RETRIES_EXHAUSTED);
        assertThat(outcome.attempts()).isEqualTo(3);
        assertThat(outcome.reason()).endsWith("all 3 attempts used");
        assertThat(runtime.launchCounts()).hasSize(3).allSatisfy((key, count) -> assertThat(count).isEqualTo(1));
        assertThat(jsonLines(notificationsFile())).singleElement()
                .satisfies(line -> assertThat(line.path("attributes").path("outcome").asText()).isEqualTo("RETRIES_EXHAUSTED"));
    }

    @Test
    void anImageThatDoesNotExistFailsWithoutARetry() throws Exception {
        start(Faults.builder().nextLaunches(1, LaunchFault.imageNotFound()).build());

        runtime.startRun(sampleTask("no-image"));
        RunOutcome outcome = outcomeOf("no-image");

        assertThat(outcome.outcome()).isEqualTo(Decision.FAILED);
        assertThat(outcome.rule()).isEqualTo("default:permanent-start-error");
        assertThat(outcome.attempts()).isEqualTo(1);
        assertThat(kinds("no-image")).doesNotContain(SCHEDULE_FIRED);
        assertThat(runtime.launchCounts()).containsOnly(Map.entry(new LaunchKey("no-image", 1), 1));
    }

    @Test
    void exitCode1IsNotRetryableAndFailsTheRun() throws Exception {
        start(Faults.NONE);

        runtime.startRun(sampleTask("exit-1", "FAIL_ON_ATTEMPTS", "1", "FAIL_EXIT_CODE", "1"));
        RunOutcome outcome = outcomeOf("exit-1");

        assertThat(outcome.outcome()).isEqualTo(Decision.FAILED);
        assertThat(outcome.rule()).isEqualTo("default:failed");
        assertThat(outcome.attemptHistory()).singleElement()
                .satisfies(a -> assertThat(a.containers().get(0).exitCode()).isEqualTo(1));
    }

    @Test
    void aSynchronousRunTaskFailureIsClassifiedByTheStarterAndRetried() throws Exception {
        start(Faults.builder().nextLaunches(1, LaunchFault.resourceMemory()).build());

        StartResponse started = runtime.startRun(sampleTask("sync-failure"));
        RunOutcome outcome = outcomeOf("sync-failure");

        assertThat(started.taskArn()).isNull();
        assertThat(started.launchFailure().reason()).isEqualTo("RESOURCE:MEMORY");
        assertThat(started.step().decision()).isEqualTo(Decision.RETRY);
        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(outcome.attemptHistory().get(0).taskArn()).isNull();
        assertThat(outcome.attemptHistory().get(0).stoppedReason()).startsWith("RunTask failed: RESOURCE:MEMORY");
        assertThat(kinds("sync-failure")).startsWith(RUN_TASK_FAILED, DECISION, SCHEDULE_FIRED, TASK_LAUNCHED);
        assertThat(runtime.launchCounts()).containsOnly(Map.entry(new LaunchKey("sync-failure", 2), 1));
    }

    @Test
    void aThrottledRunTaskIsTriedAgainAsTheSameAttempt() throws Exception {
        start(Faults.builder().nextLaunches(1, LaunchFault.throttling()).build());

        runtime.submitRun(sampleTask("throttled"));

        // The throttle did not end attempt 1: Lambda retried the invocation, the same client token started one task.
        assertThat(outcomeOf("throttled").attempts()).isEqualTo(1);
        assertThat(outcomeOf("throttled").outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(runtime.launchCounts()).containsOnly(Map.entry(new LaunchKey("throttled", 1), 1));
    }

    /** As in AWS: the start without a run id is retried by Lambda with its request id, which names the run. */
    @Test
    void aStartWithoutRunIdThatLambdaRetriesKeepsOneRunNamedByTheRequestId() throws Exception {
        start(Faults.builder().nextLaunches(1, LaunchFault.throttling()).build());

        String requestId = runtime.lambda().invokeAsync(LocalSettings.STARTER_FUNCTION, "{}".getBytes());

        assertThat(outcomeOf(requestId).outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(runtime.timeline()).filteredOn(e -> e.kind() == TimelineEntry.Kind.INVOCATION_RETRIED).hasSize(1);
        assertThat(runtime.launchCounts()).containsOnly(Map.entry(new LaunchKey(requestId, 1), 1));
    }

    @Test
    void aThrottledSynchronousStartTellsTheCallerToRetry() throws Exception {
        start(Faults.builder().nextLaunches(1, LaunchFault.throttling()).build());

        assertThatThrownBy(() -> runtime.startRun(sampleTask("throttled-sync")))
                .isInstanceOf(RunTaskUnavailableException.class)
                .hasMessageContaining("ThrottlingException").hasMessageContaining("throttled-sync-1");
        assertThat(runtime.launchCounts()).isEmpty();
    }

    @Test
    void everyEventDeliveredTwiceStillLaunchesEachAttemptOnce() throws Exception {
        start(Faults.builder().duplicateDelivery(1.0).build());

        runtime.startRun(sampleTask("twice", "FAIL_ON_ATTEMPTS", "1"));
        RunOutcome outcome = outcomeOf("twice");

        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(kinds("twice")).contains(EVENT_DUPLICATED);
        assertThat(runtime.launchCounts()).containsOnly(Map.entry(new LaunchKey("twice", 1), 1),
                Map.entry(new LaunchKey("twice", 2), 1));
        // The last event was delivered twice too: the duplicate notification carries the same dedup key.
        assertThat(jsonLines(notificationsFile())).extracting(l -> l.path("attributes").path("dedupKey").asText())
                .isNotEmpty().containsOnly("twice:SUCCEEDED");
    }

    @Test
    void aCrashedHandlerInvocationIsRetriedByLambdaAndNothingIsLost() throws Exception {
        start(Faults.builder().handlerCrash(0.4).build(), b -> b.seed(3));

        runtime.startRun(sampleTask("crashes", "FAIL_ON_ATTEMPTS", "1"));
        RunOutcome outcome = outcomeOf("crashes");

        assertThat(kinds("crashes")).contains(HANDLER_CRASHED, INVOCATION_RETRIED);
        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(runtime.deadLetters()).isEmpty();
        var classifier = runtime.lambda().counts(LocalSettings.CLASSIFIER_FUNCTION);
        assertThat(classifier.accepted()).as("one per STOPPED event").isEqualTo(runtime.ecs().eventsEmitted());
        assertThat(classifier.succeeded()).as("every event processed").isEqualTo(classifier.accepted());
        assertThat(runtime.launchCounts()).values().containsOnly(1);
    }

    @Test
    void anEventTheClassifierCannotReadIsTriedThreeTimesThenDeadLettered() throws Exception {
        start(Faults.NONE);
        ObjectNode event = Fixtures.localEvent("malformed/exit-code-string.json", "unreadable");

        assertThat(runtime.eventBus().put(JsonTrees.write(event)).matched()).as("the rule matches it").isTrue();
        assertThat(runtime.awaitIdle(WAIT)).isTrue();

        assertThat(kinds("unreadable")).containsExactly(INVOCATION_RETRIED, INVOCATION_RETRIED,
                TimelineEntry.Kind.DEAD_LETTERED);
        List<JsonNode> letters = jsonLines(deadLetterFile());
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(letter.path("function").asText()).isEqualTo("classifier");
            assertThat(letter.path("attempts").asInt()).isEqualTo(3);
            assertThat(letter.path("errorType").asText()).isEqualTo("dev.ecsretrier.core.InvalidEventException");
            assertThat(letter.path("errorMessage").asText()).contains("detail.containers[0].exitCode");
            assertThat(letter.path("event")).isEqualTo(event);
        });
        assertThat(runtime.deadLetters().get(0).launchKey()).contains(new LaunchKey("unreadable", 1));
        assertThat(runtime.notifications()).isEmpty();
    }

    @Test
    void anEventWhoseHandlerAlwaysCrashesEndsInTheDeadLetterFileNotInSilence() throws Exception {
        start(Faults.builder().handlerCrash(1.0).build());

        runtime.startRun(sampleTask("always-crashes"));
        assertThat(runtime.awaitIdle(WAIT)).isTrue();

        assertThat(runtime.notifications()).isEmpty();
        assertThat(runtime.deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.errorType()).endsWith("SimulatedCrashException");
            assertThat(letter.launchKey()).contains(new LaunchKey("always-crashes", 1));
        });
    }

    /**
     * The attack acceptTestEvents opens: anyone who may PutEvents on the default bus sends a stop for a
     * task ECS cannot describe, naming a run and carrying their own command. The next attempt must
     * not run that command: overrides come only from DescribeTasks.
     */
    @Test
    void aForgedTestEventForAnUndescribableTaskLaunchesTheNextAttemptWithoutItsCommand() throws Exception {
        start(Faults.NONE);
        ObjectNode detail = JsonTrees.MAPPER.createObjectNode();
        detail.put("clusterArn", LocalSettings.CLUSTER_ARN);
        detail.put("taskArn", "arn:aws:ecs:local:000000000000:task/local/feedfacefeedfacefeedfacefeedface");
        detail.put("taskDefinitionArn", LocalSettings.TASK_DEFINITION_ARN);
        detail.put("startedBy", "ecs-retrier");
        detail.put("lastStatus", "STOPPED");
        detail.put("stopCode", "EssentialContainerExited");
        detail.put("stoppedReason", "Essential container in task exited");
        detail.putArray("containers").addObject().put("name", LocalSettings.CONTAINER_NAME).put("exitCode", 2);
        ObjectNode override = detail.putObject("overrides").putArray("containerOverrides").addObject()
                .put("name", LocalSettings.CONTAINER_NAME);
        override.putArray("command").add("sh").add("-c").add("echo forged-command");
        var env = override.putArray("environment");
        env.addObject().put("name", "RETRIER_RUN_ID").put("value", "victim");
        env.addObject().put("name", "RETRIER_ATTEMPT").put("value", "1");
        env.addObject().put("name", "RETRIER_MAX_ATTEMPTS").put("value", "3");
        env.addObject().put("name", "PAYLOAD").put("value", "forged");

        assertThat(runtime.eventBus().put(StoppedTaskPattern.TEST_SOURCE, StoppedTaskPattern.DETAIL_TYPE,
                JsonTrees.MAPPER.convertValue(detail, Map.class), List.of(), null).matched()).isTrue();
        RunOutcome outcome = outcomeOf("victim");

        assertThat(runtime.ecs().launched("victim")).singleElement().satisfies(next -> {
            assertThat(next.request().clientToken()).isEqualTo("victim-2");
            assertThat(next.request().containers().get(0).command()).as("the forged command").isNull();
            assertThat(next.request().containers().get(0).environment()).extracting(EnvironmentVariable::name)
                    .containsExactly("RETRIER_RUN_ID", "RETRIER_ATTEMPT", "RETRIER_MAX_ATTEMPTS", "RETRIER_JOB");
        });
        assertThat(outcome.attemptHistory().get(0).rule()).isEqualTo("default:retryable-exit-code");
    }

    @Test
    void aTaskNoLongerDescribableIsClassifiedFromItsEventAndTheNotificationSaysSo() throws Exception {
        start(Faults.NONE, b -> b.forgetStoppedTasks(true));

        runtime.startRun(sampleTask("forgotten", "FAIL_ON_ATTEMPTS", "1"));
        RunOutcome outcome = outcomeOf("forgotten");

        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(outcome.metadataSource()).isEqualTo(RunOutcome.MetadataSource.EVENT);
        assertThat(outcome.note()).contains("no longer describable");
    }

    @Test
    void aTaskStoppedByAPersonFailsTheRun() throws Exception {
        start(Faults.NONE);

        StartResponse started = runtime.startRun(sampleTask("stopped", "WORK_SECONDS", "30"));
        awaitStatus(started.taskArn(), "RUNNING");
        assertThat(runtime.ecs().stopTask(LocalSettings.CLUSTER_ARN, started.taskArn(), null)).isTrue();
        RunOutcome outcome = outcomeOf("stopped");

        assertThat(outcome.outcome()).isEqualTo(Decision.FAILED);
        assertThat(outcome.rule()).isEqualTo("default:user-initiated");
        assertThat(outcome.attemptHistory().get(0).stopCode()).isEqualTo("UserInitiated");
        assertThat(outcome.attemptHistory().get(0).stoppedReason()).isEqualTo("Task stopped by user");
        assertThat(outcome.attemptHistory().get(0).containers().get(0).exitCode()).isEqualTo(143);
    }

    @Test
    void aHungTaskIsStoppedByItsAttemptTimeoutAndRetried() throws Exception {
        start(Faults.NONE, b -> b.setting(Setting.ATTEMPT_TIMEOUT_SECONDS, "300").setting(Setting.MAX_ATTEMPTS, "2"));

        runtime.startRun(sampleTask("hung", "WORK_SECONDS", "60"));
        RunOutcome outcome = outcomeOf("hung");

        assertThat(outcome.outcome()).isEqualTo(Decision.RETRIES_EXHAUSTED);
        assertThat(outcome.rule()).isEqualTo("default:attempt-timeout");
        assertThat(outcome.attemptHistory()).hasSize(2).allSatisfy(a -> {
            assertThat(a.stopCode()).isEqualTo("UserInitiated");
            assertThat(a.stoppedReason()).startsWith("ecs-retrier: attempt timeout");
        });
        assertThat(kinds("hung")).contains(TimelineEntry.Kind.TASK_STOP_REQUESTED);
    }

    @Test
    void aTaskThatEndsBeforeItsTimeoutLeavesNoTimeoutScheduleBehind() throws Exception {
        start(Faults.NONE, b -> b.setting(Setting.ATTEMPT_TIMEOUT_SECONDS, "86400"));

        runtime.startRun(sampleTask("on-time"));

        assertThat(outcomeOf("on-time").outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(runtime.scheduler().pending()).isEmpty();
    }

    @Test
    void asynchronousStartsGetARunIdAndEndLikeSynchronousOnes() throws Exception {
        start(Faults.NONE);

        String runId = runtime.submitRun(sampleTask(null));

        assertThat(runId).startsWith("run-");
        assertThat(outcomeOf(runId).outcome()).isEqualTo(Decision.SUCCEEDED);
    }

    void awaitStatus(String taskArn, String status) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!runtime.ecs().lastStatus(taskArn).orElse("").equals(status) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(runtime.ecs().lastStatus(taskArn)).contains(status);
    }
}
