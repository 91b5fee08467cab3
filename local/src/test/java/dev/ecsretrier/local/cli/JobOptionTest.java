package dev.ecsretrier.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.local.JsonTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;

/**
 * {@code classify --job} and {@code demo --job} read one job of a jobs file ({@code --config}), as {@code run --job}
 * does: local/examples/jobs.json's nightly-etl retries exit code 2 for up to five attempts, reports has two attempts
 * and no retryable exit code of its own.
 */
class JobOptionTest {

    static final String JOBS = "../local/examples/jobs.json";
    static final String APP_EXIT_2 = "../core/src/test/resources/events/app-exit-2.json";

    @Test
    void classifyJob_decidesByThatJobsPolicy() {
        CommandRun etl = CommandRun.of("classify", APP_EXIT_2, "--config", JOBS, "--job", "nightly-etl", "--quiet");
        CommandRun reports = CommandRun.of("classify", APP_EXIT_2, "--config", JOBS, "--job", "reports", "--quiet");

        assertThat(etl.exitCode()).as(etl.err()).isZero();
        assertThat(etl.out().strip()).as("exit code 2 is retryable for nightly-etl").isEqualTo("RETRY");
        assertThat(reports.exitCode()).as(reports.err()).isZero();
        assertThat(reports.out().strip()).as("but not for reports").isEqualTo("FAILED");
    }

    @Test
    void classifyJob_bringsThatJobsAttemptCount_overTheEvents() throws Exception {
        // The event's task was launched with RETRIER_MAX_ATTEMPTS=3; nightly-etl has five.
        CommandRun fifth = CommandRun.of("classify", APP_EXIT_2, "--config", JOBS, "--job", "nightly-etl", "--attempt", "5");

        assertThat(fifth.exitCode()).as(fifth.err()).isZero();
        JsonNode decision = JsonTrees.tree(fifth.out());
        assertThat(decision.path("decision").asText()).isEqualTo("RETRIES_EXHAUSTED");
        assertThat(decision.path("maxAttempts").asInt()).isEqualTo(5);
    }

    @Test
    void demoJob_runsThatJob_underItsPolicy(@TempDir Path dir) {
        // The demo: a pull error on attempt 1, exit code 2 on attempt 2, success after.
        CommandRun etl = CommandRun.of("demo", "--config", JOBS, "--job", "nightly-etl", "--time-scale", "0.001",
                "--notifications", dir.resolve("etl.jsonl").toString());
        CommandRun reports = CommandRun.of("demo", "--config", JOBS, "--job", "reports", "--time-scale", "0.001",
                "--notifications", dir.resolve("reports.jsonl").toString());

        assertThat(etl.exitCode()).as(etl.err()).isEqualTo(ExitStatus.SUCCEEDED.code());
        assertThat(etl.out()).contains("of job nightly-etl", "SUCCEEDED after 3 attempts");
        assertThat(reports.exitCode()).as(reports.err()).isEqualTo(ExitStatus.RETRIES_EXHAUSTED.code());
        assertThat(reports.out()).contains("of job reports", "RETRIES_EXHAUSTED after 2 attempts");
    }
}
