package dev.ecsretrier.local.serve;

import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.TaskSize;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.local.ecs.LocalEcs;
import dev.ecsretrier.port.LaunchRequest;
import dev.ecsretrier.port.LaunchResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

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
    /** https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html: clientToken, tags (startedBy: {@link RetrierConfig#STARTED_BY}). */
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
    /**
     * ListTasks: "When you specify startedBy as the filter, it must be the only filter that you use"
     * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html, startedBy). ECS
     * answers family or launchType beside it with InvalidParameterException in these words, as reported
     * in https://github.com/aws/aws-sdk-go-v2/issues/1893; serviceName and containerInstance are the
     * other filters. desiredStatus (RUNNING when not given) is served beside startedBy: it picks which
     * of the tasks are listed rather than filtering them further, and well-used clients send the two
     * together (Apache Airflow's EcsRunTaskOperator re-attaches with startedBy and
     * desiredStatus=RUNNING; the operate commands list RUNNING, then STOPPED). The reference does not
     * say so in as many words: if ECS refused it, the operate commands' RunTasks would fail on AWS too.
     */
    static final String STARTED_BY_ALONE = "cannot specify startedBy with other arguments";

    private final LocalEcs ecs;
    private final String defaultContainer;
    private final Consumer<String> log;

    /** @param defaultContainer the task definition's container, for a RunTask without a container override */
    EcsApi(LocalEcs ecs, String defaultContainer, Consumer<String> log) {
        this.ecs = ecs;
        this.defaultContainer = defaultContainer;
        this.log = log;
    }

    // The request bodies: the members serve reads, named as ECS spells them (JSON 1.1 sends them as
    // they are); the others (group, placementConstraints, propagateTags, ...) are skipped.
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/

    /** API_RunTask.html */
    record RunTaskBody(String cluster, String taskDefinition, Integer count, String startedBy, String clientToken,
                       String launchType, List<CapacityProviderStrategyItem> capacityProviderStrategy,
                       NetworkConfiguration networkConfiguration, TaskOverride overrides, List<Tag> tags) {
    }

    /** API_CapacityProviderStrategyItem.html */
    record CapacityProviderStrategyItem(String capacityProvider, Integer weight, Integer base) {
    }

    /** API_NetworkConfiguration.html, API_AwsVpcConfiguration.html */
    record NetworkConfiguration(AwsVpcConfiguration awsvpcConfiguration) {
        record AwsVpcConfiguration(List<String> subnets, List<String> securityGroups, String assignPublicIp) {
        }
    }

    /**
     * API_TaskOverride.html: a LIST of container overrides, one per container of the task definition
     * that is overridden, as ECS takes it; task-level cpu and memory as ECS's strings.
     */
    record TaskOverride(List<ContainerOverride> containerOverrides, String cpu, String memory,
                        EphemeralStorage ephemeralStorage, String executionRoleArn, String taskRoleArn) {
        record EphemeralStorage(Integer sizeInGiB) {
        }
    }

    /** API_ContainerOverride.html: container-level cpu and memory are integers (CPU units, MiB). */
    record ContainerOverride(String name, List<String> command, List<KeyValuePair> environment,
                             List<TypedValue> environmentFiles, Integer cpu, Integer memory, Integer memoryReservation,
                             List<TypedValue> resourceRequirements) {
    }

    /** API_KeyValuePair.html */
    record KeyValuePair(String name, String value) {
    }

    /** API_EnvironmentFile.html, API_ResourceRequirement.html: both a type and a value. */
    record TypedValue(String type, String value) {
    }

    /** API_Tag.html */
    record Tag(String key, String value) {
    }

    /** API_DescribeTasks.html */
    record DescribeTasksBody(String cluster, List<String> tasks, List<String> include) {
    }

    /** API_StopTask.html */
    record StopTaskBody(String cluster, String task, String reason) {
    }

    /** API_ListTasks.html */
    record ListTasksBody(String cluster, String containerInstance, String family, String startedBy,
                         String serviceName, String desiredStatus, String launchType, Integer maxResults,
                         String nextToken) {
    }

    // The answers, written by the functions' one writer (dev.ecsretrier.json.Json): a null member is left out.

    /** API_Task.html, the members the local task has. Timestamps are epoch seconds, as JSON 1.1 sends them. */
    record Task(String taskArn, String clusterArn, String taskDefinitionArn, String lastStatus, String desiredStatus,
                String startedBy, String launchType, String capacityProviderName, String cpu, String memory,
                int version, Double createdAt, Double startedAt, Double stoppedAt, String stopCode,
                String stoppedReason, TaskOverride overrides, List<Container> containers, List<Tag> tags) {
    }

    /** API_Container.html */
    record Container(String name, String taskArn, String lastStatus, Integer exitCode, String reason) {
    }

    /** API_Failure.html */
    record Failure(String arn, String reason, String detail) {
    }

    record TasksAnswer(List<Task> tasks, List<Failure> failures) {
    }

    record StopTaskAnswer(Task task) {
    }

    record ListTasksAnswer(List<String> taskArns, String nextToken) {
    }

    /** JSON 1.1's error shape: the modeled exception's name in {@code __type}. */
    record ErrorAnswer(String __type, String message) {
    }

    @Override
    public Optional<WireResponse> answer(WireRequest request) {
        return Json11Request.answerBody(request, TARGET_PREFIX, this::answer);
    }

    private WireResponse answer(String operation, byte[] body) {
        try {
            return switch (operation) {
                case "RunTask" -> runTask(WireBody.read(body, RunTaskBody.class));
                case "DescribeTasks" -> describeTasks(WireBody.read(body, DescribeTasksBody.class));
                case "StopTask" -> stopTask(WireBody.read(body, StopTaskBody.class));
                case "ListTasks" -> listTasks(WireBody.read(body, ListTasksBody.class));
                default -> error(400, "UnknownOperationException", "ECS " + operation
                        + " is not served locally; only RunTask, DescribeTasks, StopTask and ListTasks");
            };
        } catch (WireBody.Refused e) {
            String type = e.notJson() ? "SerializationException" : "InvalidParameterException";
            log.accept("ecs " + operation + ": " + type + ": " + e.getMessage());
            return error(400, type, e.getMessage());
        } catch (InvalidParameter e) {
            log.accept("ecs " + operation + ": InvalidParameterException: " + e.getMessage());
            return error(400, "InvalidParameterException", e.getMessage());
        }
    }

    private static String cluster(String cluster) {
        return cluster == null ? "default" : cluster;
    }

    private WireResponse runTask(RunTaskBody body) {
        String cluster = cluster(body.cluster());
        if (!ecs.hasCluster(cluster)) {
            return clusterNotFound("RunTask", cluster);
        }
        LaunchRequest launch = launchRequest(body, cluster);
        LaunchResult result = ecs.launch(launch);
        List<Task> tasks = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
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
            failures.add(new Failure(null, failed.reason(), failed.detail()));
            log.accept("ecs run-task: failures[] " + failed.reason() + (failed.detail() == null ? "" : ": " + failed.detail()));
        }
        return ok(new TasksAnswer(tasks, failures));
    }

    private WireResponse describeTasks(DescribeTasksBody body) {
        String cluster = cluster(body.cluster());
        if (!ecs.hasCluster(cluster)) {
            return clusterNotFound("DescribeTasks", cluster);
        }
        List<String> arns = body.tasks() == null ? List.of() : body.tasks();
        if (arns.isEmpty() || arns.size() > MAX_DESCRIBED_TASKS) {
            throw new InvalidParameter("tasks must list 1 to " + MAX_DESCRIBED_TASKS + " task ARNs");
        }
        boolean tags = body.include() != null && body.include().contains("TAGS");
        List<Task> tasks = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        for (String arn : arns) {
            Optional<LocalEcs.TaskState> state = ecs.state(cluster, arn == null ? "" : arn);
            if (state.isPresent()) {
                tasks.add(task(state.get(), tags));
            } else {
                failures.add(new Failure(arn, "MISSING", null));
            }
        }
        log.accept("ecs describe-tasks: " + tasks.size() + " found, " + failures.size() + " missing");
        return ok(new TasksAnswer(tasks, failures));
    }

    /**
     * ListTasks (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html): task
     * ARNs filtered by startedBy, family, launchType and desiredStatus (RUNNING unless asked; a task
     * StopTask was called on is STOPPED at once); stopped tasks stay listed while ECS keeps them.
     * maxResults 1 to 100 (100 by default), and a nextToken while more remain. No local task belongs
     * to a service or a container instance, so those filters list none.
     */
    private WireResponse listTasks(ListTasksBody body) {
        String cluster = cluster(body.cluster());
        if (!ecs.hasCluster(cluster)) {
            return clusterNotFound("ListTasks", cluster);
        }
        if (body.startedBy() != null && (body.family() != null || body.serviceName() != null
                || body.launchType() != null || body.containerInstance() != null)) {
            throw new InvalidParameter(STARTED_BY_ALONE);
        }
        int maxResults = body.maxResults() == null ? MAX_LISTED_TASKS : body.maxResults();
        if (maxResults < 1 || maxResults > MAX_LISTED_TASKS) {
            throw new InvalidParameter("maxResults must be between 1 and " + MAX_LISTED_TASKS + ", got " + maxResults);
        }
        String desiredStatus = body.desiredStatus() == null ? "RUNNING" : body.desiredStatus();
        if (!List.of("RUNNING", "PENDING", "STOPPED").contains(desiredStatus)) {
            throw new InvalidParameter("desiredStatus must be RUNNING, PENDING or STOPPED, got " + desiredStatus);
        }
        String startedBy = body.startedBy();
        String family = body.family();
        String launchType = body.launchType();
        boolean noneCanMatch = body.serviceName() != null || body.containerInstance() != null;
        int from = PageToken.offset(body.nextToken())
                .orElseThrow(() -> new InvalidParameter("nextToken is not one this endpoint returned"));
        List<String> matching = ecs.states(cluster).stream()
                .filter(state -> !noneCanMatch)
                .filter(state -> desiredStatus(state).equals(desiredStatus))
                .filter(state -> startedBy == null || startedBy.equals(state.request().startedBy()))
                .filter(state -> family == null || family.equals(family(state.taskDefinitionArn())))
                .filter(state -> launchType == null || launchType.equals(state.request().launchType()))
                .map(LocalEcs.TaskState::taskArn)
                .toList();
        List<String> page = matching.stream().skip(from).limit(maxResults).toList();
        String next = from + maxResults < matching.size() ? PageToken.of(from + maxResults) : null;
        log.accept("ecs list-tasks: " + page.size() + " of " + matching.size() + " " + desiredStatus
                + (startedBy == null ? "" : ", startedBy " + startedBy));
        return ok(new ListTasksAnswer(page, next));
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

    private WireResponse stopTask(StopTaskBody body) {
        String cluster = cluster(body.cluster());
        if (!ecs.hasCluster(cluster)) {
            return clusterNotFound("StopTask", cluster);
        }
        String taskArn = body.task() == null ? "" : body.task();
        if (ecs.state(cluster, taskArn).isEmpty()) {
            throw new InvalidParameter("The referenced task was not found.");
        }
        // Stopping a stopped task is not an error: ECS answers with the task as it is.
        boolean stopping = ecs.stopTask(cluster, taskArn, body.reason());
        log.accept("ecs stop-task: " + taskArn + (stopping ? " stopping" : " was already stopped or stopping"));
        return ok(new StopTaskAnswer(task(ecs.state(cluster, taskArn).orElseThrow(), false)));
    }

    /** RunTask's request as the local ECS takes it, checked against RunTask's documented limits. */
    private LaunchRequest launchRequest(RunTaskBody body, String cluster) {
        String taskDefinition = body.taskDefinition() == null ? "" : body.taskDefinition();
        if (taskDefinition.isEmpty()) {
            throw new InvalidParameter("taskDefinition is required");
        }
        int count = body.count() == null ? 1 : body.count();
        if (count != 1) {
            throw new InvalidParameter("count is " + count + ": the local ECS starts one task per RunTask");
        }
        String startedBy = body.startedBy();
        if (startedBy != null && !RetrierConfig.STARTED_BY.matcher(startedBy).matches()) {
            throw new InvalidParameter("startedBy must be 1 to 128 letters, digits, '-', '/' or '_'");
        }
        String clientToken = body.clientToken();
        if (clientToken != null && (clientToken.isEmpty() || clientToken.length() > MAX_CLIENT_TOKEN)) {
            throw new InvalidParameter("clientToken must be 1 to " + MAX_CLIENT_TOKEN + " characters, got "
                    + clientToken.length());
        }
        TaskOverride overrides = body.overrides();
        // Counted on the overrides' JSON as written back from the members ECS documents.
        int overridesLength = overrides == null ? 0 : Json.write(overrides).length();
        if (overridesLength > MAX_OVERRIDES_CHARACTERS) {
            throw new InvalidParameter("overrides are " + overridesLength + " characters of JSON; at most "
                    + MAX_OVERRIDES_CHARACTERS + " are allowed");
        }
        // One local process per container override; without any, the task definition's container runs as it is.
        List<dev.ecsretrier.core.ContainerOverride> containers = new ArrayList<>();
        for (ContainerOverride container : overrides == null || overrides.containerOverrides() == null
                ? List.<ContainerOverride>of() : overrides.containerOverrides()) {
            List<String> command = container.command() == null ? null
                    : container.command().stream().map(word -> word == null ? "" : word).toList();
            List<EnvironmentVariable> environment = new ArrayList<>();
            if (container.environment() != null) {
                for (KeyValuePair variable : container.environment()) {
                    environment.add(new EnvironmentVariable(variable.name() == null ? "" : variable.name(),
                            variable.value() == null ? "" : variable.value()));
                }
            }
            containers.add(new dev.ecsretrier.core.ContainerOverride(
                    container.name() == null ? defaultContainer : container.name(), command, environment));
        }
        if (containers.isEmpty()) {
            containers.add(new dev.ecsretrier.core.ContainerOverride(defaultContainer, null, List.of()));
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (Tag tag : body.tags() == null ? List.<Tag>of() : body.tags()) {
            String key = tag.key() == null ? "" : tag.key();
            String value = tag.value() == null ? "" : tag.value();
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
        for (CapacityProviderStrategyItem item : body.capacityProviderStrategy() == null
                ? List.<CapacityProviderStrategyItem>of() : body.capacityProviderStrategy()) {
            strategy.add(new CapacityProviderItem(item.capacityProvider() == null ? "" : item.capacityProvider(),
                    item.weight(), item.base()));
        }
        String launchType = body.launchType();
        if (launchType != null && !strategy.isEmpty()) {
            throw new InvalidParameter("Specifying both a launch type and capacity provider strategy is not supported."
                    + " Remove one and try again.");
        }
        NetworkConfiguration.AwsVpcConfiguration vpc = body.networkConfiguration() == null ? null
                : body.networkConfiguration().awsvpcConfiguration();
        LaunchRequest.NetworkSettings network = vpc == null ? null
                : new LaunchRequest.NetworkSettings(texts(vpc.subnets()), texts(vpc.securityGroups()),
                        "ENABLED".equals(vpc.assignPublicIp()));
        String cpu = overrides == null ? null : overrides.cpu();
        String memory = overrides == null ? null : overrides.memory();
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

    /** A task in DescribeTasks' shape. */
    static Task task(LocalEcs.TaskState state, boolean withTags) {
        LaunchRequest request = state.request();
        String capacityProvider = request.launchType() == null && !request.capacityProviderStrategy().isEmpty()
                ? request.capacityProviderStrategy().get(0).capacityProvider() : null;
        List<ContainerOverride> containerOverrides = request.containers().stream()
                .map(given -> new ContainerOverride(given.name(), given.command(), given.environmentOrEmpty().stream()
                        .map(v -> new KeyValuePair(v.name(), v.value())).toList(), null, null, null, null, null))
                .toList();
        TaskOverride overrides = new TaskOverride(containerOverrides, request.size() == null ? null : request.size().cpuText(),
                request.size() == null ? null : request.size().memoryText(), null, null, null);
        List<Container> containers = state.containers().stream()
                .map(exit -> new Container(exit.name(), state.taskArn(), state.lastStatus(), exit.exitCode(), exit.reason()))
                .toList();
        List<Tag> tags = withTags
                ? request.tags().entrySet().stream().map(t -> new Tag(t.getKey(), t.getValue())).toList() : null;
        return new Task(state.taskArn(), state.clusterArn(), state.taskDefinitionArn(), state.lastStatus(),
                desiredStatus(state), request.startedBy(), request.launchType(), capacityProvider, state.cpu(),
                state.memory(), state.version(), epochSeconds(state.createdAt()), epochSeconds(state.startedAt()),
                epochSeconds(state.stoppedAt()), state.stopCode(), state.stoppedReason(), overrides,
                containers, tags);
    }

    private static Double epochSeconds(Instant time) {
        return time == null ? null : time.toEpochMilli() / 1000.0;
    }

    private static List<String> texts(List<String> texts) {
        return texts == null ? List.of() : texts.stream().map(t -> t == null ? "" : t).toList();
    }

    private WireResponse clusterNotFound(String operation, String cluster) {
        log.accept("ecs " + operation + ": ClusterNotFoundException: " + cluster);
        return error(400, "ClusterNotFoundException", "Cluster not found.");
    }

    private static WireResponse ok(Record answer) {
        return new WireResponse(200, JSON_11, Map.of(), Json.writeBytes(answer));
    }

    /** JSON 1.1's error shape: the modeled exception's name in {@code __type}. */
    static WireResponse error(int status, String type, String message) {
        return new WireResponse(status, JSON_11, Map.of("x-amzn-ErrorType", type),
                Json.writeBytes(new ErrorAnswer(type, message)));
    }

    /** A request ECS refuses with InvalidParameterException. */
    private static final class InvalidParameter extends RuntimeException {
        InvalidParameter(String message) {
            super(message);
        }
    }
}
