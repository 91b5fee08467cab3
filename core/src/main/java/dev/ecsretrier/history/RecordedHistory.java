package dev.ecsretrier.history;

import dev.ecsretrier.core.AttemptSummary;
import dev.ecsretrier.core.HistorySource;
import dev.ecsretrier.core.RunOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's outcome with its earlier attempts as their history records tell them. The task tags carry
 * only a summary of each earlier attempt (no times, texts cut to an ECS tag value's 256 characters);
 * the records carry the whole stop. Records win; the metadata's summary fills an attempt whose record
 * was not found (not yet ingested, or written before the reader's window), and the outcome's
 * {@link HistorySource} says which attempt came from where.
 */
public final class RecordedHistory {

    private RecordedHistory() {
    }

    /**
     * @param decidedAttempt the attempt whose stop was just decided (whole already, and its record not yet
     *                       written), or 0 when none was (a start that found its run cancelled)
     * @param records        the run's history records, in any order, duplicates included
     */
    public static RunOutcome complete(RunOutcome outcome, int decidedAttempt, List<HistoryRecord> records) {
        Map<Integer, HistoryRecord.Decided> decided = new TreeMap<>();
        for (HistoryRecord record : records) {
            // A decision on a stop, of this run, not the one being decided now; the first of duplicates.
            if (record instanceof HistoryRecord.Decided d && d.runId().equals(outcome.runId()) && d.stop() != null
                    && d.attempt() != decidedAttempt && (decidedAttempt == 0 || d.attempt() < decidedAttempt)) {
                decided.putIfAbsent(d.attempt(), d);
            }
        }
        Map<Integer, AttemptSummary> attempts = new TreeMap<>();
        List<Integer> fromRecords = new ArrayList<>();
        List<Integer> fromMetadata = new ArrayList<>();
        for (AttemptSummary known : outcome.attemptHistory()) {
            attempts.put(known.attempt(), known);
        }
        decided.forEach((attempt, record) -> attempts.put(attempt, summary(record, attempts.get(attempt))));
        for (AttemptSummary summary : attempts.values()) {
            if (summary.attempt() == decidedAttempt) {
                continue;
            }
            (decided.containsKey(summary.attempt()) ? fromRecords : fromMetadata).add(summary.attempt());
        }
        return outcome.withHistory(List.copyOf(attempts.values()),
                new HistorySource(fromMetadata.isEmpty(), fromRecords, fromMetadata, null));
    }

    /** The outcome's history as the metadata gave it, and why no record could be read. */
    public static RunOutcome unread(RunOutcome outcome, int decidedAttempt, String problem) {
        List<Integer> earlier = outcome.attemptHistory().stream().map(AttemptSummary::attempt)
                .filter(attempt -> attempt != decidedAttempt).toList();
        return outcome.withHistory(outcome.attemptHistory(), earlier.isEmpty() ? HistorySource.NOTHING_EARLIER
                : HistorySource.metadataOnly(earlier, problem));
    }

    /** Whether the outcome has attempts before {@code decidedAttempt}, whose records are worth reading. */
    public static boolean hasEarlierAttempts(RunOutcome outcome, int decidedAttempt) {
        return outcome.attemptHistory().stream().anyMatch(a -> a.attempt() != decidedAttempt)
                || decidedAttempt > 1;
    }

    /**
     * The attempt as its decision record tells it: the whole stop (task ARN, times, reasons, every
     * container), the decision, rule, kind, launch and causes. Causes the record predates come from the tags.
     */
    private static AttemptSummary summary(HistoryRecord.Decided record, AttemptSummary fromMetadata) {
        var stop = record.stop();
        return new AttemptSummary(record.attempt(), stop.taskArn(), stop.stopCode(), stop.stoppedReason(),
                stop.containers(), record.decision(), record.rule(), stop.startedAt(), stop.stoppedAt(), record.kind(),
                record.launch() == null ? null : record.launch().launched(),
                record.causes() != null ? record.causes() : fromMetadata == null ? null : fromMetadata.causes());
    }
}
