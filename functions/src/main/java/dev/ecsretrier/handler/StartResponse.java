package dev.ecsretrier.handler;

/**
 * The starter's answer: {@code {"runId", "attempt", "taskArn"}}; when {@code RunTask} failed
 * synchronously, no task ARN, the failure, and what the loop did about it.
 */
public record StartResponse(String runId, int attempt, String taskArn, LaunchFailure launchFailure,
                            StepResult step) {

    /** Why RunTask started no task. */
    public record LaunchFailure(String reason, String detail) {
    }
}
