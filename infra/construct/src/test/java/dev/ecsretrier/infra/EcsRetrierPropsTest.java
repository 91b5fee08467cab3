package dev.ecsretrier.infra;

import static dev.ecsretrier.infra.Templates.arnInThisAccount;
import static dev.ecsretrier.infra.Templates.ref;
import static dev.ecsretrier.infra.Templates.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.Action;
import dev.ecsretrier.core.RetryRule;
import dev.ecsretrier.rule.StoppedTaskPattern;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ecs.CapacityProviderStrategy;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.ITaskDefinition;
import software.amazon.awscdk.services.ecs.LaunchType;
import software.amazon.awscdk.services.ecs.NetworkMode;
import software.amazon.awscdk.services.ecs.TaskDefinition;
import software.amazon.awscdk.services.ecs.TaskDefinitionAttributes;
import software.amazon.awscdk.services.iam.Role;

/** What each prop does to the template, its default included, and the props the construct refuses. */
class EcsRetrierPropsTest {

    private static ExistingClusterStacks stacks;

    @BeforeAll
    static void synthesize() {
        stacks = ExistingClusterStacks.get();
    }

    // ---------------------------------------------------------------- defaults

    @Test
    void byDefaultTheRuleAcceptsOnlyRealEcsEvents() {
        JsonNode pattern = rule(stacks.defaultsTemplate).at("/Properties/EventPattern");
        assertThat(pattern.get("source")).isEqualTo(tree(List.of("aws.ecs")));
        assertThat(pattern).isEqualTo(tree(new StoppedTaskPattern(stacks.defaultsRetrier.getStartedBy(),
                ExistingClusterStacks.CLUSTER_ARN, false).asMap()));
    }

    @Test
    void byDefaultStartedByIsUniqueToTheConstruct_andValidForRunTask() {
        String startedBy = stacks.defaultsRetrier.getStartedBy();
        assertThat(startedBy).startsWith("ecs-retrier-").matches("[A-Za-z0-9\\-/_]{1,128}")
                .isNotEqualTo(Setting.STARTED_BY.defaultValue());
        assertThat(environment(stacks.defaultsTemplate).get(Setting.STARTED_BY.variable()).asText()).isEqualTo(startedBy);
    }

    @Test
    void defaultSettings() {
        JsonNode env = environment(stacks.defaultsTemplate);
        assertThat(env.get(Setting.CONTAINER_NAME.variable()).asText()).as("the task definition's default container").isEqualTo("worker");
        assertThat(env.get(Setting.LAUNCH_TYPE.variable()).asText()).isEqualTo("FARGATE");
        assertThat(env.has(Setting.CAPACITY_PROVIDER_STRATEGY.variable())).isFalse();
        assertThat(env.get(Setting.ASSIGN_PUBLIC_IP.variable()).asText()).isEqualTo("DISABLED");
        assertThat(env.get(Setting.MAX_ATTEMPTS.variable()).asText()).isEqualTo(Setting.MAX_ATTEMPTS.defaultValue());
        assertThat(env.get(Setting.BACKOFF_INITIAL_SECONDS.variable()).asText()).isEqualTo(Setting.BACKOFF_INITIAL_SECONDS.defaultValue());
        assertThat(env.get(Setting.BACKOFF_MULTIPLIER.variable()).asText()).isEqualTo(Setting.BACKOFF_MULTIPLIER.defaultValue());
        assertThat(env.get(Setting.BACKOFF_MAX_SECONDS.variable()).asText()).isEqualTo(Setting.BACKOFF_MAX_SECONDS.defaultValue());
        assertThat(env.get(Setting.BACKOFF_JITTER.variable()).asText()).isEqualTo(Setting.BACKOFF_JITTER.defaultValue());
        assertThat(env.get(Setting.RETRYABLE_EXIT_CODES.variable()).asText()).isEmpty();
        assertThat(env.get(Setting.RULES.variable()).asText()).isEqualTo("[]");
        assertThat(env.get(Setting.ESSENTIAL_CONTAINERS.variable()).asText()).as("the task definition's essential containers").isEqualTo("worker");
    }

    @Test
    void bothFunctionsAreToldTheHistoryLogGroups_andMayFilterThoseTwoOnly() {
        String starterLogs = Templates.logicalId(stacks.defaultsTemplate, "AWS::Logs::LogGroup", "RetrierStarterLogs");
        String classifierLogs = Templates.logicalId(stacks.defaultsTemplate, "AWS::Logs::LogGroup", "RetrierClassifierLogs");
        JsonNode groups = tree(Map.of("Fn::Join", List.of("", List.of(ref(starterLogs), ",", ref(classifierLogs)))));
        for (String function : List.of("RetrierStarter", "RetrierClassifier")) {
            assertThat(Templates.resource(stacks.defaultsTemplate, "AWS::Lambda::Function", function)
                    .at("/Properties/Environment/Variables/" + Setting.HISTORY_LOG_GROUPS.variable()))
                    .as(function).isEqualTo(groups);
        }
        JsonNode readHistory = tree(Map.of("Sid", "ReadRunHistory", "Action", "logs:FilterLogEvents", "Effect", "Allow",
                "Resource", List.of(Templates.arnOf(starterLogs), Templates.arnOf(classifierLogs))));
        for (String policy : List.of("RetrierStarterRoleDefaultPolicy", "RetrierClassifierRoleDefaultPolicy")) {
            List<JsonNode> filtering = new java.util.ArrayList<>();
            Templates.resource(stacks.defaultsTemplate, "AWS::IAM::Policy", policy).at("/Properties/PolicyDocument/Statement")
                    .forEach(statement -> {
                        if (statement.toString().contains("logs:FilterLogEvents")) {
                            filtering.add(statement);
                        }
                    });
            assertThat(filtering).as(policy).containsExactly(readHistory);
        }
    }

    @Test
    void byDefaultTasksRunInThePrivateSubnetsOfTheClusterVpc() {
        JsonNode subnets = environment(stacks.defaultsTemplate).at("/" + Setting.SUBNETS.variable() + "/Fn::Join/1");
        assertThat(subnets.toString()).contains("VpcPrivateSubnet1Subnet", "VpcPrivateSubnet2Subnet").doesNotContain("Public");
    }

    @Test
    void byDefaultATopicIsCreated_withNoSubscription() {
        assertThat(stacks.defaultsTemplate.findResources("AWS::SNS::Topic")).hasSize(1);
        assertThat(stacks.defaultsTemplate.findResources("AWS::KMS::Key")).hasSize(1);
        assertThat(stacks.defaultsTemplate.findResources("AWS::SNS::Subscription")).isEmpty();
    }

    // ---------------------------------------------------------------- every prop set

    @Test
    void givenPropsBecomeTheFunctionsSettings() {
        JsonNode env = environment(stacks.customTemplate);
        assertThat(env.get(Setting.CONTAINER_NAME.variable()).asText()).isEqualTo("importer");
        assertThat(env.get(Setting.STARTED_BY.variable()).asText()).isEqualTo(ExistingClusterStacks.CUSTOM_STARTED_BY);
        assertThat(env.get(Setting.TASK_DEFINITION.variable()).asText()).isEqualTo(ExistingClusterStacks.IMPORTED_TASK_DEFINITION_ARN);
        assertThat(env.get(Setting.CLUSTER.variable()).asText()).isEqualTo(ExistingClusterStacks.CLUSTER_ARN);
        assertThat(env.has(Setting.LAUNCH_TYPE.variable())).as("ECS takes a launch type or a strategy, not both").isFalse();
        assertThat(env.get(Setting.CAPACITY_PROVIDER_STRATEGY.variable()).asText())
                .isEqualTo("[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":3},{\"capacityProvider\":\"FARGATE\",\"weight\":1,\"base\":1}]");
        assertThat(env.get(Setting.SECURITY_GROUPS.variable()).asText()).isEqualTo("sg-0123456789abcdef0");
        assertThat(env.get(Setting.MAX_ATTEMPTS.variable()).asText()).isEqualTo("5");
        assertThat(env.get(Setting.INFRASTRUCTURE_RETRIES.variable()).asText()).isEqualTo("3");
        assertThat(env.get(Setting.BACKOFF_INITIAL_SECONDS.variable()).asText()).isEqualTo("120");
        assertThat(env.get(Setting.BACKOFF_MULTIPLIER.variable()).asText()).isEqualTo("1.5");
        assertThat(env.get(Setting.BACKOFF_MAX_SECONDS.variable()).asText()).isEqualTo("3600");
        assertThat(env.get(Setting.BACKOFF_JITTER.variable()).asText()).isEqualTo("EQUAL");
        assertThat(env.get(Setting.RETRYABLE_EXIT_CODES.variable()).asText()).isEqualTo("75,111");
        assertThat(env.get(Setting.TOPIC_ARN.variable()).asText()).isEqualTo(ExistingClusterStacks.TOPIC_ARN);
    }

    /**
     * The rules reach the functions as the JSON a user would write by hand (not compared with the
     * construct's own serializer), and the functions' configuration reader reads them back as given.
     */
    @Test
    void givenRulesBecomeTheRulesSetting_asJsonTheFunctionsRead() throws Exception {
        JsonNode env = environment(stacks.customTemplate);
        assertThat(TestJson.MAPPER.readTree(env.get(Setting.RULES.variable()).asText())).isEqualTo(TestJson.MAPPER.readTree("""
                [{"name": "lock-timeout", "containerName": "importer", "exitCodes": [75], "action": "RETRY"},
                 {"stopCode": "UserInitiated", "stoppedReason": "ops: *", "action": "SUCCEED"}]"""));

        Map<String, String> variables = new LinkedHashMap<>();
        variables.put(Setting.REGION.variable(), "eu-west-1");
        // CloudFormation references are only known at deploy time: a plain stand-in each.
        env.fields().forEachRemaining(field -> variables.put(field.getKey(),
                field.getValue().isTextual() ? field.getValue().asText() : "deploy-time-value"));
        assertThat(RetrierConfig.fromEnvironment(variables).rules()).containsExactly(
                new RetryRule("lock-timeout", null, null, null, "importer", List.of(75), Action.RETRY),
                new RetryRule(null, "UserInitiated", "ops: *", null, null, null, Action.SUCCEED));
    }

    @Test
    void acceptTestEventsAddsTheTestSource_andNothingElse() {
        assertThat(rule(stacks.customTemplate).at("/Properties/EventPattern")).isEqualTo(tree(Map.of(
                "source", List.of("aws.ecs", "ecs-retrier.test"),
                "detail-type", List.of("ECS Task State Change"),
                "detail", Map.of(
                        "lastStatus", List.of("STOPPED"),
                        "startedBy", List.of(ExistingClusterStacks.CUSTOM_STARTED_BY),
                        "clusterArn", List.of(ExistingClusterStacks.CLUSTER_ARN)))));
    }

    @Test
    void anImportedTaskDefinitionIsRunByItsFamily_andOnlyItsRolesArePassed() {
        JsonNode statements = Templates.resource(stacks.customTemplate, "AWS::IAM::Policy", "RetrierStarterRoleDefaultPolicy")
                .at("/Properties/PolicyDocument/Statement");
        assertThat(statements).filteredOn(s -> s.path("Sid").asText().equals("RunOurTaskDefinitionInOurCluster")).singleElement()
                .satisfies(s -> {
                    assertThat(s.get("Resource")).isEqualTo(tree(arnInThisAccount("ecs", ":task-definition/nightly-import:*")));
                    assertThat(s.get("Condition")).isEqualTo(tree(Map.of("ArnEquals", Map.of("ecs:cluster", ExistingClusterStacks.CLUSTER_ARN))));
                });
        assertThat(statements).filteredOn(s -> s.path("Sid").asText().equals("TagTasksAsTheyStart")).singleElement()
                .satisfies(s -> assertThat(s.get("Resource")).isEqualTo(tree(arnInThisAccount("ecs", ":task/jobs/*"))));
        assertThat(statements).filteredOn(s -> s.path("Sid").asText().equals("PassTaskRolesToEcs")).singleElement()
                .satisfies(s -> assertThat(s.get("Resource")).isEqualTo(tree(List.of(
                        "arn:aws:iam::123456789012:role/nightly-import-task", "arn:aws:iam::123456789012:role/nightly-import-execution"))));
    }

    @Test
    void aGivenTopicIsUsed_andNoTopicOrKeyIsCreated() {
        assertThat(stacks.customTemplate.findResources("AWS::SNS::Topic")).isEmpty();
        assertThat(stacks.customTemplate.findResources("AWS::KMS::Key")).isEmpty();
        assertThat(stacks.customTemplate.findResources("AWS::CloudWatch::Alarm").values())
                .as("the stack's alarms").isNotEmpty()
                .allSatisfy(alarm -> assertThat(tree(alarm).at("/Properties/AlarmActions")).isEqualTo(tree(List.of(ExistingClusterStacks.TOPIC_ARN))));
    }

    @Test
    void logRetentionIsConfigurable() {
        assertThat(stacks.customTemplate.findResources("AWS::Logs::LogGroup").values())
                .hasSize(2)
                .allSatisfy(group -> assertThat(tree(group).at("/Properties/RetentionInDays").asInt()).isEqualTo(90));
    }

    // ---------------------------------------------------------------- refused

    @Test
    void bothFunctionsHave512MiB_byDefault_andTheMemoryAskedFor_whenSet() {
        for (String function : List.of("RetrierStarter", "RetrierClassifier")) {
            assertThat(Templates.resource(stacks.defaultsTemplate, "AWS::Lambda::Function", function)
                    .at("/Properties/MemorySize").asInt()).as(function).isEqualTo(512);
            assertThat(Templates.resource(stacks.customTemplate, "AWS::Lambda::Function", function)
                    .at("/Properties/MemorySize").asInt()).as(function).isEqualTo(1024);
        }
    }

    @Test
    void refusesFunctionMemoryOutside256To10240MiB() {
        for (int mib : List.of(128, 255, 10_241)) {
            assertThatThrownBy(() -> EcsRetrierProps.builder().cluster(cluster()).taskDefinition(taskDefinition())
                    .functionMemoryMiB(mib).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("functionMemoryMiB must be 256-10240 (Lambda's 128-10240 MB, from 256 as the functions use"
                            + " about 124 MiB), was " + mib);
        }
        for (int mib : List.of(256, 10_240)) {
            assertThat(EcsRetrierProps.builder().cluster(cluster()).taskDefinition(taskDefinition())
                    .functionMemoryMiB(mib).build().functionMemoryMiB()).isEqualTo(mib);
        }
    }

    @Test
    void refusesMaxAttemptsOutsideOneToTen() {
        assertThatThrownBy(() -> EcsRetrierProps.builder().cluster(cluster()).taskDefinition(taskDefinition()).maxAttempts(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts must be 1-10, was 0");
        assertThatThrownBy(() -> EcsRetrierProps.builder().cluster(cluster()).taskDefinition(taskDefinition()).maxAttempts(11).build())
                .hasMessage("maxAttempts must be 1-10, was 11");
    }

    @Test
    void refusesALaunchTypeTogetherWithCapacityProviders() {
        assertThatThrownBy(() -> EcsRetrierProps.builder().cluster(cluster()).taskDefinition(taskDefinition())
                .launchType(LaunchType.FARGATE)
                .capacityProviderStrategies(List.of(CapacityProviderStrategy.builder().capacityProvider("FARGATE_SPOT").build()))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("set launchType or capacityProviderStrategies, not both (launchType was FARGATE)");
    }

    @Test
    void refusesAStartedByThatRunTaskWouldRefuse() {
        assertThatThrownBy(() -> EcsRetrierProps.builder().cluster(cluster()).taskDefinition(taskDefinition())
                .startedBy("nightly import").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("startedBy must be 1-128 of [A-Za-z0-9-/_], was 'nightly import'");
    }

    @Test
    void refusesAMultiplierBelowOne_andAMaxDelayBelowTheInitialDelay() {
        assertThatThrownBy(() -> EcsRetrierProps.builder().cluster(cluster()).taskDefinition(taskDefinition())
                .backoffMultiplier(0.5).build())
                .hasMessage("backoffMultiplier must be 1-100, was 0.5");
        assertThatThrownBy(() -> EcsRetrierProps.builder().cluster(cluster()).taskDefinition(taskDefinition())
                .backoffInitialDelay(Duration.minutes(10)).backoffMaxDelay(Duration.minutes(5)).build())
                .hasMessage("backoffMaxDelay (300 s) must not be shorter than backoffInitialDelay (600 s)");
    }

    @Test
    void requiresAContainerNameWhenTheTaskDefinitionHasNoDefaultContainer() {
        Stack stack = new Stack(new App(), "NoContainer");
        ITaskDefinition imported = TaskDefinition.fromTaskDefinitionAttributes(stack, "Imported", TaskDefinitionAttributes.builder()
                .taskDefinitionArn(ExistingClusterStacks.IMPORTED_TASK_DEFINITION_ARN)
                .networkMode(NetworkMode.AWS_VPC)
                .taskRole(Role.fromRoleArn(stack, "TaskRole", "arn:aws:iam::123456789012:role/task"))
                .build());
        assertThatThrownBy(() -> new EcsRetrier(stack, "Retrier", EcsRetrierProps.builder()
                .cluster(software.amazon.awscdk.services.ecs.Cluster.fromClusterAttributes(stack, "Jobs",
                        software.amazon.awscdk.services.ecs.ClusterAttributes.builder()
                                .clusterName("jobs").clusterArn(ExistingClusterStacks.CLUSTER_ARN)
                                .vpc(software.amazon.awscdk.services.ec2.Vpc.Builder.create(stack, "Vpc").build()).build()))
                .taskDefinition(imported)
                .functionsCode(software.amazon.awscdk.services.lambda.Code.fromInline("unused"))
                .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("containerName is required: the task definition NoContainer/Imported has no default container");
    }

    @Test
    void containerNames_reachTheFunctionsAsRetrierContainerNames_andAreAnImportedDefinitionsEssentialContainers() {
        Stack stack = new Stack(new App(), "TwoContainers");
        ITaskDefinition imported = TaskDefinition.fromTaskDefinitionAttributes(stack, "Imported", TaskDefinitionAttributes.builder()
                .taskDefinitionArn(ExistingClusterStacks.IMPORTED_TASK_DEFINITION_ARN)
                .networkMode(NetworkMode.AWS_VPC)
                .taskRole(Role.fromRoleArn(stack, "TaskRole", "arn:aws:iam::123456789012:role/task"))
                .build());
        new EcsRetrier(stack, "Retrier", EcsRetrierProps.builder()
                .cluster(software.amazon.awscdk.services.ecs.Cluster.fromClusterAttributes(stack, "Jobs",
                        software.amazon.awscdk.services.ecs.ClusterAttributes.builder()
                                .clusterName("jobs").clusterArn(ExistingClusterStacks.CLUSTER_ARN)
                                .vpc(software.amazon.awscdk.services.ec2.Vpc.Builder.create(stack, "Vpc").build()).build()))
                .taskDefinition(imported)
                .containerNames(List.of("app", "report"))
                .build());

        JsonNode env = environment(Template.fromStack(stack));
        assertThat(env.get(Setting.CONTAINER_NAMES.variable()).asText()).isEqualTo("app,report");
        assertThat(env.has(Setting.CONTAINER_NAME.variable())).isFalse();
        assertThat(env.get(Setting.ESSENTIAL_CONTAINERS.variable()).asText()).isEqualTo("app,report");
    }

    @Test
    void containerNames_refuseAnEmptyListANameTwiceAndTheShorthandBeside() {
        assertThatThrownBy(() -> EcsRetrierProps.builder().cluster(cluster()).taskDefinition(taskDefinition())
                .containerNames(List.of()).build()).hasMessageStartingWith("containerNames must name at least one container");
        assertThatThrownBy(() -> EcsRetrierProps.builder().cluster(cluster()).taskDefinition(taskDefinition())
                .containerNames(List.of("app", "app")).build()).hasMessageStartingWith("containerNames names a container twice");
        assertThatThrownBy(() -> EcsRetrierProps.builder().cluster(cluster()).taskDefinition(taskDefinition())
                .containerName("app").containerNames(List.of("app", "report")).build())
                .hasMessageStartingWith("set containerName or containerNames, not both");
    }

    // ---------------------------------------------------------------- helpers

    private static ICluster cluster() {
        return (ICluster) stacks.defaults.getNode().findChild("Jobs");
    }

    private static ITaskDefinition taskDefinition() {
        return (ITaskDefinition) stacks.defaults.getNode().findChild("Worker");
    }

    private static JsonNode rule(Template template) {
        return Templates.resource(template, "AWS::Events::Rule", "RetrierStoppedTaskRule");
    }

    private static JsonNode environment(Template template) {
        return Templates.resource(template, "AWS::Lambda::Function", "RetrierStarter").at("/Properties/Environment/Variables");
    }
}
