package dev.ecsretrier.local.emulator.internal;

import java.time.Duration;

/**
 * Counts what is still in flight in the runtime (running tasks, pending schedules, deliveries
 * and their retries), so a caller can wait until every run has come to rest. Each piece of work
 * begins its follow-up before it ends itself, so the count only reaches zero when nothing is left.
 */
public final class PendingWork {

    private int pending;

    public synchronized void begin() {
        pending++;
    }

    public synchronized void end() {
        if (pending == 0) {
            throw new IllegalStateException("more work ended than began");
        }
        pending--;
        if (pending == 0) {
            notifyAll();
        }
    }

    public synchronized int pending() {
        return pending;
    }

    /** True when nothing was in flight before the timeout. */
    public synchronized boolean awaitNone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
