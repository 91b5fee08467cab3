package dev.ecsretrier.port;

/** What {@code RunTask} answered: a task was started, or the attempt failed synchronously. */
public sealed interface LaunchResult {

    /** ECS accepted the task; its STOPPED event will follow. */
    record Started(String taskArn) implements LaunchResult {
    }

    /**
     * No task will run: a {@code failures[]} entry ({@code RESOURCE:MEMORY}), or an error that
     * outlived the SDK's retries ({@code ThrottlingException}). No STOPPED event will come.
     *
     * @param reason the failure's reason or the error code
     * @param detail ECS's detail or the error message
     */
    record Failed(String reason, String detail) implements LaunchResult {
    }
}
