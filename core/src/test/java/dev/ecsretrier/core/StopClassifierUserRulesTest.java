package dev.ecsretrier.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.testutil.Fixtures;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** User rules: one test per feature of a rule, fed fixture events through the real parser. */
class StopClassifierUserRulesTest {

    private static Verdict classify(String fixture, RetryRule... rules) {
        return StopClassifier.of(Arrays.asList(rules), Set.of(2), Set.of()).classify(Fixtures.parsed(fixture).stop());
    }

    private static RetryRule rule(String name, Action action) {
        return new RetryRule(name, null, null, null, null, null, action);
    }

    private static RetryRule stopCode(String name, String stopCode, Action action) {
        return new RetryRule(name, stopCode, null, null, null, null, action);
    }

    private static RetryRule stoppedReason(String name, String glob, Action action) {
        return new RetryRule(name, null, glob, null, null, null, action);
    }

    private static RetryRule containerReason(String name, String glob, Action action) {
        return new RetryRule(name, null, null, glob, null, null, action);
    }

    private static RetryRule exitCodes(String name, String container, List<Integer> codes, Action action) {
        return new RetryRule(name, null, null, null, container, codes, action);
    }

    private static void assertUserRule(Verdict verdict, Action action, String name) {
        assertThat(verdict.action()).as("action of %s", verdict).isEqualTo(action);
        assertThat(verdict.rule()).isEqualTo(name);
        assertThat(verdict.reason()).isEqualTo("user rule '" + name + "' matched");
    }

    @Test
    void stopCode_matchesExactly() {
        RetryRule noSpotRetries = stopCode("no-spot-retries", "SpotInterruption", Action.FAIL);
        assertUserRule(classify("spot-interruption.json", noSpotRetries), Action.FAIL, "no-spot-retries");
        assertThat(classify("termination-notice.json", noSpotRetries).rule()).isEqualTo("default:infrastructure-stop");
        assertThat(classify("spot-interruption.json", stopCode("lower", "spotinterruption", Action.FAIL)).rule())
                .as("stop codes are compared exactly").isEqualTo("default:infrastructure-stop");
    }

    @Test
    void stoppedReasonGlob_star_matchesAnyRun() {
        RetryRule pullTimeout = stoppedReason("pull-timeout", "CannotPullContainerError:*i/o timeout", Action.FAIL);
        assertUserRule(classify("cannot-pull-transient.json", pullTimeout), Action.FAIL, "pull-timeout");
        assertThat(classify("cannot-pull-not-found.json", pullTimeout).rule()).isEqualTo("default:permanent-start-error");
    }

    @Test
    void stoppedReasonGlob_questionMark_matchesExactlyOneCharacter() {
        assertUserRule(classify("app-exit-1.json",
                stoppedReason("one", "Essential container in task exite?", Action.RETRY)), Action.RETRY, "one");
        assertThat(classify("app-exit-1.json", stoppedReason("two", "Essential container in task exit?", Action.RETRY))
                .rule()).isEqualTo("default:failed");
    }

    @Test
    void stoppedReasonGlob_matchesTheWholeReason() {
        assertThat(classify("spot-interruption.json", stoppedReason("part", "Spot Task", Action.FAIL)).rule())
                .isEqualTo("default:infrastructure-stop");
        assertUserRule(classify("spot-interruption.json", stoppedReason("whole", "*Spot Task*", Action.FAIL)),
                Action.FAIL, "whole");
    }

    @Test
    void stoppedReasonGlob_treatsRegexCharactersLiterally() {
        // "Scaling activity initiated by (deployment ecs-svc/3674248881058123023)"
        assertUserRule(classify("service-scheduler-initiated.json",
                stoppedReason("deploy", "Scaling activity initiated by (deployment *)", Action.SUCCEED)),
                Action.SUCCEED, "deploy");
        // "." is a literal dot, not any character.
        assertThat(classify("user-initiated.json", stoppedReason("dot", "Task stopped by use.", Action.RETRY)).rule())
                .isEqualTo("default:user-initiated");
        assertThat(classify("user-initiated.json", stoppedReason("regex", "Task stopped by .*", Action.RETRY)).rule())
                .isEqualTo("default:user-initiated");
    }

    @Test
    void containerReasonGlob_matchesAnyContainersReason() {
        assertUserRule(classify("out-of-memory.json", containerReason("oom-retry", "OutOfMemoryError*", Action.RETRY)),
                Action.RETRY, "oom-retry");
        assertThat(classify("app-exit-1.json", containerReason("any", "*", Action.RETRY)).rule())
                .as("a container without a reason matches no reason glob").isEqualTo("default:failed");
    }

    @Test
    void containerName_restrictsTheContainerConditions() {
        // multi-container-sidecar-failed.json: envoy exit 1, app exit 0
        assertUserRule(classify("multi-container-sidecar-failed.json",
                exitCodes("envoy-1", "envoy", List.of(1), Action.RETRY)), Action.RETRY, "envoy-1");
        assertThat(classify("multi-container-sidecar-failed.json", exitCodes("app-1", "app", List.of(1), Action.RETRY))
                .rule()).isEqualTo("default:failed");
        assertThat(classify("out-of-memory.json", new RetryRule("sidecar-oom", null, null, "OutOfMemoryError*",
                "log-router", null, Action.RETRY)).rule()).isEqualTo("default:out-of-memory");
    }

    @Test
    void containerName_alone_matchesWhenThatContainerIsInTheTask() {
        assertUserRule(classify("multi-container-sidecar-failed.json", exitCodes("mesh", "envoy", null, Action.RETRY)),
                Action.RETRY, "mesh");
        assertThat(classify("app-exit-1.json", exitCodes("mesh", "envoy", null, Action.RETRY)).rule())
                .isEqualTo("default:failed");
    }

    @Test
    void exitCodes_matchAnyListedCode() {
        RetryRule retryOneOrThree = exitCodes("exit-1-or-3", null, List.of(1, 3), Action.RETRY);
        assertUserRule(classify("app-exit-1.json", retryOneOrThree), Action.RETRY, "exit-1-or-3");
        assertThat(classify("app-exit-2.json", retryOneOrThree).rule()).isEqualTo("default:retryable-exit-code");
    }

    @Test
    void exitCodes_neverMatchAContainerWithoutExitCode() {
        assertThat(classify("no-exit-code.json", exitCodes("zero", null, List.of(0), Action.SUCCEED)).rule())
                .isEqualTo("default:infrastructure-stop");
    }

    @Test
    void everyConditionOfARule_mustHold() {
        RetryRule spotAndExit1 = new RetryRule("spot-exit-1", "SpotInterruption", null, null, null, List.of(1),
                Action.FAIL);
        assertThat(classify("spot-interruption.json", spotAndExit1).rule()).isEqualTo("default:infrastructure-stop");
        RetryRule spotAndExit143 = new RetryRule("spot-exit-143", "SpotInterruption", "Your Spot Task*", null, "app",
                List.of(143), Action.FAIL);
        assertUserRule(classify("spot-interruption.json", spotAndExit143), Action.FAIL, "spot-exit-143");
    }

    @Test
    void actionRetry_retries() {
        assertUserRule(classify("user-initiated.json", stopCode("retry-stops", "UserInitiated", Action.RETRY)),
                Action.RETRY, "retry-stops");
    }

    @Test
    void actionFail_fails() {
        assertUserRule(classify("app-exit-2.json", exitCodes("exit-2-is-final", null, List.of(2), Action.FAIL)),
                Action.FAIL, "exit-2-is-final");
    }

    @Test
    void actionSucceed_succeeds() {
        assertUserRule(classify("app-exit-1.json", exitCodes("exit-1-means-nothing-to-do", "app", List.of(1),
                Action.SUCCEED)), Action.SUCCEED, "exit-1-means-nothing-to-do");
    }

    @Test
    void order_firstMatchingRuleWins() {
        Verdict verdict = classify("app-exit-1.json",
                exitCodes("not-this", null, List.of(7), Action.SUCCEED),
                exitCodes("first", null, List.of(1), Action.RETRY),
                exitCodes("second", null, List.of(1), Action.FAIL));
        assertUserRule(verdict, Action.RETRY, "first");
    }

    @Test
    void rulesComeBeforeEveryDefaultRow() {
        assertUserRule(classify("succeeded.json", rule("always-fail", Action.FAIL)), Action.FAIL, "always-fail");
        assertUserRule(classify("user-initiated.json", rule("r", Action.RETRY)), Action.RETRY, "r");
        assertUserRule(classify("out-of-memory.json", rule("r", Action.RETRY)), Action.RETRY, "r");
        assertUserRule(classify("cannot-pull-not-found.json", rule("r", Action.RETRY)), Action.RETRY, "r");
        assertUserRule(classify("cannot-pull-transient.json", rule("f", Action.FAIL)), Action.FAIL, "f");
        assertUserRule(classify("spot-interruption.json", rule("f", Action.FAIL)), Action.FAIL, "f");
    }

    @Test
    void ruleName_isReportedOrItsPosition() {
        Verdict unnamed = classify("app-exit-1.json",
                exitCodes(null, null, List.of(9), Action.SUCCEED),
                exitCodes(null, null, List.of(1), Action.RETRY));
        assertUserRule(unnamed, Action.RETRY, "rules[1]");
        assertUserRule(classify("app-exit-1.json", exitCodes("named", null, List.of(1), Action.RETRY)),
                Action.RETRY, "named");
    }

    @Test
    void stoppedReasonGlob_singlesOutSynchronousFailures() {
        RetryRule noCapacity = stoppedReason("no-capacity-retries", "RunTask failed: RESOURCE:*", Action.FAIL);
        Verdict verdict = StopClassifier.of(List.of(noCapacity), Set.of(), Set.of())
                .classify(AttemptStop.synchronousFailure("RESOURCE:MEMORY", null, Instant.EPOCH));
        assertUserRule(verdict, Action.FAIL, "no-capacity-retries");
    }

    @Test
    void containerConditions_neverMatchASynchronousFailure() {
        Verdict verdict = StopClassifier.of(List.of(containerReason("any", "*", Action.FAIL)), Set.of(), Set.of())
                .classify(AttemptStop.synchronousFailure("RESOURCE:MEMORY", null, Instant.EPOCH));
        assertThat(verdict.rule()).isEqualTo("default:infrastructure-stop");
    }
}
