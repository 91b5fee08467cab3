package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.local.logs.LocalLogs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.InvalidParameterException;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogStream;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code serve}'s CloudWatch Logs reads of the functions' log groups, driven by the SDK v2's CloudWatchLogsClient. */
class LogsApiTest {

    static final String STARTER = dev.ecsretrier.local.emulator.LocalSettings.logGroupOf("starter");
    static final String CLASSIFIER = dev.ecsretrier.local.emulator.LocalSettings.logGroupOf("classifier");
    static final String STREAM = "2026/12/01/[1]0123456789abcdef0123456789abcdef";

    static ServedRuntime served;
    static CloudWatchLogsClient logs;

    @BeforeAll
    static void start() throws Exception {
        served = new ServedRuntime(41);
        logs = served.client(CloudWatchLogsClient.builder());
    }

    @AfterAll
    static void stop() {
        logs.close();
        served.close();
    }

    @Test
    void theFunctionsLinesAreInTheirLogGroupsAsTheyWroteThem() throws Exception {
        String runId = "logs-run";
        served.runtime.startRun(StartRequest.of(runId, 1, List.of(), null));
        assertThat(served.runtime.awaitOutcome(runId, Duration.ofSeconds(30)).orElseThrow().outcome())
                .isEqualTo(Decision.SUCCEEDED);

        List<FilteredLogEvent> classified = logs.filterLogEventsPaginator(r -> r.logGroupName(CLASSIFIER)
                .filterPattern("\"" + runId + "\"")).events().stream().toList();

        assertThat(classified).isNotEmpty().allSatisfy(event -> {
            assertThat(event.message()).contains(runId);
            assertThat(event.logStreamName()).matches("\\d{4}/\\d{2}/\\d{2}/\\[1\\][0-9a-f]{32}");
            assertThat(event.timestamp()).isPositive();
        });
        assertThat(served.runtime.logs().events(CLASSIFIER)).extracting(LocalLogs.LogEvent::message)
                .containsAll(classified.stream().map(FilteredLogEvent::message).toList());
    }

    @Test
    void theFunctionsHistoryReaderReadsARunsRecordsThroughServe_withTheSamePattern() throws Exception {
        String runId = "logs-history";
        served.runtime.failNextLaunches(1, dev.ecsretrier.local.emulator.LaunchFault.cannotPullContainer());
        served.runtime.startRun(StartRequest.of(runId, 1, List.of(), null));
        assertThat(served.runtime.awaitOutcome(runId, Duration.ofSeconds(30)).orElseThrow().outcome())
                .isEqualTo(Decision.SUCCEEDED);

        List<dev.ecsretrier.history.HistoryRecord> records = new dev.ecsretrier.aws.LogsRunHistoryReader(() -> logs,
                List.of(STARTER, CLASSIFIER), java.time.Clock.systemUTC(), Duration.ofSeconds(30))
                .read(runId, Instant.now().minus(Duration.ofHours(1)));

        assertThat(records).extracting(r -> r.getClass().getSimpleName() + " " + r.attempt())
                .containsExactlyInAnyOrder("Launched 1", "Decided 1", "Launched 2", "Decided 2");
        assertThat(records).filteredOn(dev.ecsretrier.history.HistoryRecord.Decided.class::isInstance)
                .map(r -> ((dev.ecsretrier.history.HistoryRecord.Decided) r).stop().stoppedReason())
                .contains(dev.ecsretrier.local.emulator.LaunchFault.CANNOT_PULL_TRANSIENT);
    }

    @Test
    void filterLogEventsMatchesAJsonPatternWithinTheTimeRangeAndStreamsAskedFor() {
        Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
        served.runtime.logs().put(STARTER, STREAM, t0, "{\"record\":\"launch\",\"runId\":\"logs-json\",\"attempt\":1}");
        served.runtime.logs().put(STARTER, STREAM, t0.plusSeconds(60), "{\"record\":\"launch\",\"runId\":\"logs-json\",\"attempt\":2}");
        served.runtime.logs().put(STARTER, STREAM, t0.plusSeconds(61), "{\"record\":\"launch\",\"runId\":\"logs-other\",\"attempt\":1}");
        served.runtime.logs().put(STARTER, "2026/12/01/[1]ffffffffffffffffffffffffffffffff", t0.plusSeconds(62),
                "{\"record\":\"launch\",\"runId\":\"logs-json\",\"attempt\":3}");

        FilterLogEventsResponse json = logs.filterLogEvents(r -> r.logGroupName(STARTER)
                .filterPattern("{ $.runId = \"logs-json\" }"));
        FilterLogEventsResponse inTime = logs.filterLogEvents(r -> r.logGroupName(STARTER)
                .filterPattern("{ $.runId = \"logs-json\" }")
                .startTime(t0.plusSeconds(1).toEpochMilli()).endTime(t0.plusSeconds(60).toEpochMilli()));
        FilterLogEventsResponse inStream = logs.filterLogEvents(r -> r.logGroupName(STARTER)
                .filterPattern("{ $.runId = \"logs-json\" }").logStreamNames(STREAM));

        assertThat(json.events()).extracting(FilteredLogEvent::message).containsExactly(
                "{\"record\":\"launch\",\"runId\":\"logs-json\",\"attempt\":1}",
                "{\"record\":\"launch\",\"runId\":\"logs-json\",\"attempt\":2}",
                "{\"record\":\"launch\",\"runId\":\"logs-json\",\"attempt\":3}");
        assertThat(json.events().get(0).timestamp()).isEqualTo(t0.toEpochMilli());
        assertThat(json.events().get(0).eventId()).isNotEmpty();
        assertThat(inTime.events()).extracting(FilteredLogEvent::message)
                .containsExactly("{\"record\":\"launch\",\"runId\":\"logs-json\",\"attempt\":2}");
        assertThat(inStream.events()).hasSize(2).extracting(FilteredLogEvent::logStreamName).containsOnly(STREAM);
    }

    @Test
    void filterLogEventsPagesWithLimitAndNextToken() {
        Instant t0 = Instant.parse("2026-12-01T11:00:00Z");
        for (int i = 1; i <= 5; i++) {
            served.runtime.logs().put(STARTER, STREAM, t0.plusSeconds(i), "page-line " + i);
        }

        FilterLogEventsResponse first = logs.filterLogEvents(r -> r.logGroupName(STARTER).filterPattern("page-line").limit(2));
        List<String> all = logs.filterLogEventsPaginator(r -> r.logGroupName(STARTER).filterPattern("page-line").limit(2))
                .events().stream().map(FilteredLogEvent::message).toList();

        assertThat(first.events()).hasSize(2);
        assertThat(first.nextToken()).isNotEmpty();
        assertThat(all).containsExactly("page-line 1", "page-line 2", "page-line 3", "page-line 4", "page-line 5");
    }

    @Test
    void getLogEventsReadsOneStreamFromTheHeadOrTheTail() {
        String stream = "2026/12/01/[1]11111111111111111111111111111111";
        Instant t0 = Instant.parse("2026-12-01T12:00:00Z");
        for (int i = 1; i <= 3; i++) {
            served.runtime.logs().put(CLASSIFIER, stream, t0.plusSeconds(i), "get-line " + i);
        }

        GetLogEventsResponse head = logs.getLogEvents(r -> r.logGroupName(CLASSIFIER).logStreamName(stream)
                .startFromHead(true).limit(2));
        GetLogEventsResponse next = logs.getLogEvents(r -> r.logGroupName(CLASSIFIER).logStreamName(stream)
                .nextToken(head.nextForwardToken()).limit(2));
        GetLogEventsResponse tail = logs.getLogEvents(r -> r.logGroupName(CLASSIFIER).logStreamName(stream).limit(1));

        assertThat(head.events()).extracting(OutputLogEvent::message).containsExactly("get-line 1", "get-line 2");
        assertThat(next.events()).extracting(OutputLogEvent::message).containsExactly("get-line 3");
        assertThat(tail.events()).extracting(OutputLogEvent::message).containsExactly("get-line 3");
        assertThatThrownBy(() -> logs.getLogEvents(r -> r.logGroupName(CLASSIFIER).logStreamName("no-such-stream")))
                .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("log stream does not exist");
    }

    @Test
    void describeLogGroupsAndStreamsListTheFunctionsGroupsAndTheirStreams() {
        served.runtime.logs().put(CLASSIFIER, "2026/12/01/[1]22222222222222222222222222222222", Instant.now(), "described");

        assertThat(logs.describeLogGroups(r -> r.logGroupNamePrefix("/aws/lambda/")).logGroups())
                .extracting(g -> Map.entry(g.logGroupName(), g.arn()))
                .contains(Map.entry(STARTER, "arn:aws:logs:local:000000000000:log-group:" + STARTER + ":*"),
                        Map.entry(CLASSIFIER, "arn:aws:logs:local:000000000000:log-group:" + CLASSIFIER + ":*"));
        assertThat(logs.describeLogStreams(r -> r.logGroupName(CLASSIFIER).logStreamNamePrefix("2026/12/01/[1]2222"))
                .logStreams()).singleElement().satisfies((LogStream stream) -> {
                    assertThat(stream.logStreamName()).isEqualTo("2026/12/01/[1]22222222222222222222222222222222");
                    assertThat(stream.lastEventTimestamp()).isPositive();
                });
    }

    @Test
    void anUnknownGroupIsNotFoundAndAPatternOutsideTheSubsetIsAnInvalidParameter() {
        assertThatThrownBy(() -> logs.filterLogEvents(r -> r.logGroupName("/aws/lambda/nothing")))
                .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("The specified log group does not exist.");
        assertThatThrownBy(() -> logs.filterLogEvents(r -> r.logGroupName(STARTER).filterPattern("[ip, status=404]")))
                .isInstanceOf(InvalidParameterException.class).hasMessageContaining("space-delimited");
    }

    /**
     * The body is read by the functions' binder: a member of the wrong type is an
     * InvalidParameterException naming it, a body that is not JSON a SerializationException, and
     * members the local store does not read (interleaved, unmask) are passed over.
     */
    @Test
    void aMemberOfTheWrongTypeIsAnInvalidParameterNamingIt_andMembersNotReadAreSkipped() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, java.net.http.HttpResponse<String>> filter = body -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(served.endpoint.uri())
                        .header("Content-Type", "application/x-amz-json-1.1")
                        .header("X-Amz-Target", "Logs_20140328.FilterLogEvents")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        };

        var wrong = filter.apply("{\"logGroupName\":\"" + STARTER + "\",\"limit\":\"ten\"}");
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body()).contains("InvalidParameterException").contains("limit must be an integer, got string 'ten'");
        var notJson = filter.apply("{\"logGroupName\":");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("SerializationException");
        var extra = filter.apply("{\"logGroupName\":\"" + STARTER + "\",\"interleaved\":true,\"unmask\":false,\"limit\":1}");
        assertThat(extra.statusCode()).as(extra.body()).isEqualTo(200);
    }
}
