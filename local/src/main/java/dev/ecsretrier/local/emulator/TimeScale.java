package dev.ecsretrier.local.emulator;

import java.time.Duration;

/**
 * Shrinks the runtime's waits (backoffs, Lambda retries, provisioning) so that a run takes
 * seconds. It scales the wait, never the decision: a planned 60 s backoff stays 60 s in the
 * timeline and in the notification, and is waited for 0.6 s at factor 0.01.
 */
public record TimeScale(double factor) {

    public static final TimeScale REAL_TIME = new TimeScale(1.0);
    /** The largest factor: waits a thousand times their planned time. */
    public static final int MAX_FACTOR = 1000;

    public TimeScale {
        if (!accepts(factor)) {
            throw new IllegalArgumentException("time scale must be between 0 and " + MAX_FACTOR + ", got " + factor);
        }
    }

    /** Whether {@code factor} is a time scale: 0 to {@value #MAX_FACTOR}. */
    public static boolean accepts(double factor) {
        return factor >= 0.0 && factor <= MAX_FACTOR;
    }

    /** How long to really wait for {@code planned}. */
    public Duration scale(Duration planned) {
        return Duration.ofMillis(millis(planned));
    }

    public long millis(Duration planned) {
        return planned.isNegative() ? 0 : Math.round(planned.toMillis() * factor);
    }

    /** The wait in nanoseconds, rounded up: a schedule never fires before its time, as in AWS. */
    public long nanos(Duration planned) {
        return planned.isNegative() ? 0 : (long) Math.ceil(planned.toNanos() * factor);
    }

    @Override
    public String toString() {
        return Double.toString(factor);
    }
}
