package dev.ecsretrier.handler;

import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.port.LaunchRequest;
import java.util.ArrayList;
import java.util.List;

/** Builds one attempt's {@code RunTask} from the configuration, the attempt metadata and the user's overrides. */
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
        return new LaunchRequest(config.cluster(), config.taskDefinition(), config.startedBy(),
                AttemptMetadata.attemptKey(metadata.runId(), metadata.attempt()), config.containerName(), command,
                environment, metadata.tags(), config.launchType(), config.capacityProviderStrategy(),
                config.network(), null, null);
    }
}
