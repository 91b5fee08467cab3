package dev.ecsretrier.local;

import static dev.ecsretrier.local.Fixtures.sampleTask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.Budget;
import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.local.ecs.LocalEcs.LaunchedTask;
import dev.ecsretrier.local.ecs.TaskProgram;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LaunchConditions;
import dev.ecsretrier.local.emulator.LaunchFault;
import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.sns.PublishedNotification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Each adaptive retry through the whole loop: the real handlers change the next launch, the local
 * ECS launches exactly that and reports it in the STOPPED event (capacity provider, task size, subnet),
 * and launch-dependent faults stop only the launches they describe. Tasks are {@code /bin/sh}, at
 * time scale 0.001. The attempt timeout's end-to-end tests are in {@link LocalRuntimeEndToEndTest}.
 */
class AdaptiveRetriesEndToEndTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String FARGATE_SPOT = "[{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1}]";
    static final String FARGATE = "[{\"capacityProvider\":\"FARGATE\",\"weight\":1}]";
    /** Exits 2 on the attempts FAIL_ON lists (space-separated), else 0. */
    static final String TASK = "case \" $FAIL_ON \" in *\" $RETRIER_ATTEMPT \"*) exit 2;; esac; exit 0";

    LocalRuntime runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    LocalRuntime start(Map<Setting, String> settings, Faults faults) {
        runtime = LocalRuntime.builder()
                .settings(settings)
                .timeScale(0.001)
                .seed(7)
                .faults(faults)
                .taskProgram(TaskProgram.process(List.of("/bin/sh", "-c", TASK), null))
                .build();
        return runtime;
    }

    RunOutcome run(String runId, String... environment) throws InterruptedException {
        runtime.startRun(sampleTask(runId, environment));
        assertThat(runtime.awaitIdle(WAIT)).as("the runtime comes to rest").isTrue();
        RunOutcome outcome = runtime.awaitOutcome(runId, Duration.ZERO).orElseThrow(() -> new AssertionError(
                "run " + runId + " came to rest without an outcome; dead letters: " + runtime.deadLetters().stream()
                        .map(letter -> letter.function() + ": " + letter.errorMessage()).toList()));
        assertThat(runtime.launchCounts()).as("no attempt launched twice").values().containsOnly(1);
        return outcome;
    }

    static JsonNode detail(LaunchedTask task) {
        try {
            return JsonTrees.tree(task.stoppedEvent()).path("detail");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String subnetOf(LaunchedTask task) {
        for (JsonNode item : detail(task).path("attachments").get(0).path("details")) {
            if (item.path("name").asText().equals("subnetId")) {
                return item.path("value").asText();
            }
        }
        throw new AssertionError("no subnetId in the ENI attachment");
    }

    String decision(String runId, int attempt) {
        return runtime.timeline(runId).stream()
                .filter(e -> e.kind() == TimelineEntry.Kind.DECISION && e.attempt() == attempt)
                .map(TimelineEntry::text).findFirst().orElseThrow();
    }

    String summary(String runId) {
        return runtime.notifications().stream().filter(n -> runId.equals(n.attributes().get("runId")))
                .map(PublishedNotification::summary).findFirst().orElseThrow();
    }

    @Test
    void aSpotInterruptionMovesTheNextAttemptToOnDemandCapacityWhereItSucceeds() throws Exception {
        start(Map.of(Setting.CAPACITY_PROVIDER_STRATEGY, FARGATE_SPOT,
                        Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY, FARGATE),
                Faults.builder().when(LaunchConditions.onCapacityProvider("FARGATE_SPOT"),
                        LaunchFault.spotInterruption()).build());

        RunOutcome outcome = run("spot");

        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(outcome.attempts()).isEqualTo(2);
        List<LaunchedTask> tasks = runtime.ecs().launched("spot");
        assertThat(tasks).hasSize(2);
        assertThat(tasks.get(0).request().launchType()).isNull();
        assertThat(tasks.get(0).request().capacityProviderStrategy())
                .containsExactly(new CapacityProviderItem("FARGATE_SPOT", 1, null));
        assertThat(tasks.get(0).request().tags()).doesNotContainKey(AttemptMetadata.LAUNCH_TAG);
        assertThat(detail(tasks.get(0)).path("capacityProviderName").asText()).isEqualTo("FARGATE_SPOT");
        assertThat(detail(tasks.get(0)).path("stopCode").asText()).isEqualTo("SpotInterruption");

        assertThat(tasks.get(1).request().launchType()).isNull();
        assertThat(tasks.get(1).request().capacityProviderStrategy())
                .containsExactly(new CapacityProviderItem("FARGATE", 1, null));
        assertThat(tasks.get(1).request().tags()).containsEntry(AttemptMetadata.LAUNCH_TAG, "capacity=FARGATE:1:-");
        assertThat(detail(tasks.get(1)).path("capacityProviderName").asText()).isEqualTo("FARGATE");
        assertThat(detail(tasks.get(1)).path("stopCode").asText()).isEqualTo("EssentialContainerExited");

        assertThat(decision("spot", 1)).startsWith("RETRY by default:infrastructure-stop; next attempt 2 in ")
                .contains(" on FARGATE (capacity FARGATE after 1 Spot failure): ");
        assertThat(outcome.attemptHistory()).extracting(a -> a.launch() == null ? null : a.launch().toTagValue())
                .containsExactly(null, "capacity=FARGATE:1:-");
        assertThat(summary("spot")).contains("#1 SpotInterruption app exit 143 -> RETRY",
                "#2 [capacity=FARGATE:1:-] EssentialContainerExited app exit 0 -> SUCCEEDED");
    }

    @Test
    void withFallbackAfterTwoSpotFailuresTheSecondAttemptStaysOnSpot() throws Exception {
        start(Map.of(Setting.CAPACITY_PROVIDER_STRATEGY, FARGATE_SPOT,
                        Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY, FARGATE,
                        Setting.FALLBACK_AFTER_SPOT_FAILURES, "2"),
                Faults.builder().when(LaunchConditions.onCapacityProvider("FARGATE_SPOT"),
                        LaunchFault.spotInterruption()).build());

        RunOutcome outcome = run("spot-twice");

        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(runtime.ecs().launched("spot-twice")).extracting(
                t -> t.request().capacityProviderStrategy().get(0).capacityProvider(),
                t -> detail(t).path("stopCode").asText())
                .containsExactly(tuple("FARGATE_SPOT", "SpotInterruption"),
                        tuple("FARGATE_SPOT", "SpotInterruption"),
                        tuple("FARGATE", "EssentialContainerExited"));
        assertThat(decision("spot-twice", 2)).contains(" on FARGATE (capacity FARGATE after 2 Spot failures): ");
    }

    @Test
    void anOutOfMemoryStopIsRetriedWithTwiceTheMemoryWhereItSucceeds() throws Exception {
        start(Map.of(Setting.MEMORY_ESCALATION, "true"),
                Faults.builder().when(LaunchConditions.memoryBelow(4096), LaunchFault.outOfMemory()).build());

        RunOutcome outcome = run("oom");

        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(outcome.attempts()).isEqualTo(2);
        List<LaunchedTask> tasks = runtime.ecs().launched("oom");
        assertThat(tasks.get(0).request().size()).as("the task definition's size").isNull();
        assertThat(detail(tasks.get(0)).path("cpu").asText()).isEqualTo("1024");
        assertThat(detail(tasks.get(0)).path("memory").asText()).isEqualTo("2048");
        assertThat(detail(tasks.get(0)).path("containers").get(0).path("reason").asText()).startsWith("OutOfMemoryError");

        assertThat(tasks.get(1).request().size()).isEqualTo(new dev.ecsretrier.core.TaskSize(1024, 4096));
        assertThat(tasks.get(1).request().tags()).containsEntry(AttemptMetadata.LAUNCH_TAG, "cpu=1024 memory=4096");
        assertThat(detail(tasks.get(1)).path("memory").asText()).isEqualTo("4096");
        assertThat(detail(tasks.get(1)).path("overrides").path("memory").asText()).isEqualTo("4096");

        assertThat(outcome.attemptHistory().get(0).rule()).isEqualTo("default:out-of-memory");
        assertThat(outcome.attemptHistory().get(0).decision()).isEqualTo(Decision.RETRY);
        assertThat(decision("oom", 1)).contains(
                " with cpu 1024 memory 4096 (memory 2048 -> 4096 MiB (cpu 1024) after OutOfMemoryError): ");
        assertThat(summary("oom")).contains("#2 [cpu=1024 memory=4096] EssentialContainerExited app exit 0");
    }

    @Test
    void anOutOfMemoryStopAtTheMemoryCapFailsTheRunNamingTheCap() throws Exception {
        start(Map.of(Setting.MEMORY_ESCALATION, "true", Setting.MEMORY_MAX_MIB, "4096"),
                Faults.builder().when(LaunchConditions.memoryBelow(8192), LaunchFault.outOfMemory()).build());

        RunOutcome outcome = run("oom-cap");

        assertThat(outcome.outcome()).isEqualTo(Decision.FAILED);
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(outcome.rule()).isEqualTo("default:out-of-memory");
        assertThat(outcome.reason())
                .isEqualTo("out of memory at 4096 MiB, and the memory cap of 4096 MiB allows no larger Fargate size");
        assertThat(runtime.ecs().launched("oom-cap")).extracting(t -> detail(t).path("memory").asText())
                .containsExactly("2048", "4096");
    }

    @Test
    void theInfrastructureBudgetRunsOutWhileTheApplicationBudgetHasRetriesLeft() throws Exception {
        start(Map.of(Setting.INFRASTRUCTURE_RETRIES, "1", Setting.APPLICATION_RETRIES, "3",
                        Setting.RETRYABLE_EXIT_CODES, "2"),
                Faults.builder().when(request -> !"1".equals(request.tags().get(AttemptMetadata.ATTEMPT_TAG)),
                        LaunchFault.cannotPullContainer()).build());

        // Attempt 1: exit 2 (application, 1 of 3); 2: pull failure (infrastructure, 1 of 1); 3: pull failure again.
        RunOutcome outcome = run("budgets", "FAIL_ON", "1");

        assertThat(outcome.outcome()).isEqualTo(Decision.RETRIES_EXHAUSTED);
        assertThat(outcome.exhaustedBudget()).isEqualTo(Budget.INFRASTRUCTURE);
        assertThat(outcome.attempts()).isEqualTo(3);
        assertThat(outcome.maxAttempts()).as("1 + both budgets").isEqualTo(5);
        assertThat(outcome.reason()).endsWith("the infrastructure retry budget of 1 is used up");
        assertThat(outcome.attemptHistory()).extracting(a -> a.kind() + " " + a.decision())
                .containsExactly("APPLICATION RETRY", "INFRASTRUCTURE RETRY", "INFRASTRUCTURE RETRIES_EXHAUSTED");
        assertThat(summary("budgets")).startsWith("RETRIES_EXHAUSTED (INFRASTRUCTURE budget) after 3 of 5 attempts");
    }

    @Test
    void anEniTimeoutPutsTheNextSubnetFirstForTheNextAttempt() throws Exception {
        start(Map.of(Setting.SUBNETS, "subnet-a,subnet-b", Setting.ROTATE_SUBNETS, "true"),
                Faults.builder().when(LaunchConditions.inSubnet("subnet-a"), LaunchFault.eniTimeout()).build());

        RunOutcome outcome = run("eni");

        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        List<LaunchedTask> tasks = runtime.ecs().launched("eni");
        assertThat(tasks).hasSize(2);
        assertThat(tasks.get(0).request().network().subnets()).containsExactly("subnet-a", "subnet-b");
        assertThat(subnetOf(tasks.get(0))).isEqualTo("subnet-a");
        assertThat(tasks.get(1).request().network().subnets()).containsExactly("subnet-b", "subnet-a");
        assertThat(tasks.get(1).request().tags()).containsEntry(AttemptMetadata.LAUNCH_TAG, "subnet-offset=1");
        assertThat(subnetOf(tasks.get(1))).isEqualTo("subnet-b");
        assertThat(decision("eni", 1)).contains(" in subnet-b (subnet subnet-b first after an ENI timeout): ");
    }

    @Test
    void aChangedLaunchCarriesOverToLaterAttempts() throws Exception {
        start(Map.of(Setting.CAPACITY_PROVIDER_STRATEGY, FARGATE_SPOT,
                        Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY, FARGATE, Setting.RETRYABLE_EXIT_CODES, "2"),
                Faults.builder().when(LaunchConditions.onCapacityProvider("FARGATE_SPOT"),
                        LaunchFault.spotInterruption()).build());

        RunOutcome outcome = run("carried", "FAIL_ON", "2");

        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(runtime.ecs().launched("carried"))
                .extracting(t -> t.request().capacityProviderStrategy().get(0).capacityProvider())
                .containsExactly("FARGATE_SPOT", "FARGATE", "FARGATE");
        assertThat(decision("carried", 2)).as("no new change, the launch shown as it stays")
                .contains("next attempt 3 in ").contains(" on FARGATE: ");
    }
}
