package dev.ecsretrier.local.serve;

import static dev.ecsretrier.local.serve.OperateCommandsTest.retrier;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.local.JsonTrees;
import dev.ecsretrier.local.LocalRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code retrier runs --job} against {@code serve} with two jobs: a running, a waiting and an ended
 * run of each, told apart by the task's job tag, the waiting schedule's start request and the
 * history records.
 */
class RunsByJobTest {

    /** A retry waits 10 h: long enough to be listed as waiting. */
    static final String JOBS = """
            {"defaults": {"RETRIER_RETRYABLE_EXIT_CODES": [2], "RETRIER_BACKOFF_INITIAL_SECONDS": 36000,
                          "RETRIER_BACKOFF_MAX_SECONDS": 36000},
             "jobs": {"nightly-etl": {"RETRIER_TASK_DEFINITION": "nightly-etl:7"},
                      "reports": {"RETRIER_TASK_DEFINITION": "reports:2"}}}
            """;

    @TempDir
    static Path dir;
    static Path jobsFile;
    static ServedRuntime served;
    static String endpoint;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("aws.accessKeyId", "local");
        System.setProperty("aws.secretAccessKey", "local");
        jobsFile = Files.writeString(dir.resolve("jobs.json"), JOBS);
        served = new ServedRuntime(LocalRuntime.builder()
                .setting(Setting.CONFIG_FILE, jobsFile.toString())
                .setting(Setting.BACKOFF_JITTER, "NONE")
                .timeScale(0.001)
                .seed(16)
                .build());
        endpoint = served.endpoint.uri().toString();
        for (String job : new String[] {"nightly-etl", "reports"}) {
            start(job, job + "-running", "WORK_SECONDS", "60");
            start(job, job + "-waiting", "FAIL_ON_ATTEMPTS", "1");
            start(job, job + "-ended", "WORK_SECONDS", "0");
        }
        for (String job : new String[] {"nightly-etl", "reports"}) {
            served.runtime.awaitOutcome(job + "-ended", Duration.ofSeconds(30)).orElseThrow();
            await(() -> served.runtime.scheduler().pending().contains(job + "-waiting-2"));
            await(() -> served.runtime.timeline(job + "-running").stream()
                    .anyMatch(e -> e.kind() == dev.ecsretrier.local.emulator.TimelineEntry.Kind.TASK_LAUNCHED));
        }
    }

    @AfterAll
    static void stop() {
        for (String job : new String[] {"nightly-etl", "reports"}) {
            retrier("cancel", job + "-running", "--endpoint-url", endpoint, "--in-flight", "0");
            retrier("cancel", job + "-waiting", "--endpoint-url", endpoint, "--in-flight", "0");
        }
        served.close();
    }

    static void start(String job, String runId, String variable, String value) {
        OperateCommandsTest.Ran ran = retrier("start", "--endpoint-url", endpoint, "--payload", "{\"job\":\"" + job
                + "\",\"runId\":\"" + runId + "\",\"containerOverrides\":[{\"name\":\"app\",\"environment\":"
                + "[{\"name\":\"" + variable + "\",\"value\":\"" + value + "\"}]}]}");
        assertThat(ran.exitCode()).as(ran.err()).isZero();
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** run id to "job status", from runs --json. */
    static Map<String, String> listed(String... options) throws Exception {
        String[] args = new String[options.length + 4];
        args[0] = "runs";
        args[1] = "--endpoint-url";
        args[2] = endpoint;
        args[3] = "--json";
        System.arraycopy(options, 0, args, 4, options.length);
        OperateCommandsTest.Ran ran = retrier(args);
        assertThat(ran.exitCode()).as(ran.err()).isZero();
        Map<String, String> runs = new HashMap<>();
        JsonNode list = JsonTrees.tree(ran.out());
        list.forEach(run -> runs.put(run.path("runId").asText(), run.path("job").asText() + " " + run.path("status").asText()));
        return runs;
    }

    @Test
    void runsJson_givesEachRunItsJob_running_waiting_andEnded() throws Exception {
        assertThat(listed()).containsEntry("nightly-etl-running", "nightly-etl RUNNING")
                .containsEntry("nightly-etl-waiting", "nightly-etl WAITING")
                .containsEntry("nightly-etl-ended", "nightly-etl ENDED")
                .containsEntry("reports-running", "reports RUNNING")
                .containsEntry("reports-waiting", "reports WAITING")
                .containsEntry("reports-ended", "reports ENDED");
    }

    @Test
    void runsJob_listsThatJobsRunsOnly() throws Exception {
        assertThat(listed("--job", "reports", "--config", jobsFile.toString())).containsOnly(
                Map.entry("reports-running", "reports RUNNING"),
                Map.entry("reports-waiting", "reports WAITING"),
                Map.entry("reports-ended", "reports ENDED"));
        assertThat(listed("--job", "nightly-etl", "--status", "waiting")).containsOnly(
                Map.entry("nightly-etl-waiting", "nightly-etl WAITING"));
    }

    @Test
    void theTable_hasAJobColumn() {
        OperateCommandsTest.Ran ran = retrier("runs", "--endpoint-url", endpoint, "--job", "reports");

        assertThat(ran.out().lines().findFirst().orElseThrow()).matches("RUN +JOB +STATUS .*");
        assertThat(ran.out().lines().skip(1)).isNotEmpty()
                .allSatisfy(line -> assertThat(line).matches("reports-\\S+ +reports +(running|waiting|ended) .*"));
    }

    @Test
    void aJobTheConfigFileDoesNotHave_isOneLineOnStderr_andExit2() {
        OperateCommandsTest.Ran ran = retrier("runs", "--endpoint-url", endpoint, "--config", jobsFile.toString(),
                "--job", "report");

        assertThat(ran.exitCode()).isEqualTo(2);
        assertThat(ran.err().lines().filter(l -> !l.startsWith("see '"))).singleElement().asString()
                .contains("--job").contains("'report' is not a job of the --config file (jobs: nightly-etl, reports)")
                .contains("did you mean reports?");
    }

    @Test
    void withoutKnownJobs_anUnknownJobListsNothing() throws Exception {
        assertThat(listed("--job", "payroll")).isEmpty();
    }
}
