package dev.ecsretrier.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.local.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ./retrier demo}, {@code ./retrier run} and the help of every command. */
class CommandLineTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "demo", "run", "serve", "classify"})
    void everyCommandHasHelpWithExamples(String command) {
        CommandRun run = command.isEmpty() ? CommandRun.of("--help") : CommandRun.of(command, "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: retrier", "Examples:", "./retrier " + command);
    }

    @Test
    void theDemoShowsOneRunFailingTwiceThenSucceedingAndItsNotification(@TempDir Path dir) {
        Path notifications = dir.resolve("notifications.jsonl");

        CommandRun run = CommandRun.of("demo", "--time-scale", "0.001", "--seed", "1",
                "--notifications", notifications.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsSubsequence(
                "attempt 1  task", "[fault injected: cannot-pull]",
                "attempt 1  stop", "TaskFailedToStart: CannotPullContainerError",
                "attempt 1  decision", "RETRY by default:transient-error; next attempt 2 in",
                "attempt 2  task",
                "attempt 2  stop", "app exit 2",
                "attempt 2  decision", "RETRY by default:retryable-exit-code; next attempt 3 in",
                "attempt 3  task",
                "attempt 3  stop", "app exit 0",
                "attempt 3  decision", "SUCCEEDED by default:succeeded",
                "Notification (SNS): ecs-retrier run demo-", "SUCCEEDED after 3 attempts",
                "\"outcome\" : \"SUCCEEDED\"",
                "notifications: " + notifications.toAbsolutePath());
        assertThat(Fixtures.jsonLines(notifications)).singleElement()
                .satisfies(line -> assertThat(line.path("attributes").path("outcome").asText()).isEqualTo("SUCCEEDED"));
    }

    @Test
    void theDemoTakesFaultsFromTheCommandLine(@TempDir Path dir) {
        CommandRun run = CommandRun.of("demo", "--time-scale", "0.001", "--fault", "image-not-found",
                "--notifications", dir.resolve("n.jsonl").toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("FAILED by default:permanent-start-error").doesNotContain("attempt 2");
    }

    @Test
    void aRunShowsTheSpotFallbackInItsTimelineAndNotification(@TempDir Path dir) {
        Path notifications = dir.resolve("n.jsonl");

        CommandRun run = CommandRun.of("run", "--time-scale", "0.001", "--seed", "1", "--run-id", "spot-run",
                "--task-command", "/bin/true", "--capacity-provider-strategy", "FARGATE_SPOT",
                "--fallback-capacity-provider-strategy", "FARGATE", "--fault", "spot-while-on-spot",
                "--notifications", notifications.toString());

        assertThat(run.out()).doesNotContain("without an outcome", "dead letter");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsSubsequence(
                "ecs-retrier run:", "run spot-run: no overrides",
                "launch: capacity FARGATE_SPOT, then FARGATE after 1 Spot failure",
                "attempt 1  task", "on FARGATE_SPOT, cpu 1024 memory 2048 [fault injected: spot]",
                "attempt 1  stop", "SpotInterruption",
                "attempt 1  decision", "RETRY by default:infrastructure-stop; next attempt 2 in",
                "on FARGATE (capacity FARGATE after 1 Spot failure)",
                "attempt 2  task", "on FARGATE, cpu 1024 memory 2048",
                "attempt 2  decision", "SUCCEEDED by default:succeeded",
                "Notification (SNS): ecs-retrier run spot-run SUCCEEDED after 2 attempts",
                "#2 [capacity=FARGATE:1:-] EssentialContainerExited app exit 0 -> SUCCEEDED",
                "\"launch\" : \"capacity=FARGATE:1:-\"");
        assertThat(Fixtures.jsonLines(notifications)).singleElement().satisfies(line ->
                assertThat(line.path("message").path("attemptHistory").get(1).path("launch").asText())
                        .isEqualTo("capacity=FARGATE:1:-"));
    }

    @Test
    void aRunPassesItsEnvironmentToTheTaskAndEndsWithExit0WhateverTheOutcome(@TempDir Path dir) throws Exception {
        Path task = Files.writeString(dir.resolve("task.sh"), "exit $CODE\n");

        CommandRun run = CommandRun.of("run", "--time-scale", "0.001", "--run-id", "env-run",
                "--task-command", "/bin/sh " + task, "--env", "CODE=3",
                "--notifications", dir.resolve("n.jsonl").toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("run env-run: CODE=3", "app exit 3", "FAILED by default:failed");
    }

    @Test
    void aRunWithInvalidSettingsExits2NamingTheOption() {
        CommandRun run = CommandRun.of("run", "--memory-max-mib", "100");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("run: invalid options: --memory-max-mib (");
    }

    @Test
    void aLaunchDependentFaultNeedsItsArgument() {
        CommandRun run = CommandRun.of("run", "--fault", "oom-below:lots");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--fault oom-below:MIB needs MiB as a whole number, got 'lots'");
    }

    @Test
    void anUnknownFaultIsAUsageError() {
        CommandRun run = CommandRun.of("demo", "--fault", "gremlins");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--fault: unknown kind 'gremlins'");
    }
}
