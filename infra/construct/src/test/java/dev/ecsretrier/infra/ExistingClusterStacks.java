package dev.ecsretrier.infra;

import dev.ecsretrier.core.Action;
import dev.ecsretrier.core.Jitter;
import dev.ecsretrier.core.RetryRule;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecs.CapacityProviderStrategy;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ClusterAttributes;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.NetworkMode;
import software.amazon.awscdk.services.ecs.TaskDefinition;
import software.amazon.awscdk.services.ecs.TaskDefinitionAttributes;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.Topic;

/**
 * The construct around clusters that already exist (imported by ARN, so the rule's pattern is plain JSON), in one
 * app synthesized once: {@code Defaults} sets only what is required; {@code Custom} sets nearly everything else
 * around an imported task definition; {@code Adaptive} turns on every adaptive retry around a task definition with a
 * sidecar.
 */
final class ExistingClusterStacks {

    static final String ACCOUNT = "123456789012";
    static final String CLUSTER_ARN = "arn:aws:ecs:eu-west-1:" + ACCOUNT + ":cluster/jobs";
    static final String IMPORTED_TASK_DEFINITION_ARN = "arn:aws:ecs:eu-west-1:" + ACCOUNT + ":task-definition/nightly-import:7";
    static final String TOPIC_ARN = "arn:aws:sns:eu-west-1:" + ACCOUNT + ":operations";
    static final String CUSTOM_STARTED_BY = "nightly-import";
    static final List<RetryRule> CUSTOM_RULES = List.of(
            new RetryRule("lock-timeout", null, null, null, "importer", List.of(75), Action.RETRY),
            new RetryRule(null, "UserInitiated", "ops: *", null, null, null, Action.SUCCEED));

    private static final ContainerImage BUSYBOX = ContainerImage.fromRegistry("public.ecr.aws/docker/library/busybox:stable");

    private static ExistingClusterStacks instance;

    final Stack defaults;
    final EcsRetrier defaultsRetrier;
    final Template defaultsTemplate;
    final Stack custom;
    final EcsRetrier customRetrier;
    final Template customTemplate;
    final Stack adaptive;
    final EcsRetrier adaptiveRetrier;
    final Template adaptiveTemplate;

    private ExistingClusterStacks() {
        App app = new App();

        defaults = new Stack(app, "Defaults");
        ICluster defaultsCluster = importCluster(defaults);
        FargateTaskDefinition worker = FargateTaskDefinition.Builder.create(defaults, "Worker").build();
        worker.addContainer("worker", ContainerDefinitionOptions.builder()
                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/busybox:stable")).build());
        defaultsRetrier = new EcsRetrier(defaults, "Retrier", EcsRetrierProps.builder()
                .cluster(defaultsCluster)
                .taskDefinition(worker)
                .build());

        custom = new Stack(app, "Custom");
        ICluster customCluster = importCluster(custom);
        customRetrier = new EcsRetrier(custom, "Retrier", EcsRetrierProps.builder()
                .cluster(customCluster)
                .taskDefinition(TaskDefinition.fromTaskDefinitionAttributes(custom, "NightlyImport", TaskDefinitionAttributes.builder()
                        .taskDefinitionArn(IMPORTED_TASK_DEFINITION_ARN)
                        .networkMode(NetworkMode.AWS_VPC)
                        .taskRole(Role.fromRoleArn(custom, "TaskRole", "arn:aws:iam::" + ACCOUNT + ":role/nightly-import-task"))
                        .executionRole(Role.fromRoleArn(custom, "ExecutionRole", "arn:aws:iam::" + ACCOUNT + ":role/nightly-import-execution"))
                        .build()))
                .containerName("importer")
                .startedBy(CUSTOM_STARTED_BY)
                .securityGroups(List.of(SecurityGroup.fromSecurityGroupId(custom, "Group", "sg-0123456789abcdef0")))
                .capacityProviderStrategies(List.of(
                        CapacityProviderStrategy.builder().capacityProvider("FARGATE_SPOT").weight(3).build(),
                        CapacityProviderStrategy.builder().capacityProvider("FARGATE").weight(1).base(1).build()))
                .maxAttempts(5)
                .infrastructureRetries(3)
                .backoffInitialDelay(Duration.minutes(2))
                .backoffMultiplier(1.5)
                .backoffMaxDelay(Duration.hours(1))
                .backoffJitter(Jitter.EQUAL)
                .retryableExitCodes(List.of(75, 111))
                .rules(CUSTOM_RULES)
                .topic(Topic.fromTopicArn(custom, "Operations", TOPIC_ARN))
                .acceptTestEvents(true)
                .logRetention(RetentionDays.THREE_MONTHS)
                .functionMemoryMiB(1024)
                .build());

        adaptive = new Stack(app, "Adaptive");
        FargateTaskDefinition batch = FargateTaskDefinition.Builder.create(adaptive, "Batch").cpu(1024).memoryLimitMiB(2048).build();
        batch.addContainer("app", ContainerDefinitionOptions.builder().image(BUSYBOX).build());
        // ECS stops a non-essential sidecar when the app ends, usually with 137 or 143: it must not decide the run.
        batch.addContainer("xray", ContainerDefinitionOptions.builder().image(BUSYBOX).essential(false).build());
        adaptiveRetrier = new EcsRetrier(adaptive, "Retrier", EcsRetrierProps.builder()
                .cluster(importCluster(adaptive))
                .taskDefinition(batch)
                .capacityProviderStrategies(List.of(CapacityProviderStrategy.builder().capacityProvider("FARGATE_SPOT").weight(1).build()))
                .fallbackCapacityProviderStrategy(List.of(CapacityProviderStrategy.builder().capacityProvider("FARGATE").weight(1).base(0).build()))
                .fallbackAfterSpotFailures(2)
                .memoryEscalation(true)
                .memoryFactor(1.5)
                .memoryCapMiB(16384)
                .rotateSubnets(true)
                .attemptTimeout(Duration.minutes(45))
                .retryOnTimeout(false)
                .infrastructureRetries(4)
                .applicationRetries(1)
                .build());
        // Added after the construct: still one of the essential containers the functions are told about.
        batch.addContainer("log-router", ContainerDefinitionOptions.builder().image(BUSYBOX).essential(true).build());

        defaultsTemplate = Template.fromStack(defaults);
        customTemplate = Template.fromStack(custom);
        adaptiveTemplate = Template.fromStack(adaptive);
    }

    static synchronized ExistingClusterStacks get() {
        if (instance == null) {
            instance = new ExistingClusterStacks();
        }
        return instance;
    }

    private static ICluster importCluster(Stack stack) {
        Vpc vpc = Vpc.Builder.create(stack, "Vpc").maxAzs(2).natGateways(1).build();
        return Cluster.fromClusterAttributes(stack, "Jobs", ClusterAttributes.builder()
                .clusterName("jobs")
                .clusterArn(CLUSTER_ARN)
                .vpc(vpc)
                .build());
    }
}
