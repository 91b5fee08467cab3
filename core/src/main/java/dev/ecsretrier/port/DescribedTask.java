package dev.ecsretrier.port;

import dev.ecsretrier.core.ContainerOverride;
import java.util.List;
import java.util.Map;

/** What {@code DescribeTasks(include=TAGS)} tells about a stopped task: its tags and overrides. */
public record DescribedTask(String taskArn, Map<String, String> tags, List<ContainerOverride> containerOverrides) {

    public DescribedTask {
        tags = Map.copyOf(tags);
        containerOverrides = List.copyOf(containerOverrides);
    }
}
