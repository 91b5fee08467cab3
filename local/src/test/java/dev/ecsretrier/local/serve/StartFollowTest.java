package dev.ecsretrier.local.serve;

import static dev.ecsretrier.local.serve.OperateCommandsTest.retrier;
import static dev.ecsretrier.local.serve.OperateCommandsTest.startRequest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.local.emulator.TimelineEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code retrier start --follow} against serve, to each outcome, with the outcome's exit status. */
class StartFollowTest {

    static ServedRuntime served;
    static String endpoint;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("aws.accessKeyId", "local");
        System.setProperty("aws.secretAccessKey", "local");
        // Retryable exit code 2, backoff 60 s at time scale 0.001: a retry in about 60 ms.
        served = new ServedRuntime(43);
        endpoint = served.endpoint.uri().toString();
    }

    @AfterAll
    static void stop() {
        served.close();
    }

    static OperateCommandsTest.Ran follow(String request) {
        return retrier("start", "--endpoint-url", endpoint, "--payload", request, "--follow", "--poll", "0.1",
                "--wait", "60");
    }

    @Test
    void succeeded_exits0_afterPrintingTheTaskItsStopAndTheDecision() {
        OperateCommandsTest.Ran ran = follow(startRequest("follow-ok"));

        assertThat(ran.exitCode()).as(ran.err()).isZero();
        assertThat(ran.out()).contains("run follow-ok: attempt 1")
                .containsPattern("attempt 1 +task +started task ")
                .containsPattern("attempt 1 +stop +EssentialContainerExited: .*app exit 0")
                .containsPattern("attempt 1 +decision +SUCCEEDED by default:succeeded")
                .contains("run follow-ok SUCCEEDED after 1 attempt");
    }

    @Test
    void failed_exits3() {
        OperateCommandsTest.Ran ran = follow(startRequest("follow-failed", "FAIL_ON_ATTEMPTS", "1", "FAIL_EXIT_CODE", "1"));

        assertThat(ran.exitCode()).as(ran.out() + ran.err()).isEqualTo(3);
        assertThat(ran.out()).contains("run follow-failed FAILED after 1 attempt");
    }

    @Test
    void retriesExhausted_exits4_afterEveryAttempt() {
        OperateCommandsTest.Ran ran = follow(startRequest("follow-exhausted", "FAIL_ON_ATTEMPTS", "1,2,3"));

        assertThat(ran.exitCode()).as(ran.out() + ran.err()).isEqualTo(4);
        assertThat(ran.out()).containsPattern("attempt 1 +decision +RETRY by default:retryable-exit-code; next attempt 2")
                .containsPattern("attempt 3 +task +started task ")
                .contains("run follow-exhausted RETRIES_EXHAUSTED after 3 attempts");
    }

    @Test
    void cancelled_exits5() throws Exception {
        CompletableFuture<OperateCommandsTest.Ran> following = CompletableFuture.supplyAsync(
                () -> follow(startRequest("follow-cancelled", "WORK_SECONDS", "60")));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (served.runtime.timeline("follow-cancelled").stream()
                .noneMatch(e -> e.kind() == TimelineEntry.Kind.TASK_LAUNCHED)) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }

        assertThat(retrier("cancel", "follow-cancelled", "--endpoint-url", endpoint, "--in-flight", "0").exitCode())
                .isZero();

        OperateCommandsTest.Ran ran = following.get(60, TimeUnit.SECONDS);
        assertThat(ran.exitCode()).as(ran.out() + ran.err()).isEqualTo(5);
        assertThat(ran.out()).containsPattern("attempt 1 +stop +UserInitiated: ecs-retrier: cancelled: no reason given")
                .contains("run follow-cancelled CANCELLED after 1 attempt");
    }

    @Test
    void show_listsEveryAttempt_asTheNotificationDoes_withWhenTheNextWasDue() throws Exception {
        follow(startRequest("show-exhausted", "FAIL_ON_ATTEMPTS", "1,2,3"));
        served.runtime.awaitIdle(Duration.ofSeconds(5));

        OperateCommandsTest.Ran shown = retrier("show", "show-exhausted", "--endpoint-url", endpoint, "--json");

        assertThat(shown.exitCode()).as(shown.err()).isZero();
        com.fasterxml.jackson.databind.JsonNode run = dev.ecsretrier.local.JsonTrees.tree(shown.out());
        com.fasterxml.jackson.databind.JsonNode notified = dev.ecsretrier.local.JsonTrees.tree(
                OperateCommandsTestAccess.notification(served, "show-exhausted").message());
        assertThat(run.path("status").asText()).isEqualTo("ENDED");
        assertThat(run.at("/outcome/outcome").asText()).isEqualTo(notified.path("outcome").asText());
        assertThat(run.at("/outcome/attempts").asInt()).isEqualTo(notified.path("attempts").asInt()).isEqualTo(3);
        com.fasterxml.jackson.databind.JsonNode attempts = run.path("attempts");
        com.fasterxml.jackson.databind.JsonNode history = notified.path("attemptHistory");
        assertThat(attempts).hasSize(3);
        for (int i = 0; i < 3; i++) {
            // The notification names an earlier attempt's task by its id (its tag keeps no more); show, by its ARN.
            String task = history.get(i).path("taskArn").asText();
            assertThat(attempts.get(i).path("taskArn").asText()).endsWith(task.substring(task.lastIndexOf('/') + 1));
            for (String field : List.of("attempt", "stopCode", "stoppedReason", "decision", "rule")) {
                assertThat(attempts.get(i).path(field).asText()).as("attempt %d %s", i + 1, field)
                        .isEqualTo(history.get(i).path(field).asText());
            }
            assertThat(attempts.get(i).at("/containers/0/exitCode").asInt()).isEqualTo(history.get(i).at("/containers/0/exitCode").asInt());
        }
        assertThat(attempts.get(0).path("nextAttempt").asInt()).isEqualTo(2);
        assertThat(attempts.get(0).path("nextAttemptAt").asText()).isNotEmpty();
        assertThat(attempts.get(2).has("nextAttemptAt")).isFalse();

        OperateCommandsTest.Ran text = retrier("show", "show-exhausted", "--endpoint-url", endpoint);
        assertThat(text.out()).contains("run show-exhausted: RETRIES_EXHAUSTED after 3 attempt(s)")
                .contains("attempt 3  task arn:aws:ecs:");
    }

    @Test
    void follow_tellsEveryAttemptsTask_evenOneThatStartedAndStoppedBetweenTwoLooksAtEcs() throws Exception {
        // This ECS forgets a task as soon as it stops, and the run has ended before the first look: no look
        // at ECS sees its tasks, so only the history records can tell that (and when) each one started.
        try (ServedRuntime forgetting = new ServedRuntime(dev.ecsretrier.local.LocalRuntime.builder()
                .setting(dev.ecsretrier.config.Setting.RETRYABLE_EXIT_CODES, "2").timeScale(0.001).seed(44)
                .forgetStoppedTasks(true).build())) {
            java.time.Instant startedAt = java.time.Instant.now();
            assertThat(retrier("start", "--endpoint-url", forgetting.endpoint.uri().toString(), "--payload",
                    startRequest("follow-between", "FAIL_ON_ATTEMPTS", "1")).exitCode()).isZero();
            forgetting.runtime.awaitOutcome("follow-between", Duration.ofSeconds(30)).orElseThrow();
            forgetting.runtime.awaitIdle(Duration.ofSeconds(5));
            List<String> launched = forgetting.runtime.timeline("follow-between").stream()
                    .filter(e -> e.kind() == TimelineEntry.Kind.TASK_LAUNCHED).map(TimelineEntry::taskArn).toList();
            List<dev.ecsretrier.operate.RunFollower.Entry> timeline = new java.util.ArrayList<>();

            java.util.Optional<dev.ecsretrier.operate.RunFollower.Outcome> outcome;
            try (dev.ecsretrier.operate.AwsAccess access = new dev.ecsretrier.operate.AwsAccess("us-east-1", null,
                    forgetting.endpoint.uri()); var ecs = access.ecs(); var scheduler = access.scheduler();
                 var logs = access.logs()) {
                dev.ecsretrier.operate.Deployment deployment = OperateCommandsTest.deployment(forgetting);
                dev.ecsretrier.operate.RunTasks tasks = new dev.ecsretrier.operate.RunTasks(ecs, deployment);
                assertThat(tasks.of("follow-between")).as("ECS lists none of the run's tasks").isEmpty();
                outcome = new dev.ecsretrier.operate.RunFollower(tasks,
                        new dev.ecsretrier.operate.RunSchedules(scheduler, deployment),
                        new dev.ecsretrier.operate.RunHistory(logs, deployment), java.time.Clock.systemUTC())
                        .follow("follow-between", startedAt, Duration.ofMillis(50), Duration.ofSeconds(10), timeline::add);
            }

            assertThat(outcome).map(dev.ecsretrier.operate.RunFollower.Outcome::outcome).contains("SUCCEEDED");
            assertThat(launched).hasSize(2);
            assertThat(timeline).filteredOn(e -> e.label().equals("task"))
                    .extracting(dev.ecsretrier.operate.RunFollower.Entry::attempt,
                            dev.ecsretrier.operate.RunFollower.Entry::text)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(1, "started task "
                                    + dev.ecsretrier.operate.RunFollower.taskId(launched.get(0))),
                            org.assertj.core.groups.Tuple.tuple(2, "started task "
                                    + dev.ecsretrier.operate.RunFollower.taskId(launched.get(1))));
        }
    }
}
