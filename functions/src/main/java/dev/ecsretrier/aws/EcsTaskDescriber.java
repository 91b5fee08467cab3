package dev.ecsretrier.aws;

import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.port.DescribedTask;
import dev.ecsretrier.port.TaskDescriber;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskField;

/** {@link TaskDescriber} over ECS {@code DescribeTasks(include=TAGS)}. */
public final class EcsTaskDescriber implements TaskDescriber {

    private final EcsClient ecs;

    public EcsTaskDescriber(EcsClient ecs) {
        this.ecs = ecs;
    }

    @Override
    public Optional<DescribedTask> describe(String cluster, String taskArn) {
        DescribeTasksResponse response = ecs.describeTasks(r -> r.cluster(cluster).tasks(taskArn).include(TaskField.TAGS));
        if (response.tasks().isEmpty()) {
            // ECS answers with failures[{reason: MISSING}] for a task it no longer keeps.
            return Optional.empty();
        }
        Task task = response.tasks().get(0);
        Map<String, String> tags = new LinkedHashMap<>();
        task.tags().forEach(t -> tags.put(t.key(), t.value()));
        List<ContainerOverride> overrides = task.overrides() == null ? List.of()
                : task.overrides().containerOverrides().stream()
                        .map(o -> new ContainerOverride(o.name(), o.hasCommand() ? o.command() : null,
                                o.hasEnvironment() ? o.environment().stream()
                                        .map(v -> new EnvironmentVariable(v.name(), v.value())).toList() : null))
                        .toList();
        return Optional.of(new DescribedTask(task.taskArn(), tags, overrides));
    }
}
