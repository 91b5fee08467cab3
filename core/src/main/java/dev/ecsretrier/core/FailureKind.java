package dev.ecsretrier.core;

/** Whose failure an attempt was: each kind has its own retry budget. */
public enum FailureKind {
    /** ECS could not start or keep the task: pull, init, ENI, capacity, Spot, internal errors. */
    INFRASTRUCTURE,
    /** The task ran and its containers failed: exit codes, out of memory, the attempt timeout. */
    APPLICATION
}
