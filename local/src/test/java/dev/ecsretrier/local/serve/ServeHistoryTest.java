package dev.ecsretrier.local.serve;

import static dev.ecsretrier.local.serve.ServeRestartTest.await;
import static dev.ecsretrier.local.serve.ServeRestartTest.notified;
import static dev.ecsretrier.local.serve.ServeRestartTest.start;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.local.JsonTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ./retrier serve}'s handlers read a run's history as the functions do in AWS: the functions'
 * {@code LogsRunHistoryReader}, an SDK v2 CloudWatch Logs client, calling serve's own
 * {@code FilterLogEvents} on the wire — not the local log store directly.
 */
class ServeHistoryTest {

    @Test
    void aRunThatEnds_readsItsEarlierAttemptsThroughServesOwnLogsEndpoint(@TempDir Path data) throws Exception {
        String runId = "history-on-the-wire";
        try (ServeProcess serve = ServeProcess.start(List.of(), "--data-dir", data.toString(), "--time-scale", "0.001",
                "--retryable-exit-codes", "2", "--jitter", "NONE")) {
            // Attempt 1 exits 2 and is retried; attempt 2 succeeds: its notification needs attempt 1's record.
            start(serve, "{\"runId\":\"" + runId + "\",\"containerOverrides\":[{\"name\":\"app\",\"environment\":"
                    + "[{\"name\":\"FAIL_ON_ATTEMPTS\",\"value\":\"1\"}]}]}");
            await("the run's outcome", () -> notified(data, runId, "SUCCEEDED"));

            // Nobody but the ending function called FilterLogEvents: serve logged each of its two requests.
            assertThat(serve.output()).anySatisfy(line -> assertThat(line)
                    .contains("logs filter-log-events /aws/lambda/starter:"));
            assertThat(serve.output()).anySatisfy(line -> assertThat(line)
                    .contains("logs filter-log-events /aws/lambda/classifier:"));
        }
        String notification = Files.readAllLines(data.resolve("notifications.jsonl"), StandardCharsets.UTF_8).stream()
                .filter(line -> line.contains("\"runId\":\"" + runId + "\"")).findFirst().orElseThrow();
        JsonNode source = JsonTrees.tree(notification).at("/message/historySource");
        assertThat(source.path("complete").asBoolean()).as(source.toString()).isTrue();
        assertThat(source.path("fromRecords").toString()).isEqualTo("[1]");
    }
}
