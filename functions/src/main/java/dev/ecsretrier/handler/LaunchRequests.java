package dev.ecsretrier.handler;

import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.LaunchAdjustment;
import dev.ecsretrier.port.LaunchRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one attempt's {@code RunTask} from the configuration, the attempt metadata (with its
 * launch adjustment) and the user's overrides.
 */
final class LaunchRequests {

    private LaunchRequests() {
    }

    static LaunchRequest of(RetrierConfig config, AttemptMetadata metadata, List<ContainerOverride> userOverrides) {
        List<String> command = null;
        List<EnvironmentVariable> environment = new ArrayList<>();
        for (ContainerOverride override : userOverrides) {
            if (override.command() != null) {
                command = override.command();
            }
            environment.addAll(override.environmentOrEmpty());
        }
        environment.addAll(metadata.environment());
        LaunchAdjustment launch = metadata.launch();
        boolean otherCapacity = launch.capacityProviderStrategy() != null;
        LaunchRequest.NetworkSettings network = launch.subnetOffset() == null ? config.network()
                : new LaunchRequest.NetworkSettings(launch.order(config.network().subnets()),
                        config.network().securityGroups(), config.network().assignPublicIp());
        return new LaunchRequest(config.cluster(), config.taskDefinition(), config.startedBy(),
                AttemptMetadata.attemptKey(metadata.runId(), metadata.attempt()), config.containerName(), command,
                environment, metadata.tags(), otherCapacity ? null : config.launchType(),
                otherCapacity ? launch.capacityProviderStrategy() : config.capacityProviderStrategy(),
                network, launch.cpu(), launch.memory());
    }
}
