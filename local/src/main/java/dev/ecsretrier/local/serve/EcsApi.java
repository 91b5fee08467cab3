package dev.ecsretrier.local.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.TaskSize;
import dev.ecsretrier.local.LocalJson;
import dev.ecsretrier.local.ecs.LocalEcs;
import dev.ecsretrier.port.LaunchRequest;
import dev.ecsretrier.port.LaunchResult;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * ECS {@code RunTask}, {@code DescribeTasks}, {@code StopTask} and {@code ListTasks} over the local ECS, in ECS's
 * JSON 1.1 protocol ({@code X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>}); errors
 * as ECS's modeled exceptions ({@code __type}: ClientException, ClusterNotFoundException,
 * InvalidParameterException, ServerException, ThrottlingException).
 *
 * <p>One task per RunTask, with at most one container override (the local task has one container).
 */
final class EcsApi implements AwsApi {

    static final String TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113.";
    static final String JSON_11 = "application/x-amz-json-1.1";
    /** https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html: startedBy, clientToken, tags. */
    static final Pattern STARTED_BY = Pattern.compile("[A-Za-z0-9/_-]{1,128}");
    static final int MAX_CLIENT_TOKEN = 64;
    static final int MAX_TAGS = 50;
    static final int MAX_TAG_KEY = 128;
    static final int MAX_TAG_VALUE = 256;
    /** RunTask: "A total of 8192 characters are allowed for overrides", counted on the overrides' JSON. */
    static final int MAX_OVERRIDES_CHARACTERS = 8192;
    /** https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html: up to 100 tasks. */
    static final int MAX_DESCRIBED_TASKS = 100;
    /** ListTasks: maxResults 1 to 100, 100 when not given. */
    static final int MAX_LISTED_TASKS = 100;

    private final LocalEcs ecs;
    private final String defaultContainer;
    private final Consumer<String> log;

    /** @param defaultContainer the task definition's container, for a RunTask without a container override */
    EcsApi(LocalEcs ecs, String defaultContainer, Consumer<String> log) {
        this.ecs = ecs;
        this.defaultContainer = defaultContainer;
        this.log = log;
    }

    @Override
    public Optional<WireResponse> answer(WireRequest request) {
        return Json11Request.answer(request, TARGET_PREFIX, this::answer);
    }

    private WireResponse answer(String operation, JsonNode body) {
        try {
            return switch (operation) {
                case "RunTask" -> runTask(body);
                case "DescribeTasks" -> describeTasks(body);
                case "StopTask" -> stopTask(body);
                case "ListTasks" -> listTasks(body);
                default -> error(400, "UnknownOperationException", "ECS " + operation
                        + " is not served locally; only RunTask, DescribeTasks, StopTask and ListTasks");
            };
        } catch (InvalidParameter e) {
            log.accept("ecs " + operation + ": InvalidParameterException: " + e.getMessage());
            return error(400, "InvalidParameterException", e.getMessage());
        }
    }

    private WireResponse runTask(JsonNode body) {
        String cluster = body.path("cluster").asText("default");
        if (!ecs.hasCluster(cluster)) {
            return clusterNotFound("RunTask", cluster);
        }
        LaunchRequest launch = launchRequest(body, cluster);
        LaunchResult result = ecs.launch(launch);
        ObjectNode response = LocalJson.MAPPER.createObjectNode();
        ArrayNode tasks = response.putArray("tasks");
        ArrayNode failures = response.putArray("failures");
        if (result instanceof LaunchResult.Started started) {
            ecs.state(cluster, started.taskArn()).ifPresent(state -> tasks.add(task(asCreated(state), true)));
            log.accept("ecs run-task: started " + started.taskArn() + " (client token " + launch.clientToken() + ")");
        } else if (result instanceof LaunchResult.Unavailable unavailable) {
            // The SDK retries both; its last answer is what the caller sees.
            log.accept("ecs run-task: " + unavailable.reason() + ": " + unavailable.detail());
            return "ThrottlingException".equals(unavailable.reason())
                    ? error(400, "ThrottlingException", unavailable.detail())
                    : error(500, "ServerException", unavailable.detail());
        } else {
            LaunchResult.Failed failed = (LaunchResult.Failed) result;
            if (failed.reason().endsWith("Exception")) {
                // A refused call, not a failures[] entry: ECS answers with the modeled exception.
                log.accept("ecs run-task: " + failed.reason() + ": " + failed.detail());
                return error(400, failed.reason(), failed.detail());
            }
            ObjectNode failure = failures.addObject();
            failure.put("reason", failed.reason());
            if (failed.detail() != null) {
                failure.put("detail", failed.detail());
            }
            log.accept("ecs run-task: failures[] " + failed.reason() + (failed.detail() == null ? "" : ": " + failed.detail()));
        }
        return ok(response);
    }

    private WireResponse describeTasks(JsonNode body) {
        String cluster = body.path("cluster").asText("default");
        if (!ecs.hasCluster(cluster)) {
            return clusterNotFound("DescribeTasks", cluster);
        }
        JsonNode arns = body.path("tasks");
        if (!arns.isArray() || arns.isEmpty() || arns.size() > MAX_DESCRIBED_TASKS) {
            throw new InvalidParameter("tasks must list 1 to " + MAX_DESCRIBED_TASKS + " task ARNs");
        }
        boolean tags = false;
        for (JsonNode field : body.path("include")) {
            tags |= "TAGS".equals(field.asText());
        }
        ObjectNode response = LocalJson.MAPPER.createObjectNode();
        ArrayNode tasks = response.putArray("tasks");
        ArrayNode failures = response.putArray("failures");
        for (JsonNode arn : arns) {
            Optional<LocalEcs.TaskState> state = ecs.state(cluster, arn.asText());
            if (state.isPresent()) {
                tasks.add(task(state.get(), tags));
            } else {
                failures.addObject().put("arn", arn.asText()).put("reason", "MISSING");
            }
        }
        log.accept("ecs describe-tasks: " + tasks.size() + " found, " + failures.size() + " missing");
        return ok(response);
    }

    /**
     * ListTasks (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html): task
     * ARNs filtered by startedBy, family, launchType and desiredStatus (RUNNING unless asked; a task
     * StopTask was called on is STOPPED at once); stopped tasks stay listed while ECS keeps them.
     * maxResults 1 to 100 (100 by default), and a nextToken while more remain.
     */
    private WireResponse listTasks(JsonNode body) {
        String cluster = body.path("cluster").asText("default");
        if (!ecs.hasCluster(cluster)) {
            return clusterNotFound("ListTasks", cluster);
        }
        int maxResults = body.path("maxResults").asInt(MAX_LISTED_TASKS);
        if (body.has("maxResults") && (maxResults < 1 || maxResults > MAX_LISTED_TASKS)) {
            throw new InvalidParameter("maxResults must be between 1 and " + MAX_LISTED_TASKS + ", got " + maxResults);
        }
        String desiredStatus = body.path("desiredStatus").asText("RUNNING");
        if (!List.of("RUNNING", "PENDING", "STOPPED").contains(desiredStatus)) {
            throw new InvalidParameter("desiredStatus must be RUNNING, PENDING or STOPPED, got " + desiredStatus);
        }
        String startedBy = body.path("startedBy").asText(null);
        String family = body.path("family").asText(null);
        String launchType = body.path("launchType").asText(null);
        int from = PageToken.offset(body.path("nextToken").asText(null))
                .orElseThrow(() -> new InvalidParameter("nextToken is not one this endpoint returned"));
        List<String> matching = ecs.states(cluster).stream()
                .filter(state -> desiredStatus(state).equals(desiredStatus))
                .filter(state -> startedBy == null || startedBy.equals(state.request().startedBy()))
                .filter(state -> family == null || family.equals(family(state.taskDefinitionArn())))
                .filter(state -> launchType == null || launchType.equals(state.request().launchType()))
                .map(LocalEcs.TaskState::taskArn)
                .toList();
        ObjectNode response = LocalJson.MAPPER.createObjectNode();
        ArrayNode arns = response.putArray("taskArns");
        matching.stream().skip(from).limit(maxResults).forEach(arns::add);
        if (from + maxResults < matching.size()) {
            response.put("nextToken", PageToken.of(from + maxResults));
        }
        log.accept("ecs list-tasks: " + arns.size() + " of " + matching.size() + " " + desiredStatus
                + (startedBy == null ? "" : ", startedBy " + startedBy));
        return ok(response);
    }

    /** The desired status ECS gives a task: STOPPED once it stopped or StopTask was called. */
    static String desiredStatus(LocalEcs.TaskState state) {
        return state.stopRequested() || "STOPPED".equals(state.lastStatus()) ? "STOPPED" : "RUNNING";
    }

    /** {@code arn:...:task-definition/sample-task:1} is of family {@code sample-task}. */
    static String family(String taskDefinitionArn) {
        String name = taskDefinitionArn.substring(taskDefinitionArn.lastIndexOf('/') + 1);
        int revision = name.lastIndexOf(':');
        return revision < 0 ? name : name.substring(0, revision);
    }

    private WireResponse stopTask(JsonNode body) {
        String cluster = body.path("cluster").asText("default");
        if (!ecs.hasCluster(cluster)) {
            return clusterNotFound("StopTask", cluster);
        }
        String taskArn = body.path("task").asText("");
        if (ecs.state(cluster, taskArn).isEmpty()) {
            throw new InvalidParameter("The referenced task was not found.");
        }
        // Stopping a stopped task is not an error: ECS answers with the task as it is.
        boolean stopping = ecs.stopTask(cluster, taskArn, body.path("reason").asText(null));
        ObjectNode response = LocalJson.MAPPER.createObjectNode();
        response.set("task", task(ecs.state(cluster, taskArn).orElseThrow(), false));
        log.accept("ecs stop-task: " + taskArn + (stopping ? " stopping" : " was already stopped or stopping"));
        return ok(response);
    }

    /** RunTask's request as the local ECS takes it, checked against RunTask's documented limits. */
    private LaunchRequest launchRequest(JsonNode body, String cluster) {
        String taskDefinition = body.path("taskDefinition").asText("");
        if (taskDefinition.isEmpty()) {
            throw new InvalidParameter("taskDefinition is required");
        }
        int count = body.path("count").asInt(1);
        if (count != 1) {
            throw new InvalidParameter("count is " + count + ": the local ECS starts one task per RunTask");
        }
        String startedBy = body.path("startedBy").asText(null);
        if (startedBy != null && !STARTED_BY.matcher(startedBy).matches()) {
            throw new InvalidParameter("startedBy must be 1 to 128 letters, digits, '-', '/' or '_'");
        }
        String clientToken = body.path("clientToken").asText(null);
        if (clientToken != null && (clientToken.isEmpty() || clientToken.length() > MAX_CLIENT_TOKEN)) {
            throw new InvalidParameter("clientToken must be 1 to " + MAX_CLIENT_TOKEN + " characters, got "
                    + clientToken.length());
        }
        JsonNode overrides = body.path("overrides");
        if (overrides.isObject() && LocalJson.write(overrides).length() > MAX_OVERRIDES_CHARACTERS) {
            throw new InvalidParameter("overrides are " + LocalJson.write(overrides).length()
                    + " characters of JSON; at most " + MAX_OVERRIDES_CHARACTERS + " are allowed");
        }
        // One local process per container override; without any, the task definition's container runs as it is.
        List<ContainerOverride> containers = new ArrayList<>();
        for (JsonNode container : overrides.path("containerOverrides")) {
            List<String> command = null;
            if (container.path("command").isArray()) {
                command = new ArrayList<>();
                for (JsonNode word : container.path("command")) {
                    command.add(word.asText());
                }
            }
            List<EnvironmentVariable> environment = new ArrayList<>();
            for (JsonNode variable : container.path("environment")) {
                environment.add(new EnvironmentVariable(variable.path("name").asText(), variable.path("value").asText("")));
            }
            containers.add(new ContainerOverride(container.path("name").asText(defaultContainer), command, environment));
        }
        if (containers.isEmpty()) {
            containers.add(new ContainerOverride(defaultContainer, null, List.of()));
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (JsonNode tag : body.path("tags")) {
            String key = tag.path("key").asText("");
            String value = tag.path("value").asText("");
            if (key.isEmpty() || key.length() > MAX_TAG_KEY || value.length() > MAX_TAG_VALUE) {
                throw new InvalidParameter("tag '" + key + "': keys are 1 to " + MAX_TAG_KEY + " characters, values at most "
                        + MAX_TAG_VALUE + "; this value has " + value.length());
            }
            tags.put(key, value);
        }
        if (tags.size() > MAX_TAGS) {
            throw new InvalidParameter(tags.size() + " tags: at most " + MAX_TAGS + " are allowed");
        }
        List<CapacityProviderItem> strategy = new ArrayList<>();
        for (JsonNode item : body.path("capacityProviderStrategy")) {
            strategy.add(new CapacityProviderItem(item.path("capacityProvider").asText(),
                    item.has("weight") ? item.path("weight").asInt() : null,
                    item.has("base") ? item.path("base").asInt() : null));
        }
        String launchType = body.path("launchType").asText(null);
        if (launchType != null && !strategy.isEmpty()) {
            throw new InvalidParameter("Specifying both a launch type and capacity provider strategy is not supported."
                    + " Remove one and try again.");
        }
        JsonNode vpc = body.path("networkConfiguration").path("awsvpcConfiguration");
        LaunchRequest.NetworkSettings network = vpc.isObject()
                ? new LaunchRequest.NetworkSettings(texts(vpc.path("subnets")), texts(vpc.path("securityGroups")),
                        "ENABLED".equals(vpc.path("assignPublicIp").asText()))
                : null;
        String cpu = overrides.path("cpu").asText(null);
        String memory = overrides.path("memory").asText(null);
        TaskSize size = TaskSize.parse(cpu, memory);
        if (size == null && (cpu != null || memory != null)) {
            throw new InvalidParameter("overrides cpu '" + cpu + "' and memory '" + memory + "': the local ECS takes a task"
                    + " size override as both, in whole CPU units and MiB (\"1024\", \"2048\")");
        }
        return new LaunchRequest(cluster, taskDefinition, startedBy, clientToken, containers, tags, launchType, strategy,
                network, size);
    }

    /**
     * The task as RunTask answers it: just created, PROVISIONING, whatever the local task (which
     * starts at once) has done since.
     */
    static LocalEcs.TaskState asCreated(LocalEcs.TaskState state) {
        return new LocalEcs.TaskState(state.taskArn(), state.clusterArn(), state.taskDefinitionArn(), state.request(),
                "PROVISIONING", false, state.cpu(), state.memory(), state.createdAt(), null, null, null, null,
                state.containers().stream().map(c -> new ContainerExit(c.name(), null, null)).toList(), 1);
    }

    /** A task in DescribeTasks' shape (timestamps in epoch seconds, as JSON 1.1 sends them). */
    static ObjectNode task(LocalEcs.TaskState state, boolean withTags) {
        LaunchRequest request = state.request();
        ObjectNode task = LocalJson.MAPPER.createObjectNode();
        task.put("taskArn", state.taskArn());
        task.put("clusterArn", state.clusterArn());
        task.put("taskDefinitionArn", state.taskDefinitionArn());
        task.put("lastStatus", state.lastStatus());
        task.put("desiredStatus", desiredStatus(state));
        if (request.startedBy() != null) {
            task.put("startedBy", request.startedBy());
        }
        if (request.launchType() != null) {
            task.put("launchType", request.launchType());
        } else if (!request.capacityProviderStrategy().isEmpty()) {
            task.put("capacityProviderName", request.capacityProviderStrategy().get(0).capacityProvider());
        }
        task.put("cpu", state.cpu());
        task.put("memory", state.memory());
        task.put("version", state.version());
        epochSeconds(task, "createdAt", state.createdAt());
        epochSeconds(task, "startedAt", state.startedAt());
        epochSeconds(task, "stoppedAt", state.stoppedAt());
        if (state.stopCode() != null) {
            task.put("stopCode", state.stopCode());
        }
        if (state.stoppedReason() != null) {
            task.put("stoppedReason", state.stoppedReason());
        }
        ObjectNode overrides = task.putObject("overrides");
        ArrayNode containerOverrides = overrides.putArray("containerOverrides");
        for (ContainerOverride given : request.containers()) {
            ObjectNode override = containerOverrides.addObject();
            override.put("name", given.name());
            if (given.command() != null) {
                ArrayNode command = override.putArray("command");
                given.command().forEach(command::add);
            }
            ArrayNode environment = override.putArray("environment");
            given.environmentOrEmpty().forEach(v -> environment.addObject().put("name", v.name()).put("value", v.value()));
        }
        if (request.size() != null) {
            overrides.put("cpu", request.size().cpuText());
            overrides.put("memory", request.size().memoryText());
        }
        ArrayNode containers = task.putArray("containers");
        for (ContainerExit exit : state.containers()) {
            ObjectNode container = containers.addObject();
            container.put("name", exit.name());
            container.put("taskArn", state.taskArn());
            container.put("lastStatus", state.lastStatus());
            if (exit.exitCode() != null) {
                container.put("exitCode", exit.exitCode());
            }
            if (exit.reason() != null) {
                container.put("reason", exit.reason());
            }
        }
        if (withTags) {
            ArrayNode tags = task.putArray("tags");
            request.tags().forEach((key, value) -> tags.addObject().put("key", key).put("value", value));
        }
        return task;
    }

    private static void epochSeconds(ObjectNode node, String field, Instant time) {
        if (time != null) {
            node.put(field, time.toEpochMilli() / 1000.0);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(t -> texts.add(t.asText()));
        return texts;
    }

    private WireResponse clusterNotFound(String operation, String cluster) {
        log.accept("ecs " + operation + ": ClusterNotFoundException: " + cluster);
        return error(400, "ClusterNotFoundException", "Cluster not found.");
    }

    private static WireResponse ok(ObjectNode response) {
        return new WireResponse(200, JSON_11, Map.of(), LocalJson.writeBytes(response));
    }

    /** JSON 1.1's error shape: the modeled exception's name in {@code __type}. */
    static WireResponse error(int status, String type, String message) {
        ObjectNode error = LocalJson.MAPPER.createObjectNode();
        error.put("__type", type);
        error.put("message", message);
        return new WireResponse(status, JSON_11, Map.of("x-amzn-ErrorType", type), LocalJson.writeBytes(error));
    }

    /** A request ECS refuses with InvalidParameterException. */
    private static final class InvalidParameter extends RuntimeException {
        InvalidParameter(String message) {
            super(message);
        }
    }
}
