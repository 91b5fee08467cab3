package dev.ecsretrier.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The loop's decision, pure: classify the stop, apply the attempt budget and the backoff, and
 * build either the next start request or the run's outcome. Clock and randomness come in as
 * arguments so that the same inputs always give the same step.
 */
public final class RetryPlanner {

    private final StopClassifier classifier;
    private final Backoff backoff;

    public RetryPlanner(StopClassifier classifier, Backoff backoff) {
        this.classifier = classifier;
        this.backoff = backoff;
    }

    public Step plan(EndedAttempt ended, Instant now, RandomGenerator random) {
        AttemptMetadata run = ended.metadata();
        Verdict verdict = classifier.classify(ended.stop());
        Decision decision = switch (verdict.action()) {
            case SUCCEED -> Decision.SUCCEEDED;
            case FAIL -> Decision.FAILED;
            case RETRY -> run.lastAttempt() ? Decision.RETRIES_EXHAUSTED : Decision.RETRY;
        };
        List<AttemptSummary> history = new ArrayList<>(run.history());
        history.add(AttemptSummary.of(run.attempt(), ended.stop(), decision, verdict.rule()));

        if (decision == Decision.RETRY) {
            int next = run.attempt() + 1;
            Duration delay = backoff.delay(run.attempt(), random);
            StartRequest request = new StartRequest(run.runId(), next, ended.userOverrides(), history);
            return new Step.Retry(verdict, request, AttemptMetadata.attemptKey(run.runId(), next), delay,
                    now.plus(delay));
        }
        String reason = decision == Decision.RETRIES_EXHAUSTED
                ? verdict.reason() + "; all " + run.maxAttempts() + " attempts used"
                : verdict.reason();
        RunOutcome outcome = new RunOutcome(run.runId(), decision, RunOutcome.dedupKey(run.runId(), decision),
                verdict.rule(), reason, run.attempt(), run.maxAttempts(), ended.cluster(), ended.taskDefinition(),
                history, ended.metadataSource(), ended.note(), now);
        return new Step.Finish(verdict, outcome);
    }

    public Backoff backoff() {
        return backoff;
    }

    public StopClassifier classifier() {
        return classifier;
    }
}
