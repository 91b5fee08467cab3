package dev.ecsretrier.port;

import dev.ecsretrier.core.RunCancellation;
import java.util.Optional;

/**
 * Schedules what happens later in a run ({@code scheduler:CreateSchedule}, one-time, deleted after
 * it fires): the next attempt, and the stop of an attempt that runs past its timeout; and reads
 * whether a run was cancelled (its marker is a disabled schedule in the same group).
 */
public interface AttemptScheduler {

    /** Outcome of a schedule request; both values are success. */
    enum Result { CREATED, ALREADY_SCHEDULED }

    /** Returns {@link Result#ALREADY_SCHEDULED} when a schedule with that name exists (a duplicate delivery). */
    Result schedule(ScheduledAttempt attempt);

    /** Schedules the stop of a task at its attempt's timeout; a duplicate name is {@link Result#ALREADY_SCHEDULED}. */
    Result scheduleStop(ScheduledStop stop);

    /** Deletes a pending schedule; a schedule that no longer exists is not an error. */
    void cancel(String name);

    /**
     * The run's cancellation, when {@code retrier cancel} marked it ({@code scheduler:GetSchedule} of
     * {@link RunCancellation#markerName}); empty when it was not.
     */
    Optional<RunCancellation> cancellation(String runId);

    /**
     * Claims the one CANCELLED notification of a cancelled run: creates the disabled schedule
     * {@link RunCancellation#endClaimName} with {@code claimant} as its description. True when this
     * call created it, or when it holds this same claimant (a retry of the invocation that claimed it
     * and could not publish); false when another claimant holds it: that one notifies.
     *
     * @param claimant  who ends the run: the stopped task, or the starter invocation's request id
     * @param targetArn what the disabled schedule names as its target (it never fires): the starter alias
     */
    boolean claimCancelledEnd(String runId, String claimant, String targetArn);
}
