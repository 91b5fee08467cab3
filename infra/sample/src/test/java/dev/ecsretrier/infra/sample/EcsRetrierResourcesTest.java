package dev.ecsretrier.infra.sample;

import static dev.ecsretrier.infra.Templates.arnOf;
import static dev.ecsretrier.infra.Templates.getAtt;
import static dev.ecsretrier.infra.Templates.ref;
import static dev.ecsretrier.infra.Templates.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.infra.EcsRetrier;
import dev.ecsretrier.infra.Templates;
import dev.ecsretrier.rule.StoppedTaskPattern;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the construct creates in the sample stack, resource by resource. */
class EcsRetrierResourcesTest {

    private static SynthesizedSample sample;

    @BeforeAll
    static void synthesize() {
        sample = SynthesizedSample.get();
    }

    // ---------------------------------------------------------------- functions and aliases

    @ParameterizedTest
    @CsvSource({
            "RetrierStarter, dev.ecsretrier.handler.StarterHandler::handleRequest",
            "RetrierClassifier, dev.ecsretrier.handler.ClassifierHandler::handleRequest"})
    void functionsRunJava21WithSnapStartFromTheFunctionsJar(String function, String handler) {
        JsonNode properties = function(function).at("/Properties");
        assertThat(properties.get("Runtime").asText()).isEqualTo("java21");
        assertThat(properties.get("Handler").asText()).isEqualTo(handler);
        assertThat(properties.at("/SnapStart/ApplyOn").asText()).isEqualTo("PublishedVersions");
        // 512 MB, chosen by the measured billed durations (docs/performance.md, "Memory").
        assertThat(properties.get("MemorySize").asInt()).isEqualTo(512);
        assertThat(properties.get("Timeout").asInt()).isEqualTo(30);
        // Graviton: SnapStart supports arm64 with java21, the jar is pure Java, and arm64 costs less per GB-second.
        assertThat(properties.get("Architectures")).isEqualTo(tree(java.util.List.of("arm64")));
        assertThat(properties.at("/Code/S3Key").asText()).endsWith(".jar");
        assertThat(properties.at("/LoggingConfig/LogGroup")).isEqualTo(tree(ref(sample.logicalId("AWS::Logs::LogGroup", function + "Logs"))));
        assertThat(properties.get("Role")).isEqualTo(tree(arnOf(sample.logicalId("AWS::IAM::Role", function + "Role"))));
    }

    @Test
    void bothFunctionsShareOneCodeAsset() {
        assertThat(function("RetrierStarter").at("/Properties/Code"))
                .isEqualTo(function("RetrierClassifier").at("/Properties/Code"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"RetrierStarterLogs", "RetrierClassifierLogs"})
    void functionLogsAreKeptOneMonth(String logGroup) {
        assertThat(sample.resource("AWS::Logs::LogGroup", logGroup).at("/Properties/RetentionInDays").asInt()).isEqualTo(30);
    }

    @ParameterizedTest
    @CsvSource({"RetrierStarter, RetrierStarterFailures", "RetrierClassifier, RetrierClassifierFailures"})
    void eachFunctionHasALiveAliasOnAPublishedVersion_whoseFailedAsyncInvocationsGoToItsDeadLetterQueue(String function, String queue) {
        String functionId = sample.logicalId("AWS::Lambda::Function", function);
        String aliasId = sample.logicalId("AWS::Lambda::Alias", function + "Alias");
        JsonNode alias = sample.resource("AWS::Lambda::Alias", function + "Alias").at("/Properties");
        assertThat(alias.get("Name").asText()).isEqualTo(EcsRetrier.ALIAS_NAME);
        assertThat(alias.get("FunctionName")).isEqualTo(tree(ref(functionId)));
        String versionId = sample.logicalId("AWS::Lambda::Version", function + "CurrentVersion");
        assertThat(alias.get("FunctionVersion")).isEqualTo(tree(getAtt(versionId, "Version")));

        JsonNode invokeConfig = sample.resource("AWS::Lambda::EventInvokeConfig", function + "AliasEventInvokeConfig").at("/Properties");
        assertThat(invokeConfig.get("FunctionName")).isEqualTo(tree(ref(functionId)));
        assertThat(invokeConfig.at("/Qualifier/Fn::Select/1/Fn::Split/1")).as("the alias's qualifier").isEqualTo(tree(ref(aliasId)));
        assertThat(invokeConfig.get("MaximumRetryAttempts").asInt()).isEqualTo(2);
        assertThat(invokeConfig.get("MaximumEventAgeInSeconds").asInt()).isEqualTo(6 * 3600);
        assertThat(invokeConfig.at("/DestinationConfig/OnFailure/Destination"))
                .isEqualTo(tree(arnOf(sample.logicalId("AWS::SQS::Queue", queue))));
    }

    @Test
    void everyInvokePermissionIsOnAnAliasNeverOnLatest() {
        // Only the rule gets a resource-based permission (the scheduler uses its role); it targets the classifier alias.
        assertThat(sample.template.findResources("AWS::Lambda::Permission").values()).singleElement()
                .satisfies(permission -> {
                    JsonNode properties = tree(permission).at("/Properties");
                    assertThat(properties.get("FunctionName")).isEqualTo(tree(ref(sample.logicalId("AWS::Lambda::Alias", "RetrierClassifierAlias"))));
                    assertThat(properties.get("Principal").asText()).isEqualTo("events.amazonaws.com");
                    assertThat(properties.get("SourceArn")).isEqualTo(tree(arnOf(sample.logicalId("AWS::Events::Rule", "RetrierStoppedTaskRule"))));
                });
    }

    // ---------------------------------------------------------------- configuration

    @Test
    void starterIsConfiguredThroughTheSettingsNames() {
        Map<String, Object> expected = commonEnvironment();
        assertThat(environment("RetrierStarter")).isEqualTo(tree(expected));
    }

    @Test
    void classifierGetsTheSameSettings_plusTheStarterAliasArn() {
        Map<String, Object> expected = commonEnvironment();
        expected.put(Setting.STARTER_ARN.variable(), ref(sample.logicalId("AWS::Lambda::Alias", "RetrierStarterAlias")));
        assertThat(environment("RetrierClassifier")).isEqualTo(tree(expected));
    }

    @Test
    void everyRequiredSettingIsSet() {
        for (Setting setting : Setting.values()) {
            if (setting.required() && setting != Setting.REGION) { // Lambda sets AWS_REGION
                assertThat(environment("RetrierStarter").has(setting.variable())).as(setting.variable()).isTrue();
            }
        }
    }

    private static Map<String, Object> commonEnvironment() {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put(Setting.CLUSTER.variable(), arnOf(sample.logicalId("AWS::ECS::Cluster", "Cluster")));
        env.put(Setting.TASK_DEFINITION.variable(), ref(sample.logicalId("AWS::ECS::TaskDefinition", "SampleTask")));
        env.put(Setting.CONTAINER_NAME.variable(), SampleStack.CONTAINER_NAME);
        env.put(Setting.STARTED_BY.variable(), sample.stack.getRetrier().getStartedBy());
        env.put(Setting.LAUNCH_TYPE.variable(), "FARGATE");
        List<Object> subnets = new ArrayList<>();
        for (String subnet : List.of("VpcpublicSubnet1Subnet", "VpcpublicSubnet2Subnet")) {
            if (!subnets.isEmpty()) {
                subnets.add(",");
            }
            subnets.add(ref(sample.logicalId("AWS::EC2::Subnet", subnet)));
        }
        env.put(Setting.SUBNETS.variable(), Map.of("Fn::Join", List.of("", subnets)));
        env.put(Setting.SECURITY_GROUPS.variable(), getAtt(sample.logicalId("AWS::EC2::SecurityGroup", "RetrierTaskSecurityGroup"), "GroupId"));
        env.put(Setting.ASSIGN_PUBLIC_IP.variable(), "ENABLED");
        env.put(Setting.MAX_ATTEMPTS.variable(), "3");
        env.put(Setting.BACKOFF_INITIAL_SECONDS.variable(), "60");
        env.put(Setting.BACKOFF_MULTIPLIER.variable(), "2");
        env.put(Setting.BACKOFF_MAX_SECONDS.variable(), "900");
        env.put(Setting.BACKOFF_JITTER.variable(), "FULL");
        env.put(Setting.RETRYABLE_EXIT_CODES.variable(), "2");
        env.put(Setting.RULES.variable(), "[]");
        env.put(Setting.ESSENTIAL_CONTAINERS.variable(), SampleStack.CONTAINER_NAME);
        env.put(Setting.ATTEMPT_TIMEOUT_SECONDS.variable(), "1800");
        env.put(Setting.SCHEDULE_GROUP.variable(), sample.resource("AWS::Scheduler::ScheduleGroup", "RetrierScheduleGroup").at("/Properties/Name").asText());
        env.put(Setting.SCHEDULER_ROLE_ARN.variable(), arnOf(sample.logicalId("AWS::IAM::Role", "RetrierSchedulerRole")));
        env.put(Setting.SCHEDULE_DEAD_LETTER_ARN.variable(), arnOf(sample.logicalId("AWS::SQS::Queue", "RetrierScheduleDeliveryFailures")));
        env.put(Setting.TOPIC_ARN.variable(), ref(sample.logicalId("AWS::SNS::Topic", "RetrierTopic")));
        env.put(Setting.STARTER_ALIAS.variable(), EcsRetrier.ALIAS_NAME);
        // Where a run's history records are read back from when it ends: both functions' log groups.
        env.put(Setting.HISTORY_LOG_GROUPS.variable(), Map.of("Fn::Join", List.of("", List.of(
                ref(sample.logicalId("AWS::Logs::LogGroup", "RetrierStarterLogs")), ",",
                ref(sample.logicalId("AWS::Logs::LogGroup", "RetrierClassifierLogs"))))));
        return env;
    }

    @Test
    void taskSecurityGroupAllowsNoInbound() {
        JsonNode group = sample.resource("AWS::EC2::SecurityGroup", "RetrierTaskSecurityGroup").at("/Properties");
        assertThat(group.has("SecurityGroupIngress")).isFalse();
        assertThat(group.at("/SecurityGroupEgress/0/CidrIp").asText()).isEqualTo("0.0.0.0/0");
    }

    // ---------------------------------------------------------------- the rule

    @Test
    void rulePatternIsTheClassifiersPattern() {
        JsonNode clusterArn = tree(arnOf(sample.logicalId("AWS::ECS::Cluster", "Cluster")));
        // Build the expected pattern with a placeholder cluster, then put the template's reference in its place.
        JsonNode expected = tree(new StoppedTaskPattern(sample.stack.getRetrier().getStartedBy(), "CLUSTER", true).asMap());
        ((com.fasterxml.jackson.databind.node.ArrayNode) expected.at("/detail/clusterArn")).set(0, clusterArn);
        assertThat(rule().at("/Properties/EventPattern")).isEqualTo(expected);
    }

    @Test
    void ruleTargetsTheClassifierAlias_withRetriesAndADeadLetterQueue() {
        assertThat(rule().at("/Properties/State").asText()).isEqualTo("ENABLED");
        assertThat(rule().at("/Properties/Targets")).singleElement().satisfies(target -> {
            assertThat(target.get("Arn")).isEqualTo(tree(ref(sample.logicalId("AWS::Lambda::Alias", "RetrierClassifierAlias"))));
            assertThat(target.at("/RetryPolicy/MaximumRetryAttempts").asInt()).isEqualTo(185);
            assertThat(target.at("/RetryPolicy/MaximumEventAgeInSeconds").asInt()).isEqualTo(24 * 3600);
            assertThat(target.at("/DeadLetterConfig/Arn")).isEqualTo(tree(arnOf(sample.logicalId("AWS::SQS::Queue", "RetrierRuleDeliveryFailures"))));
        });
    }

    private static JsonNode rule() {
        return sample.resource("AWS::Events::Rule", "RetrierStoppedTaskRule");
    }

    // ---------------------------------------------------------------- queues, topic

    @ParameterizedTest
    @ValueSource(strings = {"RetrierStarterFailures", "RetrierClassifierFailures", "RetrierRuleDeliveryFailures", "RetrierScheduleDeliveryFailures"})
    void deadLetterQueuesAreEncryptedAndKeepMessagesFourteenDays(String queue) {
        JsonNode properties = sample.resource("AWS::SQS::Queue", queue).at("/Properties");
        assertThat(properties.get("SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(properties.get("MessageRetentionPeriod").asInt()).isEqualTo(14 * 24 * 3600);
    }

    @Test
    void exactlyTheFourDeadLetterQueuesExist() {
        assertThat(sample.template.findResources("AWS::SQS::Queue")).hasSize(4);
        assertThat(sample.stack.getRetrier().getDeadLetterQueues())
                .containsOnlyKeys("StarterFailures", "ClassifierFailures", "RuleDeliveryFailures", "ScheduleDeliveryFailures");
    }

    @Test
    void topicIsEncryptedWithItsOwnKey_andTheEmailIsSubscribed() {
        String topic = sample.logicalId("AWS::SNS::Topic", "RetrierTopic");
        assertThat(sample.resource("AWS::SNS::Topic", "RetrierTopic").at("/Properties/KmsMasterKeyId"))
                .isEqualTo(tree(arnOf(sample.logicalId("AWS::KMS::Key", "RetrierTopicKey"))));
        assertThat(sample.template.findResources("AWS::SNS::Subscription").values()).singleElement().satisfies(subscription -> {
            JsonNode properties = tree(subscription).at("/Properties");
            assertThat(properties.get("Protocol").asText()).isEqualTo("email");
            assertThat(properties.get("Endpoint").asText()).isEqualTo(SynthesizedSample.EMAIL);
            assertThat(properties.get("TopicArn")).isEqualTo(tree(ref(topic)));
        });
    }

    @Test
    void scheduleGroupIsDeletedWithTheStack() {
        String group = sample.logicalId("AWS::Scheduler::ScheduleGroup", "RetrierScheduleGroup");
        assertThat(tree(sample.template.findResources("AWS::Scheduler::ScheduleGroup").get(group)).get("DeletionPolicy").asText()).isEqualTo("Delete");
    }

    // ---------------------------------------------------------------- alarms

    @ParameterizedTest
    @ValueSource(strings = {"RetrierStarterFailures", "RetrierClassifierFailures", "RetrierRuleDeliveryFailures", "RetrierScheduleDeliveryFailures"})
    void anyMessageInADeadLetterQueueRaisesAnAlarm(String queue) {
        JsonNode alarm = alarm(queue + "Alarm");
        assertThat(alarm.get("Namespace").asText()).isEqualTo("AWS/SQS");
        assertThat(alarm.get("MetricName").asText()).isEqualTo("ApproximateNumberOfMessagesVisible");
        assertThat(alarm.get("Dimensions")).isEqualTo(tree(List.of(Map.of("Name", "QueueName",
                "Value", getAtt(sample.logicalId("AWS::SQS::Queue", queue), "QueueName")))));
        assertThat(alarm.get("Statistic").asText()).isEqualTo("Maximum");
        assertAtLeastOnceInFiveMinutesNotifiesTheTopic(alarm);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RetrierStarter", "RetrierClassifier"})
    void anyFunctionErrorRaisesAnAlarm(String function) {
        JsonNode alarm = alarm(function + "ErrorsAlarm");
        assertThat(alarm.get("Namespace").asText()).isEqualTo("AWS/Lambda");
        assertThat(alarm.get("MetricName").asText()).isEqualTo("Errors");
        assertThat(alarm.get("Dimensions")).isEqualTo(tree(List.of(Map.of("Name", "FunctionName",
                "Value", ref(sample.logicalId("AWS::Lambda::Function", function))))));
        assertThat(alarm.get("Statistic").asText()).isEqualTo("Sum");
        assertAtLeastOnceInFiveMinutesNotifiesTheTopic(alarm);
    }

    @Test
    void runsEndingFailedOrRetriesExhaustedRaiseAnAlarm() {
        JsonNode alarm = alarm("RetrierRunsFailedAlarm");
        String retrier = sample.stack.getRetrier().getStartedBy();
        assertThat(alarm.get("Metrics")).isEqualTo(tree(List.of(
                Map.of("Id", "expr_1", "Expression", "FILL(failed, 0) + FILL(exhausted, 0)",
                        "Label", "Runs ended FAILED or RETRIES_EXHAUSTED", "ReturnData", true),
                runsEnded("failed", retrier, "FAILED"),
                runsEnded("exhausted", retrier, "RETRIES_EXHAUSTED"))));
        assertThat(alarm.get("Threshold").asInt()).isEqualTo(1);
        assertThat(alarm.get("ComparisonOperator").asText()).isEqualTo("GreaterThanOrEqualToThreshold");
        assertThat(alarm.get("EvaluationPeriods").asInt()).isEqualTo(1);
        assertThat(alarm.get("TreatMissingData").asText()).isEqualTo("notBreaching");
        assertThat(alarm.get("AlarmActions")).isEqualTo(tree(List.of(ref(sample.logicalId("AWS::SNS::Topic", "RetrierTopic")))));
    }

    @Test
    void thereAreSevenAlarms() {
        assertThat(sample.template.findResources("AWS::CloudWatch::Alarm")).hasSize(7);
    }

    private static Map<String, Object> runsEnded(String id, String retrier, String outcome) {
        return Map.of("Id", id, "ReturnData", false, "MetricStat", Map.of(
                "Metric", Map.of("Namespace", "EcsRetrier", "MetricName", "RunsEnded",
                        "Dimensions", List.of(Map.of("Name", "Outcome", "Value", outcome), Map.of("Name", "Retrier", "Value", retrier))),
                "Period", 300, "Stat", "Sum"));
    }

    private static void assertAtLeastOnceInFiveMinutesNotifiesTheTopic(JsonNode alarm) {
        assertThat(alarm.get("Period").asInt()).isEqualTo(300);
        assertThat(alarm.get("Threshold").asInt()).isEqualTo(1);
        assertThat(alarm.get("ComparisonOperator").asText()).isEqualTo("GreaterThanOrEqualToThreshold");
        assertThat(alarm.get("EvaluationPeriods").asInt()).isEqualTo(1);
        assertThat(alarm.get("TreatMissingData").asText()).isEqualTo("notBreaching");
        assertThat(alarm.get("AlarmActions")).isEqualTo(tree(List.of(ref(sample.logicalId("AWS::SNS::Topic", "RetrierTopic")))));
    }

    // ---------------------------------------------------------------- helpers

    private static JsonNode function(String prefix) {
        return sample.resource("AWS::Lambda::Function", prefix);
    }

    private static JsonNode environment(String function) {
        return function(function).at("/Properties/Environment/Variables");
    }

    private static JsonNode alarm(String prefix) {
        return sample.resource("AWS::CloudWatch::Alarm", prefix).at("/Properties");
    }
}
