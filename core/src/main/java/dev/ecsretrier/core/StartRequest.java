package dev.ecsretrier.core;

import java.util.List;

/**
 * What the starter is asked to launch: a caller's first attempt, or the next attempt a schedule
 * carries. Validated by {@link StartRequestReader} before anything runs.
 *
 * @param runId              the run; a new one is made when absent
 * @param attempt            1 for a new run
 * @param containerOverrides overrides of the job's configured containers, one entry per container (command, environment)
 * @param history            the earlier attempts, filled in by the classifier
 * @param launch             how this attempt's launch differs from the configured one (adaptive
 *                           retries); checked against the configuration, so it cannot ask for more
 *                           than the retrier would
 * @param job                the configured job to run; may be left out when the deployment has one
 */
public record StartRequest(String runId, Integer attempt, List<ContainerOverride> containerOverrides,
                           List<AttemptSummary> history, LaunchAdjustment launch, String job) {

    public StartRequest {
        containerOverrides = containerOverrides == null ? List.of() : NullTolerantLists.copy(containerOverrides);
        history = history == null ? List.of() : NullTolerantLists.copy(history);
    }

    /** A request to launch as configured: no launch adjustment, the only job. */
    public static StartRequest of(String runId, Integer attempt, List<ContainerOverride> containerOverrides,
                                  List<AttemptSummary> history) {
        return new StartRequest(runId, attempt, containerOverrides, history, null, null);
    }

    /** The same request for another job. */
    public StartRequest forJob(String name) {
        return new StartRequest(runId, attempt, containerOverrides, history, launch, name);
    }

    public LaunchAdjustment launchOrNone() {
        return launch == null ? LaunchAdjustment.NONE : launch;
    }

    public int attemptNumber() {
        return attempt == null ? 1 : attempt;
    }
}
