package dev.ecsretrier.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * The loop's decision, pure: classify the stop, adapt the next launch, apply the attempt limit and
 * the retry budgets and the backoff, and build either the next start request or the run's outcome.
 * Clock and randomness come in as arguments, so the same inputs always give the same step.
 */
public final class RetryPlanner {

    private final StopClassifier classifier;
    private final Backoff backoff;
    private final List<Adaptation> adaptations;
    private final RetryBudgets budgets;

    public RetryPlanner(StopClassifier classifier, Backoff backoff) {
        this(classifier, backoff, AdaptationPolicy.NONE, RetryBudgets.NONE);
    }

    public RetryPlanner(StopClassifier classifier, Backoff backoff, AdaptationPolicy adaptation, RetryBudgets budgets) {
        this.classifier = classifier;
        this.backoff = backoff;
        this.adaptations = adaptation.adaptations();
        this.budgets = budgets;
    }

    public Backoff backoff() {
        return backoff;
    }

    public Step plan(EndedAttempt ended, Instant now, RandomGenerator random) {
        AttemptMetadata run = ended.metadata();
        // ecs-retrier's own cancel stop outranks every rule: no user rule may retry a cancelled run.
        java.util.Optional<String> cancelled = RunCancellation.reasonOf(ended.stop());
        if (cancelled.isPresent()) {
            List<AttemptSummary> history = new ArrayList<>(run.history());
            history.add(AttemptSummary.of(run.attempt(), ended.stop(), Decision.CANCELLED, RunCancellation.RULE, null,
                    run.launch().launched()));
            return cancelled(ended, run.runId(), run.attempt(), run.maxAttempts(), history, ended.cluster(),
                    ended.taskDefinition(), ended.metadataSource(), ended.note(),
                    new RunCancellation(run.runId(), cancelled.get()), now, run.job());
        }
        Adaptation.Plan plan = Adaptation.Plan.unchanged(classifier.classify(ended.stop()), run.launch());
        for (Adaptation adaptation : adaptations) {
            plan = adaptation.adapt(ended, plan);
        }
        Verdict verdict = plan.verdict();
        Budget exhausted = verdict.action() == Action.RETRY ? exhaustedBudget(run, verdict.kind()) : null;
        Decision decision = switch (verdict.action()) {
            case SUCCEED -> Decision.SUCCEEDED;
            case FAIL -> Decision.FAILED;
            case RETRY -> exhausted != null ? Decision.RETRIES_EXHAUSTED : Decision.RETRY;
        };
        List<AttemptSummary> history = new ArrayList<>(run.history());
        history.add(AttemptSummary.recorded(run.attempt(), ended.stop(), decision, verdict, run.launch()));

        if (decision == Decision.RETRY) {
            int next = run.attempt() + 1;
            Duration delay = backoff.delay(run.attempt(), random);
            LaunchAdjustment launch = plan.next().isNone() ? null : plan.next();
            StartRequest request = new StartRequest(run.runId(), next, ended.userOverrides(), history, launch,
                    run.job());
            return new Step.Retry(ended, verdict, request, plan.changes(), AttemptMetadata.attemptKey(run.runId(), next),
                    delay, now.plus(delay));
        }
        String reason = exhausted == null ? verdict.reason() : verdict.reason() + "; " + exhaustedReason(run, exhausted, verdict.kind());
        RunOutcome outcome = new RunOutcome(run.runId(), decision, RunOutcome.dedupKey(run.runId(), decision),
                verdict.rule(), reason, run.attempt(), run.maxAttempts(), ended.cluster(), ended.taskDefinition(),
                history, ended.metadataSource(), ended.note(), now, exhausted, run.job(),
                HistorySource.metadataOnly(attemptsOf(run.history()), null));
        return new Step.Finish(ended, verdict, outcome);
    }

    /**
     * The end of a cancelled run whose next attempt was about to start (a start request, or the
     * retry just planned): nothing more is launched, and the attempts so far are its history.
     *
     * @param next the attempt that will not run
     * @return a step without an ended attempt (none ended here); {@link Step.Finish#after} adds the one
     *         whose retry this replaces
     */
    public Step.Finish cancelledBefore(AttemptMetadata next, String cluster, String taskDefinition,
                                       RunOutcome.MetadataSource source, String note, RunCancellation cancellation,
                                       Instant now) {
        return cancelled(null, next.runId(), next.attempt() - 1, next.maxAttempts(), next.history(), cluster, taskDefinition,
                source, note, cancellation, now, next.job());
    }

    private static Step.Finish cancelled(EndedAttempt ended, String runId, int attempts, int maxAttempts, List<AttemptSummary> history,
                                         String cluster, String taskDefinition, RunOutcome.MetadataSource source,
                                         String note, RunCancellation cancellation, Instant now, String job) {
        RunOutcome outcome = new RunOutcome(runId, Decision.CANCELLED, RunOutcome.dedupKey(runId, Decision.CANCELLED),
                RunCancellation.RULE, cancellation.outcomeReason(), attempts, maxAttempts, cluster, taskDefinition,
                history, source, note, now, null, job,
                HistorySource.metadataOnly(attemptsOf(ended == null ? history : history.subList(0, history.size() - 1)),
                        null));
        // No policy spoke: the verdict only says that nothing follows (FAIL: no retry), and whose it was.
        return new Step.Finish(ended, Verdict.byUserRule(RunCancellation.RULE, Action.FAIL, cancellation.outcomeReason(),
                FailureKind.APPLICATION, Set.of()), outcome);
    }

    private static List<Integer> attemptsOf(List<AttemptSummary> history) {
        return history.stream().map(AttemptSummary::attempt).toList();
    }

    /** The limit a retry of this kind would overrun, or null when it may be retried. */
    private Budget exhaustedBudget(AttemptMetadata run, FailureKind kind) {
        Integer retries = budgets.retriesFor(kind);
        if (retries != null) {
            long failures = 1 + run.history().stream()
                    .filter(a -> a.kind() == kind && a.decision() == Decision.RETRY)
                    .count();
            if (failures > retries) {
                return Budget.of(kind);
            }
        }
        return run.lastAttempt() ? Budget.ATTEMPTS : null;
    }

    private String exhaustedReason(AttemptMetadata run, Budget budget, FailureKind kind) {
        if (budget == Budget.ATTEMPTS) {
            return "all " + run.maxAttempts() + " attempts used";
        }
        return "the " + kind.name().toLowerCase(Locale.ROOT) + " retry budget of " + budgets.retriesFor(kind)
                + " is used up";
    }
}
