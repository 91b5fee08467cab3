package dev.ecsretrier.aws;

import dev.ecsretrier.history.HistoryRecord;
import dev.ecsretrier.history.HistoryRecords;
import dev.ecsretrier.port.RunHistoryReader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * {@link RunHistoryReader} over CloudWatch Logs {@code FilterLogEvents} on the starter's and the
 * classifier's log groups, with a JSON filter pattern on the run id ({@link HistoryRecords#filterPattern}).
 *
 * <p>What it relies on, and why it gives up quickly:
 * <ul>
 *   <li>FilterLogEvents has a quota of 5 transactions per second per account and Region, which cannot be
 *       raised (https://repost.aws/knowledge-center/cloudwatch-logs-throttling): many runs ending at once,
 *       or people running {@code retrier show}, throttle it. The caller then sends the notification with
 *       the tags' summaries, so this reader spends at most about its budget and never waits out throttling.</li>
 *   <li>A page may be partly full or empty and still carry a {@code nextToken}; only a page without one ends
 *       the search (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html).</li>
 *   <li>A line becomes searchable only once CloudWatch Logs has ingested it: the record of an attempt decided
 *       moments ago may be missing. The caller fills such an attempt from the tags and says so.</li>
 * </ul>
 */
public final class LogsRunHistoryReader implements RunHistoryReader {

    /** The whole read's time budget: the notification waits this long at most (plus one call in flight). */
    public static final Duration BUDGET = Duration.ofSeconds(3);

    private final Supplier<CloudWatchLogsClient> logs;
    private final List<String> logGroups;
    private final Clock clock;
    private final Duration budget;

    /** @param logs built on first use: only a run that ends reads its history */
    public LogsRunHistoryReader(Supplier<CloudWatchLogsClient> logs, List<String> logGroups, Clock clock,
                                Duration budget) {
        this.logs = logs;
        this.logGroups = List.copyOf(logGroups);
        this.clock = clock;
        this.budget = budget;
    }

    @Override
    public List<HistoryRecord> read(String runId, Instant since) {
        // Built (once per container) before the clock starts: building is not what the budget guards against.
        CloudWatchLogsClient client = logs.get();
        Instant deadline = clock.instant().plus(budget);
        String pattern = HistoryRecords.filterPattern(runId);
        List<HistoryRecord> records = new ArrayList<>();
        for (String group : logGroups) {
            String token = null;
            do {
                if (clock.instant().isAfter(deadline)) {
                    throw new RunHistoryUnavailableException("the history records were not read within "
                            + budget.toMillis() + " ms (CloudWatch Logs FilterLogEvents on " + group + ")");
                }
                String next = token;
                FilterLogEventsResponse page;
                try {
                    page = client.filterLogEvents(r -> r.logGroupName(group).filterPattern(pattern)
                            .startTime(since.toEpochMilli()).nextToken(next));
                } catch (ResourceNotFoundException e) {
                    break; // the group of a function that never ran: no records there
                } catch (SdkException e) {
                    throw new RunHistoryUnavailableException("CloudWatch Logs FilterLogEvents on " + group + " failed: "
                            + e.getMessage(), e);
                }
                for (FilteredLogEvent event : page.events()) {
                    read(event.message(), records);
                }
                token = page.nextToken();
            } while (token != null);
        }
        return records;
    }

    /** A line the reader cannot read (a newer version) is left out: the tags fill that attempt. */
    private static void read(String line, List<HistoryRecord> records) {
        try {
            HistoryRecords.read(line).ifPresent(records::add);
        } catch (IllegalArgumentException e) {
            // not counted as read: the merge marks that attempt as coming from the metadata
        }
    }
}
