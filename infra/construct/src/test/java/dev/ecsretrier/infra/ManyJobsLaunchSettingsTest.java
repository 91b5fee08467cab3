package dev.ecsretrier.infra;

import static dev.ecsretrier.infra.Templates.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.config.Deployment;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.config.Setting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.ISubnet;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecs.CapacityProviderStrategy;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ClusterAttributes;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.Ec2TaskDefinition;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.LaunchType;
import software.amazon.awscdk.services.ecs.NetworkMode;

/**
 * Each job's launch — subnets and their rotation, security groups, public IP, launch type or capacity provider strategy
 * and fallback — as the functions read it from the synthesized template and jobs file, job by job; a job that sets
 * none of them launches as the construct says.
 */
class ManyJobsLaunchSettingsTest {

    private static Stack stack;
    private static Vpc vpc;
    private static SecurityGroup reportsGroup;
    private static Template template;
    private static Deployment deployment;

    @BeforeAll
    static void synthesizeThreeJobs() {
        App app = new App();
        stack = new Stack(app, "JobLaunches");
        vpc = Vpc.Builder.create(stack, "Vpc").maxAzs(2).natGateways(1).build();
        ICluster cluster = Cluster.fromClusterAttributes(stack, "Jobs", ClusterAttributes.builder()
                .clusterName("jobs").clusterArn("arn:aws:ecs:eu-west-1:123456789012:cluster/jobs").vpc(vpc).build());
        reportsGroup = SecurityGroup.Builder.create(stack, "ReportsGroup").vpc(vpc).build();
        Ec2TaskDefinition legacy = Ec2TaskDefinition.Builder.create(stack, "Legacy").networkMode(NetworkMode.BRIDGE).build();
        legacy.addContainer("app", ContainerDefinitionOptions.builder().memoryLimitMiB(512)
                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/busybox:stable")).build());
        Map<String, EcsRetrierJob> jobs = new LinkedHashMap<>();
        jobs.put("nightly-etl", EcsRetrierJob.builder().taskDefinition(fargate("Etl")).build());
        jobs.put("reports", EcsRetrierJob.builder().taskDefinition(fargate("Reports"))
                .taskSubnets(SubnetSelection.builder().subnetType(SubnetType.PUBLIC).build())
                .rotateSubnets(true)
                .securityGroups(List.of(reportsGroup))
                .assignPublicIp(true)
                .capacityProviderStrategies(List.of(CapacityProviderStrategy.builder().capacityProvider("FARGATE_SPOT").build()))
                .fallbackCapacityProviderStrategy(List.of(CapacityProviderStrategy.builder().capacityProvider("FARGATE").build()))
                .build());
        jobs.put("legacy", EcsRetrierJob.builder().taskDefinition(legacy).launchType(LaunchType.EC2).build());
        new EcsRetrier(stack, "Retrier", EcsRetrierProps.builder()
                .cluster(cluster)
                .taskSubnets(SubnetSelection.builder().subnetType(SubnetType.PRIVATE_WITH_EGRESS).build())
                .jobs(jobs)
                .build());
        template = Template.fromStack(stack);
        Path assembly = Path.of(app.synth().getDirectory());
        deployment = Deployment.fromFile(deployedEnvironment("RetrierStarter"), jobsFile(assembly), JobsFile.PATH);
    }

    @Test
    void aJobWithoutLaunchSettings_runsInTheConstructsSubnets_withItsSecurityGroup_onFargate() {
        RetrierConfig etl = deployment.job("nightly-etl");

        assertThat(etl.network().subnets()).isEqualTo(logicalIds(vpc.getPrivateSubnets()));
        assertThat(etl.network().securityGroups()).containsExactly(
                Templates.logicalId(template, "AWS::EC2::SecurityGroup", "RetrierTaskSecurityGroup"));
        assertThat(etl.network().assignPublicIp()).isFalse();
        assertThat(etl.launchType()).isEqualTo("FARGATE");
        assertThat(etl.capacityProviderStrategy()).isEmpty();
        assertThat(etl.adaptation().rotateSubnets()).isFalse();
    }

    @Test
    void aJobsOwnSubnets_securityGroups_publicIp_strategy_fallback_andRotation_areItsAlone() {
        RetrierConfig reports = deployment.job("reports");

        assertThat(reports.network().subnets()).isEqualTo(logicalIds(vpc.getPublicSubnets()));
        assertThat(reports.network().securityGroups()).containsExactly(stack.getLogicalId((CfnElement) reportsGroup.getNode().getDefaultChild()));
        assertThat(reports.network().assignPublicIp()).isTrue();
        assertThat(reports.launchType()).as("the job's strategy replaces the construct's launch type").isNull();
        assertThat(reports.capacityProviderStrategy()).extracting(i -> i.capacityProvider()).containsExactly("FARGATE_SPOT");
        assertThat(reports.adaptation().fallbackStrategy()).extracting(i -> i.capacityProvider()).containsExactly("FARGATE");
        assertThat(reports.adaptation().rotateSubnets()).isTrue();
    }

    @Test
    void aBridgeModeJob_launchesOnEc2_withoutSubnets() {
        RetrierConfig legacy = deployment.job("legacy");

        assertThat(legacy.launchType()).isEqualTo("EC2");
        assertThat(legacy.network().subnets()).as("ECS refuses a network configuration for a bridge task").isEmpty();
        assertThat(legacy.network().securityGroups()).isEmpty();
    }

    @Test
    void aJobsDeployTimeIds_travelInTheFunctionsEnvironment_namedByTheJobsPlace() {
        for (String function : List.of("RetrierStarter", "RetrierClassifier")) {
            JsonNode variables = Templates.resource(template, "AWS::Lambda::Function", function).at("/Properties/Environment/Variables");
            assertThat(variables.get("RETRIER_JOB2_SECURITY_GROUPS"))
                    .isEqualTo(tree(Templates.getAtt(stack.getLogicalId((CfnElement) reportsGroup.getNode().getDefaultChild()), "GroupId")));
            assertThat(resolve(variables.get("RETRIER_JOB2_SUBNETS"))).isEqualTo(String.join(",", logicalIds(vpc.getPublicSubnets())));
            assertThat(variables.has("RETRIER_JOB1_SUBNETS")).as("nightly-etl's are the construct's").isFalse();
        }
    }

    @Test
    void aJobsLaunchTypeAndStrategyTogether_areRefused() {
        assertThatThrownBy(() -> EcsRetrierJob.builder().taskDefinition(fargate("Both")).launchType(LaunchType.FARGATE)
                .capacityProviderStrategies(List.of(CapacityProviderStrategy.builder().capacityProvider("FARGATE_SPOT").build()))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("launchType or capacityProviderStrategies, not both");
    }

    private static FargateTaskDefinition fargate(String id) {
        FargateTaskDefinition definition = FargateTaskDefinition.Builder.create(stack, id).build();
        definition.addContainer("app", ContainerDefinitionOptions.builder()
                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/busybox:stable")).build());
        return definition;
    }

    private static List<String> logicalIds(List<ISubnet> subnets) {
        return subnets.stream().map(s -> stack.getLogicalId((CfnElement) s.getNode().getDefaultChild())).toList();
    }

    /** A deploy-time value as the function will see it, with each resource standing for its logical id. */
    private static String resolve(JsonNode value) {
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.has("Ref")) {
            return value.get("Ref").asText();
        }
        if (value.has("Fn::GetAtt")) {
            return value.get("Fn::GetAtt").get(0).asText();
        }
        if (value.has("Fn::Join")) {
            List<String> parts = new ArrayList<>();
            value.get("Fn::Join").get(1).forEach(part -> parts.add(resolve(part)));
            return String.join(value.get("Fn::Join").get(0).asText(), parts);
        }
        return value.toString();
    }

    private static Map<String, String> deployedEnvironment(String function) {
        JsonNode variables = Templates.resource(template, "AWS::Lambda::Function", function).at("/Properties/Environment/Variables");
        Map<String, String> env = new LinkedHashMap<>();
        env.put(Setting.REGION.variable(), "eu-west-1");
        variables.fields().forEachRemaining(e -> env.put(e.getKey(), resolve(e.getValue())));
        // Resolved as ids would be: the schedule role and topic are ARNs at deploy time.
        env.put(Setting.SCHEDULER_ROLE_ARN.variable(), "arn:aws:iam::123456789012:role/scheduler");
        env.put(Setting.SCHEDULE_DEAD_LETTER_ARN.variable(), "arn:aws:sqs:eu-west-1:123456789012:schedule-failures");
        env.put(Setting.TOPIC_ARN.variable(), "arn:aws:sns:eu-west-1:123456789012:outcomes");
        return env;
    }

    private static String jobsFile(Path assembly) {
        try (Stream<Path> files = Files.walk(assembly)) {
            List<Path> found = files.filter(p -> p.endsWith(Path.of("ecs-retrier", "jobs.json"))).toList();
            assertThat(found).hasSize(1);
            return Files.readString(found.get(0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
