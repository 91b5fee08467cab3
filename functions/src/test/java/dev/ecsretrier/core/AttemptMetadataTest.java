package dev.ecsretrier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.ecsretrier.testutil.Fixtures;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AttemptMetadataTest {

    private static final String RUN = "run-7f3a";

    private static List<AttemptSummary> twoEarlierAttempts() {
        return List.of(
                AttemptSummary.of(1, Fixtures.parsed("spot-interruption.json").stop(), Decision.RETRY,
                        "default:infrastructure-stop"),
                AttemptSummary.of(2, AttemptStop.synchronousFailure("RESOURCE:MEMORY", "no room", Instant.EPOCH),
                        Decision.RETRY, "default:infrastructure-stop"));
    }

    private static Map<String, String> runTags(String attempt, String maxAttempts) {
        Map<String, String> tags = new HashMap<>();
        tags.put("ecs-retrier:run-id", RUN);
        if (attempt != null) {
            tags.put("ecs-retrier:attempt", attempt);
        }
        if (maxAttempts != null) {
            tags.put("ecs-retrier:max-attempts", maxAttempts);
        }
        return tags;
    }

    @Test
    void tags_nameTheRunTheAttemptTheLimitAndEachEarlierAttempt() {
        List<AttemptSummary> history = twoEarlierAttempts();
        Map<String, String> tags = new AttemptMetadata(RUN, 3, 5, history).tags();
        assertThat(tags).containsOnlyKeys("ecs-retrier:run-id", "ecs-retrier:attempt", "ecs-retrier:max-attempts",
                "ecs-retrier:history-1", "ecs-retrier:history-2");
        assertThat(tags).contains(entry("ecs-retrier:run-id", RUN), entry("ecs-retrier:attempt", "3"),
                entry("ecs-retrier:max-attempts", "5"),
                entry("ecs-retrier:history-1", history.get(0).toTagValue()),
                entry("ecs-retrier:history-2", history.get(1).toTagValue()));
    }

    @Test
    void tags_roundTrip() {
        AttemptMetadata metadata = new AttemptMetadata(RUN, 3, 5, twoEarlierAttempts());
        AttemptMetadata back = AttemptMetadata.fromTags(metadata.tags()).orElseThrow();
        assertThat(back.runId()).isEqualTo(RUN);
        assertThat(back.attempt()).isEqualTo(3);
        assertThat(back.maxAttempts()).isEqualTo(5);
        assertThat(back.history()).extracting(AttemptSummary::attempt).containsExactly(1, 2);
        assertThat(back.history()).extracting(AttemptSummary::stopCode)
                .containsExactly("SpotInterruption", "TaskFailedToStart");
        assertThat(back.history().get(0).containers()).containsExactly(new ContainerExit("app", 143, null));
        // Lossy on purpose: characters ECS does not allow in tags become spaces.
        assertThat(back.history().get(1).stoppedReason()).isEqualTo("RunTask failed: RESOURCE:MEMORY  no room ");
    }

    @Test
    void tags_ofATaskWithOtherTagsToo_roundTrip() {
        Map<String, String> tags = new HashMap<>(new AttemptMetadata(RUN, 1, 3, List.of()).tags());
        tags.put("team", "data");
        tags.put("aws:ecs:clusterName", "batch");
        assertThat(AttemptMetadata.fromTags(tags)).contains(new AttemptMetadata(RUN, 1, 3, List.of()));
    }

    @Test
    void tags_everyValueIsAValidEcsTagValue_evenForHostileReasons() {
        String hostile = "CannotPullContainerError: \"x\"\n\u00fcber 🚀 " + "z".repeat(5000);
        AttemptStop stop = new AttemptStop("arn:aws:ecs:us-east-1:111122223333:task/batch/abc", "TaskFailedToStart",
                hostile, List.of(new ContainerExit("app", null, hostile)), null, null, null);
        List<AttemptSummary> history = java.util.stream.IntStream.rangeClosed(1, 9)
                .mapToObj(n -> AttemptSummary.of(n, stop, Decision.RETRY, "default:transient-error")).toList();
        Map<String, String> tags = new AttemptMetadata(RUN, 10, 10, history).tags();
        assertThat(tags).hasSize(12);
        assertThat(tags.keySet()).allSatisfy(key -> assertThat(key).hasSizeLessThanOrEqualTo(128)
                .matches(AttemptSummaryTest.ECS_TAG_VALUE));
        assertThat(tags.values()).allSatisfy(value -> assertThat(value).hasSizeLessThanOrEqualTo(256)
                .matches(AttemptSummaryTest.ECS_TAG_VALUE));
        assertThat(AttemptMetadata.fromTags(tags).orElseThrow().history()).hasSize(9);
    }

    @Test
    void tags_ofARunWhoseTaskHasASidecar_areValidEcsTagValues() {
        List<AttemptSummary> history = List.of(AttemptSummary.of(1,
                Fixtures.parsed("multi-container-sidecar-failed.json").stop(), Decision.RETRY, "rules[0]"));
        assertThat(new AttemptMetadata(RUN, 2, 3, history).tags().values())
                .isNotEmpty().allSatisfy(value -> assertThat(value).matches(AttemptSummaryTest.ECS_TAG_VALUE));
    }

    @Test
    void fromTags_withoutTheRunIdTag_isEmpty() {
        assertThat(AttemptMetadata.fromTags(Map.of("team", "data"))).isEmpty();
        assertThat(AttemptMetadata.fromTags(Map.of())).isEmpty();
    }

    @Test
    void fromTags_missingHistoryTags_areSkipped() {
        Map<String, String> tags = runTags("3", "3");
        tags.put("ecs-retrier:history-2", twoEarlierAttempts().get(1).toTagValue());
        assertThat(AttemptMetadata.fromTags(tags).orElseThrow().history())
                .extracting(AttemptSummary::attempt).containsExactly(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"two", "0", "-1", "1.5", "", "99999999999"})
    void fromTags_badAttemptNumber_namesTheTag(String value) {
        assertThatThrownBy(() -> AttemptMetadata.fromTags(runTags(value, "3")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("ecs-retrier:attempt")
                .hasMessageContaining("'" + value + "'")
                .extracting(e -> ((InvalidEventException) e).field()).isEqualTo("tag ecs-retrier:attempt");
    }

    @Test
    void fromTags_missingMaxAttempts_namesTheTag() {
        assertThatThrownBy(() -> AttemptMetadata.fromTags(runTags("1", null)))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("cannot read ECS task event: tag ecs-retrier:max-attempts is missing");
    }

    @Test
    void fromTags_unreadableHistory_namesTheTag() {
        Map<String, String> tags = runTags("2", "3");
        tags.put("ecs-retrier:history-1", "garbage");
        assertThatThrownBy(() -> AttemptMetadata.fromTags(tags))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("tag ecs-retrier:history-1")
                .hasMessageContaining("garbage")
                .extracting(e -> ((InvalidEventException) e).field()).isEqualTo("tag ecs-retrier:history-1");
    }

    @Test
    void environment_carriesTheRunWithoutHistory() {
        assertThat(new AttemptMetadata(RUN, 2, 3, twoEarlierAttempts()).environment()).containsExactly(
                new EnvironmentVariable("RETRIER_RUN_ID", RUN),
                new EnvironmentVariable("RETRIER_ATTEMPT", "2"),
                new EnvironmentVariable("RETRIER_MAX_ATTEMPTS", "3"));
    }

    @Test
    void fromEnvironment_readsTheEventsOverrides() {
        Optional<AttemptMetadata> metadata = AttemptMetadata.fromEnvironment(
                Fixtures.parsed("multi-container-sidecar-failed.json").containerOverrides());
        assertThat(metadata).contains(new AttemptMetadata(RUN, 1, 3, List.of()));
    }

    @Test
    void fromEnvironment_withoutTheRunIdVariable_isEmpty() {
        assertThat(AttemptMetadata.fromEnvironment(List.of(new ContainerOverride("app", null,
                List.of(new EnvironmentVariable("JOB_INPUT", "x")))))).isEmpty();
        assertThat(AttemptMetadata.fromEnvironment(List.of())).isEmpty();
    }

    @Test
    void fromEnvironment_badNumber_namesTheVariable() {
        List<ContainerOverride> overrides = List.of(new ContainerOverride("app", null, List.of(
                new EnvironmentVariable("RETRIER_RUN_ID", RUN),
                new EnvironmentVariable("RETRIER_ATTEMPT", "first"),
                new EnvironmentVariable("RETRIER_MAX_ATTEMPTS", "3"))));
        assertThatThrownBy(() -> AttemptMetadata.fromEnvironment(overrides))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("RETRIER_ATTEMPT").hasMessageContaining("'first'");
    }

    @Test
    void userOverrides_dropTheRetriersOwnVariables_andEmptyOverrides() {
        List<ContainerOverride> user = AttemptMetadata.userOverrides(List.of(
                new ContainerOverride("envoy", null, null),
                new ContainerOverride("log-router", null, List.of(new EnvironmentVariable("RETRIER_RUN_ID", RUN))),
                new ContainerOverride("app", List.of("python", "job.py"), List.of(
                        new EnvironmentVariable("RETRIER_RUN_ID", RUN),
                        new EnvironmentVariable("JOB_INPUT", "s3://example-bucket/input/2025-03-14.csv"),
                        new EnvironmentVariable("RETRIER_ATTEMPT", "1"),
                        new EnvironmentVariable("RETRIER_MAX_ATTEMPTS", "3")))));
        assertThat(user).containsExactly(new ContainerOverride("app", List.of("python", "job.py"),
                List.of(new EnvironmentVariable("JOB_INPUT", "s3://example-bucket/input/2025-03-14.csv"))));
    }

    @Test
    void userOverrides_ofTheSucceededFixture_keepOnlyJobInput() {
        assertThat(AttemptMetadata.userOverrides(Fixtures.parsed("succeeded.json").containerOverrides()))
                .containsExactly(new ContainerOverride("app", null,
                        List.of(new EnvironmentVariable("JOB_INPUT", "s3://example-bucket/input/2025-03-14.csv"))));
    }

    @Test
    void commandOnlyOverride_isKept() {
        List<ContainerOverride> user = AttemptMetadata.userOverrides(List.of(new ContainerOverride("app",
                List.of("sh", "-c", "exit 2"), List.of(new EnvironmentVariable("RETRIER_ATTEMPT", "1")))));
        assertThat(user).containsExactly(new ContainerOverride("app", List.of("sh", "-c", "exit 2"), null));
    }

    @Test
    void lastAttempt_andAttemptKey() {
        assertThat(new AttemptMetadata(RUN, 2, 3, null).lastAttempt()).isFalse();
        assertThat(new AttemptMetadata(RUN, 3, 3, null).lastAttempt()).isTrue();
        assertThat(new AttemptMetadata(RUN, 4, 3, null).lastAttempt()).isTrue();
        assertThat(new AttemptMetadata(RUN, 1, 3, null).history()).isEmpty();
        assertThat(AttemptMetadata.attemptKey(RUN, 2)).isEqualTo("run-7f3a-2");
    }
}
