package dev.ecsretrier.input;

import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.TaskSize;
import java.util.List;

/**
 * The parts of an EventBridge {@code ECS Task State Change} event for a STOPPED task that the
 * classifier uses.
 *
 * @param source the event's {@code source}: {@code aws.ecs}, or the test source of
 *               {@link dev.ecsretrier.rule.StoppedTaskPattern#TEST_SOURCE} for a test event
 * @param size   the task-level cpu and memory ({@code detail.cpu}, {@code detail.memory}), or null
 */
public record TaskStateChange(String source, String clusterArn, String taskDefinitionArn, String startedBy,
                              List<ContainerOverride> containerOverrides, AttemptStop stop, TaskSize size) {

    public TaskStateChange {
        containerOverrides = List.copyOf(containerOverrides);
    }

    public String taskArn() {
        return stop.taskArn();
    }
}
