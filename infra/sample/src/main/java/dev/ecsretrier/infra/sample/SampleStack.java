package dev.ecsretrier.infra.sample;

import dev.ecsretrier.infra.EcsRetrier;
import dev.ecsretrier.infra.EcsRetrierProps;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import dev.ecsretrier.config.StackOutput;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.FlowLogDestination;
import software.amazon.awscdk.services.ec2.FlowLogOptions;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecr.assets.Platform;
import software.amazon.awscdk.services.ecs.AssetImageProps;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.ContainerInsights;
import software.amazon.awscdk.services.ecs.CpuArchitecture;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.LogDrivers;
import software.amazon.awscdk.services.ecs.OperatingSystemFamily;
import software.amazon.awscdk.services.ecs.RuntimePlatform;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * ecs-retrier deployed around {@code sample-task}: a VPC with public subnets only (no NAT to pay for), a Fargate
 * cluster, the sample task, and the retrier with exit code 2 retryable, a 30-minute attempt timeout and test events
 * accepted.
 */
public class SampleStack extends Stack {

    /** The sample task's container, the one start requests override. */
    public static final String CONTAINER_NAME = "app";
    /** The sample task's "try again" exit code. */
    public static final int RETRYABLE_EXIT_CODE = 2;
    /** The longest one attempt of the sample task may run. */
    public static final Duration ATTEMPT_TIMEOUT = Duration.minutes(30);
    public static final String SAMPLE_TASK_DIR_PROPERTY = "ecsretrier.sample.task.dir";

    private final Cluster cluster;
    private final FargateTaskDefinition taskDefinition;
    private final EcsRetrier retrier;

    /** @param notificationEmail subscribed to the topic when not null */
    public SampleStack(Construct scope, String id, StackProps props, String notificationEmail) {
        super(scope, id, props);

        Vpc vpc = Vpc.Builder.create(this, "Vpc")
                .maxAzs(2)
                .natGateways(0)
                .subnetConfiguration(List.of(SubnetConfiguration.builder()
                        .name("public").subnetType(SubnetType.PUBLIC).cidrMask(24).build()))
                .build();
        LogGroup flowLogs = LogGroup.Builder.create(this, "VpcFlowLogs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        vpc.addFlowLog("FlowLog", FlowLogOptions.builder()
                .destination(FlowLogDestination.toCloudWatchLogs(flowLogs))
                .build());

        cluster = Cluster.Builder.create(this, "Cluster")
                .vpc(vpc)
                .containerInsightsV2(ContainerInsights.ENABLED)
                .build();

        taskDefinition = FargateTaskDefinition.Builder.create(this, "SampleTask")
                .cpu(256)
                .memoryLimitMiB(512)
                .runtimePlatform(RuntimePlatform.builder()
                        .cpuArchitecture(CpuArchitecture.X86_64)
                        .operatingSystemFamily(OperatingSystemFamily.LINUX)
                        .build())
                .build();
        LogGroup taskLogs = LogGroup.Builder.create(this, "SampleTaskLogs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        taskDefinition.addContainer(CONTAINER_NAME, ContainerDefinitionOptions.builder()
                .image(ContainerImage.fromAsset(sampleTaskDir().toString(), AssetImageProps.builder()
                        .platform(Platform.LINUX_AMD64)
                        .build()))
                .essential(true)
                .logging(LogDrivers.awsLogs(AwsLogDriverProps.builder()
                        .logGroup(taskLogs)
                        .streamPrefix("sample-task")
                        .build()))
                .build());

        retrier = new EcsRetrier(this, "Retrier", EcsRetrierProps.builder()
                .cluster(cluster)
                .taskDefinition(taskDefinition)
                .containerName(CONTAINER_NAME)
                .taskSubnets(SubnetSelection.builder().subnetType(SubnetType.PUBLIC).build())
                .assignPublicIp(true) // public subnets, no NAT: the task needs a public IP to pull its image
                .retryableExitCodes(List.of(RETRYABLE_EXIT_CODE))
                // A hung attempt is stopped after this, and retried (retryOnTimeout's default).
                .attemptTimeout(ATTEMPT_TIMEOUT)
                .acceptTestEvents(true)
                .notificationEmail(notificationEmail)
                .build());

        output("StarterFunctionName", retrier.getStarterAlias().getVersion().getLambda().getFunctionName(), "the starter function");
        // What retrier start|cancel --stack reads (StackOutput), and the cluster's name for the AWS CLI.
        output(StackOutput.STARTER_LOG_GROUP_NAME, retrier.getStarterLogGroup().getLogGroupName());
        output(StackOutput.CLASSIFIER_LOG_GROUP_NAME, retrier.getClassifierLogGroup().getLogGroupName());
        output(StackOutput.STARTER_ALIAS_ARN, retrier.getStarterAlias().getFunctionArn());
        output("TopicArn", retrier.getTopic().getTopicArn(), "terminal outcomes and alarms");
        output("ClusterName", cluster.getClusterName(), "the sample cluster");
        output(StackOutput.CLUSTER_ARN, cluster.getClusterArn());
        output(StackOutput.STARTED_BY, retrier.getStartedBy());
        output(StackOutput.SCHEDULE_GROUP_NAME, retrier.getScheduleGroupName());
        output(StackOutput.SCHEDULER_ROLE_ARN, retrier.getSchedulerRoleArn());
        output(StackOutput.JOBS, String.join(",", retrier.getJobNames()));
        output("DashboardName", retrier.getDashboard().getDashboardName(), "the retrier's CloudWatch dashboard");
        retrier.getDeadLetterQueues().forEach((name, queue) ->
                output(name + "QueueUrl", queue.getQueueUrl(), "dead-letter queue: " + name));

        NagSuppressions.addResourceSuppressions(taskDefinition, List.of(NagPackSuppression.builder()
                .id("AwsSolutions-IAM5")
                .reason("The execution role needs ecr:GetAuthorizationToken, which has no resource-level permissions (Resource '*')")
                .appliesTo(List.of("Resource::*"))
                .build()), true);
    }

    public Cluster getCluster() {
        return cluster;
    }

    public FargateTaskDefinition getTaskDefinition() {
        return taskDefinition;
    }

    public EcsRetrier getRetrier() {
        return retrier;
    }

    private void output(StackOutput output, String value) {
        output(output.key(), value, output.description());
    }

    private void output(String id, String value, String description) {
        CfnOutput.Builder.create(this, id).value(value).description(description).build();
    }

    /** The image copies sample-task's built jar; without it the deploy would fail late, in the Docker build. */
    static Path sampleTaskDir() {
        Path dir = Path.of(System.getProperty(SAMPLE_TASK_DIR_PROPERTY, Path.of("..", "sample-task").toString()))
                .toAbsolutePath().normalize();
        Path jar = dir.resolve("target").resolve("sample-task.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the sample task image copies " + jar + ", which does not exist; "
                    + "build it first: mvn -pl infra/sample -am package (from the repository root)");
        }
        return dir;
    }
}
