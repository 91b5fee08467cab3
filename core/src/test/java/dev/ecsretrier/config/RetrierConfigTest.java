package dev.ecsretrier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ecsretrier.core.Action;
import dev.ecsretrier.core.Backoff;
import dev.ecsretrier.core.Jitter;
import dev.ecsretrier.core.RetryRule;
import dev.ecsretrier.core.Verdict;
import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.port.LaunchRequest.NetworkSettings;
import dev.ecsretrier.testutil.Fixtures;
import dev.ecsretrier.testutil.TestEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RetrierConfigTest {

    private static RetrierConfig config(String... nameValues) {
        return TestEnvironment.config(TestEnvironment.required(), nameValues);
    }

    private static ConfigurationException invalid(String... nameValues) {
        return invalid(TestEnvironment.with(TestEnvironment.required(), nameValues));
    }

    private static ConfigurationException invalid(Map<String, String> env) {
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> RetrierConfig.fromEnvironment(env));
        assertThat(e).as("configuration must be refused").isNotNull();
        assertThat(e.getMessage()).startsWith("invalid ecs-retrier configuration:");
        for (String problem : e.problems()) {
            assertThat(e.getMessage()).contains(problem);
        }
        return e;
    }

    @Test
    void requiredVariablesOnly_giveTheDocumentedDefaults() {
        RetrierConfig c = config();
        assertThat(c.region()).isEqualTo("us-east-1");
        assertThat(c.cluster()).isEqualTo(TestEnvironment.CLUSTER);
        assertThat(c.taskDefinition()).isEqualTo(TestEnvironment.TASK_DEFINITION);
        assertThat(c.containerNames()).containsExactly("app");
        assertThat(c.essentialContainers()).isEmpty();
        assertThat(c.startedBy()).isEqualTo("ecs-retrier");
        assertThat(c.launchType()).isNull();
        assertThat(c.capacityProviderStrategy()).isEmpty();
        assertThat(c.network()).isEqualTo(new NetworkSettings(List.of(), List.of(), false));
        assertThat(c.network().isEmpty()).isTrue();
        assertThat(c.maxAttempts()).isEqualTo(3);
        assertThat(c.backoff()).isEqualTo(new Backoff(Duration.ofSeconds(60), 2.0, Duration.ofSeconds(900), Jitter.FULL));
        assertThat(c.retryableExitCodes()).isEmpty();
        assertThat(c.rules()).isEmpty();
        assertThat(c.scheduleGroup()).isEqualTo("default");
        assertThat(c.starterArn()).isEmpty();
        assertThat(c.starterAlias()).isEqualTo("live");
        assertThat(c.schedulerRoleArn()).isEqualTo(TestEnvironment.SCHEDULER_ROLE);
        assertThat(c.scheduleDeadLetterArn()).isEmpty();
        assertThat(c.topicArn()).isEqualTo(TestEnvironment.TOPIC);
        assertThat(c.budgets()).isEqualTo(dev.ecsretrier.core.RetryBudgets.NONE);
        assertThat(c.adaptation().fallbackStrategy()).isEmpty();
        assertThat(c.adaptation().memoryEscalation()).isFalse();
        assertThat(c.adaptation().rotateSubnets()).isFalse();
        assertThat(c.attemptTimeout()).isZero();
        assertThat(c.hasAttemptTimeout()).isFalse();
        assertThat(c.retryOnTimeout()).isTrue();
    }

    @Test
    void retryBudgetsWithoutMaxAttempts_allowBothBudgetsInFull() {
        RetrierConfig c = config("RETRIER_INFRASTRUCTURE_RETRIES", "4", "RETRIER_APPLICATION_RETRIES", "2");
        assertThat(c.maxAttempts()).isEqualTo(7);
        assertThat(config("RETRIER_INFRASTRUCTURE_RETRIES", "9", "RETRIER_APPLICATION_RETRIES", "9").maxAttempts())
                .isEqualTo(10);
        assertThat(config("RETRIER_INFRASTRUCTURE_RETRIES", "4", "RETRIER_APPLICATION_RETRIES", "2",
                "RETRIER_MAX_ATTEMPTS", "3").maxAttempts()).isEqualTo(3);
    }

    @Test
    void badSwitchesAndBudgets_areNamed() {
        assertThat(invalid("RETRIER_MEMORY_ESCALATION", "yes", "RETRIER_ROTATE_SUBNETS", "1",
                "RETRIER_INFRASTRUCTURE_RETRIES", "10", "RETRIER_ATTEMPT_TIMEOUT_SECONDS", "-5").problems())
                .containsExactlyInAnyOrder(
                        "RETRIER_MEMORY_ESCALATION='yes': must be true or false",
                        "RETRIER_ROTATE_SUBNETS='1': must be true or false",
                        "RETRIER_INFRASTRUCTURE_RETRIES='10': must be between 0 and 9",
                        "RETRIER_ATTEMPT_TIMEOUT_SECONDS='-5': must be between 0 and 1209600");
    }

    @Test
    void everySetting_isRead() {
        RetrierConfig c = config(
                "RETRIER_ESSENTIAL_CONTAINERS", " app , envoy ",
                "RETRIER_STARTED_BY", "nightly/export_v2",
                "RETRIER_LAUNCH_TYPE", "fargate",
                "RETRIER_SUBNETS", "subnet-1, subnet-2",
                "RETRIER_SECURITY_GROUPS", "sg-1",
                "RETRIER_ASSIGN_PUBLIC_IP", "enabled",
                "RETRIER_MAX_ATTEMPTS", "10",
                "RETRIER_BACKOFF_INITIAL_SECONDS", "5",
                "RETRIER_BACKOFF_MULTIPLIER", "1.5",
                "RETRIER_BACKOFF_MAX_SECONDS", "120",
                "RETRIER_BACKOFF_JITTER", "equal",
                "RETRIER_RETRYABLE_EXIT_CODES", "2, 75,",
                "RETRIER_SCHEDULE_GROUP", "ecs-retrier",
                "RETRIER_STARTER_ARN", TestEnvironment.STARTER_ARN,
                "RETRIER_STARTER_ALIAS", "prod",
                "RETRIER_SCHEDULE_DEAD_LETTER_ARN", "arn:aws:sqs:us-east-1:111122223333:ecs-retrier-dlq");
        assertThat(c.essentialContainers()).containsExactlyInAnyOrder("app", "envoy");
        assertThat(c.startedBy()).isEqualTo("nightly/export_v2");
        assertThat(c.launchType()).isEqualTo("FARGATE");
        assertThat(c.network()).isEqualTo(new NetworkSettings(List.of("subnet-1", "subnet-2"), List.of("sg-1"), true));
        assertThat(c.maxAttempts()).isEqualTo(10);
        assertThat(c.backoff()).isEqualTo(new Backoff(Duration.ofSeconds(5), 1.5, Duration.ofSeconds(120), Jitter.EQUAL));
        assertThat(c.retryableExitCodes()).containsExactlyInAnyOrder(2, 75);
        assertThat(c.scheduleGroup()).isEqualTo("ecs-retrier");
        assertThat(c.starterArn()).isEqualTo(TestEnvironment.STARTER_ARN);
        assertThat(c.starterAlias()).isEqualTo("prod");
        assertThat(c.scheduleDeadLetterArn()).isEqualTo("arn:aws:sqs:us-east-1:111122223333:ecs-retrier-dlq");
    }

    /** Lambda's default locale is not ours to choose: in Turkish, "disabled".toUpperCase() is "DİSABLED". */
    @Test
    void caseInsensitiveValues_readTheSameUnderATurkishDefaultLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
        try {
            RetrierConfig c = config("RETRIER_ASSIGN_PUBLIC_IP", "disabled", "RETRIER_LAUNCH_TYPE", "fargate",
                    "RETRIER_BACKOFF_JITTER", "equal");
            assertThat(c.network().assignPublicIp()).isFalse();
            assertThat(c.launchType()).isEqualTo("FARGATE");
            assertThat(c.backoff().jitter()).isEqualTo(Jitter.EQUAL);
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void missingRequiredVariables_areAllNamed() {
        ConfigurationException e = invalid(Map.of());
        assertThat(e.problems()).containsExactlyInAnyOrder(
                "AWS_REGION: is required (region of every client; Lambda sets it)",
                "RETRIER_CLUSTER: is required (ARN of the cluster tasks run in)",
                "RETRIER_TASK_DEFINITION: is required (task definition ARN or family[:revision])",
                "RETRIER_CONTAINER_NAME: is required (the container that start requests may override;"
                        + " RETRIER_CONTAINER_NAMES for several)",
                "RETRIER_SCHEDULER_ROLE_ARN: is required (role EventBridge Scheduler assumes to invoke the starter)",
                "RETRIER_TOPIC_ARN: is required (SNS topic for terminal outcomes)");
    }

    @Test
    void containerNames_nameEveryContainerARequestMayOverride_inOrder() {
        assertThat(config("RETRIER_CONTAINER_NAME", null, "RETRIER_CONTAINER_NAMES", "app, report").containerNames())
                .containsExactly("app", "report");
    }

    @Test
    void containerNameAndContainerNames_together_areRefused() {
        assertThat(invalid("RETRIER_CONTAINER_NAMES", "app,report").problems()).containsExactly(
                "RETRIER_CONTAINER_NAMES='app,report': cannot be set together with RETRIER_CONTAINER_NAME, its one-item"
                        + " shorthand: set one of them");
    }

    @Test
    void containerNames_namingAContainerTwice_isRefused() {
        assertThat(invalid("RETRIER_CONTAINER_NAME", null, "RETRIER_CONTAINER_NAMES", "app,report,app").problems())
                .containsExactly("RETRIER_CONTAINER_NAMES='app,report,app': names a container twice");
    }

    @Test
    void blankRequiredVariable_isMissing() {
        assertThat(invalid("RETRIER_CLUSTER", "   ").problems()).singleElement().asString()
                .startsWith("RETRIER_CLUSTER");
    }

    @Test
    void severalBadValues_areReportedTogether_eachWithItsVariableAndValue() {
        ConfigurationException e = invalid(
                "RETRIER_MAX_ATTEMPTS", "0",
                "RETRIER_BACKOFF_MULTIPLIER", "0.5",
                "RETRIER_BACKOFF_JITTER", "SOMETIMES",
                "RETRIER_RETRYABLE_EXIT_CODES", "2,300,x",
                "RETRIER_ASSIGN_PUBLIC_IP", "yes",
                "RETRIER_STARTED_BY", "has space",
                "RETRIER_SCHEDULE_GROUP", "bad group",
                "RETRIER_LAUNCH_TYPE", "LAMBDA",
                "RETRIER_BACKOFF_INITIAL_SECONDS", "soon");
        assertThat(e.problems()).containsExactlyInAnyOrder(
                "RETRIER_MAX_ATTEMPTS='0': must be between 1 and 10",
                "RETRIER_BACKOFF_MULTIPLIER='0.5': must be between 1.0 and 100.0",
                "RETRIER_BACKOFF_JITTER='SOMETIMES': must be one of [FULL, EQUAL, NONE]",
                "RETRIER_RETRYABLE_EXIT_CODES='2,300,x': holds '300', not an exit code 0-255",
                "RETRIER_RETRYABLE_EXIT_CODES='2,300,x': holds 'x', not an exit code 0-255",
                "RETRIER_ASSIGN_PUBLIC_IP='yes': must be ENABLED or DISABLED",
                "RETRIER_STARTED_BY='has space': must be 1-128 letters, digits, '-', '/' or '_'",
                "RETRIER_SCHEDULE_GROUP='bad group': must be 1-64 of [0-9a-zA-Z-_.]",
                "RETRIER_LAUNCH_TYPE='LAMBDA': must be one of " + e.problems().stream()
                        .filter(p -> p.startsWith("RETRIER_LAUNCH_TYPE")).findFirst().orElseThrow()
                        .replaceFirst("^.*must be one of ", ""),
                "RETRIER_BACKOFF_INITIAL_SECONDS='soon': must be an integer");
    }

    @Test
    void launchTypeAndCapacityProviderStrategy_togetherAreRefused() {
        ConfigurationException e = invalid("RETRIER_LAUNCH_TYPE", "FARGATE", "RETRIER_CAPACITY_PROVIDER_STRATEGY",
                "[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1,\"base\":0}]");
        assertThat(e.problems()).singleElement().asString()
                .startsWith("RETRIER_CAPACITY_PROVIDER_STRATEGY=")
                .endsWith("cannot be set together with RETRIER_LAUNCH_TYPE (ECS takes one or the other)");
    }

    @Test
    void managedInstancesAsALaunchType_isRefused_sinceRunTaskTakesItOnlyThroughACapacityProvider() {
        ConfigurationException e = invalid("RETRIER_LAUNCH_TYPE", "managed_instances");
        assertThat(e.problems()).containsExactly("RETRIER_LAUNCH_TYPE='managed_instances': RunTask takes ECS Managed"
                + " Instances only through a capacity provider: leave RETRIER_LAUNCH_TYPE empty and set"
                + " RETRIER_CAPACITY_PROVIDER_STRATEGY to the Managed Instances capacity provider");
    }

    @Test
    void capacityProviderStrategy_withEveryField_isRead() {
        RetrierConfig c = config("RETRIER_CAPACITY_PROVIDER_STRATEGY",
                "[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":3,\"base\":0}]");
        assertThat(c.launchType()).isNull();
        assertThat(c.capacityProviderStrategy()).containsExactly(new CapacityProviderItem("FARGATE_SPOT", 3, 0));
    }

    /** ECS's weight and base are optional; absent ones stay absent, so ECS applies its own defaults. */
    @Test
    void capacityProviderStrategy_isRead() {
        RetrierConfig c = config("RETRIER_CAPACITY_PROVIDER_STRATEGY",
                "[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":3},{\"capacityProvider\":\"FARGATE\",\"weight\":1,\"base\":1}]");
        assertThat(c.launchType()).isNull();
        assertThat(c.capacityProviderStrategy()).containsExactly(new CapacityProviderItem("FARGATE_SPOT", 3, null),
                new CapacityProviderItem("FARGATE", 1, 1));
        RetrierConfig fallback = config("RETRIER_FALLBACK_CAPACITY_PROVIDER_STRATEGY", "[{\"capacityProvider\":\"FARGATE\"}]");
        assertThat(fallback.adaptation().fallbackStrategy()).containsExactly(new CapacityProviderItem("FARGATE", null, null));
    }

    @Test
    void capacityProviderStrategyThatIsNotJson_isRefused() {
        assertThat(invalid("RETRIER_CAPACITY_PROVIDER_STRATEGY", "FARGATE_SPOT:3").problems()).singleElement()
                .asString().startsWith("RETRIER_CAPACITY_PROVIDER_STRATEGY='FARGATE_SPOT:3': is not");
    }

    @Test
    void maxDelayBelowInitialDelay_isRefused() {
        assertThat(invalid("RETRIER_BACKOFF_INITIAL_SECONDS", "600", "RETRIER_BACKOFF_MAX_SECONDS", "60").problems())
                .containsExactly("RETRIER_BACKOFF_MAX_SECONDS='60': must not be below RETRIER_BACKOFF_INITIAL_SECONDS (600)");
    }

    @Test
    void maxAttemptsAboveTen_isRefused() {
        assertThat(invalid("RETRIER_MAX_ATTEMPTS", "11").problems())
                .containsExactly("RETRIER_MAX_ATTEMPTS='11': must be between 1 and 10");
    }

    @Test
    void multiplierThatIsNotAFiniteNumber_isRefused() {
        assertThat(invalid("RETRIER_BACKOFF_MULTIPLIER", "NaN").problems()).singleElement().asString()
                .startsWith("RETRIER_BACKOFF_MULTIPLIER='NaN'");
        assertThat(invalid("RETRIER_BACKOFF_MULTIPLIER", "Infinity").problems()).singleElement().asString()
                .startsWith("RETRIER_BACKOFF_MULTIPLIER='Infinity'");
    }

    @Test
    void longBadValue_isClippedInTheMessage() {
        ConfigurationException e = invalid("RETRIER_STARTED_BY", "x".repeat(500));
        assertThat(e.getMessage()).contains("x".repeat(80) + "...").doesNotContain("x".repeat(81));
    }

    @Test
    void builtClassifierAndPlanner_useTheConfiguration() {
        RetrierConfig c = TestEnvironment.sampleConfig("RETRIER_ESSENTIAL_CONTAINERS", "app");
        assertThat(c.classifier().classify(Fixtures.parsed("app-exit-2.json").stop()).rule())
                .isEqualTo("default:retryable-exit-code");
        assertThat(c.classifier().classify(Fixtures.parsed("multi-container-sidecar-failed.json").stop()).rule())
                .isEqualTo("default:succeeded");
    }

    /** User rules as the CDK module sets them: a JSON list in {@code RETRIER_RULES}. */
    @Nested
    class Rules {

        private Verdict classify(String rulesJson, String fixture) {
            return config("RETRIER_RULES", rulesJson).classifier().classify(Fixtures.parsed(fixture).stop());
        }

        @Test
        void everyField_isRead() {
            List<RetryRule> rules = config("RETRIER_RULES", """
                    [{"name": "spot-app-143", "stopCode": "SpotInterruption", "stoppedReason": "Your Spot*",
                      "containerReason": "*", "containerName": "app", "exitCodes": [143, 137], "action": "FAIL"},
                     {"exitCodes": [75], "action": "RETRY"}]
                    """).rules();
            assertThat(rules).containsExactly(
                    new RetryRule("spot-app-143", "SpotInterruption", "Your Spot*", "*", "app", List.of(143, 137),
                            Action.FAIL),
                    new RetryRule(null, null, null, null, null, List.of(75), Action.RETRY));
        }

        @Test
        void rulesFromTheEnvironment_decideBeforeTheDefaults() {
            Verdict verdict = classify("[{\"name\":\"no-spot\",\"stopCode\":\"SpotInterruption\",\"action\":\"FAIL\"}]",
                    "spot-interruption.json");
            assertThat(verdict.action()).isEqualTo(Action.FAIL);
            assertThat(verdict.rule()).isEqualTo("no-spot");
        }

        @Test
        void unnamedRuleFromTheEnvironment_isReportedByPosition() {
            Verdict verdict = classify("[{\"exitCodes\":[7],\"action\":\"FAIL\"},"
                    + "{\"containerReason\":\"OutOfMemoryError*\",\"action\":\"RETRY\"}]", "out-of-memory.json");
            assertThat(verdict.action()).isEqualTo(Action.RETRY);
            assertThat(verdict.rule()).isEqualTo("rules[1]");
        }

        @Test
        void badAction_isNamedClearly() {
            ConfigurationException e = invalid("RETRIER_RULES", "[{\"exitCodes\":[2],\"action\":\"RESTART\"}]");
            assertThat(e.problems()).singleElement().asString()
                    .startsWith("RETRIER_RULES='[{\"exitCodes\":[2],\"action\":\"RESTART\"}]': is not valid at [0].action")
                    .contains("action")
                    .contains("RESTART")
                    .contains("RETRY").contains("FAIL").contains("SUCCEED");
        }

        @Test
        void badAction_namesNoJavaClass() {
            ConfigurationException e = invalid("RETRIER_RULES", "[{\"exitCodes\":[2],\"action\":\"RESTART\"}]");
            assertThat(e.getMessage()).doesNotContain("dev.ecsretrier").doesNotContain("java.util");
        }

        @Test
        void missingAction_isRefused() {
            ConfigurationException e = invalid("RETRIER_RULES", "[{\"name\":\"x\",\"exitCodes\":[2]}]");
            assertThat(e.problems()).singleElement().asString().startsWith("RETRIER_RULES=").contains("action");
        }

        @Test
        void misspelledField_isRefused() {
            ConfigurationException e = invalid("RETRIER_RULES", "[{\"exitCode\":[2],\"action\":\"RETRY\"}]");
            assertThat(e.problems()).singleElement().asString().startsWith("RETRIER_RULES=").contains("exitCode");
        }

        @Test
        void nullRule_isRefused() {
            assertThat(invalid("RETRIER_RULES", "[null]").problems())
                    .containsExactly("RETRIER_RULES='[null]': element [0] is null");
        }

        @Test
        void rulesThatAreNotAList_areRefused() {
            assertThat(invalid("RETRIER_RULES", "{\"action\":\"RETRY\"}").problems()).singleElement().asString()
                    .startsWith("RETRIER_RULES=");
            assertThat(invalid("RETRIER_RULES", "[{").problems()).singleElement().asString()
                    .startsWith("RETRIER_RULES='[{': is not");
        }

        @Test
        void emptyOrAbsentRules_areNone() {
            assertThat(config("RETRIER_RULES", "[]").rules()).isEmpty();
            assertThat(config("RETRIER_RULES", "null").rules()).isEmpty();
            assertThat(config().rules()).isEmpty();
        }
    }

    @Test
    void settings_documentTheirVariables() {
        for (Setting setting : Setting.values()) {
            assertThat(setting.variable()).matches("RETRIER_[A-Z_]+|AWS_REGION");
            assertThat(setting.description()).isNotBlank();
        }
        assertThat(Set.of(Setting.values()).stream().filter(Setting::required).map(Setting::variable))
                .containsExactlyInAnyOrder("AWS_REGION", "RETRIER_CLUSTER", "RETRIER_TASK_DEFINITION",
                        "RETRIER_SCHEDULER_ROLE_ARN", "RETRIER_TOPIC_ARN");
    }
}
