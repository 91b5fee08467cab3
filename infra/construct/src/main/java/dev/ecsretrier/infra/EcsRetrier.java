package dev.ecsretrier.infra;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.RunsEndedMetric;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.rule.StoppedTaskPattern;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awscdk.Arn;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.IStableStringProducer;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.Names;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.UniqueResourceNameOptions;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
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
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.CfnFunction;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IAlias;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.scheduler.ScheduleGroup;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;
import software.constructs.IValidation;

/**
 * The ecs-retrier loop around a cluster and task definition you already have: a starter function that runs the task,
 * an EventBridge rule that hands its stop to a classifier function, EventBridge Scheduler for the next attempt, and an
 * SNS topic for the outcome. Callers invoke {@link #getStarterAlias()}.
 */
public class EcsRetrier extends Construct {

    /** The alias every trigger invokes; the starter schedules later attempts through its own alias of this name. */
    public static final String ALIAS_NAME = "live";
    static final String STARTER_HANDLER = "dev.ecsretrier.handler.StarterHandler::handleRequest";
    static final String CLASSIFIER_HANDLER = "dev.ecsretrier.handler.ClassifierHandler::handleRequest";
    private static final Duration ALARM_PERIOD = Duration.minutes(5);

    private final String startedBy;
    private final Alias starterAlias;
    private final Alias classifierAlias;
    private final ITopic topic;
    private final ScheduleGroup scheduleGroup;
    private final Role schedulerRole;
    private final Map<String, IQueue> deadLetterQueues;
    private final Map<String, ILogGroup> logGroups = new LinkedHashMap<>();

    public EcsRetrier(Construct scope, String id, EcsRetrierProps props) {
        super(scope, id);
        ICluster cluster = props.cluster();
        startedBy = props.startedBy() != null ? props.startedBy() : defaultStartedBy();

        topic = props.topic() != null ? props.topic() : encryptedTopic();
        if (props.notificationEmail() != null) {
            topic.addSubscription(new EmailSubscription(props.notificationEmail()));
        }

        Queue starterFailures = deadLetterQueue("StarterFailures");
        Queue classifierFailures = deadLetterQueue("ClassifierFailures");
        Queue ruleFailures = deadLetterQueue("RuleDeliveryFailures");
        Queue scheduleFailures = deadLetterQueue("ScheduleDeliveryFailures");
        Map<String, IQueue> queues = new LinkedHashMap<>();
        queues.put("StarterFailures", starterFailures);
        queues.put("ClassifierFailures", classifierFailures);
        queues.put("RuleDeliveryFailures", ruleFailures);
        queues.put("ScheduleDeliveryFailures", scheduleFailures);
        deadLetterQueues = Collections.unmodifiableMap(queues);

        scheduleGroup = ScheduleGroup.Builder.create(this, "ScheduleGroup")
                // Deleting the group deletes its pending schedules: the loop goes with the stack.
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        schedulerRole = schedulerRole();

        Code code = props.functionsCode() != null ? props.functionsCode() : FunctionsJar.code();
        Map<String, String> environment = environment(props, scheduleFailures);
        Function starter = function("Starter", STARTER_HANDLER, code, environment, props);
        starterAlias = liveAlias(starter, starterFailures);

        // The starter cannot name its own alias ARN (a cycle); it derives it. The classifier is told.
        Map<String, String> classifierEnvironment = new LinkedHashMap<>(environment);
        classifierEnvironment.put(Setting.STARTER_ARN.variable(), starterAlias.getFunctionArn());
        Function classifier = function("Classifier", CLASSIFIER_HANDLER, code, classifierEnvironment, props);
        classifierAlias = liveAlias(classifier, classifierFailures);

        schedulerRole.addToPolicy(allow(List.of("lambda:InvokeFunction"), List.of(starterAlias.getFunctionArn())));
        schedulerRole.addToPolicy(allow(List.of("sqs:SendMessage"), List.of(scheduleFailures.getQueueArn())));
        if (props.attemptTimeout() != null) {
            // The starter's timeout schedule calls StopTask itself (Scheduler's universal target), as this role.
            schedulerRole.addToPolicy(PolicyStatement.Builder.create()
                    .sid("StopOurClusterTasksOnTimeout")
                    .actions(List.of("ecs:StopTask"))
                    .resources(List.of(clusterTasks(cluster)))
                    .conditions(Map.of("ArnEquals", Map.of("ecs:cluster", cluster.getClusterArn())))
                    .build());
        }

        grantStarter(starter.getRole(), props);
        grantClassifier(classifier.getRole(), cluster);

        // The classifier's own definition of "our stopped tasks", so the two can never disagree.
        StoppedTaskPattern pattern = new StoppedTaskPattern(startedBy, cluster.getClusterArn(), props.acceptTestEvents());
        Rule.Builder.create(this, "StoppedTaskRule")
                .description("Stopped tasks started by " + startedBy + " -> ecs-retrier classifier")
                .eventPattern(EventPattern.builder()
                        .source(pattern.sources())
                        .detailType(pattern.detailTypes())
                        .detail(pattern.detail())
                        .build())
                .targets(List.of(new LambdaFunction(classifierAlias, LambdaFunctionProps.builder()
                        .deadLetterQueue(ruleFailures)
                        // EventBridge's maximum: a stop that arrives late is still worth classifying.
                        .retryAttempts(185)
                        .maxEventAge(Duration.hours(24))
                        .build())))
                .build();

        createAlarms(starter, classifier);
        suppressInherentFindings(starter, classifier, props.attemptTimeout() != null);
        checkEssentialContainerNames(props);
        checkEnvironmentSize(starter);
        checkEnvironmentSize(classifier);
    }

    /** What callers invoke: the starter's {@value #ALIAS_NAME} alias. */
    public IAlias getStarterAlias() {
        return starterAlias;
    }

    /** What the rule invokes: the classifier's {@value #ALIAS_NAME} alias. */
    public IAlias getClassifierAlias() {
        return classifierAlias;
    }

    /** Where terminal outcomes and alarms are published. */
    public ITopic getTopic() {
        return topic;
    }

    /** The {@code startedBy} value on every task this retrier starts. */
    public String getStartedBy() {
        return startedBy;
    }

    /** The starter's logs: one line per decision. */
    public ILogGroup getStarterLogGroup() {
        return logGroups.get("Starter");
    }

    /** The classifier's logs: one line per decision. */
    public ILogGroup getClassifierLogGroup() {
        return logGroups.get("Classifier");
    }

    /** Every dead-letter queue by its purpose: StarterFailures, ClassifierFailures, RuleDeliveryFailures, ScheduleDeliveryFailures. */
    public Map<String, IQueue> getDeadLetterQueues() {
        return deadLetterQueues;
    }

    // ---------------------------------------------------------------- resources

    private String defaultStartedBy() {
        return "ecs-retrier-" + Names.uniqueResourceName(this, UniqueResourceNameOptions.builder()
                .maxLength(100)
                .separator("-")
                .allowedSpecialCharacters("-_")
                .build());
    }

    private ITopic encryptedTopic() {
        Stack stack = Stack.of(this);
        Key key = Key.Builder.create(this, "TopicKey")
                .description("Encrypts ecs-retrier notifications")
                .enableKeyRotation(true)
                .removalPolicy(RemovalPolicy.DESTROY)
                .pendingWindow(Duration.days(7))
                .build();
        Topic created = Topic.Builder.create(this, "Topic")
                .displayName("ecs-retrier")
                .masterKey(key)
                .enforceSsl(true)
                .build();
        // CloudWatch alarms publish as the service itself: an encrypted topic must let it in, and its key too.
        Map<String, Object> fromOurAlarms = ordered(
                "StringEquals", Map.of("aws:SourceAccount", stack.getAccount()),
                "ArnLike", Map.of("aws:SourceArn", stack.formatArn(ArnComponents.builder()
                        .service("cloudwatch").resource("alarm").resourceName("*")
                        .arnFormat(ArnFormat.COLON_RESOURCE_NAME).build())));
        created.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("CloudWatchAlarmsPublish")
                .principals(List.of(new ServicePrincipal("cloudwatch.amazonaws.com")))
                .actions(List.of("sns:Publish"))
                .resources(List.of(created.getTopicArn()))
                .conditions(fromOurAlarms)
                .build());
        key.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("CloudWatchAlarmsUseKey")
                .principals(List.of(new ServicePrincipal("cloudwatch.amazonaws.com")))
                .actions(List.of("kms:Decrypt", "kms:GenerateDataKey*"))
                .resources(List.of("*")) // in a key policy, "*" is this key
                .conditions(fromOurAlarms)
                .build());
        return created;
    }

    private Queue deadLetterQueue(String id) {
        return Queue.Builder.create(this, id)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();
    }

    private Role schedulerRole() {
        Stack stack = Stack.of(this);
        // Only schedules of our group, in our account, may assume it (confused-deputy protection).
        return Role.Builder.create(this, "SchedulerRole")
                .description("EventBridge Scheduler invokes the ecs-retrier starter with the next attempt")
                .assumedBy(new ServicePrincipal("scheduler.amazonaws.com").withConditions(Map.of(
                        "StringEquals", ordered(
                                "aws:SourceAccount", stack.getAccount(),
                                "aws:SourceArn", scheduleGroup.getScheduleGroupArn()))))
                .build();
    }

    private Function function(String name, String handler, Code code, Map<String, String> environment, EcsRetrierProps props) {
        LogGroup logs = LogGroup.Builder.create(this, name + "Logs")
                .retention(props.logRetention())
                .build();
        // Our own role, without AWSLambdaBasicExecutionRole: it may write to this log group and nothing else by default.
        Role role = Role.Builder.create(this, name + "Role")
                .description("ecs-retrier " + name.toLowerCase(Locale.ROOT) + " function")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();
        logs.grantWrite(role);
        logGroups.put(name, logs);
        return Function.Builder.create(this, name)
                .description("ecs-retrier " + name.toLowerCase(Locale.ROOT) + " for tasks started by " + startedBy)
                .runtime(Runtime.JAVA_21)
                .handler(handler)
                .code(code)
                .memorySize(1024)
                .timeout(Duration.seconds(30))
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                .role(role)
                .logGroup(logs)
                .environment(environment)
                .build();
    }

    private Alias liveAlias(Function function, IQueue onFailure) {
        return Alias.Builder.create(this, function.getNode().getId() + "Alias")
                .aliasName(ALIAS_NAME)
                .version(function.getCurrentVersion())
                // Asynchronous invocations (rule, scheduler) that still fail after Lambda's retries land here.
                .retryAttempts(2)
                .maxEventAge(Duration.hours(6))
                .onFailure(new SqsDestination(onFailure))
                .build();
    }

    // ---------------------------------------------------------------- configuration

    private Map<String, String> environment(EcsRetrierProps props, IQueue scheduleFailures) {
        ICluster cluster = props.cluster();
        ITaskDefinition taskDefinition = props.taskDefinition();
        Map<String, String> env = new LinkedHashMap<>();
        env.put(Setting.CLUSTER.variable(), cluster.getClusterArn());
        env.put(Setting.TASK_DEFINITION.variable(), taskDefinition.getTaskDefinitionArn());
        env.put(Setting.CONTAINER_NAME.variable(), containerName(props));
        env.put(Setting.STARTED_BY.variable(), startedBy);
        if (props.capacityProviderStrategies().isEmpty()) {
            LaunchType launchType = props.launchType() != null ? props.launchType() : LaunchType.FARGATE;
            env.put(Setting.LAUNCH_TYPE.variable(), launchType.name());
        } else {
            env.put(Setting.CAPACITY_PROVIDER_STRATEGY.variable(), Json.write(props.capacityProviderStrategies().stream()
                    .map(EcsRetrier::strategy).collect(Collectors.toList())));
        }
        if (taskDefinition.getNetworkMode() == NetworkMode.AWS_VPC) {
            SubnetSelection selection = props.taskSubnets() != null ? props.taskSubnets() : SubnetSelection.builder().build();
            List<ISubnet> subnets = cluster.getVpc().selectSubnets(selection).getSubnets();
            List<? extends ISecurityGroup> groups = props.securityGroups() != null ? props.securityGroups()
                    : List.of(SecurityGroup.Builder.create(this, "TaskSecurityGroup")
                            .vpc(cluster.getVpc())
                            .description("ecs-retrier tasks: no inbound, all outbound")
                            .allowAllOutbound(true)
                            .build());
            env.put(Setting.SUBNETS.variable(), subnets.stream().map(ISubnet::getSubnetId).collect(Collectors.joining(",")));
            env.put(Setting.SECURITY_GROUPS.variable(), groups.stream().map(ISecurityGroup::getSecurityGroupId).collect(Collectors.joining(",")));
            env.put(Setting.ASSIGN_PUBLIC_IP.variable(), props.assignPublicIp() ? "ENABLED" : "DISABLED");
        }
        if (props.maxAttempts() != null || props.infrastructureRetries() == null || props.applicationRetries() == null) {
            // Left out when only the two budgets are set: the functions then allow 1 + both budgets themselves.
            env.put(Setting.MAX_ATTEMPTS.variable(), Integer.toString(props.maxAttempts() != null ? props.maxAttempts()
                    : EcsRetrierProps.DEFAULT_MAX_ATTEMPTS));
        }
        env.put(Setting.BACKOFF_INITIAL_SECONDS.variable(), props.backoffInitialDelay().toSeconds().toString());
        env.put(Setting.BACKOFF_MULTIPLIER.variable(), BigDecimal.valueOf(props.backoffMultiplier()).stripTrailingZeros().toPlainString());
        env.put(Setting.BACKOFF_MAX_SECONDS.variable(), props.backoffMaxDelay().toSeconds().toString());
        env.put(Setting.BACKOFF_JITTER.variable(), props.backoffJitter().name());
        env.put(Setting.RETRYABLE_EXIT_CODES.variable(), props.retryableExitCodes().stream().map(String::valueOf).collect(Collectors.joining(",")));
        env.put(Setting.RULES.variable(), Json.write(props.rules()));
        env.put(Setting.ESSENTIAL_CONTAINERS.variable(), essentialContainers(props));
        adaptiveRetries(props, env);
        env.put(Setting.SCHEDULE_GROUP.variable(), scheduleGroup.getScheduleGroupName());
        env.put(Setting.SCHEDULER_ROLE_ARN.variable(), schedulerRole.getRoleArn());
        env.put(Setting.SCHEDULE_DEAD_LETTER_ARN.variable(), scheduleFailures.getQueueArn());
        env.put(Setting.TOPIC_ARN.variable(), topic.getTopicArn());
        env.put(Setting.STARTER_ALIAS.variable(), ALIAS_NAME);
        return env;
    }

    /** Only the adaptive props that are set: the functions keep their own default for the others. */
    private static void adaptiveRetries(EcsRetrierProps props, Map<String, String> env) {
        putIfSet(env, Setting.INFRASTRUCTURE_RETRIES, props.infrastructureRetries());
        putIfSet(env, Setting.APPLICATION_RETRIES, props.applicationRetries());
        if (!props.fallbackCapacityProviderStrategy().isEmpty()) {
            env.put(Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY.variable(), Json.write(props.fallbackCapacityProviderStrategy()
                    .stream().map(EcsRetrier::strategy).collect(Collectors.toList())));
        }
        putIfSet(env, Setting.FALLBACK_AFTER_SPOT_FAILURES, props.fallbackAfterSpotFailures());
        putIfSet(env, Setting.MEMORY_ESCALATION, props.memoryEscalation());
        if (props.memoryFactor() != null) {
            env.put(Setting.MEMORY_FACTOR.variable(), BigDecimal.valueOf(props.memoryFactor()).stripTrailingZeros().toPlainString());
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

    /**
     * The given names; else the task definition's essential containers, read at synthesis so that containers added
     * after the construct count too; else (an imported definition) the configured container. Never empty: the
     * functions would read empty as "every container", and a sidecar that ECS stops with exit code 137 would fail runs.
     */
    private static String essentialContainers(EcsRetrierProps props) {
        if (props.essentialContainers() != null) {
            return String.join(",", props.essentialContainers());
        }
        String configured = containerName(props);
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

    /** The containers CDK knows of: {@code TaskDefinition.getContainers()} is protected, its children are not. */
    private static List<ContainerDefinition> containers(TaskDefinition definition) {
        return definition.getNode().getChildren().stream()
                .filter(ContainerDefinition.class::isInstance)
                .map(ContainerDefinition.class::cast)
                .toList();
    }

    /** A misspelt essential container would make every run fail; checked at synthesis, when every container is added. */
    private void checkEssentialContainerNames(EcsRetrierProps props) {
        if (props.essentialContainers() == null || !(props.taskDefinition() instanceof TaskDefinition defined)) {
            return;
        }
        getNode().addValidation(new IValidation() {
            @Override
            public List<String> validate() {
                List<String> known = containers(defined).stream().map(ContainerDefinition::getContainerName).toList();
                return props.essentialContainers().stream()
                        .filter(name -> !known.contains(name))
                        .map(name -> "essentialContainers names '" + name + "', which is not a container of the task definition "
                                + defined.getNode().getPath() + " (its containers: " + String.join(", ", known) + ")")
                        .toList();
            }
        });
    }

    /** The prop behind each variable whose size a user controls, for the 4 KB check's message. */
    private static final Map<String, String> PROP_OF_VARIABLE = Map.ofEntries(
            Map.entry(Setting.RULES.variable(), "rules"),
            Map.entry(Setting.CAPACITY_PROVIDER_STRATEGY.variable(), "capacityProviderStrategies"),
            Map.entry(Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY.variable(), "fallbackCapacityProviderStrategy"),
            Map.entry(Setting.RETRYABLE_EXIT_CODES.variable(), "retryableExitCodes"),
            Map.entry(Setting.ESSENTIAL_CONTAINERS.variable(), "essentialContainers"),
            Map.entry(Setting.CONTAINER_NAME.variable(), "containerName"),
            Map.entry(Setting.STARTED_BY.variable(), "startedBy"),
            Map.entry(Setting.SUBNETS.variable(), "taskSubnets"),
            Map.entry(Setting.SECURITY_GROUPS.variable(), "securityGroups"),
            Map.entry(Setting.CLUSTER.variable(), "cluster"),
            Map.entry(Setting.TASK_DEFINITION.variable(), "taskDefinition"),
            Map.entry(Setting.TOPIC_ARN.variable(), "topic"));

    /**
     * Lambda's 4 KB for a function's whole environment, measured on what the function's template will hold (lazy
     * values, such as the essential containers, resolved), at synthesis: past it CloudFormation would refuse the
     * function at deploy time. See {@link LambdaEnvironmentSize}.
     */
    private void checkEnvironmentSize(Function function) {
        getNode().addValidation(new IValidation() {
            @Override
            public List<String> validate() {
                CfnFunction template = (CfnFunction) function.getNode().getDefaultChild();
                Object environment = Stack.of(EcsRetrier.this).resolve(template.getEnvironment());
                // The L1 property before rendering: {variables: {NAME: value}}, each value a string or an intrinsic.
                if (!(environment instanceof Map<?, ?> resolved) || !(resolved.get("variables") instanceof Map<?, ?> variables)) {
                    return List.of();
                }
                Map<String, Object> named = new LinkedHashMap<>();
                variables.forEach((name, value) -> named.put(String.valueOf(name), value));
                return LambdaEnvironmentSize.of(function.getNode().getId(), named).violation(PROP_OF_VARIABLE).stream().toList();
            }
        });
    }

    private static String containerName(EcsRetrierProps props) {
        if (props.containerName() != null) {
            return props.containerName();
        }
        if (props.taskDefinition() instanceof TaskDefinition defined && defined.getDefaultContainer() != null) {
            return defined.getDefaultContainer().getContainerName();
        }
        throw new IllegalArgumentException("containerName is required: the task definition " + props.taskDefinition().getNode().getPath()
                + " has no default container to take it from");
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

    // ---------------------------------------------------------------- least privilege

    private void grantStarter(IRole role, EcsRetrierProps props) {
        ICluster cluster = props.cluster();
        ITaskDefinition taskDefinition = props.taskDefinition();
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("RunOurTaskDefinitionInOurCluster")
                .actions(List.of("ecs:RunTask"))
                .resources(List.of(arn("ecs", "task-definition", family(taskDefinition) + ":*")))
                .conditions(Map.of("ArnEquals", Map.of("ecs:cluster", cluster.getClusterArn())))
                .build());
        // RunTask with tags is authorized a second time as TagResource on the new task: allowed only
        // while RunTask creates it, and only for the retrier's own tag keys.
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("TagTasksAsTheyStart")
                .actions(List.of("ecs:TagResource"))
                .resources(List.of(clusterTasks(cluster)))
                .conditions(ordered(
                        "StringEquals", Map.of("ecs:CreateAction", "RunTask"),
                        "ForAllValues:StringLike", Map.of("aws:TagKeys", AttemptMetadata.TAG_PREFIX + "*")))
                .build());
        List<String> taskRoles = new ArrayList<>();
        taskRoles.add(taskDefinition.getTaskRole().getRoleArn());
        if (taskDefinition.getExecutionRole() != null) {
            taskRoles.add(taskDefinition.getExecutionRole().getRoleArn());
        }
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("PassTaskRolesToEcs")
                .actions(List.of("iam:PassRole"))
                .resources(taskRoles)
                .conditions(Map.of("StringEquals", Map.of("iam:PassedToService", "ecs-tasks.amazonaws.com")))
                .build());
        // A start that finds its run cancelled while RunTask ran stops the task it just started.
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("StopOurTasksOfCancelledRuns")
                .actions(List.of("ecs:StopTask"))
                .resources(List.of(clusterTasks(cluster)))
                .conditions(Map.of("ArnEquals", Map.of("ecs:cluster", cluster.getClusterArn())))
                .build());
        grantScheduleAndNotify(role);
    }

    private void grantClassifier(IRole role, ICluster cluster) {
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("DescribeOurClusterTasks")
                .actions(List.of("ecs:DescribeTasks"))
                .resources(List.of(clusterTasks(cluster)))
                .conditions(Map.of("ArnEquals", Map.of("ecs:cluster", cluster.getClusterArn())))
                .build());
        grantScheduleAndNotify(role);
    }

    /** Both functions schedule a next attempt (the starter after a synchronous RunTask failure) and notify. */
    private void grantScheduleAndNotify(IRole role) {
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("ManageSchedulesInOurGroup")
                // GetSchedule: the run's cancel marker (retrier cancel), read before launching or scheduling.
                .actions(List.of("scheduler:CreateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule"))
                .resources(List.of(arn("scheduler", "schedule", scheduleGroup.getScheduleGroupName() + "/*")))
                .build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("PassSchedulerRole")
                .actions(List.of("iam:PassRole"))
                .resources(List.of(schedulerRole.getRoleArn()))
                .conditions(Map.of("StringEquals", Map.of("iam:PassedToService", "scheduler.amazonaws.com")))
                .build());
        topic.grantPublish(role);
    }

    private String arn(String service, String resource, String resourceName) {
        return Stack.of(this).formatArn(ArnComponents.builder()
                .service(service).resource(resource).resourceName(resourceName)
                .arnFormat(ArnFormat.SLASH_RESOURCE_NAME).build());
    }

    /** Tasks are {@code task/<cluster name>/<id>}: no ARN can name a task before it exists. */
    private String clusterTasks(ICluster cluster) {
        return arn("ecs", "task", cluster.getClusterName() + "/*");
    }

    private static String family(ITaskDefinition taskDefinition) {
        if (taskDefinition instanceof TaskDefinition defined) {
            return defined.getFamily();
        }
        // An imported definition only has its ARN: task-definition/<family>:<revision>.
        String familyAndRevision = Arn.split(taskDefinition.getTaskDefinitionArn(), ArnFormat.SLASH_RESOURCE_NAME).getResourceName();
        return Fn.select(0, Fn.split(":", familyAndRevision));
    }

    /** Two entries in this order: Map.of's order changes from run to run, and so would the template. */
    private static <V> Map<String, V> ordered(String key1, V value1, String key2, V value2) {
        Map<String, V> map = new LinkedHashMap<>();
        map.put(key1, value1);
        map.put(key2, value2);
        return map;
    }

    private static PolicyStatement allow(List<String> actions, List<String> resources) {
        return PolicyStatement.Builder.create().effect(Effect.ALLOW).actions(actions).resources(resources).build();
    }

    // ---------------------------------------------------------------- alarms

    private void createAlarms(IFunction starter, IFunction classifier) {
        deadLetterQueues.forEach((name, queue) -> alarm(name + "Alarm",
                "A message is waiting in the ecs-retrier " + name + " dead-letter queue: an event or an invocation was not processed",
                queue.metricApproximateNumberOfMessagesVisible(MetricOptions.builder()
                        .statistic("Maximum").period(ALARM_PERIOD).build())));
        for (IFunction function : List.of(starter, classifier)) {
            String name = function.getNode().getId();
            alarm(name + "ErrorsAlarm", "The ecs-retrier " + name.toLowerCase(Locale.ROOT) + " function failed",
                    function.metricErrors(MetricOptions.builder().statistic("Sum").period(ALARM_PERIOD).build()));
        }
        alarm("RunsFailedAlarm", "ecs-retrier runs of " + startedBy + " ended FAILED or RETRIES_EXHAUSTED",
                MathExpression.Builder.create()
                        .expression("FILL(failed, 0) + FILL(exhausted, 0)")
                        .label("Runs ended FAILED or RETRIES_EXHAUSTED")
                        .usingMetrics(ordered("failed", runsEnded("FAILED"), "exhausted", runsEnded("RETRIES_EXHAUSTED")))
                        .period(ALARM_PERIOD)
                        .build());
    }

    private Metric runsEnded(String outcome) {
        return Metric.Builder.create()
                // The Embedded Metric Format line both handlers print when a run ends.
                .namespace(RunsEndedMetric.NAMESPACE)
                .metricName(RunsEndedMetric.NAME)
                .dimensionsMap(ordered(RunsEndedMetric.RETRIER_DIMENSION, startedBy, RunsEndedMetric.OUTCOME_DIMENSION, outcome))
                .statistic("Sum")
                .period(ALARM_PERIOD)
                .build();
    }

    private void alarm(String id, String description, IMetric metric) {
        Alarm alarm = Alarm.Builder.create(this, id)
                .alarmDescription(description)
                .metric(metric)
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        alarm.addAlarmAction(new SnsAction(topic));
    }

    // ---------------------------------------------------------------- cdk-nag

    /** Findings that are the design, not an oversight; each wildcard is allowed by its exact pattern, with its reason. */
    private void suppressInherentFindings(Function starter, Function classifier, boolean stopsTasksOnTimeout) {
        String account = "arn:<AWS::Partition>:%s:<AWS::Region>:<AWS::AccountId>:";
        NagPackSuppression taskDefinitionRevisions = wildcard("ecs:RunTask on every revision of our task definition "
                + "family: each deploy registers a new revision", account.formatted("ecs") + "task-definition/[^/*]+:\\*");
        NagPackSuppression clusterTasks = wildcard("ecs:TagResource (only while RunTask creates the task), "
                + "ecs:DescribeTasks and ecs:StopTask (a task of a run cancelled while it started) on tasks of our"
                + " cluster: task ids exist only at run time",
                account.formatted("ecs") + "task/[^/*]+/\\*");
        NagPackSuppression groupSchedules = wildcard("scheduler:CreateSchedule/DeleteSchedule/GetSchedule in our schedule"
                + " group: schedules (and a cancelled run's marker) are named per run and attempt at run time", account.formatted("scheduler") + "schedule/[^/*]+/\\*");
        NagPackSuppression topicKey = NagPackSuppression.builder().id("AwsSolutions-IAM5")
                .reason("kms:GenerateDataKey* is how CDK's topic.grantPublish names the GenerateDataKey variants that "
                        + "publishing to a KMS-encrypted topic needs; the resource is the topic's key only")
                .appliesTo(List.of(regex("^Action::kms:GenerateDataKey\\*$")))
                .build();
        NagSuppressions.addResourceSuppressions(starter.getRole(),
                List.of(taskDefinitionRevisions, clusterTasks, groupSchedules, topicKey), true);
        NagSuppressions.addResourceSuppressions(classifier.getRole(), List.of(clusterTasks, groupSchedules, topicKey), true);
        if (stopsTasksOnTimeout) {
            NagSuppressions.addResourceSuppressions(schedulerRole, List.of(wildcard("ecs:StopTask, for attempt timeout "
                    + "schedules, on tasks of our cluster only (ecs:cluster condition): task ids exist only at run time",
                    account.formatted("ecs") + "task/[^/*]+/\\*")), true);
        }

        NagPackSuppression runtime = NagPackSuppression.builder().id("AwsSolutions-L1")
                .reason("java21 is the runtime the functions jar is built and tested for (with SnapStart); moving to a "
                        + "newer Java runtime is a deliberate change of both modules")
                .build();
        for (Function function : List.of(starter, classifier)) {
            NagSuppressions.addResourceSuppressions(function, List.of(runtime));
            // We do publish: the aliases point at currentVersion.
            Annotations.of(function).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                    "the live alias points at a published version (currentVersion)");
        }
        NagPackSuppression isDeadLetterQueue = NagPackSuppression.builder().id("AwsSolutions-SQS3")
                .reason("This queue is itself a dead-letter queue (Lambda on-failure destination, EventBridge target DLQ "
                        + "or Scheduler DLQ) and an alarm watches it; a dead-letter queue behind it would add nothing")
                .build();
        for (IQueue queue : deadLetterQueues.values()) {
            NagSuppressions.addResourceSuppressions(queue, List.of(isDeadLetterQueue));
        }
    }

    private static NagPackSuppression wildcard(String reason, String resourcePattern) {
        return NagPackSuppression.builder().id("AwsSolutions-IAM5")
                .reason(reason)
                .appliesTo(List.of(regex("^Resource::" + resourcePattern + "$")))
                .build();
    }

    private static RegexAppliesTo regex(String pattern) {
        return RegexAppliesTo.builder().regex("/" + pattern + "/").build();
    }
}
