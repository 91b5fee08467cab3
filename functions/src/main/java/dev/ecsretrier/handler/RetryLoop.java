package dev.ecsretrier.handler;

import dev.ecsretrier.core.Decision;
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
        StepResult result;
        if (step instanceof Step.Retry retry) {
            AttemptScheduler.Result scheduled = scheduler.schedule(new ScheduledAttempt(retry.scheduleName(),
                    retry.at(), NextStartRequest.json(retry.next()), starterArn));
            result = new StepResult(ended.metadata().runId(), ended.metadata().attempt(), ended.stop().taskArn(),
                    Decision.RETRY, retry.verdict().rule(), retry.verdict().reason(), ended.metadataSource(),
                    retry.scheduleName(), retry.delay().toMillis(), retry.at(),
                    scheduled == AttemptScheduler.Result.ALREADY_SCHEDULED, null, ended.note());
        } else {
            RunOutcome outcome = ((Step.Finish) step).outcome();
            notifier.publish(notification(outcome));
            log.accept(runEndedMetric(outcome));
            result = new StepResult(outcome.runId(), outcome.attempts(), ended.stop().taskArn(), outcome.outcome(),
                    outcome.rule(), outcome.reason(), ended.metadataSource(), null, null, null, null, outcome,
                    ended.note());
        }
        log.accept(Json.write(Map.of("message", "attempt ended", "step", result)));
        return result;
    }

    /** The terminal message: JSON body, short subject, attributes for filter policies and dedup. */
    public static Notification notification(RunOutcome outcome) {
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

    private String runEndedMetric(RunOutcome outcome) {
        Map<String, Object> metric = new LinkedHashMap<>();
        metric.put("_aws", Map.of(
                "Timestamp", clock.millis(),
                "CloudWatchMetrics", List.of(Map.of(
                        "Namespace", RunsEndedMetric.NAMESPACE,
                        "Dimensions", outcome.job() == null
                                ? List.of(List.of(RunsEndedMetric.RETRIER_DIMENSION, RunsEndedMetric.OUTCOME_DIMENSION))
                                // Two dimension sets: the deployment's alarms keep counting every job, and
                                // each job's count is a metric of its own.
                                : List.of(List.of(RunsEndedMetric.RETRIER_DIMENSION, RunsEndedMetric.OUTCOME_DIMENSION),
                                        List.of(RunsEndedMetric.RETRIER_DIMENSION, RunsEndedMetric.JOB_DIMENSION,
                                                RunsEndedMetric.OUTCOME_DIMENSION)),
                        "Metrics", List.of(Map.of("Name", RunsEndedMetric.NAME, "Unit", "Count"))))));
        metric.put(RunsEndedMetric.RETRIER_DIMENSION, retrierName);
        metric.put(RunsEndedMetric.OUTCOME_DIMENSION, outcome.outcome().name());
        if (outcome.job() != null) {
            metric.put(RunsEndedMetric.JOB_DIMENSION, outcome.job());
        }
        metric.put(RunsEndedMetric.NAME, 1);
        metric.put("runId", outcome.runId());
        return Json.write(metric);
    }
}
