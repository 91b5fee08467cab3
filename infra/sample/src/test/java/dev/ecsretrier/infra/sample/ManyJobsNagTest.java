package dev.ecsretrier.infra.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;
import software.amazon.awscdk.services.ec2.FlowLogDestination;
import software.amazon.awscdk.services.ec2.FlowLogOptions;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.ContainerInsights;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.LogDrivers;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;

/**
 * cdk-nag's AwsSolutions pack (the one the sample stack passes, {@link CdkNagTest}) on docs/deploy.md's many-jobs
 * example, in a stack that keeps its own resources as the sample does (flow logs, Container Insights, task logs):
 * the retrier's resources for three jobs bring no finding that is not suppressed with its reason.
 */
class ManyJobsNagTest {

    private static Annotations annotations;

    @BeforeAll
    static void synthesizeTheExampleWithCdkNag() {
        App app = new App();
        Stack stack = new Stack(app, "ManyJobsNag");
        Vpc vpc = Vpc.Builder.create(stack, "Vpc").maxAzs(2).natGateways(1).build();
        vpc.addFlowLog("FlowLog", FlowLogOptions.builder()
                .destination(FlowLogDestination.toCloudWatchLogs(logs(stack, "VpcFlowLogs"))).build());
        Cluster cluster = Cluster.Builder.create(stack, "Cluster").vpc(vpc).containerInsightsV2(ContainerInsights.ENABLED).build();
        ManyJobsExample.retrier(stack, cluster, definition(stack, "NightlyEtl", "app"), definition(stack, "Reports", "render"),
                definition(stack, "Invoices", "app"));
        Aspects.of(app).add(AwsSolutionsChecks.Builder.create().verbose(true).logIgnores(true).build());
        app.synth();
        annotations = Annotations.fromStack(stack);
    }

    @Test
    void noUnsuppressedErrors() {
        assertThat(describe(annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*")))).isEmpty();
    }

    @Test
    void noUnsuppressedWarnings() {
        assertThat(describe(annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*")))).isEmpty();
    }

    @Test
    void everySuppressionGivesAReason_andTheStartersCoversEachJobsTaskDefinition() {
        List<String> suppressed = describe(annotations.findInfo("*", Match.stringLikeRegexp(".*CdkNagSuppression.*")));
        assertThat(suppressed).isNotEmpty()
                .allSatisfy(finding -> assertThat(finding).containsPattern("Provided reason: \"\\[?.{40,}"));
        assertThat(suppressed).filteredOn(f -> f.startsWith("/ManyJobsNag/Retrier/StarterRole/") && f.contains(":task-definition/"))
                .as("ecs:RunTask on every revision of each job's family").hasSize(3);
    }

    private static LogGroup logs(Stack stack, String id) {
        return LogGroup.Builder.create(stack, id).retention(RetentionDays.ONE_MONTH).removalPolicy(RemovalPolicy.DESTROY).build();
    }

    private static FargateTaskDefinition definition(Stack stack, String id, String container) {
        FargateTaskDefinition definition = FargateTaskDefinition.Builder.create(stack, id).build();
        definition.addContainer(container, ContainerDefinitionOptions.builder()
                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/busybox:stable"))
                .logging(LogDrivers.awsLogs(AwsLogDriverProps.builder().logGroup(logs(stack, id + "Logs")).streamPrefix(id).build()))
                .build());
        return definition;
    }

    private static List<String> describe(List<SynthesisMessage> messages) {
        return messages.stream().map(m -> m.getId() + " " + m.getEntry().getData()).toList();
    }
}
