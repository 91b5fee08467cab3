package dev.ecsretrier.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.FailureKind;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.history.HistoryRecord;
import dev.ecsretrier.history.HistoryRecords;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.port.RunHistoryReader.RunHistoryUnavailableException;
import dev.ecsretrier.testutil.RecordingAwsEndpoint;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Request;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LogsRunHistoryReader}: the FilterLogEvents requests it sends, and what it makes of the answers. */
public class LogsRunHistoryReaderTest {

    static final String FILTER = "Logs_20140328.FilterLogEvents";
    public static final String STARTER_LOGS = "/aws/lambda/ecs-retrier-starter";
    public static final String CLASSIFIER_LOGS = "/aws/lambda/ecs-retrier-classifier";
    static final Instant SINCE = Instant.parse("2025-03-13T09:00:00Z");
    /** Time enough on a loaded machine, for the tests that are not about the budget. */
    static final Duration ROOMY = Duration.ofSeconds(30);

    private final RecordingAwsEndpoint aws = new RecordingAwsEndpoint();

    @AfterEach
    void stop() {
        aws.close();
    }

    private LogsRunHistoryReader reader(Duration budget) {
        return new LogsRunHistoryReader(() -> aws.logs(budget), List.of(STARTER_LOGS, CLASSIFIER_LOGS),
                Clock.systemUTC(), budget);
    }

    @Test
    void asksEachHistoryLogGroupForTheRunsRecordsWithAJsonPatternSinceTheWindowsStart() {
        aws.answer(FILTER, page(null));

        reader(ROOMY).read("run-7f3a", SINCE);

        List<Request> sent = aws.requests(FILTER);
        assertThat(sent).hasSize(2);
        assertThat(sent).extracting(r -> TestJson.tree(r.body()).get("logGroupName").asText())
                .containsExactly(STARTER_LOGS, CLASSIFIER_LOGS);
        assertThat(TestJson.tree(sent.get(0).body())).isEqualTo(TestJson.tree("""
                {"logGroupName": "/aws/lambda/ecs-retrier-starter",
                 "filterPattern": "{ $.record = \\"ecs-retrier.history\\" && $.runId = \\"run-7f3a\\" }",
                 "startTime": 1741856400000}
                """));
    }

    @Test
    void followsNextTokenPastAnEmptyPageUntilAPageHasNone() {
        aws.answer(FILTER, page("token-1"), page("token-2", decided(1)), page(null), page(null));

        List<HistoryRecord> records = reader(ROOMY).read("run-7f3a", SINCE);

        assertThat(records).hasSize(1);
        assertThat(((HistoryRecord.Decided) records.get(0)).stop().stoppedReason()).isEqualTo(LONG_REASON);
        List<Request> sent = aws.requests(FILTER);
        assertThat(sent).hasSize(4);
        assertThat(TestJson.tree(sent.get(1).body()).get("nextToken").asText()).isEqualTo("token-1");
        assertThat(TestJson.tree(sent.get(2).body()).get("nextToken").asText()).isEqualTo("token-2");
        assertThat(TestJson.tree(sent.get(3).body()).get("logGroupName").asText()).isEqualTo(CLASSIFIER_LOGS);
    }

    @Test
    void otherLinesOfTheLogAreNotRecords() {
        aws.answer(FILTER, page(null, "START RequestId: 8f5a Version: 1", "{\"_aws\":{\"Timestamp\":1}}", decided(1)));

        assertThat(reader(ROOMY).read("run-7f3a", SINCE)).hasSize(2); // one per group
    }

    @Test
    void aLogGroupThatDoesNotExistYetHoldsNoRecords() {
        aws.answer(FILTER, Response.jsonError(400, "ResourceNotFoundException", "The specified log group does not exist."),
                page(null, decided(1)));

        assertThat(reader(ROOMY).read("run-7f3a", SINCE)).hasSize(1);
    }

    @Test
    void throttlingMakesTheHistoryUnavailableWithinTheBudget() {
        aws.answer(FILTER, Response.jsonError(400, "ThrottlingException", "Rate exceeded"));
        Duration budget = Duration.ofMillis(1500);

        long started = System.nanoTime();
        assertThatThrownBy(() -> reader(budget).read("run-7f3a", SINCE))
                .isInstanceOf(RunHistoryUnavailableException.class)
                .hasMessageContaining("FilterLogEvents on " + STARTER_LOGS);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(budget.plusSeconds(1));
    }

    @Test
    void pagesThatOutlastTheBudgetMakeTheHistoryUnavailable() {
        aws.answer(FILTER, page("more"));

        assertThatThrownBy(() -> reader(Duration.ofMillis(300)).read("run-7f3a", SINCE))
                .isInstanceOf(RunHistoryUnavailableException.class)
                .hasMessageContaining("not read within 300 ms");
    }

    public static final String LONG_REASON = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to"
            + " resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/sample:1.4.2: failed to do request: Head"
            + " \"https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/sample/manifests/1.4.2\": dial tcp"
            + " 10.0.42.17:443: i/o timeout";

    /** The classifier's decision line on attempt 1 of run-7f3a, as it wrote it. */
    public static String decided(int attempt) {
        AttemptStop stop = new AttemptStop("arn:aws:ecs:us-east-1:111122223333:task/batch/5f2c9a0e1b7d4c3a8e6f0d9b2a1c4e7f",
                "TaskFailedToStart", LONG_REASON, List.of(new ContainerExit("app", null, null)),
                Instant.parse("2025-03-14T09:58:01.204Z"), null, Instant.parse("2025-03-14T09:58:31.950Z"));
        return HistoryRecords.line(new HistoryRecord.Decided("run-7f3a", attempt, 3, "default",
                Instant.parse("2025-03-14T09:58:32.411Z"), "arn:aws:ecs:us-east-1:111122223333:cluster/batch",
                "arn:aws:ecs:us-east-1:111122223333:task-definition/sample:3", null, stop, Decision.RETRY,
                "default:transient-error", "transient pull error", FailureKind.INFRASTRUCTURE,
                new HistoryRecord.NextAttempt(attempt + 1, Instant.parse("2025-03-14T10:00:00Z"), 60_000,
                        "run-7f3a-" + (attempt + 1), false, null), null, RunOutcome.MetadataSource.TAGS, null, null));
    }

    /** A FilterLogEvents answer with these messages, and a next token unless null. */
    public static Response page(String nextToken, String... messages) {
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("events", java.util.Arrays.stream(messages).map(m -> Map.of("logStreamName",
                "2025/03/14/[1]0123456789abcdef0123456789abcdef", "timestamp", 1741946312411L, "message", m,
                "ingestionTime", 1741946313000L, "eventId", "3819382103821038210382103821038210382103")).toList());
        page.put("searchedLogStreams", List.of());
        if (nextToken != null) {
            page.put("nextToken", nextToken);
        }
        return Response.json(200, Json.write(page));
    }
}
