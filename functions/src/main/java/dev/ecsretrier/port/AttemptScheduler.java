package dev.ecsretrier.port;

/** Schedules the next attempt ({@code scheduler:CreateSchedule}, one-time, deleted after it fires). */
public interface AttemptScheduler {

    /** Outcome of a schedule request; both values are success. */
    enum Result { CREATED, ALREADY_SCHEDULED }

    /** Returns {@link Result#ALREADY_SCHEDULED} when a schedule with that name exists (a duplicate delivery). */
    Result schedule(ScheduledAttempt attempt);
}
