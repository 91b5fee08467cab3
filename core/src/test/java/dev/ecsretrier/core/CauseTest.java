package dev.ecsretrier.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.testutil.Fixtures;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the classifier recognises in a stop, as types on its verdict, whichever rule decides. */
class CauseTest {

    private static final StopClassifier DEFAULTS = StopClassifier.of(List.of(), Set.of(2), Set.of());

    private static Verdict classify(String fixture) {
        return DEFAULTS.classify(Fixtures.parsed(fixture).stop());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "spot-interruption.json, SPOT_INTERRUPTION",
            "termination-notice.json, TERMINATION_NOTICE",
            "out-of-memory.json, OUT_OF_MEMORY",
            "eni-timeout.json, ENI_TIMEOUT TASK_FAILED_TO_START",
            "cannot-pull-transient.json, TASK_FAILED_TO_START IMAGE_PULL",
            "cannot-pull-not-found.json, TASK_FAILED_TO_START IMAGE_PULL",
            "user-initiated.json, STOPPED_BY_PERSON",
            "maintenance-exit-137.json, MAINTENANCE",
            "maintenance-user-initiated.json, STOPPED_BY_PERSON MAINTENANCE",
            "succeeded.json, ''",
            "app-exit-2.json, ''"})
    void eachFixtureCarriesTheCausesItsTextAndStopCodeName(String fixture, String causes) {
        assertThat(classify(fixture).causes()).containsExactlyInAnyOrderElementsOf(causes(causes));
    }

    @Test
    void aRunTaskRefusedForLackOfCapacity_isNoCapacity() {
        AttemptStop refused = AttemptStop.synchronousFailure("Capacity is unavailable at this time. Please try again"
                + " later or in a different availability zone", null, Instant.EPOCH);
        assertThat(DEFAULTS.classify(refused).causes()).containsExactly(Cause.RUN_TASK_REFUSED, Cause.NO_CAPACITY);
        assertThat(DEFAULTS.classify(AttemptStop.synchronousFailure("RESOURCE:MEMORY", null, Instant.EPOCH)).causes())
                .containsExactly(Cause.RUN_TASK_REFUSED);
    }

    @Test
    void theAttemptTimeoutIsOurOwnStop_notAPersons() {
        AttemptStop timedOut = new AttemptStop("arn:aws:ecs:us-east-1:111122223333:task/batch/abc", "UserInitiated",
                StopClassifier.ATTEMPT_TIMEOUT_REASON_PREFIX + " after 60 s", List.of(), Instant.EPOCH, Instant.EPOCH,
                Instant.EPOCH);
        assertThat(DEFAULTS.classify(timedOut).causes()).containsExactly(Cause.ATTEMPT_TIMEOUT);
    }

    /** The ENI timeout is a pattern like the others: case does not matter (the adaptation once compared it exactly). */
    @Test
    void anEniTimeoutIsRecognisedInAnyCase() {
        AttemptStop lower = new AttemptStop("arn:aws:ecs:us-east-1:111122223333:task/batch/abc", "TaskFailedToStart",
                "timeout waiting for network interface provisioning to complete.", List.of(), Instant.EPOCH, null,
                Instant.EPOCH);
        assertThat(DEFAULTS.classify(lower).causes()).contains(Cause.ENI_TIMEOUT);
    }

    @Test
    void aUserRuleVerdictStillCarriesWhatWasRecognised_andNoDefaultRow() {
        StopClassifier noSpotRetries = StopClassifier.of(List.of(new RetryRule("no-spot", "SpotInterruption", null,
                null, null, null, Action.FAIL)), Set.of(), Set.of());
        Verdict verdict = noSpotRetries.classify(Fixtures.parsed("spot-interruption.json").stop());
        assertThat(verdict.rule()).isEqualTo("no-spot");
        assertThat(verdict.defaultRule()).isNull();
        assertThat(verdict.causes()).containsExactly(Cause.SPOT_INTERRUPTION);
    }

    @Test
    void aDefaultVerdictNamesItsRow_andTheRowItsRule() {
        Verdict verdict = classify("out-of-memory.json");
        assertThat(verdict.defaultRule()).isEqualTo(DefaultRule.OUT_OF_MEMORY);
        assertThat(verdict.rule()).isEqualTo(DefaultRule.OUT_OF_MEMORY.ruleName()).isEqualTo("default:out-of-memory");
    }

    @Test
    void theCausesOfAnEarlierAttemptTravelInItsTags() {
        AttemptSummary spot = AttemptSummary.recorded(1, Fixtures.parsed("spot-interruption.json").stop(),
                Decision.RETRY, classify("spot-interruption.json"), LaunchAdjustment.NONE);
        AttemptMetadata run = AttemptMetadata.of("run-1", 2, 3, List.of(spot));

        assertThat(run.tags()).containsEntry("ecs-retrier:causes-1", "SPOT_INTERRUPTION");
        assertThat(AttemptMetadata.fromTags(run.tags()).orElseThrow().history().get(0).causes())
                .containsExactly(Cause.SPOT_INTERRUPTION);
    }

    private static List<Cause> causes(String names) {
        return names.isBlank() ? List.of() : java.util.Arrays.stream(names.trim().split(" ")).map(Cause::valueOf).toList();
    }
}
