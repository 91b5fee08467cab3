package dev.ecsretrier.core;

import java.time.Instant;
import java.util.List;

/**
 * How a run ended: the body of its one terminal notification.
 *
 * @param dedupKey       run id + outcome: subscribers drop the rare duplicate delivery with it
 * @param metadataSource TAGS when read from the task, EVENT when the task was no longer describable
 * @param note           what the reader should know besides the attempts (e.g. history unknown), or null
 * @param exhaustedBudget for RETRIES_EXHAUSTED: which limit ran out ({@link Budget}): ATTEMPTS (maxAttempts),
 *                        INFRASTRUCTURE or APPLICATION (the retry budgets); null otherwise
 * @param job            the job the run ran, or null when its tasks did not say (tagged before jobs were)
 * @param historySource  where each attempt before the last one decided came from: its history record, or the
 *                       run's metadata (see {@link HistorySource})
 */
public record RunOutcome(String runId, Decision outcome, String dedupKey, String rule, String reason,
                         int attempts, int maxAttempts, String cluster, String taskDefinition,
                         List<AttemptSummary> attemptHistory, MetadataSource metadataSource, String note,
                         Instant finishedAt, Budget exhaustedBudget, String job,
                         HistorySource historySource) {

    /** Where the classifier learned the run's metadata. */
    public enum MetadataSource { TAGS, EVENT, REQUEST }

    public RunOutcome {
        attemptHistory = List.copyOf(attemptHistory);
    }

    /** The same outcome with another history (read back from the history records) and its source. */
    public RunOutcome withHistory(List<AttemptSummary> history, HistorySource source) {
        return new RunOutcome(runId, outcome, dedupKey, rule, reason, attempts, maxAttempts, cluster, taskDefinition,
                history, metadataSource, note, finishedAt, exhaustedBudget, job, source);
    }

    public static String dedupKey(String runId, Decision outcome) {
        return runId + ":" + outcome;
    }

    /**
     * SNS Publish: the subject must be "less than 100 characters", with no line breaks or control
     * characters (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html).
     */
    public static final int MAX_SUBJECT_CHARS = 99;

    /**
     * A short human subject line, printable ASCII and at most {@link #MAX_SUBJECT_CHARS} by
     * construction: only the run id is cut (it is in full in the body and the attributes), so the
     * outcome always shows. The longest valid run id with the longest outcome reaches 100 otherwise.
     */
    public String subject() {
        String head = "ecs-retrier run ";
        String tail = " " + outcome + " after " + attempts + (attempts == 1 ? " attempt" : " attempts");
        String id = String.valueOf(runId).replaceAll("[^\\x20-\\x7E]", "?");
        int room = MAX_SUBJECT_CHARS - head.length() - tail.length();
        if (id.length() > room) {
            id = id.substring(0, room - 3) + "...";
        }
        return head + id + tail;
    }
}
