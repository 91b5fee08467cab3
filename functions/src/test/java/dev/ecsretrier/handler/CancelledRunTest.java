package dev.ecsretrier.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.RunCancellation;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.port.LaunchResult;
import dev.ecsretrier.port.Notification;
import dev.ecsretrier.port.TaskLauncher;
import dev.ecsretrier.testutil.FakeAttemptScheduler;
import dev.ecsretrier.testutil.FakeNotifier;
import dev.ecsretrier.testutil.FakeTaskDescriber;
import dev.ecsretrier.testutil.FakeTaskLauncher;
import dev.ecsretrier.testutil.Fixtures;
import dev.ecsretrier.testutil.MutableClock;
import dev.ecsretrier.testutil.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The functions' half of {@code retrier cancel}: where a cancel can land relative to a start and a
 * stop, each interleaving chosen exactly (the marker appears at one precise step), and what follows:
 * no attempt runs past the cancel, and the run ends CANCELLED with one notification.
 */
class CancelledRunTest {

    private static final Instant NOW = Instant.parse("2025-03-14T09:00:00Z");
    private static final String RUN = "run-7f3a";
    private static final RunCancellation CANCEL = new RunCancellation(RUN, "wrong input file");
    /** Attempt 2 of run-7f3a, as the schedule after a first attempt that exited 2 sends it. */
    private static final String ATTEMPT_2 = """
            {"runId": "run-7f3a", "attempt": 2,
             "history": [{"attempt": 1, "taskArn": "arn:aws:ecs:us-east-1:111122223333:task/batch/0a1b2c3d4e5f60718293a4b5c6d7e8f9",
                          "stopCode": "EssentialContainerExited", "stoppedReason": "Essential container in task exited",
                          "containers": [{"name": "app", "exitCode": 2}], "decision": "RETRY",
                          "rule": "default:retryable-exit-code"}]}
            """;

    private final FakeTaskLauncher launcher = new FakeTaskLauncher();
    private final FakeAttemptScheduler scheduler = new FakeAttemptScheduler();
    private final FakeNotifier notifier = new FakeNotifier();
    private final MutableClock clock = new MutableClock(NOW);
    private final List<String> log = new ArrayList<>();

    private StarterHandler starter(TaskLauncher launcher) {
        return new StarterHandler(TestEnvironment.sampleConfig(), launcher, scheduler, notifier, clock,
                new SplittableRandom(1), log::add);
    }

    private ClassifierHandler classifier() {
        return new ClassifierHandler(TestEnvironment.sampleConfig(), new FakeTaskDescriber(), scheduler, notifier,
                clock, new SplittableRandom(1), log::add);
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** user-initiated.json for this task, stopped with this reason (as StopTask gives it). */
    private static byte[] stopped(String taskArn, String reason) {
        ObjectNode event = (ObjectNode) TestJson.tree(Fixtures.eventText("user-initiated.json"));
        ObjectNode detail = (ObjectNode) event.get("detail");
        detail.put("taskArn", taskArn);
        detail.put("stoppedReason", reason);
        return TestJson.bytes(event);
    }

    private JsonNode message(Notification notification) {
        return TestJson.tree(notification.body());
    }

    @Test
    void aStartThatBeginsAfterTheCancel_launchesNothing_andEndsTheRunCancelledOnce() {
        scheduler.markCancelled(CANCEL);

        StartResponse response = starter(launcher).start(bytes(ATTEMPT_2), TestEnvironment.STARTER_ARN);

        assertThat(launcher.requests()).isEmpty();
        assertThat(response.taskArn()).isNull();
        assertThat(response.step().decision()).isEqualTo(Decision.CANCELLED);
        Notification notification = notifier.only();
        assertThat(notification.attributes()).containsEntry("outcome", "CANCELLED")
                .containsEntry("dedupKey", RUN + ":CANCELLED");
        JsonNode body = message(notification);
        assertThat(body.path("attempts").asInt()).isEqualTo(1);
        assertThat(body.path("reason").asText()).isEqualTo("the run was cancelled: wrong input file");
        assertThat(body.path("attemptHistory").get(0).path("decision").asText()).isEqualTo("RETRY");
        assertThat(scheduler.schedules()).isEmpty();
    }

    @Test
    void aCancelThatLandsWhileRunTaskStartsTheTask_stopsThatTaskWithTheCancelReason_andTheStopEndsTheRunOnce() {
        launcher.afterLaunch(() -> scheduler.markCancelled(CANCEL));

        StartResponse response = starter(launcher).start(bytes(ATTEMPT_2), TestEnvironment.STARTER_ARN);

        assertThat(launcher.requests()).hasSize(1);
        assertThat(launcher.stopped()).containsExactly(response.taskArn() + " ecs-retrier: cancelled: wrong input file");
        assertThat(notifier.published()).as("the starter leaves the ending to the task's stop").isEmpty();
        assertThat(scheduler.stops()).as("no attempt timeout for a task that is being stopped").isEmpty();

        StepResult step = classifier().handle(stopped(response.taskArn(), CANCEL.stopReason()));

        assertThat(step.decision()).isEqualTo(Decision.CANCELLED);
        assertThat(scheduler.schedules()).isEmpty();
        Notification notification = notifier.only();
        assertThat(notification.attributes()).containsEntry("outcome", "CANCELLED");
        assertThat(message(notification).path("reason").asText()).isEqualTo("the run was cancelled: wrong input file");
    }

    @Test
    void theStarterReadsTheMarkerBeforeAndAfterRunTask_andNowhereElse() {
        starter(launcher).start(bytes(ATTEMPT_2), TestEnvironment.STARTER_ARN);

        assertThat(scheduler.cancellationReads()).containsExactly(RUN, RUN);
        assertThat(launcher.stopped()).isEmpty();
        assertThat(notifier.published()).isEmpty();
    }

    @Test
    void aStopThatWouldBeRetried_ofARunCancelledWhileItRan_endsTheRunCancelled_insteadOfScheduling() {
        scheduler.markCancelled(CANCEL);

        StepResult step = classifier().handle(Fixtures.event("app-exit-2.json"));

        assertThat(step.decision()).isEqualTo(Decision.CANCELLED);
        assertThat(scheduler.requests()).isEmpty();
        JsonNode body = message(notifier.only());
        assertThat(body.path("outcome").asText()).isEqualTo("CANCELLED");
        assertThat(body.path("attempts").asInt()).isEqualTo(1);
        assertThat(body.path("attemptHistory").get(0).path("decision").asText())
                .as("the attempt's own decision is kept").isEqualTo("RETRY");
    }

    @Test
    void aStopThatEndsTheRunAnyway_isNotTurnedIntoCancelled() {
        scheduler.markCancelled(CANCEL);

        StepResult step = classifier().handle(Fixtures.event("succeeded.json"));

        assertThat(step.decision()).isEqualTo(Decision.SUCCEEDED);
        assertThat(notifier.only().attributes()).containsEntry("outcome", "SUCCEEDED");
    }

    @Test
    void aCancelStop_endsTheRunCancelled_evenWhenTheMarkerIsGone() {
        StepResult step = classifier().handle(stopped(
                "arn:aws:ecs:us-east-1:111122223333:task/batch/6313c5f143358117ecac8d36dacb90ef", CANCEL.stopReason()));

        assertThat(step.decision()).isEqualTo(Decision.CANCELLED);
        assertThat(notifier.only().attributes()).containsEntry("outcome", "CANCELLED");
    }

    @Test
    void lambdasRetryOfAThrottledStart_afterTheCancel_launchesNothing_andNotifiesOnce() {
        TaskLauncher throttledOnce = new TaskLauncher() {
            private int calls;

            @Override
            public LaunchResult launch(dev.ecsretrier.port.LaunchRequest request) {
                return ++calls == 1 ? new LaunchResult.Unavailable("ThrottlingException", "Rate exceeded")
                        : launcher.launch(request);
            }

            @Override
            public void stop(String cluster, String taskArn, String reason) {
                launcher.stop(cluster, taskArn, reason);
            }
        };
        StarterHandler starter = starter(throttledOnce);
        assertThatThrownBy(() -> starter.start(bytes(ATTEMPT_2), TestEnvironment.STARTER_ARN))
                .isInstanceOf(RunTaskUnavailableException.class);
        scheduler.markCancelled(CANCEL);

        StartResponse retried = starter.start(bytes(ATTEMPT_2), TestEnvironment.STARTER_ARN);

        assertThat(launcher.requests()).isEmpty();
        assertThat(retried.step().decision()).isEqualTo(Decision.CANCELLED);
        assertThat(notifier.only().attributes()).containsEntry("outcome", "CANCELLED");
    }

    /** The decision records the functions logged for the run that ended it CANCELLED. */
    private List<String> cancelledDecisions() {
        return log.stream().filter(line -> dev.ecsretrier.history.HistoryRecords.read(line)
                .filter(r -> r instanceof dev.ecsretrier.history.HistoryRecord.Decided d && d.decision() == Decision.CANCELLED)
                .isPresent()).toList();
    }

    @Test
    void aScheduleThatFiredWhileCancelDeletedIt_andTheStartCancelHandedOver_notifyOnce() {
        // Scheduler deletes a fired one-time schedule only after invoking its target, so cancel's delete of it
        // may still succeed: the fired start and the start request cancel hands over both reach the starter.
        scheduler.markCancelled(CANCEL);
        StarterHandler starter = starter(launcher);

        StartResponse fired = starter.start(bytes(ATTEMPT_2), TestEnvironment.STARTER_ARN, "request-of-the-schedule");
        StartResponse handed = starter.start(bytes(ATTEMPT_2), TestEnvironment.STARTER_ARN, "request-of-the-cancel");

        assertThat(launcher.requests()).isEmpty();
        assertThat(fired.step().decision()).isEqualTo(Decision.CANCELLED);
        assertThat(handed.step().decision()).isEqualTo(Decision.CANCELLED);
        assertThat(notifier.only().attributes()).containsEntry("dedupKey", RUN + ":CANCELLED");
        assertThat(cancelledDecisions()).hasSize(1);
        assertThat(scheduler.endClaims()).containsEntry(RUN, "start of run-7f3a-2 by request request-of-the-schedule");
    }

    @Test
    void aStartThatLaunchedJustBeforeTheMarker_theStartCancelHandedOver_andTheStopOfTheTask_notifyOnce() {
        launcher.afterLaunch(() -> scheduler.markCancelled(CANCEL));
        StarterHandler starter = starter(launcher);
        StartResponse fired = starter.start(bytes(ATTEMPT_2), TestEnvironment.STARTER_ARN, "request-of-the-schedule");
        assertThat(launcher.stopped()).hasSize(1);

        StartResponse handed = starter.start(bytes(ATTEMPT_2), TestEnvironment.STARTER_ARN, "request-of-the-cancel");
        StepResult stop = classifier().handle(stopped(fired.taskArn(), CANCEL.stopReason()));

        assertThat(launcher.requests()).hasSize(1);
        assertThat(handed.step().decision()).isEqualTo(Decision.CANCELLED);
        assertThat(stop.decision()).isEqualTo(Decision.CANCELLED);
        assertThat(notifier.only().attributes()).containsEntry("outcome", "CANCELLED");
        assertThat(cancelledDecisions()).hasSize(1);
    }

    @Test
    void aRetryableStopDecidedJustBeforeTheMarker_andDeliveredAgainAfterIt_notifiesOnce() {
        // The classifier reads no marker and schedules attempt 2; cancel marks, deletes that schedule and
        // hands its start request to the starter; ECS's duplicate of the same stop then finds the marker.
        StepResult first = classifier().handle(Fixtures.event("app-exit-2.json"));
        assertThat(first.decision()).isEqualTo(Decision.RETRY);
        String startRequest = scheduler.only().input();
        scheduler.markCancelled(CANCEL);
        scheduler.cancel(scheduler.only().name());

        StartResponse handed = starter(launcher).start(bytes(startRequest), TestEnvironment.STARTER_ARN,
                "request-of-the-cancel");
        StepResult duplicate = classifier().handle(Fixtures.event("app-exit-2.json"));

        assertThat(handed.step().decision()).isEqualTo(Decision.CANCELLED);
        assertThat(duplicate.decision()).isEqualTo(Decision.CANCELLED);
        assertThat(launcher.requests()).isEmpty();
        assertThat(notifier.only().attributes()).containsEntry("dedupKey", RUN + ":CANCELLED");
        assertThat(cancelledDecisions()).hasSize(1);
    }

    @Test
    void aFinalStopWhileCancelWorks_endsTheRunWithItsOwnOutcome_once_withoutAClaim() {
        scheduler.markCancelled(CANCEL);

        StepResult step = classifier().handle(Fixtures.event("app-exit-1.json"));

        assertThat(step.decision()).isEqualTo(Decision.FAILED);
        assertThat(notifier.only().attributes()).containsEntry("dedupKey", RUN + ":FAILED");
        assertThat(scheduler.endClaims()).as("only a CANCELLED end has rivals").isEmpty();
    }

    @Test
    void aCancelledEndThatCouldNotPublish_letsItsClaimGo_soThatItsRetryNotifies() {
        scheduler.markCancelled(CANCEL);
        List<Notification> published = new ArrayList<>();
        int[] calls = {0};
        StarterHandler starter = new StarterHandler(TestEnvironment.sampleConfig(), launcher, scheduler, notification -> {
            if (++calls[0] == 1) {
                throw new IllegalStateException("SNS: Throttling");
            }
            published.add(notification);
        }, clock, new SplittableRandom(1), log::add);

        assertThatThrownBy(() -> starter.start(bytes(ATTEMPT_2), TestEnvironment.STARTER_ARN, "request-1"))
                .hasMessageContaining("Throttling");
        assertThat(scheduler.endClaims()).isEmpty();
        // A redrive of the dead-lettered start is a new invocation, with a request id of its own.
        StartResponse redriven = starter.start(bytes(ATTEMPT_2), TestEnvironment.STARTER_ARN, "request-of-the-redrive");

        assertThat(redriven.step().decision()).isEqualTo(Decision.CANCELLED);
        assertThat(published).hasSize(1);
        assertThat(cancelledDecisions()).hasSize(1);
    }
}
