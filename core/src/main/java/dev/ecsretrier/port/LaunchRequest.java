package dev.ecsretrier.port;

import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.core.EnvironmentVariable;
import java.util.List;
import java.util.Map;

/**
 * Everything one {@code RunTask} call needs, decided by the core; adapters only translate it.
 *
 * @param command         the container's command override, or null to keep the image's
 * @param environment     the container's environment overrides, {@code RETRIER_*} included
 * @param launchType      FARGATE / EC2 / EXTERNAL, or null when a capacity provider strategy is used
 * @param cpu             task-level cpu override (ECS units as a string), or null
 * @param memory          task-level memory override (MiB as a string), or null
 */
public record LaunchRequest(String cluster, String taskDefinition, String startedBy, String clientToken,
                            String containerName, List<String> command, List<EnvironmentVariable> environment,
                            Map<String, String> tags, String launchType,
                            List<CapacityProviderItem> capacityProviderStrategy, NetworkSettings network,
                            String cpu, String memory) {

    /** awsvpc network configuration; empty subnets means none is sent. */
    public record NetworkSettings(List<String> subnets, List<String> securityGroups, boolean assignPublicIp) {
        public NetworkSettings {
            subnets = List.copyOf(subnets);
            securityGroups = List.copyOf(securityGroups);
        }

        public boolean isEmpty() {
            return subnets.isEmpty();
        }
    }
}
