package dev.ecsretrier.infra.sample;

import static dev.ecsretrier.infra.Templates.arnOf;
import static dev.ecsretrier.infra.Templates.ref;
import static dev.ecsretrier.infra.Templates.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.infra.Templates;
import dev.ecsretrier.infra.TestJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sample around the construct: network, cluster, the sample task, and what the stack tells its deployer. */
class SampleStackTest {

    private static SynthesizedSample sample;

    @BeforeAll
    static void synthesize() {
        sample = SynthesizedSample.get();
    }

    @Test
    void vpcHasTwoPublicSubnetsNoNatAndFlowLogs() {
        assertThat(sample.template.findResources("AWS::EC2::Subnet")).hasSize(2);
        assertThat(sample.template.findResources("AWS::EC2::NatGateway")).isEmpty();
        JsonNode flowLog = sample.resource("AWS::EC2::FlowLog", "VpcFlowLog").at("/Properties");
        assertThat(flowLog.get("ResourceId")).isEqualTo(tree(ref(sample.logicalId("AWS::EC2::VPC", "Vpc"))));
        assertThat(flowLog.get("TrafficType").asText()).isEqualTo("ALL");
        assertThat(flowLog.get("LogGroupName")).isEqualTo(tree(ref(sample.logicalId("AWS::Logs::LogGroup", "VpcFlowLogs"))));
    }

    @Test
    void outputsGiveEveryPieceThatRetrierStartAndCancelReadWithStack() {
        Map<String, Map<String, Object>> outputs = sample.template.findOutputs("*");
        for (dev.ecsretrier.config.StackOutput output : dev.ecsretrier.config.StackOutput.values()) {
            assertThat(outputs).as(output.key()).containsKey(output.key());
        }
        // The construct names its schedule group at synth (the functions' environment carries the name), so the output is that literal.
        assertThat(tree(outputs.get("ScheduleGroupName")).get("Value").asText())
                .isEqualTo(sample.stack.getRetrier().getScheduleGroupName());
        assertThat(tree(outputs.get("SchedulerRoleArn")).get("Value"))
                .isEqualTo(tree(arnOf(sample.logicalId("AWS::IAM::Role", "RetrierSchedulerRole"))));
        // The single-job props are one job, named as the functions name it: runs --job checks against it.
        assertThat(tree(outputs.get("Jobs")).get("Value").asText()).isEqualTo("default");
    }

    @Test
    void clusterHasContainerInsights() {
        assertThat(sample.resource("AWS::ECS::Cluster", "Cluster").at("/Properties/ClusterSettings"))
                .isEqualTo(tree(List.of(Map.of("Name", "containerInsights", "Value", "enabled"))));
    }

    @Test
    void sampleTaskIsAFargateTaskFromTheSampleTaskImage_loggingToCloudWatch() {
        JsonNode task = sample.resource("AWS::ECS::TaskDefinition", "SampleTask").at("/Properties");
        assertThat(task.get("RequiresCompatibilities")).isEqualTo(tree(List.of("FARGATE")));
        assertThat(task.get("NetworkMode").asText()).isEqualTo("awsvpc");
        assertThat(task.at("/RuntimePlatform/CpuArchitecture").asText()).isEqualTo("X86_64");
        assertThat(task.get("ContainerDefinitions")).singleElement().satisfies(container -> {
            assertThat(container.get("Name").asText()).isEqualTo(SampleStack.CONTAINER_NAME);
            assertThat(container.get("Essential").asBoolean()).isTrue();
            assertThat(container.at("/Image/Fn::Sub").asText()).contains("cdk-hnb659fds-container-assets");
            assertThat(container.at("/LogConfiguration/LogDriver").asText()).isEqualTo("awslogs");
            assertThat(container.at("/LogConfiguration/Options/awslogs-group"))
                    .isEqualTo(tree(ref(sample.logicalId("AWS::Logs::LogGroup", "SampleTaskLogs"))));
            assertThat(container.at("/LogConfiguration/Options/awslogs-stream-prefix").asText()).isEqualTo("sample-task");
        });
    }

    @Test
    void theImageIsBuiltFromSampleTaskForLinuxAmd64() {
        JsonNode assets = Templates.tree(readAssetManifest()).get("dockerImages");
        assertThat(assets).hasSize(1);
        JsonNode source = assets.elements().next().get("source");
        assertThat(source.get("platform").asText()).isEqualTo("linux/amd64");
        assertThat(sample.templateFile.getParent().resolve(source.get("directory").asText()).resolve("Dockerfile")).exists();
        assertThat(sample.templateFile.getParent().resolve(source.get("directory").asText()).resolve("target/sample-task.jar")).exists();
    }

    @Test
    void retrierRetriesExitCode2AndAcceptsTestEvents() {
        assertThat(sample.resource("AWS::Lambda::Function", "RetrierClassifier").at("/Properties/Environment/Variables/RETRIER_RETRYABLE_EXIT_CODES").asText())
                .isEqualTo("2");
        assertThat(sample.resource("AWS::Events::Rule", "RetrierStoppedTaskRule").at("/Properties/EventPattern/source"))
                .isEqualTo(tree(List.of("aws.ecs", "ecs-retrier.test")));
    }

    @Test
    void retrierStopsAnAttemptThatRunsLongerThan30Minutes_andRetriesIt() {
        JsonNode env = sample.resource("AWS::Lambda::Function", "RetrierStarter").at("/Properties/Environment/Variables");
        assertThat(env.get("RETRIER_ATTEMPT_TIMEOUT_SECONDS").asText()).isEqualTo("1800");
        assertThat(env.has("RETRIER_RETRY_ON_TIMEOUT")).as("the functions' default: retried").isFalse();
    }

    @Test
    void outputsTellHowToStartARunAndWhereToLook() {
        Map<String, Map<String, Object>> outputs = sample.outputs();
        assertThat(outputs).containsOnlyKeys("StarterFunctionName", "StarterLogGroupName", "ClassifierLogGroupName", "StarterAliasArn", "TopicArn", "ClusterName", "ClusterArn",
                "StartedBy", "ScheduleGroupName", "SchedulerRoleArn", "Jobs", "DashboardName", "StarterFailuresQueueUrl", "ClassifierFailuresQueueUrl", "RuleDeliveryFailuresQueueUrl",
                "ScheduleDeliveryFailuresQueueUrl");
        assertThat(value(outputs, "StarterFunctionName")).isEqualTo(tree(ref(sample.logicalId("AWS::Lambda::Function", "RetrierStarter"))));
        assertThat(value(outputs, "StarterLogGroupName")).isEqualTo(tree(ref(sample.logicalId("AWS::Logs::LogGroup", "RetrierStarterLogs"))));
        assertThat(value(outputs, "ClassifierLogGroupName")).isEqualTo(tree(ref(sample.logicalId("AWS::Logs::LogGroup", "RetrierClassifierLogs"))));
        assertThat(value(outputs, "StarterAliasArn")).isEqualTo(tree(ref(sample.logicalId("AWS::Lambda::Alias", "RetrierStarterAlias"))));
        assertThat(value(outputs, "TopicArn")).isEqualTo(tree(ref(sample.logicalId("AWS::SNS::Topic", "RetrierTopic"))));
        assertThat(value(outputs, "ClusterName")).isEqualTo(tree(ref(sample.logicalId("AWS::ECS::Cluster", "Cluster"))));
        assertThat(value(outputs, "ClusterArn")).isEqualTo(tree(arnOf(sample.logicalId("AWS::ECS::Cluster", "Cluster"))));
        assertThat(value(outputs, "StartedBy").asText()).isEqualTo(sample.stack.getRetrier().getStartedBy());
        assertThat(value(outputs, "RuleDeliveryFailuresQueueUrl"))
                .isEqualTo(tree(ref(sample.logicalId("AWS::SQS::Queue", "RetrierRuleDeliveryFailures"))));
    }

    @Test
    void synthesizesWithoutAnAccount_andUsesTheCliAccountWhenItHasOne() {
        assertThat(software.amazon.awscdk.Token.isUnresolved(sample.stack.getAccount())).as("environment-agnostic").isTrue();
        assertThat(SampleApp.stackProps(null, "eu-west-1").getEnv()).isNull();
        assertThat(SampleApp.stackProps("123456789012", "eu-west-1").getEnv().getAccount()).isEqualTo("123456789012");
    }

    private static JsonNode value(Map<String, Map<String, Object>> outputs, String name) {
        return tree(outputs.get(name)).get("Value");
    }

    private static Object readAssetManifest() {
        try {
            return TestJson.MAPPER.readTree(sample.templateFile.getParent()
                    .resolve(SampleApp.STACK_NAME + ".assets.json").toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
