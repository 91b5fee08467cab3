package dev.ecsretrier.port;

import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.TaskSize;
import dev.ecsretrier.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one {@code RunTask} call needs, decided by the core; adapters only translate it.
 *
 * @param containers      one override per container, in RunTask's {@code overrides.containerOverrides} order: each
 *                        overridable container's command (null to keep the image's) and environment, {@code RETRIER_*}
 *                        included; empty for a RunTask that overrides no container
 * @param launchType      FARGATE / EC2 / EXTERNAL, or null when a capacity provider strategy is used
 * @param size            the task-level cpu and memory override (memory escalation), or null for the task definition's
 */
public record LaunchRequest(String cluster, String taskDefinition, String startedBy, String clientToken,
                            List<ContainerOverride> containers, Map<String, String> tags, String launchType,
                            List<CapacityProviderItem> capacityProviderStrategy, NetworkSettings network,
                            TaskSize size) {

    public LaunchRequest {
        containers = List.copyOf(containers);
    }

    /** The override of the container named so, if this launch has one. */
    public Optional<ContainerOverride> container(String name) {
        return containers.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /**
     * The {@code overrides} member of this launch's RunTask, as the SDK writes it: ECS allows "a total
     * of 8192 characters" for it, "including the JSON formatting characters of the override structure"
     * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html, overrides), every
     * container's override counted (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskOverride.html:
     * "one or more container overrides"), and answers more with
     * {@code InvalidParameterException: Container Overrides length must be at most 8192}.
     */
    public String overridesJson() {
        List<Map<String, Object>> containerOverrides = containers.stream().map(override -> {
            Map<String, Object> container = new LinkedHashMap<>();
            container.put("name", override.name());
            if (override.command() != null) {
                container.put("command", override.command());
            }
            container.put("environment", override.environmentOrEmpty().stream().map(v -> {
                Map<String, String> pair = new LinkedHashMap<>();
                pair.put("name", v.name());
                pair.put("value", v.value());
                return pair;
            }).toList());
            return container;
        }).toList();
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put("containerOverrides", containerOverrides);
        if (size != null) {
            overrides.put("cpu", size.cpuText());
            overrides.put("memory", size.memoryText());
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
