package dev.ecsretrier.infra.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
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
 * cdk-nag's AwsSolutions pack on each stack the retrier is shown in: the sample stack, and docs/deploy.md's many-jobs
 * example in a stack that keeps its own resources as the sample does (flow logs, Container Insights, task logs).
 * Nothing unsuppressed, every suppression with its reason, and (for the sample) no suppression that is not needed.
 */
class CdkNagTest {

    /**
     * A stack synthesized with cdk-nag.
     *
     * @param jobs how many task definition families the starter may run: one {@code ecs:RunTask} suppression each
     */
    record NaggedStack(String name, Annotations annotations, int jobs) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static NaggedStack manyJobs;

    static Stream<NaggedStack> stacks() {
        return Stream.of(new NaggedStack(SampleApp.STACK_NAME, Annotations.fromStack(SynthesizedSample.get().stack), 1),
                manyJobs());
    }

    /** docs/deploy.md's many-jobs example, three jobs, synthesized once with cdk-nag's checks. */
    private static synchronized NaggedStack manyJobs() {
        if (manyJobs == null) {
            App app = new App();
            Stack stack = new Stack(app, "ManyJobsNag");
            Vpc vpc = Vpc.Builder.create(stack, "Vpc").maxAzs(2).natGateways(1).build();
            vpc.addFlowLog("FlowLog", FlowLogOptions.builder()
                    .destination(FlowLogDestination.toCloudWatchLogs(logs(stack, "VpcFlowLogs"))).build());
            Cluster cluster = Cluster.Builder.create(stack, "Cluster").vpc(vpc).containerInsightsV2(ContainerInsights.ENABLED).build();
            ManyJobsExample.retrier(stack, cluster, definition(stack, "NightlyEtl", "app", "report"),
                    definition(stack, "Reports", "render"), definition(stack, "Invoices", "app"));
            Aspects.of(app).add(AwsSolutionsChecks.Builder.create().verbose(true).logIgnores(true).build());
            app.synth();
            manyJobs = new NaggedStack("docs/deploy.md's many jobs", Annotations.fromStack(stack), 3);
        }
        return manyJobs;
    }

    @ParameterizedTest
    @MethodSource("stacks")
    void noUnsuppressedErrors(NaggedStack stack) {
        assertThat(describe(stack.annotations().findError("*", Match.stringLikeRegexp("AwsSolutions-.*")))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("stacks")
    void noUnsuppressedWarnings(NaggedStack stack) {
        assertThat(describe(stack.annotations().findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*")))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("stacks")
    void noWarningsOrErrorsAtAll(NaggedStack stack) {
        assertThat(describe(stack.annotations().findError("*", Match.anyValue()))).isEmpty();
        assertThat(describe(stack.annotations().findWarning("*", Match.anyValue()))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("stacks")
    void everySuppressionGivesAReason(NaggedStack stack) {
        assertThat(describe(stack.annotations().findInfo("*", Match.stringLikeRegexp(".*CdkNagSuppression.*"))))
                .as("the stack's cdk-nag suppressions").isNotEmpty()
                .allSatisfy(finding -> assertThat(finding).containsPattern("Provided reason: \"\\[?.{40,}"));
    }

    @ParameterizedTest
    @MethodSource("stacks")
    void theStartersRunTaskSuppression_coversEachJobsTaskDefinitionFamily_andNoOther(NaggedStack stack) {
        assertThat(describe(stack.annotations().findInfo("*", Match.stringLikeRegexp(".*CdkNagSuppression.*"))))
                .filteredOn(f -> f.contains("/Retrier/StarterRole/") && f.contains(":task-definition/"))
                .as("ecs:RunTask on every revision of each job's family").hasSize(stack.jobs());
    }

    @Test
    void everySuppressionIsStillNeeded_andScopedToWhatItAllows() {
        // logIgnores turns each suppressed finding into an info; the list is the complete set of accepted findings.
        Annotations annotations = Annotations.fromStack(SynthesizedSample.get().stack);
        assertThat(describe(annotations.findInfo("*", Match.stringLikeRegexp(".*CdkNagSuppression.*"))).stream()
                .map(finding -> finding.replaceAll("Provided reason: .*", "").trim()).sorted().toList())
                .containsExactly(
                        "/EcsRetrierSample/Retrier/Classifier/Resource CdkNagSuppression: AwsSolutions-L1 was triggered but suppressed.",
                        "/EcsRetrierSample/Retrier/ClassifierFailures/Resource CdkNagSuppression: AwsSolutions-SQS3 was triggered but suppressed.",
                        "/EcsRetrierSample/Retrier/ClassifierRole/DefaultPolicy/Resource CdkNagSuppression[Action::kms:GenerateDataKey*]: AwsSolutions-IAM5 was triggered but suppressed.",
                        "/EcsRetrierSample/Retrier/ClassifierRole/DefaultPolicy/Resource CdkNagSuppression[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<ClusterEB0386A7>/*]: AwsSolutions-IAM5 was triggered but suppressed.",
                        "/EcsRetrierSample/Retrier/ClassifierRole/DefaultPolicy/Resource CdkNagSuppression[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/" + scheduleGroup() + "/*]: AwsSolutions-IAM5 was triggered but suppressed.",
                        "/EcsRetrierSample/Retrier/RuleDeliveryFailures/Resource CdkNagSuppression: AwsSolutions-SQS3 was triggered but suppressed.",
                        "/EcsRetrierSample/Retrier/ScheduleDeliveryFailures/Resource CdkNagSuppression: AwsSolutions-SQS3 was triggered but suppressed.",
                        "/EcsRetrierSample/Retrier/SchedulerRole/DefaultPolicy/Resource CdkNagSuppression[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<ClusterEB0386A7>/*]: AwsSolutions-IAM5 was triggered but suppressed.",
                        "/EcsRetrierSample/Retrier/Starter/Resource CdkNagSuppression: AwsSolutions-L1 was triggered but suppressed.",
                        "/EcsRetrierSample/Retrier/StarterFailures/Resource CdkNagSuppression: AwsSolutions-SQS3 was triggered but suppressed.",
                        "/EcsRetrierSample/Retrier/StarterRole/DefaultPolicy/Resource CdkNagSuppression[Action::kms:GenerateDataKey*]: AwsSolutions-IAM5 was triggered but suppressed.",
                        "/EcsRetrierSample/Retrier/StarterRole/DefaultPolicy/Resource CdkNagSuppression[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition/EcsRetrierSampleSampleTaskF7996092:*]: AwsSolutions-IAM5 was triggered but suppressed.",
                        "/EcsRetrierSample/Retrier/StarterRole/DefaultPolicy/Resource CdkNagSuppression[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<ClusterEB0386A7>/*]: AwsSolutions-IAM5 was triggered but suppressed.",
                        "/EcsRetrierSample/Retrier/StarterRole/DefaultPolicy/Resource CdkNagSuppression[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/" + scheduleGroup() + "/*]: AwsSolutions-IAM5 was triggered but suppressed.",
                        "/EcsRetrierSample/SampleTask/ExecutionRole/DefaultPolicy/Resource CdkNagSuppression[Resource::*]: AwsSolutions-IAM5 was triggered but suppressed.");
    }

    private static String scheduleGroup() {
        return SynthesizedSample.get().resource("AWS::Scheduler::ScheduleGroup", "RetrierScheduleGroup").at("/Properties/Name").asText();
    }

    private static LogGroup logs(Stack stack, String id) {
        return LogGroup.Builder.create(stack, id).retention(RetentionDays.ONE_MONTH).removalPolicy(RemovalPolicy.DESTROY).build();
    }

    private static FargateTaskDefinition definition(Stack stack, String id, String... containers) {
        FargateTaskDefinition definition = FargateTaskDefinition.Builder.create(stack, id).build();
        for (String container : containers) {
            definition.addContainer(container, ContainerDefinitionOptions.builder()
                    .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/busybox:stable"))
                    .logging(LogDrivers.awsLogs(AwsLogDriverProps.builder().logGroup(logs(stack, id + container + "Logs"))
                            .streamPrefix(id).build()))
                    .build());
        }
        return definition;
    }

    private static List<String> describe(List<SynthesisMessage> messages) {
        return messages.stream().map(m -> m.getId() + " " + m.getEntry().getData()).toList();
    }
}
