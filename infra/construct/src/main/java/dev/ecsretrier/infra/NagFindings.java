package dev.ecsretrier.infra;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.Collection;
import java.util.List;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.sqs.IQueue;

/**
 * The cdk-nag (AwsSolutions) findings that are the design, not an oversight: each wildcard is allowed by its exact
 * pattern, with its reason, so that a new wildcard is still a finding.
 */
final class NagFindings {

    private static final String ACCOUNT = "arn:<AWS::Partition>:%s:<AWS::Region>:<AWS::AccountId>:";

    private NagFindings() {
    }

    static void suppressInherent(Function starter, Function classifier, Role schedulerRole, boolean stopsTasksOnTimeout,
            Collection<IQueue> deadLetterQueues) {
        NagPackSuppression taskDefinitionRevisions = wildcard("ecs:RunTask on every revision of our task definition "
                + "family: each deploy registers a new revision", ACCOUNT.formatted("ecs") + "task-definition/[^/*]+:\\*");
        NagPackSuppression starterTasks = wildcard("ecs:TagResource (only while RunTask creates the task) and "
                + "ecs:StopTask (a task of a run cancelled while it started) on tasks of our cluster: task ids exist"
                + " only at run time", ACCOUNT.formatted("ecs") + "task/[^/*]+/\\*");
        NagPackSuppression classifierTasks = wildcard("ecs:DescribeTasks on tasks of our cluster: task ids exist only"
                + " at run time", ACCOUNT.formatted("ecs") + "task/[^/*]+/\\*");
        NagPackSuppression groupSchedules = wildcard("scheduler:CreateSchedule/DeleteSchedule/GetSchedule in our schedule"
                + " group: schedules (and a cancelled run's marker) are named per run and attempt at run time", ACCOUNT.formatted("scheduler") + "schedule/[^/*]+/\\*");
        NagPackSuppression topicKey = NagPackSuppression.builder().id("AwsSolutions-IAM5")
                .reason("kms:GenerateDataKey* is how CDK's topic.grantPublish names the GenerateDataKey variants that "
                        + "publishing to a KMS-encrypted topic needs; the resource is the topic's key only")
                .appliesTo(List.of(regex("^Action::kms:GenerateDataKey\\*$")))
                .build();
        NagSuppressions.addResourceSuppressions(starter.getRole(),
                List.of(taskDefinitionRevisions, starterTasks, groupSchedules, topicKey), true);
        NagSuppressions.addResourceSuppressions(classifier.getRole(), List.of(classifierTasks, groupSchedules, topicKey), true);
        if (stopsTasksOnTimeout) {
            NagSuppressions.addResourceSuppressions(schedulerRole, List.of(wildcard("ecs:StopTask, for attempt timeout "
                    + "schedules, on tasks of our cluster only (ecs:cluster condition): task ids exist only at run time",
                    ACCOUNT.formatted("ecs") + "task/[^/*]+/\\*")), true);
        }

        NagPackSuppression runtime = NagPackSuppression.builder().id("AwsSolutions-L1")
                .reason("java21 is the runtime the functions jar is built and tested for (with SnapStart); moving to a "
                        + "newer Java runtime is a deliberate change of both modules")
                .build();
        for (Function function : List.of(starter, classifier)) {
            NagSuppressions.addResourceSuppressions(function, List.of(runtime));
            // We do publish: the aliases point at currentVersion.
            Annotations.of(function).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                    "the live alias points at a published version (currentVersion)");
        }
        NagPackSuppression isDeadLetterQueue = NagPackSuppression.builder().id("AwsSolutions-SQS3")
                .reason("This queue is itself a dead-letter queue (Lambda on-failure destination, EventBridge target DLQ "
                        + "or Scheduler DLQ) and an alarm watches it; a dead-letter queue behind it would add nothing")
                .build();
        for (IQueue queue : deadLetterQueues) {
            NagSuppressions.addResourceSuppressions(queue, List.of(isDeadLetterQueue));
        }
    }

    private static NagPackSuppression wildcard(String reason, String resourcePattern) {
        return NagPackSuppression.builder().id("AwsSolutions-IAM5")
                .reason(reason)
                .appliesTo(List.of(regex("^Resource::" + resourcePattern + "$")))
                .build();
    }

    private static RegexAppliesTo regex(String pattern) {
        return RegexAppliesTo.builder().regex("/" + pattern + "/").build();
    }
}
