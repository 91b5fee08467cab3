package dev.ecsretrier.handler;

import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.LaunchAdjustment;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.core.Step;
import dev.ecsretrier.json.JsonForm;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the loop did after an attempt ended: the core's {@link Step}, and whether its schedule existed
 * already. The handlers answer with {@link #toJson()}; the local runtime renders its timeline from the step.
 *
 * @param alreadyScheduled for a retry: its schedule existed already (a duplicate delivery)
 */
public record StepResult(Step step, boolean alreadyScheduled) implements JsonForm {

    public String runId() {
        return step instanceof Step.Finish finish ? finish.outcome().runId() : step.ended().metadata().runId();
    }

    /** The attempt that ended; for a run that ended, its attempt count (0: cancelled before its first). */
    public int attempt() {
        return step instanceof Step.Finish finish ? finish.outcome().attempts() : step.ended().metadata().attempt();
    }

    /** Null when RunTask refused the attempt, or when no attempt ended (a start of a cancelled run). */
    public String taskArn() {
        return step.ended() == null ? null : step.ended().stop().taskArn();
    }

    public Decision decision() {
        return step.decision();
    }

    public String rule() {
        return step instanceof Step.Finish finish ? finish.outcome().rule() : step.verdict().rule();
    }

    /** Why: the verdict's reason, and for a run that ran out of attempts or budget, which. */
    public String reason() {
        return step instanceof Step.Finish finish ? finish.outcome().reason() : step.verdict().reason();
    }

    public RunOutcome.MetadataSource metadataSource() {
        return step.ended() != null ? step.ended().metadataSource() : ((Step.Finish) step).outcome().metadataSource();
    }

    /** What to know about how the ended attempt was learned (e.g. its task was no longer describable), or null. */
    public String note() {
        return step.ended() != null ? step.ended().note() : ((Step.Finish) step).outcome().note();
    }

    /** The run's outcome, for the terminal decisions; null for a retry. */
    public RunOutcome outcome() {
        return step instanceof Step.Finish finish ? finish.outcome() : null;
    }

    /** For a retry: its schedule's name; else null. */
    public String scheduleName() {
        return step instanceof Step.Retry retry ? retry.scheduleName() : null;
    }

    public Long delayMillis() {
        return step instanceof Step.Retry retry ? retry.delay().toMillis() : null;
    }

    public Instant nextAttemptAt() {
        return step instanceof Step.Retry retry ? retry.at() : null;
    }

    /** For a retry whose launch differs from the configured one: how; else null. */
    public LaunchAdjustment nextLaunch() {
        return step instanceof Step.Retry retry && !retry.nextLaunch().isNone() ? retry.nextLaunch() : null;
    }

    /** The answer's fields: the step's ended attempt holds the container overrides, whose values may be secrets. */
    @Override
    public String toString() {
        return "StepResult" + toJson();
    }

    /**
     * The handlers' JSON answer: {@code runId, attempt, taskArn, decision, rule, reason, metadataSource},
     * then for a retry {@code scheduleName, delayMillis, nextAttemptAt, alreadyScheduled} and the
     * {@code nextLaunch} when it changes, for a terminal decision the {@code outcome}; the {@code note}
     * last. No container overrides: their values may be secrets.
     */
    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("runId", runId());
        json.put("attempt", attempt());
        json.put("taskArn", taskArn());
        json.put("decision", decision());
        json.put("rule", rule());
        json.put("reason", reason());
        json.put("metadataSource", metadataSource());
        if (step instanceof Step.Retry) {
            json.put("scheduleName", scheduleName());
            json.put("delayMillis", delayMillis());
            json.put("nextAttemptAt", nextAttemptAt());
            json.put("alreadyScheduled", alreadyScheduled);
            json.put("nextLaunch", nextLaunch());
        }
        json.put("outcome", outcome());
        json.put("note", note());
        json.values().removeIf(java.util.Objects::isNull);
        return json;
    }
}
