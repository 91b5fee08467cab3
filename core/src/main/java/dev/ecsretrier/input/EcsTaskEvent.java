package dev.ecsretrier.input;

import dev.ecsretrier.core.ContainerOverride;
import java.time.Instant;
import java.util.List;

/**
 * The fields of EventBridge's {@code ECS Task State Change} event that the classifier reads, in the
 * event's own names, for the binder ({@link dev.ecsretrier.json.JsonRecords.UnknownFields#SKIPPED}:
 * the event has many more, and ECS adds some over time). The envelope's {@code detail-type}, not a
 * Java name, is checked before binding. Shape:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html
 */
record EcsTaskEvent(String source, Detail detail) {

    record Detail(String lastStatus, String taskArn, String clusterArn, String taskDefinitionArn, String startedBy,
                  String stopCode, String stoppedReason, List<Container> containers, Instant createdAt,
                  Instant startedAt, Instant stoppedAt, String cpu, String memory, Overrides overrides) {
    }

    record Container(String name, Integer exitCode, String reason) {
    }

    /** What RunTask was given, as ECS echoes it: the retrier reads its run's environment from it. */
    record Overrides(List<ContainerOverride> containerOverrides) {
    }
}
