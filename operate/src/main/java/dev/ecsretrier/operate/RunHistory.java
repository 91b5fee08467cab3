package dev.ecsretrier.operate;

import dev.ecsretrier.history.HistoryRecord;
import dev.ecsretrier.history.HistoryRecords;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * A run's history as the functions wrote it: the history records ({@link HistoryRecords}) in the
 * starter's and the classifier's log groups, read with {@code FilterLogEvents}
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html;
 * a quoted term matches the events that contain it). The log groups are the history store.
 */
public final class RunHistory {

    private final CloudWatchLogsClient logs;
    private final Deployment deployment;

    public RunHistory(CloudWatchLogsClient logs, Deployment deployment) {
        this.logs = logs;
        this.deployment = deployment;
    }

    /** The run's records since {@code since}, in the order they were written. */
    public List<HistoryRecord> of(String runId, Instant since) {
        return read("\"" + runId + "\"", since).stream().filter(r -> r.runId().equals(runId)).toList();
    }

    /** Every decision of this retrier since {@code since}, in the order they were written. */
    public List<HistoryRecord.Decided> decisions(Instant since) {
        return read("\"" + HistoryRecords.DECIDED + "\"", since).stream()
                .filter(HistoryRecord.Decided.class::isInstance).map(HistoryRecord.Decided.class::cast).toList();
    }

    /** The run's terminal decision, when it ended since {@code since}. */
    public static Optional<HistoryRecord.Decided> end(List<HistoryRecord> records) {
        return records.stream().filter(HistoryRecord.Decided.class::isInstance).map(HistoryRecord.Decided.class::cast)
                .filter(d -> d.decision().terminal()).findFirst();
    }

    private List<HistoryRecord> read(String filterPattern, Instant since) {
        Map<String, HistoryRecord> found = new LinkedHashMap<>();
        for (String group : List.of(deployment.starterLogGroup(), deployment.classifierLogGroup())) {
            List<FilteredLogEvent> events = new ArrayList<>();
            try {
                logs.filterLogEventsPaginator(r -> r.logGroupName(group).filterPattern(filterPattern)
                        .startTime(since.toEpochMilli())).events().forEach(events::add);
            } catch (ResourceNotFoundException e) {
                continue; // a function that never ran has no log group yet
            }
            for (FilteredLogEvent event : events) {
                HistoryRecords.read(event.message()).ifPresent(record -> found.put(group + " " + event.eventId(), record));
            }
        }
        List<HistoryRecord> records = new ArrayList<>(found.values());
        records.sort(Comparator.comparing(HistoryRecord::at));
        return records;
    }
}
