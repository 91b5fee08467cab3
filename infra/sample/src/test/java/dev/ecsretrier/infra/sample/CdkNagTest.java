package dev.ecsretrier.infra.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;

/** cdk-nag's AwsSolutions pack on the sample stack: nothing unsuppressed, and no suppression that is not needed. */
class CdkNagTest {

    private static Annotations annotations;

    @BeforeAll
    static void synthesize() {
        annotations = Annotations.fromStack(SynthesizedSample.get().stack);
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
    void noWarningsOrErrorsAtAll() {
        assertThat(describe(annotations.findError("*", Match.anyValue()))).isEmpty();
        assertThat(describe(annotations.findWarning("*", Match.anyValue()))).isEmpty();
    }

    @Test
    void everySuppressionIsStillNeeded_andScopedToWhatItAllows() {
        // logIgnores turns each suppressed finding into an info; the list is the complete set of accepted findings.
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

    @Test
    void everySuppressionGivesAReason() {
        assertThat(describe(annotations.findInfo("*", Match.stringLikeRegexp(".*CdkNagSuppression.*"))))
                .as("the stack's cdk-nag suppressions").isNotEmpty()
                .allSatisfy(finding -> assertThat(finding).containsPattern("Provided reason: \"\\[?.{40,}"));
    }

    private static String scheduleGroup() {
        return SynthesizedSample.get().resource("AWS::Scheduler::ScheduleGroup", "RetrierScheduleGroup").at("/Properties/Name").asText();
    }

    private static List<String> describe(List<SynthesisMessage> messages) {
        return messages.stream().map(m -> m.getId() + " " + m.getEntry().getData()).toList();
    }
}
