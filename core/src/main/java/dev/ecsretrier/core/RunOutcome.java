package dev.ecsretrier.core;

import java.time.Instant;
import java.util.List;

/**
 * How a run ended: the body of its one terminal notification.
 *
 * @param dedupKey       run id + outcome: subscribers drop the rare duplicate delivery with it
 * @param metadataSource TAGS when read from the task, EVENT when the task was no longer describable
 * @param note           what the reader should know besides the attempts (e.g. history unknown), or null
 * @param exhaustedBudget for RETRIES_EXHAUSTED: which limit ran out — ATTEMPTS (maxAttempts),
 *                        INFRASTRUCTURE or APPLICATION (the retry budgets); null otherwise
 */
public record RunOutcome(String runId, Decision outcome, String dedupKey, String rule, String reason,
                         int attempts, int maxAttempts, String cluster, String taskDefinition,
                         List<AttemptSummary> attemptHistory, MetadataSource metadataSource, String note,
                         Instant finishedAt, String exhaustedBudget) {

    /** Where the classifier learned the run's metadata. */
    public enum MetadataSource { TAGS, EVENT, REQUEST }

    public static final String ATTEMPTS_BUDGET = "ATTEMPTS";

    public RunOutcome {
        attemptHistory = List.copyOf(attemptHistory);
    }

    public static String dedupKey(String runId, Decision outcome) {
        return runId + ":" + outcome;
    }

    /** A short human subject line (SNS allows 100 ASCII characters). */
    public String subject() {
        String subject = "ecs-retrier run " + runId + " " + outcome + " after " + attempts
                + (attempts == 1 ? " attempt" : " attempts");
        subject = subject.replaceAll("[^\\x20-\\x7E]", "?");
        return subject.length() <= 100 ? subject : subject.substring(0, 97) + "...";
    }
}
