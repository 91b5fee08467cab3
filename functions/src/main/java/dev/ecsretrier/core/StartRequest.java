package dev.ecsretrier.core;

import java.util.List;

/**
 * What the starter is asked to launch: a caller's first attempt, or the next attempt a schedule
 * carries. Validated by {@link StartRequestReader} before anything runs.
 *
 * @param runId              the run; a new one is made when absent
 * @param attempt            1 for a new run
 * @param containerOverrides overrides for the configured container only (command, environment)
 * @param history            the earlier attempts, filled in by the classifier
 */
public record StartRequest(String runId, Integer attempt, List<ContainerOverride> containerOverrides,
                           List<AttemptSummary> history) {

    public StartRequest {
        containerOverrides = containerOverrides == null ? List.of() : List.copyOf(containerOverrides);
        history = history == null ? List.of() : List.copyOf(history);
    }

    public int attemptNumber() {
        return attempt == null ? 1 : attempt;
    }
}
