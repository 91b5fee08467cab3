package dev.ecsretrier.port;

import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.json.Json;
import java.util.LinkedHashMap;
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

    /**
     * The {@code overrides} member of this launch's RunTask, as the SDK writes it: ECS allows "a total
     * of 8192 characters" for it, "including the JSON formatting characters of the override structure"
     * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html, overrides), and
     * answers more with {@code InvalidParameterException: Container Overrides length must be at most 8192}.
     */
    public String overridesJson() {
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", containerName);
        if (command != null) {
            container.put("command", command);
        }
        container.put("environment", environment.stream().map(v -> {
            Map<String, String> pair = new LinkedHashMap<>();
            pair.put("name", v.name());
            pair.put("value", v.value());
            return pair;
        }).toList());
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put("containerOverrides", List.of(container));
        if (cpu != null) {
            overrides.put("cpu", cpu);
        }
        if (memory != null) {
            overrides.put("memory", memory);
        }
        return escapeSupplementaryCharacters(Json.write(overrides));
    }

    /** The SDK writes a character outside the BMP (an emoji) as two {@code \\uXXXX} escapes: 12 characters, not 2. */
    private static String escapeSupplementaryCharacters(String json) {
        StringBuilder out = new StringBuilder(json.length());
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (Character.isSurrogate(c)) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

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
