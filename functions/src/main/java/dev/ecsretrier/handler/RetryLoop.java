package dev.ecsretrier.handler;

import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.RunCancellation;
import dev.ecsretrier.core.EndedAttempt;
import dev.ecsretrier.core.RetryPlanner;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.core.Step;
import dev.ecsretrier.history.HistoryRecord;
import dev.ecsretrier.history.HistoryRecords;
import dev.ecsretrier.history.HistoryWindow;
import dev.ecsretrier.history.RecordedHistory;
import dev.ecsretrier.port.RunHistoryReader;
import java.util.List;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.metrics.RetrierMetrics;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.Notification;
import dev.ecsretrier.port.Notifier;
import dev.ecsretrier.port.ScheduledAttempt;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * What both handlers do once an attempt has ended: plan (pure), then act — schedule the next
 * attempt or publish the outcome — and log the decision's history record, and its metrics
 * (embedded metric format) on a line of their own.
 */
final class RetryLoop {

    private final RetryPlanner planner;
    private final AttemptScheduler scheduler;
    private final Notifier notifier;
    private final Clock clock;
    private final RandomGenerator random;
    private final String retrierName;
    private final Consumer<String> log;
    private final RunHistoryReader history;
    private final HistoryWindow window;

    /**
     * @param retrierName the {@code startedBy} value: the metrics' {@code Retrier} dimension
     * @param log         where the decision line and metric lines go (Lambda: standard output)
     */
    RetryLoop(RetryPlanner planner, AttemptScheduler scheduler, Notifier notifier, Clock clock,
                     RandomGenerator random, String retrierName, Consumer<String> log) {
        this(planner, scheduler, notifier, clock, random, retrierName, log, RunHistoryReader.NONE,
                new HistoryWindow(planner.backoff(), java.time.Duration.ZERO));
    }

    /**
     * @param history where a run's history records are read back when it ends, so that its notification
     *                holds every earlier attempt whole (the tags only summarize them)
     * @param window  how far back those records can lie
     */
    RetryLoop(RetryPlanner planner, AttemptScheduler scheduler, Notifier notifier, Clock clock,
                     RandomGenerator random, String retrierName, Consumer<String> log, RunHistoryReader history,
                     HistoryWindow window) {
        this.history = history;
        this.window = window;
        this.planner = planner;
        this.scheduler = scheduler;
        this.notifier = notifier;
        this.clock = clock;
        this.random = random;
        this.retrierName = retrierName;
        this.log = log;
    }

    /**
     * An attempt that ended with a stop of its task (the classifier): the task is who ends the run.
     *
     * @param starterArn the alias ARN the next attempt's schedule invokes
     */
    StepResult advance(EndedAttempt ended, String starterArn) {
        return advance(ended, starterArn, "stop of task " + ended.stop().taskArn());
    }

    /**
     * @param claimant who ends the run if it ends CANCELLED here ({@link AttemptScheduler#claimCancelledEnd}):
     *                 the stopped task, or the starter invocation
     */
    StepResult advance(EndedAttempt ended, String starterArn, String claimant) {
        Instant now = clock.instant();
        Step step;
        synchronized (random) {
            step = planner.plan(ended, now, random);
        }
        if (step instanceof Step.Retry retry) {
            // A run cancelled while this attempt ran gets no next attempt: it ends here, once.
            Optional<RunCancellation> cancelled = scheduler.cancellation(ended.metadata().runId());
            if (cancelled.isPresent()) {
                AttemptMetadata next = new AttemptMetadata(ended.metadata().runId(), retry.next().attemptNumber(),
                        ended.metadata().maxAttempts(), retry.next().history(), retry.next().launch(),
                        ended.metadata().job());
                step = planner.cancelledBefore(next, ended.cluster(), ended.taskDefinition(), ended.metadataSource(),
                        ended.note(), cancelled.get(), now).after(ended);
            }
        }
        String metric;
        boolean alreadyScheduled = false;
        if (step instanceof Step.Retry retry) {
            AttemptScheduler.Result scheduled = scheduler.schedule(new ScheduledAttempt(retry.scheduleName(),
                    retry.at(), NextStartRequest.json(retry.next()), starterArn));
            alreadyScheduled = scheduled == AttemptScheduler.Result.ALREADY_SCHEDULED;
            // A duplicate delivery retried nothing new: counting it would count one retry twice.
            metric = alreadyScheduled ? null : RetrierMetrics.attemptRetried(retrierName, ended.metadata().job(),
                    retry.verdict().kind(),
                    retry.delay(), now, ended.metadata().runId());
        } else {
            Step.Finish finish = (Step.Finish) step;
            if (!endsHere(finish.outcome(), claimant, starterArn)) {
                return new StepResult(finish, false);
            }
            RunOutcome outcome = withRecordedHistory(finish.outcome(), ended.metadata().attempt());
            step = new Step.Finish(finish.ended(), finish.verdict(), outcome);
            publish(outcome);
            metric = RetrierMetrics.runEnded(retrierName, outcome.job(), outcome.outcome(), now, outcome.runId());
        }
        StepResult result = new StepResult(step, alreadyScheduled);
        log.accept(HistoryRecords.line(HistoryRecord.Decided.of(ended, step, now, alreadyScheduled,
                ended.metadata().job())));
        if (metric != null) {
            log.accept(metric);
        }
        return result;
    }

    /**
     * A start of a cancelled run: nothing is launched, and the run ends CANCELLED with the attempts
     * that ran before this one; its decision record names the last attempt that ran (no stop: none
     * was seen by this start).
     *
     * @param next       the attempt the start request asked for
     * @param claimant   this starter invocation ({@link AttemptScheduler#claimCancelledEnd})
     * @param starterArn the starter alias, which the claim names as its target
     */
    StepResult endCancelled(AttemptMetadata next, String cluster, String taskDefinition,
                                   RunCancellation cancellation, String claimant, String starterArn) {
        Instant now = clock.instant();
        Step.Finish planned = planner.cancelledBefore(next, cluster, taskDefinition, RunOutcome.MetadataSource.REQUEST,
                null, cancellation, now);
        if (!endsHere(planned.outcome(), claimant, starterArn)) {
            return new StepResult(planned, false);
        }
        RunOutcome outcome = withRecordedHistory(planned.outcome(), 0);
        Step.Finish step = new Step.Finish(null, planned.verdict(), outcome);
        publish(outcome);
        log.accept(HistoryRecords.line(new HistoryRecord.Decided(outcome.runId(), outcome.attempts(), next.maxAttempts(),
                next.job(), now, cluster, taskDefinition, null, null, Decision.CANCELLED, outcome.rule(), outcome.reason(), null,
                null, null, RunOutcome.MetadataSource.REQUEST, null, null)));
        log.accept(RetrierMetrics.runEnded(retrierName, outcome.job(), outcome.outcome(), now, outcome.runId()));
        return new StepResult(step, false);
    }

    /**
     * Whether this invocation ends the run. A CANCELLED end has rivals that a standard SNS topic does not
     * tell apart (only FIFO topics deduplicate, and they deliver to no email or HTTP endpoint:
     * https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html,
     * https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html): a start of attempt n whose
     * schedule fired while {@code retrier cancel} still deleted it (Scheduler deletes a one-time schedule
     * only after its target invocation: https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-delete.html)
     * and the start cancel handed over; the stop of the task that fired start launched and then stopped;
     * a stop delivered again after the marker. The first claimant notifies; the others write nothing.
     * Every other outcome has one decider (the stop of the run's one task).
     */
    private boolean endsHere(RunOutcome outcome, String claimant, String starterArn) {
        if (outcome.outcome() != Decision.CANCELLED || scheduler.claimCancelledEnd(outcome.runId(), claimant, starterArn)) {
            return true;
        }
        log.accept("ecs-retrier: run " + outcome.runId() + " was already ended CANCELLED by another invocation;"
                + " no second notification (" + claimant + ")");
        return false;
    }

    /** Publishes; a CANCELLED end that could not be told lets its claim go, so that a retry or redrive can. */
    private void publish(RunOutcome outcome) {
        try {
            notifier.publish(notification(outcome));
        } catch (RuntimeException e) {
            if (outcome.outcome() == Decision.CANCELLED) {
                try {
                    scheduler.cancel(RunCancellation.endClaimName(outcome.runId()));
                } catch (RuntimeException release) {
                    e.addSuppressed(release);
                }
            }
            throw e;
        }
    }

    /**
     * The outcome with its earlier attempts from their history records, read only now that the run
     * ends (a retry needs none of it). Reading can fail or run out of time; the notification must not:
     * it then goes out with the metadata's summaries, and says which and why.
     *
     * @param decidedAttempt the attempt just decided (whole already), 0 when none
     */
    private RunOutcome withRecordedHistory(RunOutcome outcome, int decidedAttempt) {
        if (!RecordedHistory.hasEarlierAttempts(outcome, decidedAttempt)) {
            return RecordedHistory.unread(outcome, decidedAttempt, null);
        }
        try {
            List<HistoryRecord> records = history.read(outcome.runId(),
                    window.since(outcome.finishedAt(), Math.max(decidedAttempt, outcome.attempts())));
            return RecordedHistory.complete(outcome, decidedAttempt, records);
        } catch (RuntimeException e) {
            // Never lose or hold up the notification for the history: the tags' summaries still tell the run.
            String problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return RecordedHistory.unread(outcome, decidedAttempt, problem);
        }
    }

    /** The terminal message: JSON body, short subject, attributes for filter policies and dedup. */
    static Notification notification(RunOutcome outcome) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("outcome", outcome.outcome().name());
        attributes.put("runId", outcome.runId());
        attributes.put("dedupKey", outcome.dedupKey());
        if (outcome.job() != null) {
            // One topic for every job: a subscription's filter policy on "job" takes one job's outcomes.
            attributes.put("job", outcome.job());
        }
        return new Notification(outcome.subject(), Json.write(outcome), attributes);
    }
}
