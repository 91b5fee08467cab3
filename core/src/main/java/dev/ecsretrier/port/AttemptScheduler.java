package dev.ecsretrier.port;

/**
 * Schedules what happens later in a run ({@code scheduler:CreateSchedule}, one-time, deleted after
 * it fires): the next attempt, and the stop of an attempt that runs past its timeout.
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
}
