package dev.ecsretrier.history;

import dev.ecsretrier.core.Budget;
import dev.ecsretrier.core.Cause;
import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.EndedAttempt;
import dev.ecsretrier.core.FailureKind;
import dev.ecsretrier.core.LaunchAdjustment;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.core.Step;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * One entry of a run's history: the starter writes one per launch, the classifier (or the starter,
 * for a launch ECS refused) one per decision, each as one JSON line of its function's log
 * ({@link HistoryRecords#line}). The log group is the history store; {@link HistoryRecords#read}
 * reads a line back.
 *
 * <p>{@code job} is the job the run belongs to (its task's {@code ecs-retrier:job} tag); null only
 * for a task launched before jobs were recorded.
 */
public sealed interface HistoryRecord {

    String runId();

    int attempt();

    /** When the function wrote the record. */
    Instant at();

    String job();

    /**
     * The starter launched an attempt: ECS started {@code taskArn}, or refused the launch
     * ({@code failure}; a decision record follows).
     *
     * @param launch how this attempt's launch differed from the configured one, or null
     */
    record Launched(String runId, int attempt, int maxAttempts, String job, Instant at, String cluster,
                    String taskDefinition, String taskArn, LaunchAdjustment launch, Failure failure)
            implements HistoryRecord {

        public Launched {
            launch = orNull(launch);
        }

        /** Why {@code RunTask} started no task: ECS's failure reason (or error code) and detail. */
        public record Failure(String reason, String detail) {
        }
    }

    /**
     * An attempt ended and was decided.
     *
     * @param launch          how the ended attempt's launch differed from the configured one, or null
     * @param stop            how it ended: task ARN, ECS's times, stop code, the full stopped reason, every container
     * @param kind            whose failure it was; null for a success
     * @param next            for RETRY, the attempt that was scheduled; null otherwise
     * @param exhaustedBudget for RETRIES_EXHAUSTED, which limit ran out (see {@link RunOutcome#exhaustedBudget()})
     * @param note            what to know about how the stop was learned, or null
     * @param causes          what the classifier recognised in the stop; null when nothing (or for a record
     *                        written before this field was)
     */
    record Decided(String runId, int attempt, int maxAttempts, String job, Instant at, String cluster,
                   String taskDefinition, LaunchAdjustment launch, AttemptStop stop, Decision decision, String rule,
                   String reason, FailureKind kind, NextAttempt next, Budget exhaustedBudget,
                   RunOutcome.MetadataSource metadataSource, String note, Set<Cause> causes)
            implements HistoryRecord {

        public Decided {
            launch = orNull(launch);
            causes = causes == null || causes.isEmpty() ? null : Collections.unmodifiableSet(EnumSet.copyOf(causes));
        }

        /**
         * The record of a step the planner took for {@code ended}.
         *
         * @param alreadyScheduled a RETRY whose schedule existed already (a duplicate delivery)
         */
        public static Decided of(EndedAttempt ended, Step step, Instant at, boolean alreadyScheduled, String job) {
            var run = ended.metadata();
            if (step instanceof Step.Retry retry) {
                NextAttempt next = new NextAttempt(retry.next().attemptNumber(), retry.at(), retry.delay().toMillis(),
                        retry.scheduleName(), alreadyScheduled, retry.next().launch());
                return new Decided(run.runId(), run.attempt(), run.maxAttempts(), job, at, ended.cluster(),
                        ended.taskDefinition(), run.launch(), ended.stop(), Decision.RETRY, retry.verdict().rule(),
                        retry.verdict().reason(), retry.verdict().kind(), next, null, ended.metadataSource(),
                        ended.note(), retry.verdict().causes());
            }
            RunOutcome outcome = ((Step.Finish) step).outcome();
            return new Decided(run.runId(), run.attempt(), run.maxAttempts(), job, at, ended.cluster(),
                    ended.taskDefinition(), run.launch(), ended.stop(), outcome.outcome(), outcome.rule(),
                    outcome.reason(), outcome.outcome() == Decision.SUCCEEDED ? null : step.verdict().kind(), null,
                    outcome.exhaustedBudget(), ended.metadataSource(), ended.note(), step.verdict().causes());
        }
    }

    /**
     * The attempt a RETRY scheduled.
     *
     * @param at               when its schedule fires
     * @param delayMillis      the backoff from the decision to {@code at}
     * @param scheduleName     the one-time schedule that launches it ({@code <runId>-<attempt>})
     * @param alreadyScheduled the schedule existed already: this decision was a duplicate delivery's
     * @param launch           how its launch will differ from the configured one (the decision's launch changes), or null
     */
    record NextAttempt(int attempt, Instant at, long delayMillis, String scheduleName, boolean alreadyScheduled,
                       LaunchAdjustment launch) {

        public NextAttempt {
            launch = orNull(launch);
        }
    }

    private static LaunchAdjustment orNull(LaunchAdjustment launch) {
        return launch == null || launch.isNone() ? null : launch;
    }
}
