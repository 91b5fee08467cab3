package dev.ecsretrier.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.AttemptSummary;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.EndedAttempt;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.FailureKind;
import dev.ecsretrier.core.RunOutcome.MetadataSource;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.input.StartRequestReader;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.testutil.FakeAttemptScheduler;
import dev.ecsretrier.testutil.FakeNotifier;
import dev.ecsretrier.testutil.MutableClock;
import dev.ecsretrier.testutil.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The next attempt's start request, which the schedule carries to the starter, is read by the
 * starter's own reader: whatever the earlier attempts said, it must stay within its 32 KiB.
 */
class NextStartRequestTest {

    private static final Instant NOW = Instant.parse("2025-03-14T09:17:40Z");
    private static final String RUN = "r".repeat(48);
    private static final RetrierConfig CONFIG = TestEnvironment.sampleConfig("RETRIER_MAX_ATTEMPTS", "10");

    private final FakeAttemptScheduler scheduler = new FakeAttemptScheduler();
    private final RetryLoop loop = new RetryLoop(CONFIG.planner(), scheduler, new FakeNotifier(), new MutableClock(NOW),
            new SplittableRandom(1), "ecs-retrier", line -> { });

    /** 255 characters, as ECS writes a reason; {@code unit} repeated (escapes and multi-byte text weigh more). */
    private static String reason(String unit) {
        StringBuilder text = new StringBuilder("CannotPullContainerError: ");
        while (text.length() < 255) {
            text.append(unit);
        }
        return text.substring(0, 255);
    }

    /** Ten containers (ECS's maximum per task), each with a 255-character reason; the essential one exited 2. */
    private static List<ContainerExit> tenContainers(String unit) {
        List<ContainerExit> containers = new ArrayList<>();
        containers.add(new ContainerExit("app", 2, reason(unit)));
        for (int i = 1; i < 10; i++) {
            containers.add(new ContainerExit("sidecar-" + "x".repeat(40) + i, 137, reason(unit)));
        }
        return containers;
    }

    private static AttemptStop stop(int attempt, String unit) {
        return new AttemptStop("arn:aws:ecs:us-east-1:111122223333:task/batch/" + "%032x".formatted(attempt),
                "EssentialContainerExited", reason(unit), tenContainers(unit), NOW, NOW, NOW);
    }

    /** Attempt 9 of 10 ends; the eight before it are in its history, in full; the user's overrides are at ECS's limit. */
    private EndedAttempt worstCase(String unit) {
        List<AttemptSummary> history = new ArrayList<>();
        for (int attempt = 1; attempt <= 8; attempt++) {
            history.add(AttemptSummary.of(attempt, stop(attempt, unit), Decision.RETRY, "default:retryable-exit-code",
                    FailureKind.APPLICATION, null));
        }
        int base = Json.write(List.of(new ContainerOverride("app", List.of(),
                List.of(new EnvironmentVariable("JOB_INPUT", ""))))).length();
        List<ContainerOverride> overrides = List.of(new ContainerOverride("app", List.of(),
                List.of(new EnvironmentVariable("JOB_INPUT", "i".repeat(StartRequestReader.MAX_OVERRIDES_CHARS - base)))));
        return new EndedAttempt(AttemptMetadata.of(RUN, 9, 10, history), stop(9, unit), overrides,
                TestEnvironment.CLUSTER, TestEnvironment.TASK_DEFINITION, MetadataSource.TAGS, null, null);
    }

    @ParameterizedTest(name = "reasons made of \"{0}\"")
    @ValueSource(strings = {"i/o timeout; ", "\"quoted\" \\ ", "\u0001\u0002", "läuft 日本 "})
    void worstCase_tenAttemptsTenContainers255CharacterReasons_isAcceptedByTheStartersReader(String unit) {
        StepResult step = loop.advance(worstCase(unit), TestEnvironment.STARTER_ARN);

        assertThat(step.decision()).isEqualTo(Decision.RETRY);
        byte[] input = scheduler.only().input().getBytes(StandardCharsets.UTF_8);
        assertThat(input.length).isLessThanOrEqualTo(StartRequestReader.MAX_REQUEST_BYTES);
        StartRequest next = new StartRequestReader(List.of("app"), 10).read(input);
        assertThat(next.attemptNumber()).isEqualTo(10);
        assertThat(next.history()).hasSize(9).extracting(AttemptSummary::attempt)
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(next.containerOverrides()).isEqualTo(worstCase(unit).userOverrides());
    }

    @Test
    void whatIsClipped_saysSo_andWhatDecidesIsKept() {
        loop.advance(worstCase("i/o timeout; "), TestEnvironment.STARTER_ARN);

        StartRequest next = new StartRequestReader(List.of("app"), 10).read(scheduler.only().input().getBytes(StandardCharsets.UTF_8));
        for (AttemptSummary earlier : next.history()) {
            assertThat(earlier.containers()).extracting(ContainerExit::exitCode).startsWith(2).contains(137);
            assertThat(earlier.decision()).isEqualTo(Decision.RETRY);
            assertThat(earlier.rule()).startsWith("default:");
            assertThat(earlier.taskArn()).endsWith("%032x".formatted(earlier.attempt()));
        }
        assertThat(next.history()).flatExtracting(AttemptSummary::containers).extracting(ContainerExit::reason)
                .allSatisfy(reason -> assertThat(reason).satisfiesAnyOf(
                        r -> assertThat(r).isEqualTo(reason("i/o timeout; ")),
                        r -> assertThat(r).endsWith(NextStartRequest.CLIPPED.strip())));
        assertThat(next.history()).flatExtracting(AttemptSummary::containers).extracting(ContainerExit::reason)
                .anySatisfy(reason -> assertThat(reason).endsWith(NextStartRequest.CLIPPED.strip()));
    }

    @Test
    void aRequestThatFits_isSentAsItIs() {
        EndedAttempt small = new EndedAttempt(AttemptMetadata.of("run-7f3a", 1, 10, List.of()), stop(1, "x "),
                List.of(), TestEnvironment.CLUSTER, TestEnvironment.TASK_DEFINITION, MetadataSource.TAGS, null, null);

        loop.advance(small, TestEnvironment.STARTER_ARN);

        assertThat(scheduler.only().input()).doesNotContain(NextStartRequest.CLIPPED).contains(reason("x "));
    }
}
