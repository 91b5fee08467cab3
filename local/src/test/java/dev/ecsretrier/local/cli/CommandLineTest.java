package dev.ecsretrier.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.local.Fixtures;
import dev.ecsretrier.local.JsonTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
    void aRunOfOneJobOfAJobsFile_followsThatJobsPolicy(@TempDir Path dir) {
        // The help's example, from the module folder: nightly-etl retries exit code 2, reports does not.
        CommandRun etl = CommandRun.of("run", "--config", "../local/examples/jobs.json", "--job", "nightly-etl",
                "--env", "FAIL_ON_ATTEMPTS=1", "--notifications", dir.resolve("etl.jsonl").toString());
        CommandRun reports = CommandRun.of("run", "--config", "../local/examples/jobs.json", "--job", "reports",
                "--env", "FAIL_ON_ATTEMPTS=1", "--notifications", dir.resolve("reports.jsonl").toString());

        assertThat(etl.exitCode()).as(etl.err()).isZero();
        assertThat(etl.out()).contains("of job nightly-etl", "policy: 5 attempts", "SUCCEEDED after 2 attempts");
        assertThat(Fixtures.jsonLines(dir.resolve("etl.jsonl"))).singleElement()
                .satisfies(line -> assertThat(line.path("attributes").path("job").asText()).isEqualTo("nightly-etl"));
        assertThat(reports.exitCode()).as(reports.err()).isEqualTo(ExitStatus.FAILED.code());
        assertThat(reports.out()).contains("of job reports", "policy: 2 attempts", "FAILED after 1 attempt");
    }

    @Test
    void theDemoTakesFaultsFromTheCommandLine(@TempDir Path dir) {
        CommandRun run = CommandRun.of("demo", "--time-scale", "0.001", "--fault", "image-not-found",
                "--notifications", dir.resolve("n.jsonl").toString());

        assertThat(run.exitCode()).isEqualTo(ExitStatus.FAILED.code());
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
    void aRunPassesItsEnvironmentToTheTask(@TempDir Path dir) throws Exception {
        Path task = Files.writeString(dir.resolve("task.sh"), "exit $CODE\n");

        CommandRun run = CommandRun.of("run", "--time-scale", "0.001", "--run-id", "env-run",
                "--task-command", "/bin/sh " + task, "--env", "CODE=3",
                "--notifications", dir.resolve("n.jsonl").toString());

        assertThat(run.out()).contains("run env-run: CODE=3", "app exit 3", "FAILED by default:failed");
    }

    @ParameterizedTest(name = "exit {1} for {0}")
    @CsvSource({
        "0, SUCCEEDED",
        "3, FAILED",
        "2, RETRIES_EXHAUSTED",
    })
    void aRunsExitStatusIsItsOutcomes(int taskExit, ExitStatus status, @TempDir Path dir) throws Exception {
        Path task = Files.writeString(dir.resolve("task.sh"), "exit " + taskExit + "\n");

        CommandRun run = CommandRun.of("run", "--time-scale", "0.001", "--task-command", "/bin/sh " + task,
                "--retryable-exit-codes", "2", "--max-attempts", "2", "--quiet");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(status.code());
        assertThat(run.out()).isEqualTo(status.name() + System.lineSeparator());
    }

    @Test
    void theExitStatusesAreInTheHelpOfRunAndDemo() {
        for (String command : List.of("run", "demo")) {
            assertThat(CommandRun.of(command, "--help").out()).contains("Exit status:", "0   the run SUCCEEDED",
                    "3   the run FAILED", "4   the run ended RETRIES_EXHAUSTED", "5   the run was CANCELLED",
                    "2   a mistake on the command line");
        }
    }

    @Test
    void aThrottledFirstRunTaskIsRetriedByLambdaAsTheDocsSay() {
        CommandRun run = CommandRun.of("run", "--time-scale", "0.001", "--task-command", "/bin/true", "--fault", "throttling");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitStatus.SUCCEEDED.code());
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).containsSubsequence("RunTask failed: ThrottlingException", "Lambda retry",
                "attempt 1  task", "SUCCEEDED by default:succeeded");
    }

    @Test
    void underAwsQuotasAStartLambdaHasNoConcurrencyForIsRetriedForSixHoursThenDeadLettered() {
        // 6 hours at time scale 0.0001 are 2.2 s.
        CommandRun run = CommandRun.of("demo", "--time-scale", "0.0001", "--aws-quotas",
                "--reserved-concurrency", "starter=0", "--wait", "30");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitStatus.UNEXPECTED_ERROR.code());
        assertThat(run.out()).contains("came to rest without an outcome")
                .contains("dead letter (starter): throttled for 6 hours (the event's maximum age)")
                .doesNotContain("attempt 1  task");
    }

    @Test
    void underAwsQuotasTheDemoStillSucceeds() {
        CommandRun run = CommandRun.of("demo", "--time-scale", "0.001", "--aws-quotas");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitStatus.SUCCEEDED.code());
        assertThat(run.out()).contains("SUCCEEDED by default:succeeded");
    }

    @Test
    void jsonIsOneDocumentAndNothingElseOnStdout() throws Exception {
        CommandRun run = CommandRun.of("run", "--time-scale", "0.001", "--task-command", "/bin/true", "--run-id", "json-run",
                "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().strip().lines()).hasSize(1);
        JsonNode document = JsonTrees.tree(run.out());
        assertThat(document.path("runId").asText()).isEqualTo("json-run");
        assertThat(document.path("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(document.path("exitStatus").asInt()).isZero();
        assertThat(document.path("timeline").findValuesAsText("kind")).contains("TASK_LAUNCHED", "DECISION");
        assertThat(document.path("notification").path("attributes").path("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(document.path("notification").path("message").path("runId").asText()).isEqualTo("json-run");
    }

    @Test
    void theDemoSucceedsWithExit0AndTakesJson() throws Exception {
        CommandRun run = CommandRun.of("demo", "--time-scale", "0.001", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(JsonTrees.tree(run.out()).path("attempts").asInt()).isEqualTo(3);
    }

    @Test
    void waitGivesUpAfterThatLongWithExit1() {
        long start = System.nanoTime();

        CommandRun run = CommandRun.of("run", "--wait", "2", "--task-command", "/bin/sleep 30", "--quiet");

        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(run.exitCode()).isEqualTo(ExitStatus.UNEXPECTED_ERROR.code());
        assertThat(run.err()).contains("no outcome for run");
        assertThat(seconds).isBetween(2.0, 3.0);
    }

    @Test
    void runDemoAndServeLeaveNoStateFolderBehindUnlessAskedToKeepIt(@TempDir Path tmp) throws Exception {
        String before = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmp.toString());
        try {
            CommandRun.of("run", "--time-scale", "0.001", "--task-command", "/bin/true");
            CommandRun.of("demo", "--time-scale", "0.001", "--fault", "image-not-found");
            CommandRun.of("serve", "--port", "99999");
            CommandRun.of("run", "--env", "RETRIER_ATTEMPT=5");
            assertThat(tmp).isEmptyDirectory();

            CommandRun kept = CommandRun.of("run", "--time-scale", "0.001", "--task-command", "/bin/true", "--keep-state");
            try (var folders = Files.list(tmp)) {
                Path folder = folders.collect(java.util.stream.Collectors.toList()).get(0);
                assertThat(folder.getFileName().toString()).startsWith("ecs-retrier-run-");
                assertThat(folder.resolve("notifications.jsonl")).isNotEmptyFile();
                assertThat(kept.out()).contains("notifications: " + folder.resolve("notifications.jsonl").toAbsolutePath());
            }
        } finally {
            System.setProperty("java.io.tmpdir", before);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "demo", "run", "serve", "classify"})
    void everyHelpLineFitsItsWidthSoExamplesSurvivePasting(String command) {
        CommandRun run = command.isEmpty() ? CommandRun.of("--help") : CommandRun.of(command, "--help");
        String examples = run.out().substring(run.out().indexOf("Examples:"));

        // picocli wraps a longer line, which breaks a quoted argument in two
        assertThat(examples.lines()).allSatisfy(line -> assertThat(line.length()).isLessThan(110));
    }

    @Test
    void theFilesTheHelpsExamplesNameExist() {
        Path root = Path.of("..");
        for (String command : List.of("serve", "classify")) {
            String help = CommandRun.of(command, "--help").out();
            java.util.regex.Matcher file = java.util.regex.Pattern.compile("(?:fileb?://|\\$events/)([\\w./-]+\\.json)")
                    .matcher(help);
            int named = 0;
            while (file.find()) {
                String path = file.group(0).startsWith("$events/") ? "core/src/test/resources/events/" + file.group(1)
                        : file.group(1);
                assertThat(root.resolve(path)).as(command + " --help names " + path).isRegularFile();
                named++;
            }
            assertThat(named).as(command).isGreaterThanOrEqualTo(2);
        }
    }
}
