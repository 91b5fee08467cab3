package dev.ecsretrier.infra;

import static dev.ecsretrier.infra.Templates.arnInThisAccount;
import static dev.ecsretrier.infra.Templates.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.AdaptationPolicy;
import dev.ecsretrier.core.RetryBudgets;
import dev.ecsretrier.core.CapacityProviderItem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ecs.CapacityProviderStrategy;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.Ec2TaskDefinition;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.ITaskDefinition;

/**
 * The adaptive retries (issue 7) in the template: each prop becomes its setting on both functions and nothing is set
 * while it is off, the functions accept what the construct writes, the scheduler role may stop tasks only with an
 * attempt timeout, and the props that would do nothing or that the functions would refuse are refused by name.
 */
class AdaptiveRetriesPropsTest {

    /** Every setting that an adaptive prop writes; none is in the environment while its prop is unset. */
    private static final List<Setting> ADAPTIVE = List.of(Setting.INFRASTRUCTURE_RETRIES, Setting.APPLICATION_RETRIES,
            Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY, Setting.FALLBACK_AFTER_SPOT_FAILURES, Setting.MEMORY_ESCALATION,
            Setting.MEMORY_FACTOR, Setting.MEMORY_MAX_MIB, Setting.ROTATE_SUBNETS, Setting.ATTEMPT_TIMEOUT_SECONDS,
            Setting.RETRY_ON_TIMEOUT);
    private static final ContainerImage BUSYBOX = ContainerImage.fromRegistry("public.ecr.aws/docker/library/busybox:stable");

    private static ExistingClusterStacks stacks;

    @BeforeAll
    static void synthesize() {
        stacks = ExistingClusterStacks.get();
    }

    // ---------------------------------------------------------------- off by default

    @ParameterizedTest
    @ValueSource(strings = {"RetrierStarter", "RetrierClassifier"})
    void byDefaultNoAdaptiveSettingIsSet_soTheFunctionsKeepTheirDefaults(String function) {
        JsonNode env = environment(stacks.defaultsTemplate, function);
        assertThat(ADAPTIVE).isNotEmpty().allSatisfy(setting -> assertThat(env.has(setting.variable())).as(setting.variable()).isFalse());
        assertThat(env.get(Setting.MAX_ATTEMPTS.variable()).asText()).isEqualTo("3");
    }

    @Test
    void theDocumentedDefaultsAreTheFunctionsDefaults() {
        // The props' documentation (and README.md) promise these; an unset prop leaves them to the functions.
        assertThat(Integer.toString(EcsRetrierProps.DEFAULT_MAX_ATTEMPTS)).isEqualTo(Setting.MAX_ATTEMPTS.defaultValue());
        assertThat(Setting.INFRASTRUCTURE_RETRIES.defaultValue()).as("no separate limit").isEmpty();
        assertThat(Setting.APPLICATION_RETRIES.defaultValue()).as("no separate limit").isEmpty();
        assertThat(Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY.defaultValue()).as("no fallback").isEmpty();
        assertThat(Setting.FALLBACK_AFTER_SPOT_FAILURES.defaultValue()).isEqualTo("1");
        assertThat(Setting.MEMORY_ESCALATION.defaultValue()).isEqualTo("false");
        assertThat(Setting.MEMORY_FACTOR.defaultValue()).isEqualTo("2");
        assertThat(Setting.MEMORY_MAX_MIB.defaultValue()).isEqualTo("30720");
        assertThat(Setting.ROTATE_SUBNETS.defaultValue()).isEqualTo("false");
        assertThat(Setting.ATTEMPT_TIMEOUT_SECONDS.defaultValue()).as("no timeout").isEqualTo("0");
        assertThat(Setting.RETRY_ON_TIMEOUT.defaultValue()).isEqualTo("true");
    }

    // ---------------------------------------------------------------- every adaptive prop set

    @Test
    void eachAdaptivePropBecomesItsSetting() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put(Setting.INFRASTRUCTURE_RETRIES.variable(), "4");
        expected.put(Setting.APPLICATION_RETRIES.variable(), "1");
        expected.put(Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY.variable(), "[{\"capacityProvider\":\"FARGATE\",\"weight\":1,\"base\":0}]");
        expected.put(Setting.FALLBACK_AFTER_SPOT_FAILURES.variable(), "2");
        expected.put(Setting.MEMORY_ESCALATION.variable(), "true");
        expected.put(Setting.MEMORY_FACTOR.variable(), "1.5");
        expected.put(Setting.MEMORY_MAX_MIB.variable(), "16384");
        expected.put(Setting.ROTATE_SUBNETS.variable(), "true");
        expected.put(Setting.ATTEMPT_TIMEOUT_SECONDS.variable(), "2700");
        expected.put(Setting.RETRY_ON_TIMEOUT.variable(), "false");
        for (String function : List.of("RetrierStarter", "RetrierClassifier")) {
            JsonNode env = environment(stacks.adaptiveTemplate, function);
            Map<String, String> actual = new LinkedHashMap<>();
            ADAPTIVE.forEach(setting -> actual.put(setting.variable(), env.path(setting.variable()).asText(null)));
            assertThat(actual).as(function).isEqualTo(expected);
            assertThat(env.get(Setting.CAPACITY_PROVIDER_STRATEGY.variable()).asText())
                    .isEqualTo("[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1}]");
        }
    }

    @Test
    void withBothBudgetsAndNoMaxAttempts_maxAttemptsIsLeftToTheFunctions_whichAllowOnePlusBothBudgets() {
        assertThat(environment(stacks.adaptiveTemplate, "RetrierStarter").has(Setting.MAX_ATTEMPTS.variable())).isFalse();
        assertThat(config(stacks.adaptiveTemplate, "RetrierStarter").maxAttempts()).isEqualTo(1 + 4 + 1);
    }

    @Test
    void anExplicitMaxAttemptsStaysNextToASingleBudget() {
        JsonNode env = environment(stacks.customTemplate, "RetrierStarter");
        assertThat(env.get(Setting.MAX_ATTEMPTS.variable()).asText()).isEqualTo("5");
        assertThat(env.get(Setting.INFRASTRUCTURE_RETRIES.variable()).asText()).isEqualTo("3");
        assertThat(env.has(Setting.APPLICATION_RETRIES.variable())).isFalse();
        RetrierConfig config = config(stacks.customTemplate, "RetrierStarter");
        assertThat(config.maxAttempts()).isEqualTo(5);
        assertThat(config.budgets()).isEqualTo(new RetryBudgets(3, null));
    }

    @Test
    void theFunctionsReadTheAdaptiveConfigurationAsMeant() {
        for (String function : List.of("RetrierStarter", "RetrierClassifier")) {
            RetrierConfig config = config(stacks.adaptiveTemplate, function);
            assertThat(config.budgets()).isEqualTo(new RetryBudgets(4, 1));
            AdaptationPolicy adaptation = config.adaptation();
            assertThat(adaptation.fallbackStrategy()).containsExactly(new CapacityProviderItem("FARGATE", 1, 0));
            assertThat(adaptation.fallbackAfterSpotFailures()).isEqualTo(2);
            assertThat(adaptation.memoryEscalation()).isTrue();
            assertThat(adaptation.memoryFactor()).isEqualTo(1.5);
            assertThat(adaptation.memoryCapMiB()).isEqualTo(16384);
            assertThat(adaptation.rotateSubnets()).isTrue();
            assertThat(config.attemptTimeout()).isEqualTo(java.time.Duration.ofMinutes(45));
            assertThat(config.retryOnTimeout()).isFalse();
            assertThat(config.essentialContainers()).containsExactlyInAnyOrder("app", "log-router");
        }
    }

    @Test
    void theFunctionsAcceptTheDefaultAndTheCustomConfigurationToo() {
        RetrierConfig defaults = config(stacks.defaultsTemplate, "RetrierStarter");
        assertThat(defaults.budgets()).isEqualTo(RetryBudgets.NONE);
        assertThat(defaults.adaptation().fallbackStrategy()).isEmpty();
        assertThat(defaults.adaptation().memoryEscalation()).isFalse();
        assertThat(defaults.adaptation().rotateSubnets()).isFalse();
        assertThat(defaults.hasAttemptTimeout()).isFalse();
        assertThat(config(stacks.customTemplate, "RetrierClassifier").essentialContainers()).containsExactly("importer");
    }

    // ---------------------------------------------------------------- essential containers

    @Test
    void byDefaultTheEssentialContainersAreTheTaskDefinitionsEssentialOnes_includingOnesAddedAfterTheConstruct() {
        assertThat(essentialContainers(stacks.adaptiveTemplate)).as("xray is not essential; log-router came later")
                .isEqualTo("app,log-router");
        assertThat(essentialContainers(stacks.defaultsTemplate)).isEqualTo("worker");
    }

    @Test
    void anImportedTaskDefinitionsEssentialContainerIsTheConfiguredContainer() {
        // CDK does not know an imported definition's containers; the container start requests override is the best guess.
        assertThat(essentialContainers(stacks.customTemplate)).isEqualTo("importer");
    }

    @Test
    void givenEssentialContainersAreUsedAsGiven() {
        Template template = Template.fromStack(stackWithEssentialContainers("Given", List.of("app", "envoy")));
        assertThat(environment(template, "RetrierClassifier").get(Setting.ESSENTIAL_CONTAINERS.variable()).asText())
                .isEqualTo("app,envoy");
    }

    @Test
    void anEssentialContainerTheTaskDefinitionDoesNotHaveFailsSynthesis() {
        Stack stack = stackWithEssentialContainers("Misspelt", List.of("app", "envoi"));
        assertThatThrownBy(() -> Template.fromStack(stack))
                .hasMessageContaining("essentialContainers names 'envoi', which is not a container of the task definition "
                        + "Misspelt/Task (its containers: app, envoy)");
    }

    // ---------------------------------------------------------------- permissions

    @Test
    void withAnAttemptTimeoutTheSchedulerRoleMayStopTasksOfTheClusterOnly() {
        JsonNode statements = Templates.resource(stacks.adaptiveTemplate, "AWS::IAM::Policy", "RetrierSchedulerRoleDefaultPolicy")
                .at("/Properties/PolicyDocument/Statement");
        assertThat(statements).filteredOn(s -> s.toString().contains("ecs:StopTask")).containsExactly(tree(Map.of(
                "Sid", "StopOurClusterTasksOnTimeout",
                "Action", "ecs:StopTask", "Effect", "Allow",
                "Resource", arnInThisAccount("ecs", ":task/jobs/*"),
                "Condition", Map.of("ArnEquals", Map.of("ecs:cluster", ExistingClusterStacks.CLUSTER_ARN)))));
        assertThat(actions(stacks.adaptiveTemplate, "RetrierSchedulerRoleDefaultPolicy"))
                .containsExactly("ecs:StopTask", "lambda:InvokeFunction", "sqs:SendMessage");
    }

    @Test
    void withoutAnAttemptTimeoutOnlyTheStarterMayStopTasks_thoseOfCancelledRuns() {
        for (Template template : List.of(stacks.defaultsTemplate, stacks.customTemplate)) {
            Map<String, Map<String, Object>> policies = template.findResources("AWS::IAM::Policy");
            assertThat(policies).isNotEmpty();
            policies.forEach((id, policy) -> {
                if (!id.startsWith("RetrierStarterRoleDefaultPolicy")) {
                    // The statements only: the shared cdk-nag suppression's reason names StopTask too.
                    assertThat(tree(policy).at("/Properties/PolicyDocument/Statement").toString()).as(id)
                            .doesNotContain("ecs:StopTask");
                }
            });
            assertThat(actions(template, "RetrierStarterRoleDefaultPolicy")).contains("ecs:StopTask");
        }
    }

    @Test
    void theFunctionsNeedNoNewPermissionForAnyAdaptation() {
        // A fallback strategy is still ecs:RunTask (no capacity-provider condition); the timeout schedule is created and
        // deleted in the group the functions already manage, with the scheduler role they already pass.
        for (String policy : List.of("RetrierStarterRoleDefaultPolicy", "RetrierClassifierRoleDefaultPolicy")) {
            assertThat(actions(stacks.adaptiveTemplate, policy)).as(policy).isEqualTo(actions(stacks.defaultsTemplate, policy));
        }
        JsonNode runTask = Templates.resource(stacks.adaptiveTemplate, "AWS::IAM::Policy", "RetrierStarterRoleDefaultPolicy")
                .at("/Properties/PolicyDocument/Statement");
        assertThat(runTask).filteredOn(s -> s.path("Sid").asText().equals("RunOurTaskDefinitionInOurCluster")).singleElement()
                .satisfies(s -> assertThat(s.get("Condition")).isEqualTo(tree(Map.of("ArnEquals",
                        Map.of("ecs:cluster", ExistingClusterStacks.CLUSTER_ARN)))));
    }

    // ---------------------------------------------------------------- refused

    @Test
    void refusesRetryBudgetsOutsideZeroToNine() {
        assertThatThrownBy(() -> props(b -> b.infrastructureRetries(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("infrastructureRetries must be 0-9, was -1");
        assertThatThrownBy(() -> props(b -> b.applicationRetries(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("applicationRetries must be 0-9, was 10");
    }

    @Test
    void refusesFallbackAfterSpotFailuresWithoutAFallback_orOutsideOneToTen() {
        assertThatThrownBy(() -> props(b -> b.fallbackAfterSpotFailures(2)))
                .hasMessage("fallbackAfterSpotFailures (2) has no effect without a fallbackCapacityProviderStrategy");
        assertThatThrownBy(() -> props(b -> b.fallbackCapacityProviderStrategy(List.of(provider("FARGATE"))).fallbackAfterSpotFailures(0)))
                .hasMessage("fallbackAfterSpotFailures must be 1-10, was 0");
    }

    @Test
    void refusesAFallbackTheFunctionsCouldNotUse() {
        assertThatThrownBy(() -> props(b -> b.fallbackCapacityProviderStrategy(List.of(provider("FARGATE"), provider("on demand")))))
                .hasMessage("fallbackCapacityProviderStrategy[1].capacityProvider must be 1-255 letters, digits, '-' or '_', was 'on demand'");
        List<CapacityProviderStrategy> many = IntStream.range(0, 12).mapToObj(i -> provider("on-demand-provider-" + i)).toList();
        assertThatThrownBy(() -> props(b -> b.fallbackCapacityProviderStrategy(many)))
                .hasMessageStartingWith("fallbackCapacityProviderStrategy is too long to record in a task tag: 'capacity=on-demand-provider-0:-:-+")
                .hasMessageEndingWith("at most 200");
        assertThatThrownBy(() -> props(b -> b.capacityProviderStrategies(List.of(provider("FARGATE")))
                .fallbackCapacityProviderStrategy(List.of(provider("FARGATE")))))
                .hasMessage("fallbackCapacityProviderStrategy is the same as capacityProviderStrategies: falling back would change nothing");
    }

    @Test
    void refusesMemorySettingsWithoutEscalation_andOutsideTheFunctionsLimits() {
        assertThatThrownBy(() -> props(b -> b.memoryFactor(3)))
                .hasMessage("memoryFactor (3.0) has no effect without memoryEscalation(true)");
        assertThatThrownBy(() -> props(b -> b.memoryEscalation(false).memoryCapMiB(4096)))
                .hasMessage("memoryCapMiB (4096) has no effect without memoryEscalation(true)");
        assertThatThrownBy(() -> props(b -> b.memoryEscalation(true).memoryFactor(1)))
                .hasMessage("memoryFactor must be 1.1-16, was 1.0");
        assertThatThrownBy(() -> props(b -> b.memoryEscalation(true).memoryCapMiB(256)))
                .hasMessage("memoryCapMiB must be 512-122880 (Fargate's smallest to largest task), was 256");
    }

    @Test
    void refusesSubnetRotationForATaskThatHasNoSubnets() {
        Stack stack = new Stack(new App(), "Bridge");
        Ec2TaskDefinition bridge = Ec2TaskDefinition.Builder.create(stack, "Task").build();
        assertThatThrownBy(() -> EcsRetrierProps.builder().cluster(cluster()).taskDefinition(bridge).rotateSubnets(true).build())
                .hasMessage("rotateSubnets needs an awsvpc task definition, the only kind that is given subnets (network mode was BRIDGE)");
    }

    @Test
    void refusesAnAttemptTimeoutOutsideOneSecondToFourteenDays_andRetryOnTimeoutWithoutOne() {
        assertThatThrownBy(() -> props(b -> b.attemptTimeout(Duration.seconds(0))))
                .hasMessage("attemptTimeout must be whole seconds from 1 s to 14 days, was 0 seconds");
        assertThatThrownBy(() -> props(b -> b.attemptTimeout(Duration.millis(1500))))
                .hasMessage("attemptTimeout must be whole seconds from 1 s to 14 days, was 1 second 500 millis");
        assertThatThrownBy(() -> props(b -> b.attemptTimeout(Duration.days(15))))
                .hasMessage("attemptTimeout must be whole seconds from 1 s to 14 days, was 15 days");
        assertThatThrownBy(() -> props(b -> b.retryOnTimeout(false)))
                .hasMessage("retryOnTimeout (false) has no effect without an attemptTimeout");
    }

    @Test
    void refusesEssentialContainersThatNameNone_orNoContainer() {
        assertThatThrownBy(() -> props(b -> b.essentialContainers(List.of())))
                .hasMessage("essentialContainers must name at least one container; leave it unset for the task definition's essential containers");
        assertThatThrownBy(() -> props(b -> b.essentialContainers(List.of("app,envoy"))))
                .hasMessage("essentialContainers holds 'app,envoy', not a container name (1-255 letters, digits, '-' or '_')");
        assertThatThrownBy(() -> props(b -> b.essentialContainers(Collections.singletonList(null))))
                .hasMessage("essentialContainers holds 'null', not a container name (1-255 letters, digits, '-' or '_')");
    }

    @Test
    void acceptsTheBoundaries() {
        EcsRetrierProps props = props(b -> b.infrastructureRetries(0).applicationRetries(9)
                .fallbackCapacityProviderStrategy(List.of(provider("FARGATE"))).fallbackAfterSpotFailures(10)
                .memoryEscalation(true).memoryFactor(16).memoryCapMiB(122_880)
                .attemptTimeout(Duration.days(14)).retryOnTimeout(true).essentialContainers(List.of("worker")));
        assertThat(props.applicationRetries()).isEqualTo(9);
        assertThat(props.attemptTimeout().toSeconds().intValue()).isEqualTo(14 * 86_400);
    }

    @Test
    void theDeployGuidesExampleIsAccepted() {
        // README.md, "Adaptive retries", prop for prop.
        EcsRetrierProps props = props(b -> b
                .capacityProviderStrategies(List.of(CapacityProviderStrategy.builder().capacityProvider("FARGATE_SPOT").weight(1).build()))
                .fallbackCapacityProviderStrategy(List.of(CapacityProviderStrategy.builder().capacityProvider("FARGATE").weight(1).build()))
                .fallbackAfterSpotFailures(1)
                .memoryEscalation(true).memoryFactor(2).memoryCapMiB(8192)
                .rotateSubnets(true)
                .infrastructureRetries(4).applicationRetries(1)
                .attemptTimeout(Duration.hours(2)).retryOnTimeout(true));
        assertThat(props.maxAttempts()).as("left to the functions: 1 + 4 + 1").isNull();
    }

    // ---------------------------------------------------------------- helpers

    private static EcsRetrierProps props(UnaryOperator<EcsRetrierProps.Builder> adaptive) {
        return adaptive.apply(EcsRetrierProps.builder().cluster(cluster()).taskDefinition(taskDefinition())).build();
    }

    private static ICluster cluster() {
        return (ICluster) stacks.defaults.getNode().findChild("Jobs");
    }

    private static ITaskDefinition taskDefinition() {
        return (ITaskDefinition) stacks.defaults.getNode().findChild("Worker");
    }

    private static CapacityProviderStrategy provider(String name) {
        return CapacityProviderStrategy.builder().capacityProvider(name).build();
    }

    private static Stack stackWithEssentialContainers(String name, List<String> essential) {
        Stack stack = new Stack(new App(), name);
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(stack, "Task").build();
        task.addContainer("app", ContainerDefinitionOptions.builder().image(BUSYBOX).build());
        task.addContainer("envoy", ContainerDefinitionOptions.builder().image(BUSYBOX).build());
        new EcsRetrier(stack, "Retrier", EcsRetrierProps.builder()
                .cluster(software.amazon.awscdk.services.ecs.Cluster.fromClusterAttributes(stack, "Jobs",
                        software.amazon.awscdk.services.ecs.ClusterAttributes.builder()
                                .clusterName("jobs").clusterArn(ExistingClusterStacks.CLUSTER_ARN)
                                .vpc(software.amazon.awscdk.services.ec2.Vpc.Builder.create(stack, "Vpc").maxAzs(2).build()).build()))
                .taskDefinition(task)
                .essentialContainers(essential)
                .build());
        return stack;
    }

    private static JsonNode environment(Template template, String function) {
        return Templates.resource(template, "AWS::Lambda::Function", function).at("/Properties/Environment/Variables");
    }

    private static String essentialContainers(Template template) {
        return environment(template, "RetrierStarter").get(Setting.ESSENTIAL_CONTAINERS.variable()).asText();
    }

    /**
     * What the function would read at cold start: the template's environment, with each CloudFormation reference (only
     * known at deploy time) replaced by a plain stand-in, through the functions' own configuration reader.
     */
    private static RetrierConfig config(Template template, String function) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(Setting.REGION.variable(), "eu-west-1");
        environment(template, function).fields().forEachRemaining(field ->
                env.put(field.getKey(), field.getValue().isTextual() ? field.getValue().asText() : "deploy-time-value"));
        return RetrierConfig.fromEnvironment(env);
    }

    /** Every action the policy allows, sorted. */
    private static Set<String> actions(Template template, String policy) {
        Set<String> actions = new TreeSet<>();
        Templates.resource(template, "AWS::IAM::Policy", policy).at("/Properties/PolicyDocument/Statement").forEach(s -> {
            List<JsonNode> names = new ArrayList<>();
            if (s.get("Action").isArray()) {
                s.get("Action").forEach(names::add);
            } else {
                names.add(s.get("Action"));
            }
            names.forEach(n -> actions.add(n.asText()));
        });
        return actions;
    }
}
