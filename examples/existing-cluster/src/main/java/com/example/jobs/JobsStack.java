package com.example.jobs;

import dev.ecsretrier.infra.EcsRetrier;
import dev.ecsretrier.infra.EcsRetrierProps;
import java.util.List;
import software.amazon.awscdk.CfnOutput;
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
import software.constructs.Construct;

/** ecs-retrier around a task of yours, on a cluster you already have. */
public class JobsStack extends Stack {

    public JobsStack(Construct scope, String id, StackProps props) {
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

        // Your task.
        FargateTaskDefinition taskDefinition = FargateTaskDefinition.Builder.create(this, "NightlyImport")
                .cpu(512)
                .memoryLimitMiB(1024)
                .build();
        taskDefinition.addContainer("importer", ContainerDefinitionOptions.builder()
                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/busybox:stable"))
                .command(List.of("sh", "-c", "echo importing; exit 0"))
                .build());

        EcsRetrier retrier = new EcsRetrier(this, "Retrier", EcsRetrierProps.builder()
                .cluster(cluster)                         // required
                .taskDefinition(taskDefinition)           // required; its roles are the only ones the starter may pass
                .retryableExitCodes(List.of(75))          // default: none
                .maxAttempts(5)                           // default: 3
                .notificationEmail("oncall@example.com")  // or .topic(yourTopic)
                .build());

        CfnOutput.Builder.create(this, "StarterAliasArn")
                .value(retrier.getStarterAlias().getFunctionArn())
                .description("invoke this to start a run")
                .build();
    }
}
