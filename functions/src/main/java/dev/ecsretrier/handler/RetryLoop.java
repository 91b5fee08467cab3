package dev.ecsretrier.handler;

import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.RunCancellation;
import dev.ecsretrier.core.EndedAttempt;
import dev.ecsretrier.core.RetryPlanner;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.core.RunsEndedMetric;
import dev.ecsretrier.core.Step;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.Notification;
import dev.ecsretrier.port.Notifier;
import dev.ecsretrier.port.ScheduledAttempt;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * What both handlers do once an attempt has ended: plan (pure), then act — schedule the next
 * attempt or publish the outcome — and log one line, plus a CloudWatch metric for a run's end.
 */
public final class RetryLoop {

    private final RetryPlanner planner;
    private final AttemptScheduler scheduler;
    private final Notifier notifier;
    private final Clock clock;
    private final RandomGenerator random;
    private final String retrierName;
    private final Consumer<String> log;

    /**
     * @param retrierName the {@code startedBy} value: the metrics' {@code Retrier} dimension
     * @param log         where the decision line and metric lines go (Lambda: standard output)
     */
    public RetryLoop(RetryPlanner planner, AttemptScheduler scheduler, Notifier notifier, Clock clock,
                     RandomGenerator random, String retrierName, Consumer<String> log) {
        this.planner = planner;
        this.scheduler = scheduler;
        this.notifier = notifier;
        this.clock = clock;
        this.random = random;
        this.retrierName = retrierName;
        this.log = log;
    }

    /**
     * @param starterArn the alias ARN the next attempt's schedule invokes
     */
    public StepResult advance(EndedAttempt ended, String starterArn) {
        Step step;
        synchronized (random) {
            step = planner.plan(ended, clock.instant(), random);
        }
        if (step instanceof Step.Retry retry) {
            // A run cancelled while this attempt ran gets no next attempt: it ends here, once.
            Optional<RunCancellation> cancelled = scheduler.cancellation(ended.metadata().runId());
            if (cancelled.isPresent()) {
                AttemptMetadata next = new AttemptMetadata(ended.metadata().runId(), retry.next().attemptNumber(),
                        ended.metadata().maxAttempts(), retry.next().history(), retry.next().launch());
                return finish(planner.cancelledBefore(next, ended.cluster(), ended.taskDefinition(),
                        ended.metadataSource(), ended.note(), cancelled.get(), clock.instant()).outcome(),
                        ended.stop().taskArn(), ended.metadataSource(), ended.note());
            }
        }
        if (step instanceof Step.Retry retry) {
            AttemptScheduler.Result scheduled = scheduler.schedule(new ScheduledAttempt(retry.scheduleName(),
                    retry.at(), NextStartRequest.json(retry.next()), starterArn));
            StepResult result = new StepResult(ended.metadata().runId(), ended.metadata().attempt(), ended.stop().taskArn(),
                    Decision.RETRY, retry.verdict().rule(), retry.verdict().reason(), ended.metadataSource(),
                    retry.scheduleName(), retry.delay().toMillis(), retry.at(),
                    scheduled == AttemptScheduler.Result.ALREADY_SCHEDULED, null, ended.note());
            log.accept(Json.write(Map.of("message", "attempt ended", "step", result)));
            return result;
        }
        return finish(((Step.Finish) step).outcome(), ended.stop().taskArn(), ended.metadataSource(), ended.note());
    }

    /**
     * A start of a cancelled run: nothing is launched, and the run ends CANCELLED with the attempts
     * that ran before this one.
     *
     * @param next the attempt the start request asked for
     */
    public StepResult endCancelled(AttemptMetadata next, String cluster, String taskDefinition,
                                   RunCancellation cancellation) {
        RunOutcome outcome = planner.cancelledBefore(next, cluster, taskDefinition, RunOutcome.MetadataSource.REQUEST,
                null, cancellation, clock.instant()).outcome();
        return finish(outcome, null, RunOutcome.MetadataSource.REQUEST, null);
    }

    private StepResult finish(RunOutcome outcome, String taskArn, RunOutcome.MetadataSource source, String note) {
        notifier.publish(notification(outcome));
        log.accept(runEndedMetric(outcome));
        StepResult result = new StepResult(outcome.runId(), outcome.attempts(), taskArn, outcome.outcome(),
                outcome.rule(), outcome.reason(), source, null, null, null, null, outcome, note);
        log.accept(Json.write(Map.of("message", "attempt ended", "step", result)));
        return result;
    }

    /** The terminal message: JSON body, short subject, attributes for filter policies and dedup. */
    public static Notification notification(RunOutcome outcome) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("outcome", outcome.outcome().name());
        attributes.put("runId", outcome.runId());
        attributes.put("dedupKey", outcome.dedupKey());
        return new Notification(outcome.subject(), Json.write(outcome), attributes);
    }

    private String runEndedMetric(RunOutcome outcome) {
        Map<String, Object> metric = new LinkedHashMap<>();
        metric.put("_aws", Map.of(
                "Timestamp", clock.millis(),
                "CloudWatchMetrics", List.of(Map.of(
                        "Namespace", RunsEndedMetric.NAMESPACE,
                        "Dimensions", List.of(List.of(RunsEndedMetric.RETRIER_DIMENSION, RunsEndedMetric.OUTCOME_DIMENSION)),
                        "Metrics", List.of(Map.of("Name", RunsEndedMetric.NAME, "Unit", "Count"))))));
        metric.put(RunsEndedMetric.RETRIER_DIMENSION, retrierName);
        metric.put(RunsEndedMetric.OUTCOME_DIMENSION, outcome.outcome().name());
        metric.put(RunsEndedMetric.NAME, 1);
        metric.put("runId", outcome.runId());
        return Json.write(metric);
    }
}
