package dev.ecsretrier.core;

import java.time.Instant;
import java.util.List;

/**
 * How one attempt ended: a STOPPED task, or a {@code RunTask} call that failed synchronously.
 *
 * @param taskArn       null for a synchronous failure (no task exists)
 * @param stopCode      ECS stop code; {@link #SYNCHRONOUS_FAILURE_STOP_CODE} for a synchronous failure
 * @param stoppedReason ECS's stopped reason (or "RunTask failed: REASON (detail)")
 * @param startedAt     null when the task never started
 */
public record AttemptStop(String taskArn, String stopCode, String stoppedReason, List<ContainerExit> containers,
                          Instant createdAt, Instant startedAt, Instant stoppedAt) {

    /**
     * A synchronous failure is a task that failed to start: the default policy and user rules treat
     * both alike, and a rule can still single them out with {@code stoppedReason: "RunTask failed: *"}.
     */
    public static final String SYNCHRONOUS_FAILURE_STOP_CODE = "TaskFailedToStart";
    public static final String SYNCHRONOUS_FAILURE_PREFIX = "RunTask failed: ";

    public AttemptStop {
        containers = containers == null ? List.of() : List.copyOf(containers);
    }

    /** The stop of an attempt whose {@code RunTask} call failed: {@code reason} is e.g. {@code RESOURCE:MEMORY}. */
    public static AttemptStop synchronousFailure(String reason, String detail, Instant at) {
        String text = SYNCHRONOUS_FAILURE_PREFIX + reason + (detail == null || detail.isBlank() ? "" : " (" + detail + ")");
        return new AttemptStop(null, SYNCHRONOUS_FAILURE_STOP_CODE, text, List.of(), at, null, at);
    }

    public boolean synchronous() {
        return taskArn == null;
    }
}
