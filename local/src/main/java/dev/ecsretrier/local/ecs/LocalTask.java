package dev.ecsretrier.local.ecs;

import dev.ecsretrier.local.LaunchFault;
import dev.ecsretrier.local.LaunchKey;
import dev.ecsretrier.port.LaunchRequest;
import java.time.Instant;

/** One task of the local ECS and its lifecycle; fields change under the task's own lock. */
final class LocalTask {

    final String taskArn;
    final String taskId;
    final String taskDefinitionArn;
    final LaunchRequest request;
    final LaunchKey key;
    final LaunchFault.StopsTask fault;
    final Instant createdAt;

    String lastStatus = "PROVISIONING";
    /** ECS's {@code detail.version}: one more per state change. */
    int version = 1;
    TaskProgram.Execution execution;
    /** Set by StopTask. */
    String stopRequestedReason;
    Instant startedAt;
    Instant stoppingAt;
    Instant executionStoppedAt;
    Instant stoppedAt;
    String stopCode;
    String stoppedReason;
    String containerReason;
    Integer exitCode;
    String capacityProvider;

    LocalTask(String taskArn, String taskId, String taskDefinitionArn, LaunchRequest request, LaunchKey key,
              LaunchFault.StopsTask fault, Instant createdAt) {
        this.taskArn = taskArn;
        this.taskId = taskId;
        this.taskDefinitionArn = taskDefinitionArn;
        this.request = request;
        this.key = key;
        this.fault = fault;
        this.createdAt = createdAt;
    }

    boolean stopped() {
        return "STOPPED".equals(lastStatus);
    }
}
