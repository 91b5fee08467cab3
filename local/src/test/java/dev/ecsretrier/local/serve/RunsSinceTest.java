package dev.ecsretrier.local.serve;

import static dev.ecsretrier.local.serve.OperateCommandsTest.retrier;
import static dev.ecsretrier.local.serve.OperateCommandsTest.startRequest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.local.JsonTrees;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import java.time.Duration;
import java.util.List;

/**
 * {@code retrier runs --since AGE} against {@code serve}: an ended run is listed while its end is within
 * the window, and left out once it is older. (A bad AGE is a row of {@code cli/bad-command-lines.csv}.)
 */
class RunsSinceTest {

    static ServedRuntime served;
    static String endpoint;

    @BeforeAll
    static void endTwoRunsFourSecondsApart() throws Exception {
        System.setProperty("aws.accessKeyId", "local");
        System.setProperty("aws.secretAccessKey", "local");
        served = new ServedRuntime(14);
        endpoint = served.endpoint.uri().toString();
        endRun("since-older");
        Thread.sleep(4_000);
        endRun("since-newer");
    }

    @AfterAll
    static void stop() {
        served.close();
    }

    static void endRun(String runId) throws InterruptedException {
        OperateCommandsTest.Ran started = retrier("start", "--endpoint-url", endpoint, "--payload",
                startRequest(runId, "WORK_SECONDS", "0"));
        assertThat(started.exitCode()).as(started.err()).isZero();
        served.runtime.awaitOutcome(runId, Duration.ofSeconds(30)).orElseThrow();
    }

    static List<String> endedRuns(String since) throws Exception {
        OperateCommandsTest.Ran ran = retrier("runs", "--endpoint-url", endpoint, "--json", "--status", "ended",
                "--since", since);
        assertThat(ran.exitCode()).as(ran.err()).isZero();
        return JsonTrees.tree(ran.out()).findValuesAsText("runId");
    }

    @Test
    void anEndedRunOlderThanTheWindow_isLeftOut_aNewerOneListed() throws Exception {
        assertThat(endedRuns("2s")).contains("since-newer").doesNotContain("since-older");
    }

    @Test
    void aWindowReachingBothEnds_listsBoth() throws Exception {
        assertThat(endedRuns("1h")).contains("since-newer", "since-older");
    }
}
