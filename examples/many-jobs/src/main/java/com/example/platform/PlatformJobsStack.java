package com.example.platform;

import dev.ecsretrier.infra.EcsRetrier;
import dev.ecsretrier.infra.EcsRetrierJob;
import dev.ecsretrier.infra.EcsRetrierProps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcAttributes;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ClusterAttributes;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.TaskDefinition;
import software.constructs.Construct;

/**
 * One ecs-retrier for a platform team's jobs on a cluster it already has: docs/deploy.md's many-jobs example, which CI
 * synthesizes with the CDK CLI and lints (ManyJobsGuideTest holds the guide's block equal to {@link #retrier}).
 */
public class PlatformJobsStack extends Stack {

    public PlatformJobsStack(Construct scope, String id, StackProps props) {
        super(scope, id, props);

        // Your cluster and the private subnets its tasks run in: put your own ids here.
        IVpc vpc = Vpc.fromVpcAttributes(this, "Vpc", VpcAttributes.builder()
                .vpcId("vpc-0123456789abcdef0")
                .availabilityZones(List.of("eu-west-1a", "eu-west-1b"))
                .privateSubnetIds(List.of("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"))
                .privateSubnetRouteTableIds(List.of("rtb-0123456789abcdef0", "rtb-0fedcba9876543210"))
                .build());
        ICluster cluster = Cluster.fromClusterAttributes(this, "Jobs", ClusterAttributes.builder()
                .clusterName("jobs")
                .vpc(vpc)
                .build());

        // Your jobs' tasks: the nightly ETL runs its app and, after it, a report container.
        EcsRetrier retrier = retrier(this, cluster, task("NightlyEtl", "app", "report"), task("Reports", "render"),
                task("Invoices", "app"));

        CfnOutput.Builder.create(this, "StarterAliasArn")
                .value(retrier.getStarterAlias().getFunctionArn())
                .description("invoke this to start a run of any of the jobs")
                .build();
    }

    static EcsRetrier retrier(Construct scope, ICluster cluster, TaskDefinition nightlyEtl, TaskDefinition reports,
            TaskDefinition invoices) {
        // docs/deploy.md begin
        Map<String, EcsRetrierJob> jobs = new LinkedHashMap<>();
        jobs.put("nightly-etl", EcsRetrierJob.builder()
                .taskDefinition(nightlyEtl)
                .containerNames(List.of("app", "report"))   // start requests may override either
                .maxAttempts(5)
                .retryableExitCodes(List.of(2, 75))
                .build());
        jobs.put("reports", EcsRetrierJob.builder()
                .taskDefinition(reports)
                .containerName("render")
                .memoryEscalation(true)
                .build());
        jobs.put("invoices", EcsRetrierJob.builder()
                .taskDefinition(invoices)
                .attemptTimeout(Duration.hours(1))
                .build());
        return new EcsRetrier(scope, "Retrier", EcsRetrierProps.builder()
                .cluster(cluster)
                // Every job's defaults: a job sets only what differs.
                .maxAttempts(3)
                .backoffInitialDelay(Duration.minutes(2))
                .jobs(jobs)
                .build());
        // docs/deploy.md end
    }

    private FargateTaskDefinition task(String id, String... containers) {
        FargateTaskDefinition definition = FargateTaskDefinition.Builder.create(this, id).cpu(512).memoryLimitMiB(1024).build();
        for (String container : containers) {
            definition.addContainer(container, ContainerDefinitionOptions.builder()
                    .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/busybox:stable"))
                    .command(List.of("sh", "-c", "echo " + id + " " + container + "; exit 0"))
                    .build());
        }
        return definition;
    }
}
