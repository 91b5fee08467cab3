package dev.ecsretrier.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the loop does after an attempt ends: schedule the next one, or tell people the run is over.
 * The one result of a decision: the handlers' answers, the notification, the local timeline,
 * {@code classify} and the history records are all rendered from it.
 */
public sealed interface Step {

    /** The attempt this step decided; null only for a run cancelled before an attempt started. */
    EndedAttempt ended();

    /** The classifier's verdict, after the adaptations. */
    Verdict verdict();

    Decision decision();

    /**
     * The ended attempt as the run's history now records it (its decision, rule, kind, causes, launch);
     * null for a run cancelled before its first attempt.
     */
    AttemptSummary summary();

    /** What this decision changed in the next attempt's launch, one sentence each; empty when nothing. */
    List<String> changes();

    /**
     * Launch {@code next} at {@code at}.
     *
     * @param changes      what this decision changed in {@code next.launch()}: the last of its changes
     * @param scheduleName {@code <runId>-<next attempt>}: creating it twice conflicts, so a duplicate
     *                     delivery cannot start a second attempt
     */
    record Retry(EndedAttempt ended, Verdict verdict, StartRequest next, List<String> changes, String scheduleName,
                 Duration delay, Instant at) implements Step {

        public Retry {
            changes = List.copyOf(changes);
        }

        @Override
        public Decision decision() {
            return Decision.RETRY;
        }

        @Override
        public AttemptSummary summary() {
            return next.history().get(next.history().size() - 1);
        }

        /** How the next attempt's launch differs from the configured one ({@link LaunchAdjustment#NONE} when not). */
        public LaunchAdjustment nextLaunch() {
            return next.launchOrNone();
        }
    }

    /** The run is over; publish {@code outcome}. */
    record Finish(EndedAttempt ended, Verdict verdict, RunOutcome outcome) implements Step {

        /** This end, decided after {@code attempt} ended (a cancel that replaced its retry). */
        public Finish after(EndedAttempt attempt) {
            return new Finish(attempt, verdict, outcome);
        }

        @Override
        public Decision decision() {
            return outcome.outcome();
        }

        @Override
        public AttemptSummary summary() {
            List<AttemptSummary> history = outcome.attemptHistory();
            return history.isEmpty() ? null : history.get(history.size() - 1);
        }

        @Override
        public List<String> changes() {
            return List.of();
        }
    }
}
