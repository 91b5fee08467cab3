package dev.ecsretrier.core;

import java.util.List;

/**
 * An attempt that ended, with what the loop knows about its run.
 *
 * @param userOverrides the container overrides the user asked for ({@code RETRIER_*} removed),
 *                      carried to the next attempt
 * @param note          what the outcome should say about how this was learned, or null
 * @param size          the task's size as ECS reported it in the stop, or null (memory escalation needs it)
 */
public record EndedAttempt(AttemptMetadata metadata, AttemptStop stop, List<ContainerOverride> userOverrides,
                           String cluster, String taskDefinition, RunOutcome.MetadataSource metadataSource,
                           String note, TaskSize size) {

    public EndedAttempt {
        userOverrides = List.copyOf(userOverrides);
    }
}
