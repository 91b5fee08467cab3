package dev.ecsretrier.local.quota;

import java.util.function.LongSupplier;

/**
 * The token bucket AWS describes for its API rate quotas: it holds at most {@code capacity} tokens
 * (the burst), gains {@code refillPerSecond} tokens a second (the sustained rate), and each call
 * takes one; a call that finds it empty is throttled
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html).
 * Time is the runtime's planned time: at time scale 0.01 a second of refill takes 10 ms.
 */
public final class TokenBucket {

    private final double capacity;
    private final double refillPerNano;
    private final LongSupplier plannedNanos;
    private double tokens;
    private long last;

    /**
     * @param plannedNanos the planned (unscaled) time now, in nanoseconds; starts full
     */
    TokenBucket(double capacity, double refillPerSecond, LongSupplier plannedNanos) {
        if (capacity < 1 || refillPerSecond <= 0) {
            throw new IllegalArgumentException("a bucket needs a capacity of at least 1 and a positive refill rate, got "
                    + capacity + " and " + refillPerSecond);
        }
        this.capacity = capacity;
        this.refillPerNano = refillPerSecond / 1e9;
        this.plannedNanos = plannedNanos;
        this.tokens = capacity;
        this.last = plannedNanos.getAsLong();
    }

    /** Takes a token if there is one. */
    synchronized boolean tryTake() {
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Puts back a token taken by a call that another bucket then throttled. */
    synchronized void giveBack() {
        tokens = Math.min(capacity, tokens + 1);
    }

    private void refill() {
        long now = plannedNanos.getAsLong();
        if (now > last) {
            tokens = Math.min(capacity, tokens + (now - last) * refillPerNano);
            last = now;
        }
    }
}
