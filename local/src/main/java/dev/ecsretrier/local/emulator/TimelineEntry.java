package dev.ecsretrier.local.emulator;

import java.time.Instant;

/**
 * One thing that happened in the local runtime, for the live timeline and for tests.
 *
 * @param runId   null when the entry is not about one run (an unmatched event)
 * @param attempt null when unknown
 * @param taskArn null when no task is involved
 */
public record TimelineEntry(Instant at, Kind kind, String runId, Integer attempt, String taskArn, String text) {

    /** What happened. */
    public enum Kind {
        /** RunTask started a new task. */
        TASK_LAUNCHED,
        /** RunTask with a client token seen before: ECS answered with the original task. */
        TASK_REUSED,
        /** RunTask failed synchronously: no task, no event. */
        RUN_TASK_FAILED,
        /** A task was asked to stop ({@code StopTask}). */
        TASK_STOP_REQUESTED,
        /** A task stopped and its STOPPED event went to the bus. */
        TASK_STOPPED,
        /** The classifier or the starter decided (RETRY or a terminal outcome). */
        DECISION,
        /** A one-time schedule fired and invoked its target. */
        SCHEDULE_FIRED,
        /** A terminal notification was published. */
        NOTIFIED,
        /** Fault: the bus delivers an event a second time. */
        EVENT_DUPLICATED,
        /** Fault: the scheduler fires a schedule a second time. */
        SCHEDULE_FIRED_TWICE,
        /** Fault: an invocation crashed before its handler ran. */
        HANDLER_CRASHED,
        /** An asynchronous invocation failed and Lambda will retry it. */
        INVOCATION_RETRIED,
        /** An asynchronous invocation failed three times and went to the dead-letter file. */
        DEAD_LETTERED,
        /** An event that no rule matched. */
        EVENT_UNMATCHED
    }
}
