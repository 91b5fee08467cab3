package dev.ecsretrier.core;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * {@code delay(n) = min(maxDelay, initialDelay × multiplier^(n-1))}, then jitter, where {@code n}
 * is the attempt that just failed: {@code delay(1)} is the wait before the second attempt.
 */
public record Backoff(Duration initialDelay, double multiplier, Duration maxDelay, Jitter jitter) {

    public Backoff {
        Objects.requireNonNull(jitter, "jitter");
        if (initialDelay.isNegative()) {
            throw new IllegalArgumentException("initialDelay must not be negative, got " + initialDelay);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a number >= 1, got " + multiplier);
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " is below initialDelay " + initialDelay);
        }
    }

    /** The smallest and largest delay jitter can give after {@code failedAttempt}. */
    public record Range(Duration min, Duration max) {
    }

    /** The delay before jitter. */
    public Duration baseDelay(int failedAttempt) {
        if (failedAttempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, got " + failedAttempt);
        }
        double millis = initialDelay.toMillis() * Math.pow(multiplier, failedAttempt - 1);
        return millis >= maxDelay.toMillis() ? maxDelay : Duration.ofMillis(Math.round(millis));
    }

    public Range range(int failedAttempt) {
        Duration base = baseDelay(failedAttempt);
        return switch (jitter) {
            case FULL -> new Range(Duration.ZERO, base);
            case EQUAL -> new Range(base.dividedBy(2), base);
            case NONE -> new Range(base, base);
        };
    }

    public Duration delay(int failedAttempt, RandomGenerator random) {
        Range range = range(failedAttempt);
        long spread = range.max().toMillis() - range.min().toMillis();
        long extra = spread == 0 ? 0 : random.nextLong(spread + 1);
        return range.min().plusMillis(extra);
    }
}
