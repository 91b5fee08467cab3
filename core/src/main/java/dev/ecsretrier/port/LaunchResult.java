package dev.ecsretrier.port;

/** What {@code RunTask} answered: a task was started, or the attempt failed synchronously. */
public sealed interface LaunchResult {

    /** ECS accepted the task; its STOPPED event will follow. */
    record Started(String taskArn) implements LaunchResult {
    }

    /**
     * ECS refused the attempt: a {@code failures[]} entry ({@code RESOURCE:MEMORY}, no capacity), or a
     * client error ({@code ClientException}, {@code AccessDeniedException}). No task, no STOPPED event:
     * the attempt has ended.
     *
     * @param reason the failure's reason or the error code
     * @param detail ECS's detail or the error message
     */
    record Failed(String reason, String detail) implements LaunchResult {
    }

    /**
     * ECS did not answer (throttling, a server error, no connection) even after the SDK's retries.
     * It may have recorded nothing for the client token, or it may have started the task: the
     * attempt has not ended, and only the same attempt (same client token) may be tried again.
     * Moving on to the next attempt here could let a late duplicate of this start run a second task.
     */
    record Unavailable(String reason, String detail) implements LaunchResult {
    }
}
