package dev.ecsretrier.local.cli;

import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.Backoff;
import dev.ecsretrier.core.EndedAttempt;
import dev.ecsretrier.core.LaunchAdjustment;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.core.Step;
import dev.ecsretrier.input.TaskStateChange;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * What the retrier would decide for one STOPPED event, offline: the same planner the classifier
 * runs, with the attempt numbers taken from the event (or given), and for RETRY the range the
 * next delay is drawn from. Offline there are no earlier attempts: a budget counts this failure only.
 *
 * @param step      the planner's step for the event
 * @param nextDelay for RETRY, the range the delay was drawn from; else null
 * @param subnets   the configured subnets, which the next launch's subnet offset rotates
 */
record EventClassification(Step step, Backoff.Range nextDelay, List<String> subnets) {

    public EventClassification {
        subnets = List.copyOf(subnets);
    }

    /**
     * @param attempt     the attempt the event ended; null to read {@code RETRIER_ATTEMPT} from the event (else 1)
     * @param maxAttempts null to read {@code RETRIER_MAX_ATTEMPTS} from the event (else the configuration's)
     * @throws IllegalArgumentException when the attempt is not between 1 and maxAttempts
     */
    public static EventClassification of(RetrierConfig config, TaskStateChange change, Integer attempt,
                                         Integer maxAttempts) {
        Optional<AttemptMetadata> fromEvent = AttemptMetadata.fromEnvironment(change.containerOverrides());
        int max = maxAttempts != null ? maxAttempts : fromEvent.map(AttemptMetadata::maxAttempts).orElse(config.maxAttempts());
        int number = attempt != null ? attempt : fromEvent.map(AttemptMetadata::attempt).orElse(1);
        if (max < 1 || max > RetrierConfig.MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("max attempts must be between 1 and " + RetrierConfig.MAX_ATTEMPTS_LIMIT
                    + ", got " + max);
        }
        if (number < 1 || number > max) {
            throw new IllegalArgumentException("attempt must be between 1 and max attempts " + max + ", got " + number);
        }
        String runId = fromEvent.map(AttemptMetadata::runId).orElse("offline");
        EndedAttempt ended = new EndedAttempt(AttemptMetadata.of(runId, number, max, List.of()), change.stop(),
                AttemptMetadata.userOverrides(change.containerOverrides()), change.clusterArn(),
                change.taskDefinitionArn(), RunOutcome.MetadataSource.EVENT, null, change.size());
        // The planner draws one jitter sample; only its range is reported, so any seed will do.
        Step step = config.planner().plan(ended, Instant.EPOCH, new SplittableRandom(0));
        return new EventClassification(step, step instanceof Step.Retry ? config.backoff().range(number) : null,
                config.network().subnets());
    }

    /** The JSON the {@code classify} command prints. */
    public Map<String, Object> toJson() {
        int attempt = step.ended().metadata().attempt();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("decision", step.decision());
        json.put("rule", step.verdict().rule());
        json.put("reason", step instanceof Step.Finish finish ? finish.outcome().reason() : step.verdict().reason());
        json.put("failureKind", step.verdict().kind());
        if (!step.verdict().causes().isEmpty()) {
            json.put("causes", step.verdict().causes());
        }
        json.put("attempt", attempt);
        json.put("maxAttempts", step.ended().metadata().maxAttempts());
        if (step instanceof Step.Retry retry) {
            json.put("nextAttempt", attempt + 1);
            Map<String, Object> delay = new LinkedHashMap<>();
            delay.put("minSeconds", seconds(nextDelay.min()));
            delay.put("maxSeconds", seconds(nextDelay.max()));
            json.put("nextDelay", delay);
            if (!retry.nextLaunch().isNone()) {
                json.put("nextLaunch", launchJson(retry.nextLaunch()));
            }
        }
        if (step instanceof Step.Finish finish && finish.outcome().exhaustedBudget() != null) {
            json.put("exhaustedBudget", finish.outcome().exhaustedBudget());
        }
        json.put("taskArn", step.ended().stop().taskArn());
        json.put("stopCode", step.ended().stop().stopCode());
        json.put("stoppedReason", step.ended().stop().stoppedReason());
        json.put("containers", step.ended().stop().containers());
        return json;
    }

    /** The next start request's {@code launch}, with the subnets in the order it gives them. */
    private Map<String, Object> launchJson(LaunchAdjustment nextLaunch) {
        Map<String, Object> launch = new LinkedHashMap<>();
        if (nextLaunch.capacityProviderStrategy() != null) {
            launch.put("capacityProviderStrategy", nextLaunch.capacityProviderStrategy());
        }
        if (nextLaunch.size() != null) {
            launch.put("cpu", nextLaunch.size().cpuText());
            launch.put("memory", nextLaunch.size().memoryText());
        }
        if (nextLaunch.subnetOffset() != null) {
            launch.put("subnetOffset", nextLaunch.subnetOffset());
            launch.put("subnets", nextLaunch.order(subnets));
        }
        launch.put("changes", nextLaunch.changes());
        return launch;
    }

    private static Number seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? (Number) (millis / 1000) : (Number) (millis / 1000.0);
    }
}
