package dev.ecsretrier.port;

import dev.ecsretrier.history.HistoryRecord;
import java.time.Instant;
import java.util.List;

/**
 * Reads a run's history records back from where the functions wrote them (CloudWatch Logs in AWS):
 * what makes a run's notification whole, where the task tags only summarize an earlier attempt.
 */
public interface RunHistoryReader {

    /** No history store configured: every read is unavailable, and the notification says so. */
    RunHistoryReader NONE = (runId, since) -> {
        throw new RunHistoryUnavailableException("no history log groups are configured");
    };

    /**
     * The run's history records written since {@code since}, in any order; records of other runs are
     * not returned. A record not yet searchable (the store's ingestion delay) is simply absent.
     *
     * @throws RunHistoryUnavailableException when the records could not be read in time (throttled, an
     *                                        error, the time budget spent)
     */
    List<HistoryRecord> read(String runId, Instant since);

    /** The records could not be read: the notification falls back to the run's metadata, and says why. */
    final class RunHistoryUnavailableException extends RuntimeException {
        public RunHistoryUnavailableException(String message) {
            super(message);
        }

        public RunHistoryUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
