package dev.ecsretrier.core;

/**
 * What the classifier recognised in a stop, whichever rule then decided: the facts adaptations and
 * readers act on, so that nothing after the classifier reads a reason or a rule name again. Each comes
 * from a row of the default policy, a stop code of row 7, or a {@link StopPattern} (docs/policy.md).
 */
public enum Cause {
    /** A container's reason begins {@code OutOfMemoryError} (the out-of-memory row). */
    OUT_OF_MEMORY,
    /** ecs-retrier stopped the attempt for running past its timeout (the attempt-timeout row). */
    ATTEMPT_TIMEOUT,
    /** A {@code UserInitiated} stop that was not ecs-retrier's own (the user-initiated row). */
    STOPPED_BY_PERSON,
    /** A reason carries a {@link StopPattern.Kind#MAINTENANCE} pattern: AWS stopped a healthy task. */
    MAINTENANCE,
    /** Stop code {@code SpotInterruption}. */
    SPOT_INTERRUPTION,
    /** Stop code {@code TerminationNotice}. */
    TERMINATION_NOTICE,
    /** Stop code {@code InfrastructureHealth}. */
    INFRASTRUCTURE_HEALTH,
    /** Stop code {@code TaskFailedToStart} of a task ECS accepted. */
    TASK_FAILED_TO_START,
    /** {@code RunTask} itself refused the attempt ({@code failures[]} or a client error): no task exists. */
    RUN_TASK_REFUSED,
    /** {@code RunTask} refused the attempt for lack of capacity ({@link StopPattern.Kind#NO_CAPACITY}). */
    NO_CAPACITY,
    /** A reason begins with the start error {@link StopPattern#ENI_TIMEOUT}: no network interface in time. */
    ENI_TIMEOUT,
    /** A reason begins with one of the image pull start errors ({@link StopPattern#IMAGE_PULL}). */
    IMAGE_PULL
}
