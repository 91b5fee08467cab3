package dev.ecsretrier.local.ecs;

import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.rule.StoppedTaskPattern;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code ECS Task State Change} event ECS emits when a task stops, in the shape of the
 * fixtures in core/ (taken from real events): envelope, containers, overrides, timestamps,
 * version. Tags are not in it, as in ECS.
 */
final class StoppedTaskEvent {

    /** Where the ENI of a task launched without subnets is said to be. */
    static final String NO_SUBNET = "subnet-local";

    private StoppedTaskEvent() {
    }

    static String json(LocalTask task, String region, String account, String image) {
        // A map, not a record: "detail-type" is not a Java name. Written by the functions' one writer.
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", StoppedTaskPattern.DETAIL_TYPE);
        event.put("source", StoppedTaskPattern.ECS_SOURCE);
        event.put("account", account);
        event.put("time", task.stoppedAt().truncatedTo(ChronoUnit.SECONDS).toString());
        event.put("region", region);
        event.put("resources", List.of(task.taskArn));
        event.put("detail", detail(task, region, account, image));
        return Json.write(event);
    }

    private static Map<String, Object> detail(LocalTask task, String region, String account, String image) {
        boolean started = task.startedAt() != null;
        Map<String, Object> d = new LinkedHashMap<>();
        String attachmentId = UUID.nameUUIDFromBytes((task.taskId + "/eni").getBytes()).toString();
        List<Map<String, Object>> eniDetails = new ArrayList<>();
        eniDetails.add(pair("subnetId", task.subnet != null ? task.subnet : NO_SUBNET));
        if (started) {
            eniDetails.add(pair("networkInterfaceId", "eni-" + task.taskId.substring(0, 17)));
            eniDetails.add(pair("privateIPv4Address", "127.0.0.1"));
        }
        Map<String, Object> eni = new LinkedHashMap<>();
        eni.put("id", attachmentId);
        eni.put("type", "eni");
        eni.put("status", "DELETED");
        eni.put("details", eniDetails);
        d.put("attachments", List.of(eni));
        d.put("attributes", List.of(pair("ecs.cpu-architecture", architecture())));
        d.put("availabilityZone", region + "a");
        if (task.capacityProvider() != null) {
            d.put("capacityProviderName", task.capacityProvider());
        }
        d.put("clusterArn", task.request.cluster());
        if (started) {
            d.put("connectivity", "CONNECTED");
            d.put("connectivityAt", time(task.createdAt));
        }
        List<Map<String, Object>> containers = new ArrayList<>();
        for (ContainerExit exit : task.containerExits()) {
            Map<String, Object> container = new LinkedHashMap<>();
            container.put("containerArn", "arn:aws:ecs:" + region + ":" + account + ":container/"
                    + clusterName(task.request.cluster()) + "/" + task.taskId + "/"
                    + UUID.nameUUIDFromBytes((task.taskId + "/" + exit.name()).getBytes()));
            if (exit.exitCode() != null) {
                container.put("exitCode", exit.exitCode());
            }
            container.put("lastStatus", "STOPPED");
            container.put("name", exit.name());
            container.put("image", image);
            if (started) {
                container.put("runtimeId", task.taskId + "-" + Integer.toUnsignedString((task.taskId + exit.name()).hashCode()));
            }
            container.put("taskArn", task.taskArn);
            if (exit.reason() != null) {
                container.put("reason", exit.reason());
            }
            container.put("cpu", "0");
            containers.add(container);
        }
        d.put("containers", containers);
        d.put("cpu", task.cpu);
        d.put("createdAt", time(task.createdAt));
        d.put("desiredStatus", "STOPPED");
        d.put("enableExecuteCommand", false);
        d.put("ephemeralStorage", Map.of("sizeInGiB", 20));
        if (task.executionStoppedAt() != null) {
            d.put("executionStoppedAt", time(task.executionStoppedAt()));
        }
        d.put("group", "family:" + family(task.taskDefinitionArn));
        d.put("launchType", task.request.launchType() != null ? task.request.launchType() : "FARGATE");
        d.put("lastStatus", "STOPPED");
        d.put("memory", task.memory);
        d.put("overrides", overrides(task));
        d.put("platformVersion", "1.4.0");
        if (started) {
            d.put("pullStartedAt", time(task.createdAt));
            d.put("pullStoppedAt", time(task.startedAt()));
            d.put("startedAt", time(task.startedAt()));
        }
        d.put("startedBy", task.request.startedBy());
        d.put("stoppingAt", time(task.stoppingAt()));
        d.put("stoppedAt", time(task.stoppedAt()));
        d.put("stoppedReason", task.stoppedReason());
        d.put("stopCode", task.stopCode());
        d.put("taskArn", task.taskArn);
        d.put("taskDefinitionArn", task.taskDefinitionArn);
        d.put("updatedAt", time(task.stoppedAt()));
        d.put("version", task.version());
        return d;
    }

    private static Map<String, Object> pair(String name, String value) {
        Map<String, Object> pair = new LinkedHashMap<>();
        pair.put("name", name);
        pair.put("value", value);
        return pair;
    }

    /** What RunTask was given, as ECS echoes it: each container's command and environment, task cpu/memory. */
    static Map<String, Object> overrides(LocalTask task) {
        List<Map<String, Object>> containers = new ArrayList<>();
        for (ContainerOverride override : task.request.containers()) {
            Map<String, Object> container = new LinkedHashMap<>();
            container.put("name", override.name());
            if (override.command() != null) {
                container.put("command", override.command());
            }
            List<Map<String, Object>> environment = new ArrayList<>();
            for (EnvironmentVariable variable : override.environmentOrEmpty()) {
                environment.add(pair(variable.name(), variable.value()));
            }
            container.put("environment", environment);
            containers.add(container);
        }
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put("containerOverrides", containers);
        if (task.request.size() != null) {
            overrides.put("cpu", task.request.size().cpuText());
            overrides.put("memory", task.request.size().memoryText());
        }
        return overrides;
    }

    static String clusterName(String clusterArn) {
        return clusterArn.substring(clusterArn.lastIndexOf('/') + 1);
    }

    static String family(String taskDefinitionArn) {
        String tail = taskDefinitionArn.substring(taskDefinitionArn.lastIndexOf('/') + 1);
        int colon = tail.indexOf(':');
        return colon < 0 ? tail : tail.substring(0, colon);
    }

    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static String architecture() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : "x86_64";
    }
}
