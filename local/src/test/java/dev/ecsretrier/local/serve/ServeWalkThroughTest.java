package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.local.Fixtures;
import dev.ecsretrier.local.JsonTrees;
import dev.ecsretrier.testutil.RequiredTool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The docs' serve walk-through, command by command, with the AWS CLI ({@code aws} on PATH; .ci/run
 * installs it; missing, the test is skipped, or fails in CI) and dummy credentials, from the repository root: the shipped example files work.
 */
class ServeWalkThroughTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    record Result(int exit, String out) {
    }

    static boolean awsCliPresent() {
        try {
            return new ProcessBuilder("aws", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** One command of the walk-through, with nothing but dummy credentials in the environment. */
    static Result aws(Path home, String endpoint, String... arguments) throws Exception {
        return aws(true, home, endpoint, arguments);
    }

    static Result aws(boolean dummyCredentials, Path home, String endpoint, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("aws", "--endpoint-url", endpoint));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("AWS_"));
        environment.put("HOME", home.toString()); // no ~/.aws to lean on
        if (dummyCredentials) {
            environment.put("AWS_ACCESS_KEY_ID", "x");
            environment.put("AWS_SECRET_ACCESS_KEY", "x");
        }
        environment.put("AWS_DEFAULT_REGION", "us-east-1");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), out);
    }

    static Set<String> outcomes(Path notifications, Duration wait, int expected) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        Set<String> seen = new TreeSet<>();
        while (System.nanoTime() < deadline) {
            seen.clear();
            if (Files.exists(notifications)) {
                for (JsonNode line : Fixtures.jsonLines(notifications)) {
                    seen.add(line.path("attributes").path("runId").asText() + " "
                            + line.path("attributes").path("outcome").asText());
                }
            }
            if (seen.size() >= expected) {
                break;
            }
            Thread.sleep(200);
        }
        return seen;
    }

    @Test
    void theWalkThroughWorksWithDummyCredentialsAndTheShippedFiles(@TempDir Path dir) throws Exception {
        RequiredTool.require("the AWS CLI (aws)", awsCliPresent(), ".ci/run installs AWS CLI v2 at /usr/bin/aws");
        Path notifications = dir.resolve("notifications.jsonl");
        try (ServeProcess serve = ServeProcess.start(List.of(), "--time-scale", "0.01", "--retryable-exit-codes", "2",
                "--notifications", notifications.toString())) {
            String endpoint = "http://localhost:" + serve.port();
            Path out = dir.resolve("out.json");

            Result empty = aws(dir, endpoint, "lambda", "invoke", "--function-name", "starter", out.toString());
            assertThat(empty.exit()).as(empty.out()).isZero();
            assertThat(empty.out()).contains("\"StatusCode\": 200", "\"ExecutedVersion\": \"$LATEST\"")
                    .doesNotContain("FunctionError");
            String emptyRun = JsonTrees.tree(Files.readString(out)).path("runId").asText();

            Result started = aws(dir, endpoint, "lambda", "invoke", "--function-name", "starter:live",
                    "--payload", "fileb://local/examples/start-request.json", out.toString());
            assertThat(started.exit()).as(started.out()).isZero();
            assertThat(started.out()).contains("\"ExecutedVersion\": \"1\"");
            assertThat(JsonTrees.tree(Files.readString(out)).path("runId").asText()).isEqualTo("cli-example-1");

            Result put = aws(dir, endpoint, "events", "put-events", "--entries", "file://local/examples/entries.json");
            assertThat(put.exit()).as(put.out()).isZero();
            assertThat(JsonTrees.tree(put.out()).path("FailedEntryCount").asInt()).isZero();

            assertThat(outcomes(notifications, Duration.ofSeconds(60), 3)).containsExactlyInAnyOrder(
                    emptyRun + " SUCCEEDED", "cli-example-1 SUCCEEDED", "entries-example-1 SUCCEEDED");
            Result unsigned = aws(false, dir, endpoint, "--no-sign-request", "lambda", "invoke", "--function-name",
                    "starter", "--invocation-type", "DryRun", out.toString());
            assertThat(unsigned.exit()).as(unsigned.out()).isZero();
            assertThat(unsigned.out()).contains("\"StatusCode\": 204");

            Result event = aws(dir, endpoint, "lambda", "invoke", "--function-name", "starter", "--invocation-type", "Event",
                    out.toString());
            assertThat(event.exit()).as(event.out()).isZero();
            assertThat(event.out()).contains("\"StatusCode\": 202");

            // serve's output in causal order: the invoke before its task's stop, a decision before its notification
            List<String> lines = serve.output().stream().filter(line -> line.contains("cli-example-1")).toList();
            assertThat(lines).as(String.join("\n", serve.output())).containsSubsequence(
                    "  lambda invoke starter (RequestResponse) run cli-example-1",
                    lines.stream().filter(line -> line.contains("attempt 1  stop")).findFirst().orElse("no stop line"),
                    lines.stream().filter(line -> line.contains("attempt 2  decision")).findFirst().orElse("no decision"),
                    "NOTIFICATION ecs-retrier run cli-example-1 SUCCEEDED after 2 attempts");
        }
    }

    @Test
    void theManyJobsWalkThrough_runsEachJobByItsOwnPolicy(@TempDir Path dir) throws Exception {
        RequiredTool.require("the AWS CLI (aws)", awsCliPresent(), ".ci/run installs AWS CLI v2 at /usr/bin/aws");
        Path notifications = dir.resolve("notifications.jsonl");
        try (ServeProcess serve = ServeProcess.start(List.of(), "--config",
                ROOT.resolve("local/examples/jobs.json").toString(), "--time-scale", "0.01",
                "--notifications", notifications.toString())) {
            String endpoint = "http://localhost:" + serve.port();
            Path out = dir.resolve("out.json");

            for (String request : List.of("start-nightly-etl.json", "start-reports.json")) {
                Result started = aws(dir, endpoint, "lambda", "invoke", "--function-name", "starter",
                        "--payload", "fileb://local/examples/" + request, out.toString());
                assertThat(started.exit()).as(started.out()).isZero();
                assertThat(started.out()).doesNotContain("FunctionError");
            }
            Result unknown = aws(dir, endpoint, "lambda", "invoke", "--function-name", "starter",
                    "--payload", "fileb://local/examples/start-request.json", out.toString());
            assertThat(unknown.out()).as("a request without its job, with two jobs").contains("FunctionError");
            assertThat(Files.readString(out)).contains("job", "is required: this deployment serves 2 jobs");

            assertThat(outcomes(notifications, Duration.ofSeconds(60), 2)).containsExactlyInAnyOrder(
                    "etl-example-1 SUCCEEDED", "reports-example-1 FAILED");
            assertThat(serve.output()).as("serve names its jobs")
                    .anySatisfy(line -> assertThat(line).contains("jobs nightly-etl, reports"));
            assertThat(Fixtures.jsonLines(notifications)).extracting(line -> line.path("attributes").path("runId")
                    .asText() + " " + line.path("attributes").path("job").asText())
                    .containsExactlyInAnyOrder("etl-example-1 nightly-etl", "reports-example-1 reports");
        }
    }
}
