package dev.ecsretrier.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.local.Fixtures;
import dev.ecsretrier.local.JsonTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code ./retrier classify EVENT_FILE}: given this event, the policy decides this. */
class ClassifyCommandTest {

    static JsonNode classify(String... args) throws Exception {
        CommandRun run = CommandRun.of(args);
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().strip().lines()).as("one JSON object").hasSize(1);
        return JsonTrees.tree(run.out());
    }

    static String event(String name) {
        return Fixtures.event(name).toString();
    }

    @ParameterizedTest(name = "{0} -> {1} by {2}")
    @CsvSource({
        "succeeded.json,                             SUCCEEDED, default:succeeded",
        "succeeded-with-sidecar.json,                SUCCEEDED, default:succeeded",
        "app-exit-1.json,                            FAILED,    default:failed",
        "app-exit-2.json,                            RETRY,     default:retryable-exit-code",
        "multi-container-sidecar-failed.json,        FAILED,    default:failed",
        "user-initiated.json,                        FAILED,    default:user-initiated",
        "out-of-memory.json,                         FAILED,    default:out-of-memory",
        "cannot-pull-transient.json,                 RETRY,     default:transient-error",
        "cannot-pull-not-found.json,                 FAILED,    default:permanent-start-error",
        "cannot-pull-access-denied.json,             FAILED,    default:permanent-start-error",
        "resource-initialization.json,               RETRY,     default:transient-error",
        "resource-initialization-secret-missing.json, FAILED,   default:permanent-start-error",
        "eni-timeout.json,                           RETRY,     default:transient-error",
        "internal-error.json,                        RETRY,     default:transient-error",
        "cannot-start-container.json,                RETRY,     default:transient-error",
        "no-exit-code.json,                          RETRY,     default:infrastructure-stop",
        "spot-interruption.json,                     RETRY,     default:infrastructure-stop",
        "termination-notice.json,                    RETRY,     default:infrastructure-stop",
        "unknown-stop-code.json,                     FAILED,    default:failed",
        "service-scheduler-initiated.json,           FAILED,    default:failed",
    })
    void eachFixtureGetsTheDecisionOfItsPolicyRow(String file, String decision, String rule) throws Exception {
        JsonNode result = classify("classify", event(file), "--retryable-exit-codes", "2");

        assertThat(result.path("decision").asText()).isEqualTo(decision);
        assertThat(result.path("rule").asText()).isEqualTo(rule);
        assertThat(result.path("reason").asText()).isNotBlank();
        assertThat(result.has("nextDelay")).isEqualTo(decision.equals("RETRY"));
    }

    @Test
    void aRetryReportsTheNextAttemptAndTheRangeOfItsDelay() throws Exception {
        JsonNode result = classify("classify", event("app-exit-2.json"), "--retryable-exit-codes", "2",
                "--attempt", "2", "--backoff-initial", "30", "--backoff-multiplier", "3", "--jitter", "EQUAL");

        assertThat(result.path("attempt").asInt()).isEqualTo(2);
        assertThat(result.path("maxAttempts").asInt()).as("from the event's RETRIER_MAX_ATTEMPTS").isEqualTo(3);
        assertThat(result.path("nextAttempt").asInt()).isEqualTo(3);
        assertThat(result.path("nextDelay").path("minSeconds").asDouble()).isEqualTo(45.0);
        assertThat(result.path("nextDelay").path("maxSeconds").asDouble()).isEqualTo(90.0);
    }

    @Test
    void aRetryOnTheLastAttemptIsRetriesExhausted() throws Exception {
        JsonNode result = classify("classify", event("spot-interruption.json"), "--attempt", "3", "--max-attempts", "3");

        assertThat(result.path("decision").asText()).isEqualTo("RETRIES_EXHAUSTED");
        assertThat(result.path("rule").asText()).isEqualTo("default:infrastructure-stop");
        assertThat(result.path("exhaustedBudget").asText()).isEqualTo("ATTEMPTS");
        assertThat(result.has("nextDelay")).isFalse();
    }

    @Test
    void theResultNamesWhatTheClassifierRecognised() throws Exception {
        assertThat(classify("classify", event("eni-timeout.json")).path("causes")).extracting(JsonNode::asText)
                .containsExactly("TASK_FAILED_TO_START", "ENI_TIMEOUT");
        assertThat(classify("classify", event("app-exit-1.json")).has("causes")).isFalse();
    }

    @Test
    void aRetryWithoutAdaptiveSettingsKeepsTheLaunchAndHasNoBudgetToReport() throws Exception {
        JsonNode result = classify("classify", event("spot-interruption.json"));

        assertThat(result.path("decision").asText()).isEqualTo("RETRY");
        assertThat(result.has("nextLaunch")).isFalse();
        assertThat(result.has("exhaustedBudget")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "FARGATE",
        "[{\"capacityProvider\":\"FARGATE\",\"weight\":1}]",
    })
    void aSpotInterruptionMovesTheNextLaunchToTheFallbackStrategy(String strategy) throws Exception {
        JsonNode result = classify("classify", event("spot-interruption.json"),
                "--fallback-capacity-provider-strategy", strategy);

        assertThat(result.path("decision").asText()).isEqualTo("RETRY");
        assertThat(result.path("nextLaunch")).isEqualTo(JsonTrees.tree(
                "{\"capacityProviderStrategy\":[{\"capacityProvider\":\"FARGATE\",\"weight\":1}],"
                        + "\"changes\":[\"capacity FARGATE after 1 Spot failure\"]}"));
    }

    @Test
    void withFallbackAfterTwoSpotFailuresOneInterruptionChangesNothing() throws Exception {
        JsonNode result = classify("classify", event("spot-interruption.json"),
                "--fallback-capacity-provider-strategy", "FARGATE", "--fallback-after-spot-failures", "2");

        assertThat(result.path("decision").asText()).isEqualTo("RETRY");
        assertThat(result.has("nextLaunch")).isFalse();
    }

    @Test
    void anOutOfMemoryStopWithEscalationIsRetriedWithTwiceTheMemory() throws Exception {
        JsonNode result = classify("classify", event("out-of-memory.json"), "--memory-escalation");

        assertThat(result.path("decision").asText()).isEqualTo("RETRY");
        assertThat(result.path("rule").asText()).isEqualTo("default:out-of-memory");
        assertThat(result.path("reason").asText()).isEqualTo("out of memory at 2048 MiB: the next attempt gets 4096 MiB");
        assertThat(result.path("nextLaunch")).isEqualTo(JsonTrees.tree("{\"cpu\":\"1024\",\"memory\":\"4096\","
                + "\"changes\":[\"memory 2048 -> 4096 MiB (cpu 1024) after OutOfMemoryError\"]}"));
    }

    @Test
    void theMemoryFactorPicksTheSmallestFargateSizeWithThatMuchMemory() throws Exception {
        JsonNode result = classify("classify", event("out-of-memory.json"), "--memory-escalation",
                "--memory-factor", "3");

        assertThat(result.path("nextLaunch").path("cpu").asText()).isEqualTo("1024");
        assertThat(result.path("nextLaunch").path("memory").asText()).isEqualTo("6144");
    }

    @Test
    void anOutOfMemoryStopAtTheCapFailsNamingTheCap() throws Exception {
        JsonNode result = classify("classify", event("out-of-memory.json"), "--memory-escalation",
                "--memory-max-mib", "2048");

        assertThat(result.path("decision").asText()).isEqualTo("FAILED");
        assertThat(result.path("reason").asText())
                .isEqualTo("out of memory at 2048 MiB, and the memory cap of 2048 MiB allows no larger Fargate size");
        assertThat(result.has("nextLaunch")).isFalse();
    }

    @Test
    void anEniTimeoutWithRotationPutsTheNextSubnetFirst() throws Exception {
        JsonNode result = classify("classify", event("eni-timeout.json"), "--subnets", "subnet-a,subnet-b,subnet-c",
                "--rotate-subnets");

        assertThat(result.path("decision").asText()).isEqualTo("RETRY");
        assertThat(result.path("nextLaunch")).isEqualTo(JsonTrees.tree("{\"subnetOffset\":1,"
                + "\"subnets\":[\"subnet-b\",\"subnet-c\",\"subnet-a\"],"
                + "\"changes\":[\"subnet subnet-b first after an ENI timeout\"]}"));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource(delimiter = '|', value = {
        "spot-interruption.json | --infrastructure-retries=0 | --application-retries=3 | INFRASTRUCTURE",
        "app-exit-2.json        | --infrastructure-retries=3 | --application-retries=0 | APPLICATION",
    })
    void aRetryOverItsBudgetIsRetriesExhaustedNamingTheBudget(String file, String infrastructure, String application,
                                                              String budget) throws Exception {
        JsonNode result = classify("classify", event(file), "--retryable-exit-codes", "2", infrastructure, application);

        assertThat(result.path("decision").asText()).isEqualTo("RETRIES_EXHAUSTED");
        assertThat(result.path("failureKind").asText()).isEqualTo(budget);
        assertThat(result.path("exhaustedBudget").asText()).isEqualTo(budget);
        assertThat(result.path("reason").asText()).endsWith("retry budget of 0 is used up");
    }

    @Test
    void aStartFailureOfNoKnownPatternIsRetried_andTheReasonSaysSo() throws Exception {
        JsonNode retried = classify("classify", event("unknown-start-failure.json"));
        assertThat(retried.path("decision").asText()).isEqualTo("RETRY");
        assertThat(retried.path("rule").asText()).isEqualTo("default:infrastructure-stop");
        assertThat(retried.path("reason").asText())
                .startsWith("no known pattern; retried as a start failure (TaskFailedToStart): NewStartupError");

        JsonNode exhausted = classify("classify", event("unknown-start-failure.json"), "--attempt", "3");
        assertThat(exhausted.path("decision").asText()).isEqualTo("RETRIES_EXHAUSTED");
        assertThat(exhausted.path("reason").asText()).startsWith("no known pattern; retried as a start failure")
                .endsWith("all 3 attempts used");
    }

    @ParameterizedTest(name = "{0} -> {1} by {2}")
    @CsvSource({
        "maintenance-exit-137.json,                 RETRY,  default:infrastructure-maintenance",
        "resource-init-envfile-403.json,            FAILED, default:permanent-start-error",
        "resource-init-efs-path-missing.json,       FAILED, default:permanent-start-error",
        "start-executable-not-found.json,           FAILED, default:permanent-start-error",
        "resource-init-lower-case.json,             FAILED, default:permanent-start-error",
        "pull-dns-no-such-host.json,                RETRY,  default:transient-error",
    })
    void theLongTailIsDecidedOfflineAsTheClassifierDecidesIt(String file, String decision, String rule) throws Exception {
        JsonNode result = classify("classify", event(file));

        assertThat(result.path("decision").asText()).isEqualTo(decision);
        assertThat(result.path("rule").asText()).isEqualTo(rule);
    }

    @ParameterizedTest(name = "{0} -> maxAttempts {1}")
    @CsvSource(delimiter = '|', value = {
        "--infrastructure-retries=1 --application-retries=3                 | 5",
        "--infrastructure-retries=4 --application-retries=5                 | 10",
        "--max-attempts=4 --infrastructure-retries=1 --application-retries=3 | 4",
        "--setting=RETRIER_INFRASTRUCTURE_RETRIES=2 --application-retries=2 | 5",
        "--retryable-exit-codes=2                                           | 3",
    })
    void maxAttemptsIsTheOneTheBudgetsGive_asRunUsesIt(String options, int maxAttempts) throws Exception {
        // spot-interruption.json carries RETRIER_MAX_ATTEMPTS=3 from the attempt that launched it.
        String[] args = ("classify " + event("spot-interruption.json") + " " + options).split(" ");
        JsonNode result = classify(args);

        assertThat(result.path("maxAttempts").asInt()).isEqualTo(maxAttempts);
        assertThat(result.path("decision").asText()).isEqualTo("RETRY");
    }

    @Test
    void aStopByTheAttemptTimeoutIsRetriedUnlessRetryOnTimeoutIsOff(@TempDir Path dir) throws Exception {
        String event = Files.readString(Fixtures.event("user-initiated.json"))
                .replaceAll("\"stoppedReason\"\\s*:\\s*\"[^\"]*\"",
                        "\"stoppedReason\": \"ecs-retrier: attempt timeout after 300 s (attempt 1 of run r)\"");
        Path timedOut = Files.writeString(dir.resolve("timed-out.json"), event);

        JsonNode retried = classify("classify", timedOut.toString());
        JsonNode failed = classify("classify", timedOut.toString(), "--no-retry-on-timeout");

        assertThat(retried.path("decision").asText()).isEqualTo("RETRY");
        assertThat(retried.path("rule").asText()).isEqualTo("default:attempt-timeout");
        assertThat(failed.path("decision").asText()).isEqualTo("FAILED");
        assertThat(failed.path("rule").asText()).isEqualTo("default:attempt-timeout");
    }

    @Test
    void withoutRetryableExitCodesExitCode2Fails() throws Exception {
        assertThat(classify("classify", event("app-exit-2.json")).path("decision").asText()).isEqualTo("FAILED");
    }

    @Test
    void userRulesComeFirst(@TempDir Path dir) throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.json"),
                "[{\"name\":\"oom-is-worth-a-retry\",\"containerReason\":\"OutOfMemoryError*\",\"action\":\"RETRY\"}]");

        JsonNode result = classify("classify", event("out-of-memory.json"), "--rules", rules.toString());

        assertThat(result.path("decision").asText()).isEqualTo("RETRY");
        assertThat(result.path("rule").asText()).isEqualTo("oom-is-worth-a-retry");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "malformed/exit-code-string.json    | detail.containers[0].exitCode must be an integer, got string 'two'",
        "malformed/not-json.txt             | event is not JSON",
        "malformed/missing-detail.json      | detail is missing",
        "malformed/detail-not-object.json   | detail must be an object",
        "malformed/missing-task-arn.json    | detail.taskArn is missing",
        "malformed/containers-not-array.json | detail.containers must be an array",
        "malformed/wrong-detail-type.json   | detail-type is 'ECS Container Instance State Change'",
        "malformed/empty-object.json        | detail-type is missing",
    })
    void anEventThatCannotBeReadExits2WithOneLineNamingTheField(String file, String problem) {
        CommandRun run = CommandRun.of("classify", event(file));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).hasSize(2).first().asString().startsWith("retrier classify: ").contains(problem);
    }

    @Test
    void aMissingFileExits2() {
        CommandRun run = CommandRun.of("classify", "no/such/event.json");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).containsExactly("retrier classify: cannot read no/such/event.json: no such file",
                "see './retrier classify --help'");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "--memory-factor,    100,            between 1.1 and 16.0",
        "--memory-max-mib,   256,            between 512 and 122880",
        "--infrastructure-retries, 10,       between 0 and 9",
        "--fallback-capacity-provider-strategy, '[{\"weight\":1}]', has no capacityProvider",
    })
    void anInvalidAdaptiveSettingExits2NamingTheOption(String option, String value, String problem) {
        CommandRun run = CommandRun.of("classify", event("succeeded.json"), option, value, "--memory-escalation");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).hasSize(2).first().asString().contains(option + " (", problem);
    }

    @Test
    void anInvalidPolicyExits2NamingTheOption() {
        CommandRun run = CommandRun.of("classify", event("succeeded.json"), "--max-attempts", "11");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).hasSize(2).first().asString().contains("--max-attempts", "between 1 and 10");
    }
}
