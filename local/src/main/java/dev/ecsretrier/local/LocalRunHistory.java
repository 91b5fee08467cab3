package dev.ecsretrier.local;

import dev.ecsretrier.history.HistoryRecord;
import dev.ecsretrier.history.HistoryRecords;
import dev.ecsretrier.local.logs.FilterPattern;
import dev.ecsretrier.local.logs.LocalLogs;
import dev.ecsretrier.port.RunHistoryReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link RunHistoryReader} over the local log store: the events of the history log groups since the
 * window's start that the same filter pattern as in AWS selects ({@link HistoryRecords#filterPattern},
 * matched by {@link FilterPattern} as {@code serve}'s FilterLogEvents matches it).
 */
final class LocalRunHistory implements RunHistoryReader {

    private final LocalLogs logs;
    private final List<String> logGroups;

    public LocalRunHistory(LocalLogs logs, List<String> logGroups) {
        this.logs = logs;
        this.logGroups = List.copyOf(logGroups);
    }

    @Override
    public List<HistoryRecord> read(String runId, Instant since) {
        FilterPattern pattern = FilterPattern.parse(HistoryRecords.filterPattern(runId));
        List<HistoryRecord> records = new ArrayList<>();
        for (String group : logGroups) {
            if (!logs.hasGroup(group)) {
                continue;
            }
            for (LocalLogs.LogEvent event : logs.events(group)) {
                // The substring test first: parsing every line of a busy log as JSON for each ended run is quadratic.
                if (event.timestamp() >= since.toEpochMilli() && event.message().contains(runId)
                        && pattern.matches(event.message())) {
                    HistoryRecords.read(event.message()).ifPresent(records::add);
                }
            }
        }
        return records;
    }
}
