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
    /** Task-level size as ECS reports it: the request's override, else the task definition's. */
    final String cpu;
    final String memory;
    /** Where the task's ENI goes: the request's first subnet, or null without a network configuration. */
    final String subnet;

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
    /** The first provider of the request's strategy; absent with a launch type. */
    String capacityProvider;
    /** The STOPPED event, once emitted. */
    String stoppedEvent;

    LocalTask(String taskArn, String taskId, String taskDefinitionArn, LaunchRequest request, LaunchKey key,
              LaunchFault.StopsTask fault, Instant createdAt, String cpu, String memory) {
        this.taskArn = taskArn;
        this.taskId = taskId;
        this.taskDefinitionArn = taskDefinitionArn;
        this.request = request;
        this.key = key;
        this.fault = fault;
        this.createdAt = createdAt;
        this.cpu = cpu;
        this.memory = memory;
        this.subnet = request.network() == null || request.network().subnets().isEmpty() ? null
                : request.network().subnets().get(0);
        if (!request.capacityProviderStrategy().isEmpty()) {
            this.capacityProvider = request.capacityProviderStrategy().get(0).capacityProvider();
        }
    }

    boolean stopped() {
        return "STOPPED".equals(lastStatus);
    }
}
