package dev.ecsretrier.infra.sample;

import static dev.ecsretrier.infra.Templates.arnInThisAccount;
import static dev.ecsretrier.infra.Templates.arnOf;
import static dev.ecsretrier.infra.Templates.ref;
import static dev.ecsretrier.infra.Templates.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every permission in the sample stack's ecs-retrier, statement by statement: actions, resources and conditions.
 * A change to any of them is a change to this spec.
 */
class LeastPrivilegeTest {

    private static SynthesizedSample sample;
    private static String cluster;
    private static String scheduleGroupName;

    @BeforeAll
    static void synthesize() {
        sample = SynthesizedSample.get();
        cluster = sample.logicalId("AWS::ECS::Cluster", "Cluster");
        scheduleGroupName = sample.resource("AWS::Scheduler::ScheduleGroup", "RetrierScheduleGroup").at("/Properties/Name").asText();
    }

    @Test
    void starterRunsOnlyTheSampleTaskFamilyInTheSampleCluster_tagsOnlyTasksItCreatesWithItsOwnKeys_andPassesOnlyTheTaskRoles() {
        String family = sample.resource("AWS::ECS::TaskDefinition", "SampleTask").at("/Properties/Family").asText();
        assertThat(statements("RetrierStarterRoleDefaultPolicy")).containsExactlyElementsOf(tree(List.of(
                writeOwnLogs("RetrierStarterLogs"),
                sendToDeadLetterQueue("RetrierStarterFailures"),
                statement("RunOurTaskDefinitionInOurCluster", "ecs:RunTask",
                        arnInThisAccount("ecs", ":task-definition/" + family + ":*"),
                        Map.of("ArnEquals", Map.of("ecs:cluster", arnOf(cluster)))),
                statement("TagTasksAsTheyStart", "ecs:TagResource",
                        arnInThisAccount("ecs", ":task/", ref(cluster), "/*"),
                        Map.of("StringEquals", Map.of("ecs:CreateAction", "RunTask"),
                                "ForAllValues:StringLike", Map.of("aws:TagKeys", "ecs-retrier:*"))),
                statement("PassTaskRolesToEcs", "iam:PassRole",
                        List.of(arnOf(sample.logicalId("AWS::IAM::Role", "SampleTaskTaskRole")),
                                arnOf(sample.logicalId("AWS::IAM::Role", "SampleTaskExecutionRole"))),
                        Map.of("StringEquals", Map.of("iam:PassedToService", "ecs-tasks.amazonaws.com"))),
                // A run cancelled while RunTask ran: the starter stops the task it just started.
                statement("StopOurTasksOfCancelledRuns", "ecs:StopTask",
                        arnInThisAccount("ecs", ":task/", ref(cluster), "/*"),
                        Map.of("ArnEquals", Map.of("ecs:cluster", arnOf(cluster)))),
                manageSchedulesInOurGroup(),
                passSchedulerRole(),
                publishToTopic(),
                useTopicKey(),
                readRunHistory())));
    }

    @Test
    void classifierDescribesOnlyTasksOfTheSampleCluster_andNeverRunsTasks() {
        assertThat(statements("RetrierClassifierRoleDefaultPolicy")).containsExactlyElementsOf(tree(List.of(
                writeOwnLogs("RetrierClassifierLogs"),
                sendToDeadLetterQueue("RetrierClassifierFailures"),
                statement("DescribeOurClusterTasks", "ecs:DescribeTasks",
                        arnInThisAccount("ecs", ":task/", ref(cluster), "/*"),
                        Map.of("ArnEquals", Map.of("ecs:cluster", arnOf(cluster)))),
                manageSchedulesInOurGroup(),
                passSchedulerRole(),
                publishToTopic(),
                useTopicKey(),
                readRunHistory())));
    }

    @Test
    void functionRolesHaveNoManagedPolicies() {
        for (String role : List.of("RetrierStarterRole", "RetrierClassifierRole", "RetrierSchedulerRole")) {
            assertThat(sample.resource("AWS::IAM::Role", role).at("/Properties").has("ManagedPolicyArns")).as(role).isFalse();
        }
    }

    @Test
    void onlySchedulesOfOurGroupInOurAccountMayAssumeTheSchedulerRole() {
        JsonNode trust = sample.resource("AWS::IAM::Role", "RetrierSchedulerRole").at("/Properties/AssumeRolePolicyDocument/Statement");
        assertThat(trust).containsExactly(tree(Map.of(
                "Action", "sts:AssumeRole",
                "Effect", "Allow",
                "Principal", Map.of("Service", "scheduler.amazonaws.com"),
                "Condition", Map.of("StringEquals", Map.of(
                        "aws:SourceAccount", ref("AWS::AccountId"),
                        "aws:SourceArn", arnOf(sample.logicalId("AWS::Scheduler::ScheduleGroup", "RetrierScheduleGroup")))))));
    }

    @Test
    void schedulerRoleInvokesOnlyTheStarterAlias_writesOnlyItsDeadLetterQueue_andStopsOnlyTasksOfTheSampleCluster() {
        assertThat(statements("RetrierSchedulerRoleDefaultPolicy")).containsExactlyElementsOf(tree(List.of(
                Map.of("Action", "lambda:InvokeFunction", "Effect", "Allow",
                        "Resource", ref(sample.logicalId("AWS::Lambda::Alias", "RetrierStarterAlias"))),
                Map.of("Action", "sqs:SendMessage", "Effect", "Allow",
                        "Resource", arnOf(sample.logicalId("AWS::SQS::Queue", "RetrierScheduleDeliveryFailures"))),
                // The sample's attempt timeout: its schedule calls StopTask as this role (ecs:cluster applies to StopTask).
                statement("StopOurClusterTasksOnTimeout", "ecs:StopTask",
                        arnInThisAccount("ecs", ":task/", ref(cluster), "/*"),
                        Map.of("ArnEquals", Map.of("ecs:cluster", arnOf(cluster)))))));
    }

    @Test
    void onlyTheRuleMaySendToTheRuleDeadLetterQueue_andOnlyOverTls() {
        String queue = sample.logicalId("AWS::SQS::Queue", "RetrierRuleDeliveryFailures");
        JsonNode statements = queuePolicyStatements(queue);
        assertThat(statements).containsExactlyElementsOf(tree(List.of(
                denyInsecureTransport("sqs:*", Map.of("AWS", "*"), arnOf(queue)),
                Map.of("Sid", statements.get(1).get("Sid").asText(),
                        "Action", "sqs:SendMessage", "Effect", "Allow",
                        "Principal", Map.of("Service", "events.amazonaws.com"),
                        "Resource", arnOf(queue),
                        "Condition", Map.of("ArnEquals", Map.of("aws:SourceArn",
                                arnOf(sample.logicalId("AWS::Events::Rule", "RetrierStoppedTaskRule"))))))));
    }

    @Test
    void everyQueueRefusesInsecureTransport() {
        for (String name : List.of("RetrierStarterFailures", "RetrierClassifierFailures", "RetrierScheduleDeliveryFailures")) {
            String queue = sample.logicalId("AWS::SQS::Queue", name);
            assertThat(queuePolicyStatements(queue)).as(name).containsExactly(
                    tree(denyInsecureTransport("sqs:*", Map.of("AWS", "*"), arnOf(queue))));
        }
    }

    @Test
    void topicRefusesInsecureTransport_andLetsOnlyOurAccountsAlarmsPublish() {
        String topic = sample.logicalId("AWS::SNS::Topic", "RetrierTopic");
        JsonNode statements = sample.resource("AWS::SNS::TopicPolicy", "RetrierTopicPolicy").at("/Properties/PolicyDocument/Statement");
        Map<String, Object> deny = new LinkedHashMap<>(denyInsecureTransport("sns:Publish", "*", ref(topic)));
        deny.put("Sid", "AllowPublishThroughSSLOnly");
        assertThat(statements).containsExactlyElementsOf(tree(List.of(deny, Map.of(
                "Sid", "CloudWatchAlarmsPublish",
                "Action", "sns:Publish", "Effect", "Allow",
                "Principal", Map.of("Service", "cloudwatch.amazonaws.com"),
                "Resource", ref(topic),
                "Condition", fromOurAlarms()))));
    }

    @Test
    void topicKeyRotates_andServesOurAccountsAlarmsBesidesTheAccountItself() {
        JsonNode key = sample.resource("AWS::KMS::Key", "RetrierTopicKey").at("/Properties");
        assertThat(key.get("EnableKeyRotation").asBoolean()).isTrue();
        JsonNode statements = key.at("/KeyPolicy/Statement");
        assertThat(statements).hasSize(2);
        // The first statement is CDK's default: the account administers its key through IAM.
        assertThat(statements.get(0).at("/Principal/AWS/Fn::Join/1/4").asText()).isEqualTo(":root");
        assertThat(statements.get(1)).isEqualTo(tree(Map.of(
                "Sid", "CloudWatchAlarmsUseKey",
                "Action", List.of("kms:Decrypt", "kms:GenerateDataKey*"), "Effect", "Allow",
                "Principal", Map.of("Service", "cloudwatch.amazonaws.com"),
                "Resource", "*",
                "Condition", fromOurAlarms())));
    }

    @Test
    void noIdentityPolicyGrantsAStarResource() {
        // The only "*" resources the stack may hold: the task execution role's ecr:GetAuthorizationToken
        // (no resource-level permissions exist for it), and a key policy's "*" (which means that key).
        List<String> starResources = new ArrayList<>();
        assertThat(sample.template.findResources("AWS::IAM::Policy")).as("the stack's policies").isNotEmpty();
        sample.template.findResources("AWS::IAM::Policy").forEach((id, policy) ->
                tree(policy).at("/Properties/PolicyDocument/Statement").forEach(statement -> {
                    if (statement.get("Resource").isTextual() && statement.get("Resource").asText().equals("*")) {
                        starResources.add(id + " " + statement.get("Action"));
                    }
                }));
        assertThat(starResources).singleElement().asString()
                .startsWith("SampleTaskExecutionRoleDefaultPolicy").contains("ecr:GetAuthorizationToken");
    }

    // ---------------------------------------------------------------- expected statements

    private static JsonNode statements(String policyLogicalIdPrefix) {
        return sample.resource("AWS::IAM::Policy", policyLogicalIdPrefix).at("/Properties/PolicyDocument/Statement");
    }

    private static JsonNode queuePolicyStatements(String queueLogicalId) {
        List<JsonNode> matches = new ArrayList<>();
        sample.template.findResources("AWS::SQS::QueuePolicy").values().forEach(policy -> {
            JsonNode tree = tree(policy);
            if (tree.at("/Properties/Queues/0/Ref").asText().equals(queueLogicalId)) {
                matches.add(tree.at("/Properties/PolicyDocument/Statement"));
            }
        });
        assertThat(matches).as("queue policies of %s", queueLogicalId).hasSize(1);
        return matches.get(0);
    }

    private static Map<String, Object> statement(String sid, String action, Object resource, Map<String, Object> condition) {
        return Map.of("Sid", sid, "Action", action, "Effect", "Allow", "Resource", resource, "Condition", condition);
    }

    /** A run that ends reads its history records back: FilterLogEvents on the two functions' log groups only. */
    private static Map<String, Object> readRunHistory() {
        return Map.of("Sid", "ReadRunHistory", "Action", "logs:FilterLogEvents", "Effect", "Allow",
                "Resource", List.of(arnOf(sample.logicalId("AWS::Logs::LogGroup", "RetrierStarterLogs")),
                        arnOf(sample.logicalId("AWS::Logs::LogGroup", "RetrierClassifierLogs"))));
    }

    private static Map<String, Object> writeOwnLogs(String logGroupPrefix) {
        return Map.of("Action", List.of("logs:CreateLogStream", "logs:PutLogEvents"), "Effect", "Allow",
                "Resource", arnOf(sample.logicalId("AWS::Logs::LogGroup", logGroupPrefix)));
    }

    /** CDK's SqsDestination grant: the function's own on-failure queue, nothing else. */
    private static Map<String, Object> sendToDeadLetterQueue(String queuePrefix) {
        return Map.of("Action", List.of("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"), "Effect", "Allow",
                "Resource", arnOf(sample.logicalId("AWS::SQS::Queue", queuePrefix)));
    }

    private static Map<String, Object> manageSchedulesInOurGroup() {
        return Map.of("Sid", "ManageSchedulesInOurGroup",
                "Action", List.of("scheduler:CreateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule"),
                "Effect", "Allow",
                "Resource", arnInThisAccount("scheduler", ":schedule/" + scheduleGroupName + "/*"));
    }

    private static Map<String, Object> passSchedulerRole() {
        return statement("PassSchedulerRole", "iam:PassRole",
                arnOf(sample.logicalId("AWS::IAM::Role", "RetrierSchedulerRole")),
                Map.of("StringEquals", Map.of("iam:PassedToService", "scheduler.amazonaws.com")));
    }

    private static Map<String, Object> publishToTopic() {
        return Map.of("Action", "sns:Publish", "Effect", "Allow",
                "Resource", ref(sample.logicalId("AWS::SNS::Topic", "RetrierTopic")));
    }

    private static Map<String, Object> useTopicKey() {
        return Map.of("Action", List.of("kms:Decrypt", "kms:GenerateDataKey*"), "Effect", "Allow",
                "Resource", arnOf(sample.logicalId("AWS::KMS::Key", "RetrierTopicKey")));
    }

    private static Map<String, Object> denyInsecureTransport(String action, Object principal, Object resource) {
        return Map.of("Action", action, "Effect", "Deny", "Principal", principal, "Resource", resource,
                "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")));
    }

    private static Map<String, Object> fromOurAlarms() {
        return Map.of(
                "StringEquals", Map.of("aws:SourceAccount", ref("AWS::AccountId")),
                "ArnLike", Map.of("aws:SourceArn", arnInThisAccount("cloudwatch", ":alarm:*")));
    }
}
