package dev.ecsretrier.core;

/**
 * How many retries each kind of failure may spend, on top of the run's {@code maxAttempts}:
 * a run whose infrastructure keeps failing can give up sooner, or later, than one whose
 * application does. Null means no separate limit for that kind.
 */
public record RetryBudgets(Integer infrastructureRetries, Integer applicationRetries) {

    public static final RetryBudgets NONE = new RetryBudgets(null, null);

    /** The limit for {@code kind}, or null. */
    public Integer retriesFor(FailureKind kind) {
        return kind == FailureKind.INFRASTRUCTURE ? infrastructureRetries : applicationRetries;
    }
}
