package dev.ecsretrier.port;

/** Launches one attempt's task ({@code ecs:RunTask}). */
public interface TaskLauncher {

    /** Never throws for a failure ECS reports; returns {@link LaunchResult.Failed} instead. */
    LaunchResult launch(LaunchRequest request);
}
