package dev.ecsretrier.port;

/** Launches one attempt's task ({@code ecs:RunTask}), and stops one that must not run ({@code ecs:StopTask}). */
public interface TaskLauncher {

    /** Never throws for a failure ECS reports; returns {@link LaunchResult.Failed} instead. */
    LaunchResult launch(LaunchRequest request);

    /** Stops a task with ecs-retrier's own reason; a task that stopped already is not an error. */
    void stop(String cluster, String taskArn, String reason);
}
