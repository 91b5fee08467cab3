package dev.ecsretrier.core;

import java.time.Duration;
import java.time.Instant;

/** What the loop does after an attempt ends: schedule the next one, or tell people the run is over. */
public sealed interface Step {

    Verdict verdict();

    /**
     * Launch {@code next} at {@code at}.
     *
     * @param scheduleName {@code <runId>-<next attempt>}: creating it twice conflicts, so a duplicate
     *                     delivery cannot start a second attempt
     */
    record Retry(Verdict verdict, StartRequest next, String scheduleName, Duration delay, Instant at)
            implements Step {
    }

    /** The run is over; publish {@code outcome}. */
    record Finish(Verdict verdict, RunOutcome outcome) implements Step {
    }
}
