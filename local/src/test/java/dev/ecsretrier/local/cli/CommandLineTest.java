package dev.ecsretrier.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.local.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ./retrier demo} and the help of every command. */
class CommandLineTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "demo", "serve", "classify"})
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
    void anUnknownFaultIsAUsageError() {
        CommandRun run = CommandRun.of("demo", "--fault", "gremlins");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--fault: unknown kind 'gremlins'");
    }
}
