package dev.ecsretrier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.testutil.Fixtures;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AttemptSummaryTest {

    /** ECS's own pattern for a tag value (the API model's {@code TagValue}), at most 256 characters. */
    static final Pattern ECS_TAG_VALUE = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{0,256}");

    private static final String TASK = "arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec3168d4c3ca1a6b28a0f1b7c35";

    private static AttemptSummary summary(String stoppedReason, String rule, ContainerExit... containers) {
        return new AttemptSummary(1, TASK, "EssentialContainerExited", stoppedReason, List.of(containers),
                Decision.RETRY, rule, Instant.parse("2025-03-14T10:00:00Z"), Instant.parse("2025-03-14T10:08:00Z"), null, null, Set.of());
    }

    @Test
    void tagValue_hasTheDocumentedCompactForm() {
        AttemptSummary s = AttemptSummary.of(1, Fixtures.parsed("app-exit-2.json").stop(), Decision.RETRY,
                "default:retryable-exit-code");
        assertThat(s.toTagValue()).matches("decision=RETRY stop=EssentialContainerExited"
                + " rule=default:retryable-exit-code task=[0-9a-f]{32} exits=app:2 reason=Essential container in task exited");
    }

    @Test
    void tagValue_roundTrips_withTheTaskIdForTheArn() {
        AttemptSummary s = summary("Essential container in task exited", "default:retryable-exit-code",
                new ContainerExit("log-router", 0, "ignored"), new ContainerExit("app", 2, null));
        String value = s.toTagValue();
        AttemptSummary back = AttemptSummary.fromTagValue(1, value);
        assertThat(back.attempt()).isEqualTo(1);
        assertThat(back.decision()).isEqualTo(Decision.RETRY);
        assertThat(back.stopCode()).isEqualTo("EssentialContainerExited");
        assertThat(back.rule()).isEqualTo("default:retryable-exit-code");
        assertThat(back.taskArn()).isEqualTo("0ea07ec3168d4c3ca1a6b28a0f1b7c35");
        assertThat(back.stoppedReason()).isEqualTo("Essential container in task exited");
        assertThat(back.containers()).containsExactly(new ContainerExit("log-router", 0, null),
                new ContainerExit("app", 2, null));
        assertThat(back.startedAt()).isNull();
        assertThat(back.stoppedAt()).isNull();
    }

    @Test
    void tagValue_ofASynchronousFailure_roundTripsWithoutTaskOrContainers() {
        AttemptSummary s = AttemptSummary.of(2, AttemptStop.synchronousFailure("RESOURCE:MEMORY", null,
                Instant.EPOCH), Decision.RETRY, "default:infrastructure-stop");
        assertThat(s.toTagValue()).isEqualTo("decision=RETRY stop=TaskFailedToStart rule=default:infrastructure-stop"
                + " task=- exits=- reason=RunTask failed: RESOURCE:MEMORY");
        AttemptSummary back = AttemptSummary.fromTagValue(2, s.toTagValue());
        assertThat(back.taskArn()).isNull();
        assertThat(back.containers()).isEmpty();
        assertThat(back.stoppedReason()).isEqualTo("RunTask failed: RESOURCE:MEMORY");
    }

    @Test
    void tagValue_missingExitCode_roundTripsAsNull() {
        AttemptSummary back = AttemptSummary.fromTagValue(1,
                summary(null, null, new ContainerExit("app", null, null)).toTagValue());
        assertThat(back.containers()).containsExactly(new ContainerExit("app", null, null));
        assertThat(back.rule()).isNull();
        assertThat(back.stoppedReason()).isNull();
    }

    static Stream<String> hostileReasons() {
        return Stream.of(
                "CannotPullContainerError: \"quoted\" 'single' `back` <angle> {brace} [bracket] ;|&$%!?*#~^\\",
                "line one\nline two\r\nline three\ttabbed",
                "Fehler: Speicher voll – überschritten ✗ 内存不足 🚀",
                "x".repeat(5000),
                "decision=SUCCEEDED stop=x rule=y task=z exits=- reason=forged",
                "\u0000\u0007\u001b[31mred\u001b[0m",
                "");
    }

    @ParameterizedTest
    @MethodSource("hostileReasons")
    void tagValue_isAlwaysAValidEcsTagValue_evenForHostileReasons(String reason) {
        AttemptSummary s = summary(reason, "rule \"with\" quotes\nand newline",
                new ContainerExit("app\"; rm -rf /", 1, reason));
        String value = s.toTagValue();
        assertThat(value).hasSizeLessThanOrEqualTo(256).matches(ECS_TAG_VALUE);
        AttemptSummary back = AttemptSummary.fromTagValue(1, value);
        assertThat(back.decision()).isEqualTo(Decision.RETRY);
        assertThat(back.stopCode()).isEqualTo("EssentialContainerExited");
        assertThat(back.containers()).extracting(ContainerExit::exitCode).containsExactly(1);
    }

    /** Every task with a sidecar has two containers; ECS refuses a RunTask whose tag value holds a comma. */
    @Test
    void tagValue_ofAMultiContainerTask_isAValidEcsTagValue() {
        AttemptSummary s = AttemptSummary.of(1, Fixtures.parsed("multi-container-sidecar-failed.json").stop(),
                Decision.RETRY, "rules[0]");
        assertThat(s.toTagValue()).matches(ECS_TAG_VALUE);
        assertThat(AttemptSummary.fromTagValue(1, s.toTagValue()).containers()).containsExactly(
                new ContainerExit("envoy", 1, null), new ContainerExit("app", 0, null));
    }

    @Test
    void tagValue_cutsALongReasonTo256Characters() {
        String value = summary("ResourceInitializationError: " + "y".repeat(1000), "default:transient-error",
                new ContainerExit("app", null, null)).toTagValue();
        assertThat(value).hasSize(256).contains("reason=ResourceInitializationError: yyy");
        assertThat(AttemptSummary.fromTagValue(1, value).stoppedReason()).startsWith("ResourceInitializationError");
    }

    /**
     * ECS allows ten containers per task, with names up to 255 characters, and user rule names are free text:
     * the part before {@code reason=} can outgrow 256 characters. The tag must stay readable, or the next
     * attempt's stop can never be classified.
     */
    @Test
    void tagValue_staysReadable_whenContainerNamesOrTheRuleNameAreLong() {
        ContainerExit[] sidecars = IntStream.rangeClosed(1, 10)
                .mapToObj(i -> new ContainerExit("observability-sidecar-" + i, 0, null))
                .toArray(ContainerExit[]::new);
        String manyContainers = summary("Essential container in task exited", "default:failed", sidecars).toTagValue();
        assertThat(manyContainers).hasSizeLessThanOrEqualTo(256).matches(ECS_TAG_VALUE);
        assertThat(AttemptSummary.fromTagValue(1, manyContainers).decision()).isEqualTo(Decision.RETRY);

        String longRule = summary("Essential container in task exited",
                "retry-when-the-nightly-warehouse-export-hits-the-upstream-rate-limit-".repeat(4),
                new ContainerExit("app", 75, null)).toTagValue();
        assertThat(longRule).hasSizeLessThanOrEqualTo(256).matches(ECS_TAG_VALUE);
        assertThat(AttemptSummary.fromTagValue(1, longRule).containers())
                .containsExactly(new ContainerExit("app", 75, null));
    }

    @Test
    void fromTagValue_rejectsWhatIsNotASummary() {
        assertThatThrownBy(() -> AttemptSummary.fromTagValue(1, "hello"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an attempt summary: 'hello'");
        assertThatThrownBy(() -> AttemptSummary.fromTagValue(1,
                "decision=MAYBE stop=x rule=y task=z exits=- reason=r"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void of_copiesTheStop() {
        AttemptStop stop = Fixtures.parsed("out-of-memory.json").stop();
        AttemptSummary s = AttemptSummary.of(2, stop, Decision.FAILED, "default:out-of-memory");
        assertThat(s.attempt()).isEqualTo(2);
        assertThat(s.taskArn()).isEqualTo(stop.taskArn());
        assertThat(s.stopCode()).isEqualTo("EssentialContainerExited");
        assertThat(s.containers()).containsExactly(new ContainerExit("app", 137,
                "OutOfMemoryError: Container killed due to memory usage"));
        assertThat(s.startedAt()).isEqualTo(stop.startedAt());
        assertThat(s.stoppedAt()).isEqualTo(stop.stoppedAt());
    }
}
