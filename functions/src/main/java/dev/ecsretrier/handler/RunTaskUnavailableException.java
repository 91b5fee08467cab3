package dev.ecsretrier.handler;

import dev.ecsretrier.core.AttemptMetadata;

/**
 * ECS did not answer an attempt's {@code RunTask} even after the SDK's retries. Thrown so that the
 * invoker (EventBridge Scheduler, Lambda's asynchronous retries, a caller) tries the same attempt
 * again with the same client token — which launches at most one task — and, when those retries run
 * out, the invocation lands in the starter's dead-letter queue, watched by an alarm.
 */
public final class RunTaskUnavailableException extends RuntimeException {

    RunTaskUnavailableException(AttemptMetadata attempt, String reason, String detail) {
        super("RunTask for attempt " + attempt.attempt() + " of run " + attempt.runId() + " got no answer from ECS ("
                + reason + (detail == null ? "" : ": " + detail) + ") after the SDK's retries; retry this invocation:"
                + " the client token " + AttemptMetadata.attemptKey(attempt.runId(), attempt.attempt())
                + " keeps it to one task");
    }
}
