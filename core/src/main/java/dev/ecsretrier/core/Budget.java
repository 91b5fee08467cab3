package dev.ecsretrier.core;

/** A limit a run's retries can run out of: its attempts, or the retry budget of one failure kind. */
public enum Budget {
    /** {@code maxAttempts}. */
    ATTEMPTS,
    /** The infrastructure retry budget ({@link RetryBudgets#infrastructureRetries()}). */
    INFRASTRUCTURE,
    /** The application retry budget ({@link RetryBudgets#applicationRetries()}). */
    APPLICATION;

    /** The retry budget of {@code kind}. */
    public static Budget of(FailureKind kind) {
        return kind == FailureKind.INFRASTRUCTURE ? INFRASTRUCTURE : APPLICATION;
    }
}
