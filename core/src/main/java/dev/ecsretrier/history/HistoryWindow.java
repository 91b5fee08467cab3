package dev.ecsretrier.history;

import dev.ecsretrier.core.Backoff;
import java.time.Duration;
import java.time.Instant;

/**
 * How far back a run's history records can lie: the start of the window a reader searches. A run of
 * {@code n} attempts began at most {@code n} attempts and {@code n - 1} backoffs ago; each backoff is at
 * most its un-jittered delay plus a minute (Scheduler fires within its minute), each attempt at most its
 * timeout plus a margin for provisioning and stopping, or a day when the job sets no timeout. A record
 * older than that (an attempt that ran longer) is not found, and the run's metadata fills it in.
 *
 * @param attemptTimeout the job's attempt timeout; zero for none
 */
public record HistoryWindow(Backoff backoff, Duration attemptTimeout) {

    /** Scheduler fires a one-time schedule anywhere in its minute. */
    static final Duration SCHEDULER_PRECISION = Duration.ofMinutes(1);
    /** Provisioning and stopping around a timed-out attempt's own time. */
    static final Duration ATTEMPT_MARGIN = Duration.ofMinutes(10);
    /** An attempt of a job without a timeout: assumed to have run at most this long. */
    static final Duration UNTIMED_ATTEMPT = Duration.ofDays(1);

    /** The earliest moment the records of a run whose attempt {@code attempts} ends now can have been written. */
    public Instant since(Instant now, int attempts) {
        Duration back = Duration.ZERO;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            back = back.plus(attemptTimeout.isZero() ? UNTIMED_ATTEMPT : attemptTimeout.plus(ATTEMPT_MARGIN));
            if (attempt < attempts) {
                back = back.plus(backoff.baseDelay(attempt)).plus(SCHEDULER_PRECISION);
            }
        }
        return now.minus(back);
    }
}
