package dev.ecsretrier.infra;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.json.Json;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awscdk.IStableStringProducer;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.ISubnet;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ecs.CapacityProviderStrategy;
import software.amazon.awscdk.services.ecs.ContainerDefinition;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.ITaskDefinition;
import software.amazon.awscdk.services.ecs.LaunchType;
import software.amazon.awscdk.services.ecs.NetworkMode;
import software.amazon.awscdk.services.ecs.TaskDefinition;
import software.constructs.Construct;

/**
 * The props as the functions read them: one environment variable per {@link Setting}, written the way
 * {@code RetrierConfig} parses it. What the task runs on and how it retries; the loop's own resources (schedule group,
 * roles, queue, topic) are added by {@link EcsRetrier}.
 */
final class FunctionEnvironment {

    private FunctionEnvironment() {
    }

    /** The variables the props decide; the task security group is created in {@code scope} when one is needed. */
    static Map<String, String> configured(Construct scope, EcsRetrierProps props, String startedBy) {
        ICluster cluster = props.cluster();
        boolean oneJob = props.jobs().isEmpty();
        Map<String, String> env = new LinkedHashMap<>();
        env.put(Setting.CLUSTER.variable(), cluster.getClusterArn());
        if (oneJob) {
            env.put(Setting.TASK_DEFINITION.variable(), props.taskDefinition().getTaskDefinitionArn());
            putContainerNames(env, props);
        }
        env.put(Setting.STARTED_BY.variable(), startedBy);
        boolean awsvpc = oneJob ? props.taskDefinition().getNetworkMode() == NetworkMode.AWS_VPC
                : props.jobs().values().stream().anyMatch(job -> job.taskDefinition().getNetworkMode() == NetworkMode.AWS_VPC);
        List<? extends ISecurityGroup> groups = !awsvpc ? List.of() : props.securityGroups() != null ? props.securityGroups()
                : List.of(SecurityGroup.Builder.create(scope, "TaskSecurityGroup")
                        .vpc(cluster.getVpc())
                        .description("ecs-retrier tasks: no inbound, all outbound")
                        .allowAllOutbound(true)
                        .build());
        launch(props, env, awsvpc, groups, false);
        policy(props, env, oneJob ? essentialContainers(props) : null);
        return env;
    }

    /**
     * One job's settings as its entry in the jobs file ({@link JobsFile}): what it runs and its whole policy. The task
     * definition is named by family when it is one of the stack's, whose ARN is a token the file cannot hold.
     */
    static Map<String, String> jobSettings(EcsRetrierProps job) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(Setting.TASK_DEFINITION.variable(), taskDefinitionReference(job.taskDefinition()));
        putContainerNames(settings, job);
        boolean awsvpc = job.taskDefinition().getNetworkMode() == NetworkMode.AWS_VPC;
        // A job without security groups of its own keeps the construct's (the environment's, maybe the created group).
        launch(job, settings, awsvpc, job.securityGroups(), true);
        policy(job, settings, job.essentialContainers() != null ? String.join(",", job.essentialContainers())
                : String.join(",", essentialContainerNames(job)));
        return settings;
    }

    /**
     * An in-stack definition by its family (known at synthesis; RunTask then runs its latest ACTIVE revision, the one
     * this stack registered), an imported one by its ARN.
     */
    private static String taskDefinitionReference(ITaskDefinition taskDefinition) {
        return taskDefinition instanceof TaskDefinition defined ? defined.getFamily() : taskDefinition.getTaskDefinitionArn();
    }

    /**
     * Where and on what a task of {@code props} runs: the launch type or the capacity provider strategy (the other one
     * empty when {@code clear}, so that a job's choice replaces the construct's), and for an awsvpc task its subnets,
     * security groups ({@code groups} null: left out) and public IP; for another task no subnets when {@code clear} (ECS
     * refuses a network configuration for it).
     */
    private static void launch(EcsRetrierProps props, Map<String, String> env, boolean awsvpc, List<? extends ISecurityGroup> groups,
            boolean clear) {
        if (props.capacityProviderStrategies().isEmpty()) {
            LaunchType launchType = props.launchType() != null ? props.launchType() : LaunchType.FARGATE;
            env.put(Setting.LAUNCH_TYPE.variable(), launchType.name());
            clear(env, Setting.CAPACITY_PROVIDER_STRATEGY, clear);
        } else {
            clear(env, Setting.LAUNCH_TYPE, clear);
            env.put(Setting.CAPACITY_PROVIDER_STRATEGY.variable(), strategies(props.capacityProviderStrategies()));
        }
        if (awsvpc) {
            SubnetSelection selection = props.taskSubnets() != null ? props.taskSubnets() : SubnetSelection.builder().build();
            List<ISubnet> subnets = props.cluster().getVpc().selectSubnets(selection).getSubnets();
            env.put(Setting.SUBNETS.variable(), subnets.stream().map(ISubnet::getSubnetId).collect(Collectors.joining(",")));
            if (groups != null) {
                env.put(Setting.SECURITY_GROUPS.variable(), groups.stream().map(ISecurityGroup::getSecurityGroupId)
                        .collect(Collectors.joining(",")));
            }
            env.put(Setting.ASSIGN_PUBLIC_IP.variable(), props.assignPublicIp() ? "ENABLED" : "DISABLED");
        } else {
            clear(env, Setting.SUBNETS, clear);
            clear(env, Setting.SECURITY_GROUPS, clear);
        }
    }

    /** An empty value: the setting's default, over a value the environment may hold. */
    private static void clear(Map<String, String> env, Setting setting, boolean clear) {
        if (clear) {
            env.put(setting.variable(), "");
        }
    }

    /** How a run of {@code props} retries; {@code essential} null leaves the essential containers out. */
    private static void policy(EcsRetrierProps props, Map<String, String> env, String essential) {
        if (props.maxAttempts() != null || props.infrastructureRetries() == null || props.applicationRetries() == null) {
            // Left out when only the two budgets are set: the functions then allow 1 + both budgets themselves.
            env.put(Setting.MAX_ATTEMPTS.variable(), Integer.toString(props.maxAttempts() != null ? props.maxAttempts()
                    : EcsRetrierProps.DEFAULT_MAX_ATTEMPTS));
        }
        env.put(Setting.BACKOFF_INITIAL_SECONDS.variable(), props.backoffInitialDelay().toSeconds().toString());
        env.put(Setting.BACKOFF_MULTIPLIER.variable(), decimal(props.backoffMultiplier()));
        env.put(Setting.BACKOFF_MAX_SECONDS.variable(), props.backoffMaxDelay().toSeconds().toString());
        env.put(Setting.BACKOFF_JITTER.variable(), props.backoffJitter().name());
        env.put(Setting.RETRYABLE_EXIT_CODES.variable(), props.retryableExitCodes().stream().map(String::valueOf).collect(Collectors.joining(",")));
        env.put(Setting.RULES.variable(), Json.write(props.rules()));
        if (essential != null) {
            env.put(Setting.ESSENTIAL_CONTAINERS.variable(), essential);
        }
        adaptiveRetries(props, env);
    }

    /** Only the adaptive props that are set: the functions keep their own default for the others. */
    private static void adaptiveRetries(EcsRetrierProps props, Map<String, String> env) {
        putIfSet(env, Setting.INFRASTRUCTURE_RETRIES, props.infrastructureRetries());
        putIfSet(env, Setting.APPLICATION_RETRIES, props.applicationRetries());
        if (!props.fallbackCapacityProviderStrategy().isEmpty()) {
            env.put(Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY.variable(), strategies(props.fallbackCapacityProviderStrategy()));
        }
        putIfSet(env, Setting.FALLBACK_AFTER_SPOT_FAILURES, props.fallbackAfterSpotFailures());
        putIfSet(env, Setting.MEMORY_ESCALATION, props.memoryEscalation());
        if (props.memoryFactor() != null) {
            env.put(Setting.MEMORY_FACTOR.variable(), decimal(props.memoryFactor()));
        }
        putIfSet(env, Setting.MEMORY_MAX_MIB, props.memoryCapMiB());
        putIfSet(env, Setting.ROTATE_SUBNETS, props.rotateSubnets());
        if (props.attemptTimeout() != null) {
            env.put(Setting.ATTEMPT_TIMEOUT_SECONDS.variable(), Long.toString(props.attemptTimeout().toSeconds().longValue()));
        }
        putIfSet(env, Setting.RETRY_ON_TIMEOUT, props.retryOnTimeout());
    }

    private static void putIfSet(Map<String, String> env, Setting setting, Object value) {
        if (value != null) {
            env.put(setting.variable(), value.toString());
        }
    }

    private static String decimal(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    /**
     * The containers start requests may override, as the functions read them: one as {@code RETRIER_CONTAINER_NAME},
     * several as {@code RETRIER_CONTAINER_NAMES}.
     */
    private static void putContainerNames(Map<String, String> env, EcsRetrierProps props) {
        List<String> names = containerNames(props);
        if (names.size() == 1) {
            env.put(Setting.CONTAINER_NAME.variable(), names.get(0));
        } else {
            env.put(Setting.CONTAINER_NAMES.variable(), String.join(",", names));
        }
    }

    /** The containers start requests may override: the given names, else {@link #containerName}. */
    static List<String> containerNames(EcsRetrierProps props) {
        return props.containerNames() != null ? props.containerNames() : List.of(containerName(props));
    }

    /** The container the starter overrides: the given name, else the task definition's default container. */
    static String containerName(EcsRetrierProps props) {
        if (props.containerName() != null) {
            return props.containerName();
        }
        if (props.taskDefinition() instanceof TaskDefinition defined && defined.getDefaultContainer() != null) {
            return defined.getDefaultContainer().getContainerName();
        }
        throw new IllegalArgumentException("containerName is required: the task definition " + props.taskDefinition().getNode().getPath()
                + " has no default container to take it from");
    }

    /**
     * The given names; else the task definition's essential containers, read at synthesis so that containers added
     * after the construct count too; else (an imported definition) the configured container. Never empty: the
     * functions would read empty as "every container", and a sidecar that ECS stops with exit code 137 would fail runs.
     */
    private static String essentialContainers(EcsRetrierProps props) {
        if (props.essentialContainers() != null) {
            return String.join(",", props.essentialContainers());
        }
        String configured = String.join(",", containerNames(props));
        if (!(props.taskDefinition() instanceof TaskDefinition defined)) {
            return configured;
        }
        return Lazy.string(new IStableStringProducer() {
            @Override
            public String produce() {
                List<String> essential = containers(defined).stream()
                        .filter(c -> !Boolean.FALSE.equals(c.getEssential()))
                        .map(ContainerDefinition::getContainerName)
                        .toList();
                return essential.isEmpty() ? configured : String.join(",", essential);
            }
        });
    }

    /** The essential containers CDK knows of now, else the configured container. */
    private static List<String> essentialContainerNames(EcsRetrierProps props) {
        if (props.taskDefinition() instanceof TaskDefinition defined) {
            List<String> essential = containers(defined).stream()
                    .filter(c -> !Boolean.FALSE.equals(c.getEssential()))
                    .map(ContainerDefinition::getContainerName)
                    .toList();
            if (!essential.isEmpty()) {
                return essential;
            }
        }
        return containerNames(props);
    }

    /** The containers CDK knows of: {@code TaskDefinition.getContainers()} is protected, its children are not. */
    static List<ContainerDefinition> containers(TaskDefinition definition) {
        return definition.getNode().getChildren().stream()
                .filter(ContainerDefinition.class::isInstance)
                .map(ContainerDefinition.class::cast)
                .toList();
    }

    private static String strategies(List<CapacityProviderStrategy> strategies) {
        return Json.write(strategies.stream().map(FunctionEnvironment::strategy).collect(Collectors.toList()));
    }

    private static Map<String, Object> strategy(CapacityProviderStrategy strategy) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("capacityProvider", strategy.getCapacityProvider());
        // Absent, not null: the starter reads weight and base as numbers that default to 0, as in ECS.
        if (strategy.getWeight() != null) {
            json.put("weight", strategy.getWeight().intValue());
        }
        if (strategy.getBase() != null) {
            json.put("base", strategy.getBase().intValue());
        }
        return json;
    }
}
