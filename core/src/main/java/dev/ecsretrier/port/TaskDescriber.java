package dev.ecsretrier.port;

import java.util.Optional;

/** Reads a task's tags and overrides ({@code ecs:DescribeTasks} with {@code include=TAGS}). */
public interface TaskDescriber {

    /** Empty when ECS no longer knows the task (stopped tasks stay describable for about an hour). */
    Optional<DescribedTask> describe(String cluster, String taskArn);
}
