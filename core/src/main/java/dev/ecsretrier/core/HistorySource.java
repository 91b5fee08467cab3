package dev.ecsretrier.core;

import java.util.List;

/**
 * Where a run's notification took each attempt before the one decided last (that one is always whole:
 * it comes from its own stop).
 *
 * @param complete     every such attempt came from its history record: texts in full, times known
 * @param fromRecords  attempts taken from their history records (the log groups)
 * @param fromMetadata attempts taken from the run's metadata ({@link RunOutcome#metadataSource()}: the task's
 *                     tags, whose texts are cut to 256 characters and have no times, or the start request),
 *                     because their record was not found or could not be read
 * @param problem      why the records could not be read (throttled, an error, out of time, none configured),
 *                     or null when they were
 */
public record HistorySource(boolean complete, List<Integer> fromRecords, List<Integer> fromMetadata, String problem) {

    public HistorySource {
        fromRecords = List.copyOf(fromRecords);
        fromMetadata = List.copyOf(fromMetadata);
    }

    /** A run with no earlier attempt: nothing to read, nothing missing. */
    public static final HistorySource NOTHING_EARLIER = new HistorySource(true, List.of(), List.of(), null);

    /** The earlier attempts as the run's metadata gave them, before any record was read. */
    public static HistorySource metadataOnly(List<Integer> attempts, String problem) {
        return new HistorySource(attempts.isEmpty(), List.of(), attempts, problem);
    }
}
