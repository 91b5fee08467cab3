package dev.ecsretrier.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.core.Action;
import dev.ecsretrier.core.RetryRule;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ClusterAttributes;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;

/**
 * Lambda's 4 KB for all of a function's environment variables (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
 * props whose variables would not fit fail at synth, naming the prop, instead of CloudFormation refusing the function.
 */
class LambdaEnvironmentLimitTest {

    /** Realistic user rules: a name, a stopped-reason glob and a container reason glob each. */
    private static List<RetryRule> rules(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> new RetryRule("retry-upstream-timeout-of-partner-api-" + i, null,
                        "Essential container in task exited*", "*upstream request timeout from partner-api-" + i + "*",
                        "importer", List.of(75, 111), Action.RETRY))
                .toList();
    }

    @Test
    void aRuleListPastLambdasFourKilobytesFailsAtSynth_namingTheRulesProp() {
        Stack stack = stack(EcsRetrierProps.builder().rules(rules(20)));

        assertThatThrownBy(() -> Template.fromStack(stack))
                .hasMessageContaining("rules is too large")
                .hasMessageContaining("the Starter function's environment would be about")
                .hasMessageContaining("over Lambda's 4096")
                .hasMessageContaining("rules as RETRIER_RULES:");
    }

    @Test
    void theClassifiersEnvironmentIsCheckedToo_itCarriesTheStarterArnBesides() {
        Stack stack = stack(EcsRetrierProps.builder().rules(rules(20)));

        assertThatThrownBy(() -> Template.fromStack(stack))
                .hasMessageContaining("the Classifier function's environment would be about");
    }

    @Test
    void essentialContainersAddedAfterTheConstructAreMeasuredAtSynth_evenThoughListedLazily() {
        Stack stack = new Stack(new App(), "ManyContainers");
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(stack, "Task").build();
        task.addContainer("app", ContainerDefinitionOptions.builder().image(ContainerImage.fromRegistry("busybox")).build());
        new EcsRetrier(stack, "Retrier", EcsRetrierProps.builder().cluster(cluster(stack)).taskDefinition(task).build());
        // Added after the construct: the lazily listed essential containers grow past the limit (ECS allows ten
        // containers per task definition, names of up to 255 characters).
        for (int i = 1; i < 10; i++) {
            task.addContainer("sidecar-" + i + "-" + "x".repeat(245), ContainerDefinitionOptions.builder()
                    .image(ContainerImage.fromRegistry("busybox")).memoryLimitMiB(16).build());
        }

        assertThatThrownBy(() -> Template.fromStack(stack))
                .hasMessageContaining("essentialContainers is too large")
                .hasMessageContaining("essentialContainers as RETRIER_ESSENTIAL_CONTAINERS:");
    }

    @Test
    void aRuleListThatFitsSynthesizes() {
        Template template = Template.fromStack(stack(EcsRetrierProps.builder().rules(rules(5))));

        assertThat(template.findResources("AWS::Lambda::Function")).hasSize(2);
    }

    @Test
    void lambdaMeasuresTheVariablesAsOneJsonObject_escapesIncluded() {
        // Lambda's message quotes the string it measures: {"NAME":"value",...}.
        LambdaEnvironmentSize size = LambdaEnvironmentSize.of("Starter", Map.of("A", "say \"hi\""));

        assertThat(size.bytes()).isEqualTo("{\"A\":\"say \\\"hi\\\"\"}".length());
        assertThat(size.bytesOf("A")).isEqualTo("\"A\":\"say \\\"hi\\\"\",".length());
    }

    @Test
    void aReferenceCountsAsTheLongestNameCloudFormationGives_andPseudoParametersAsTheirLongestValue() {
        Map<String, Object> arn = Map.of("Fn::Join", List.of("", List.of(
                "arn:", Map.of("Ref", "AWS::Partition"), ":sqs:", Map.of("Ref", "AWS::Region"), ":",
                Map.of("Ref", "AWS::AccountId"), ":", Map.of("Fn::GetAtt", List.of("Queue", "QueueName")))));

        LambdaEnvironmentSize size = LambdaEnvironmentSize.of("Starter", Map.of("Q", arn));

        assertThat(size.estimated().get("Q"))
                .isEqualTo("arn:aws-us-gov:sqs:ap-southeast-4:123456789012:" + "x".repeat(LambdaEnvironmentSize.REFERENCE_BYTES));
    }

    @Test
    void exactlyFourKilobytesFits_oneMoreByteDoesNot() {
        String name = "A";
        int overhead = "{\"A\":\"\"}".length();

        assertThat(LambdaEnvironmentSize.of("Starter", Map.of(name, "v".repeat(4096 - overhead))).fits()).isTrue();
        assertThat(LambdaEnvironmentSize.of("Starter", Map.of(name, "v".repeat(4097 - overhead))).fits()).isFalse();
    }

    private static Stack stack(EcsRetrierProps.Builder props) {
        Stack stack = new Stack(new App(), "Rules");
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(stack, "Task").build();
        task.addContainer("importer", ContainerDefinitionOptions.builder().image(ContainerImage.fromRegistry("busybox")).build());
        new EcsRetrier(stack, "Retrier", props.cluster(cluster(stack)).taskDefinition(task).build());
        return stack;
    }

    private static software.amazon.awscdk.services.ecs.ICluster cluster(Stack stack) {
        return Cluster.fromClusterAttributes(stack, "Jobs", ClusterAttributes.builder()
                .clusterName("jobs").clusterArn(ExistingClusterStacks.CLUSTER_ARN)
                .vpc(Vpc.Builder.create(stack, "Vpc").maxAzs(2).natGateways(0).build()).build());
    }
}
