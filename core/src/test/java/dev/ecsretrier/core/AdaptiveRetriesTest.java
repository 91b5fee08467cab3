package dev.ecsretrier.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.input.StartRequestReader;
import dev.ecsretrier.input.TaskStateChange;
import dev.ecsretrier.input.TaskStateChangeParser;
import dev.ecsretrier.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Retries that change the next launch, separate budgets, and the attempt timeout (issue 7). */
class AdaptiveRetriesTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final List<CapacityProviderItem> ON_DEMAND = List.of(new CapacityProviderItem("FARGATE", 1, 0));
    private static final Backoff NO_JITTER = new Backoff(Duration.ofSeconds(10), 2, Duration.ofMinutes(5), Jitter.NONE);

    private static TaskStateChange event(String name) {
        try (InputStream in = AdaptiveRetriesTest.class.getResourceAsStream("/events/" + name)) {
            return TaskStateChangeParser.parse(in.readAllBytes());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static EndedAttempt ended(TaskStateChange change, AttemptMetadata run) {
        return new EndedAttempt(run, change.stop(), List.of(), change.clusterArn(), change.taskDefinitionArn(),
                RunOutcome.MetadataSource.TAGS, null, change.size());
    }

    private static EndedAttempt ended(AttemptStop stop, AttemptMetadata run, TaskSize size) {
        return new EndedAttempt(run, stop, List.of(), "cluster", "sample:3", RunOutcome.MetadataSource.TAGS, null, size);
    }

    private static RetryPlanner planner(AdaptationPolicy adaptation, RetryBudgets budgets) {
        return new RetryPlanner(new StopClassifier(List.of(), Set.of(2), Set.of(), true), NO_JITTER, adaptation, budgets);
    }

    private static AdaptationPolicy fallbackAfter(int spotFailures) {
        return new AdaptationPolicy(ON_DEMAND, spotFailures, false, 2.0, 30720, false, List.of());
    }

    private static AdaptationPolicy memoryEscalationUpTo(int capMiB) {
        return new AdaptationPolicy(List.of(), 1, true, 2.0, capMiB, false, List.of());
    }

    private static Step plan(RetryPlanner planner, EndedAttempt ended) {
        return planner.plan(ended, NOW, new SplittableRandom(7));
    }

    // --- capacity fallback -------------------------------------------------------------------

    @Test
    void spotInterruptionMovesTheNextAttemptToTheFallbackStrategy() {
        Step step = plan(planner(fallbackAfter(1), RetryBudgets.NONE),
                ended(event("spot-interruption.json"), AttemptMetadata.of("run-1", 1, 3, List.of())));

        assertThat(step).isInstanceOfSatisfying(Step.Retry.class, retry -> {
            LaunchAdjustment launch = retry.next().launch();
            assertThat(launch.capacityProviderStrategy()).isEqualTo(ON_DEMAND);
            assertThat(launch.changes()).containsExactly("capacity FARGATE after 1 Spot failure");
        });
    }

    @Test
    void theNextStartRequestWithItsAdjustmentIsOneTheStarterAccepts() {
        AdaptationPolicy everything = new AdaptationPolicy(ON_DEMAND, 1, true, 2.0, 30720, true, List.of("subnet-a", "subnet-b"));
        Step step = plan(planner(everything, RetryBudgets.NONE),
                ended(event("spot-interruption.json"), AttemptMetadata.of("run-1", 1, 3, List.of())));
        String json = Json.write(((Step.Retry) step).next());

        StartRequest read = new StartRequestReader(List.of("app"), 3, everything).read(json.getBytes(StandardCharsets.UTF_8));

        assertThat(read.launch().capacityProviderStrategy()).isEqualTo(ON_DEMAND);
        assertThat(read).isEqualTo(((Step.Retry) step).next());
    }

    @Test
    void fallbackWaitsForTheConfiguredNumberOfSpotFailures() {
        RetryPlanner planner = planner(fallbackAfter(2), RetryBudgets.NONE);
        TaskStateChange spot = event("spot-interruption.json");

        Step first = plan(planner, ended(spot, AttemptMetadata.of("run-1", 1, 5, List.of())));
        assertThat(((Step.Retry) first).next().launch()).isNull();

        List<AttemptSummary> earlier = ((Step.Retry) first).next().history();
        Step second = plan(planner, ended(spot, AttemptMetadata.of("run-1", 2, 5, earlier)));
        assertThat(((Step.Retry) second).next().launch().capacityProviderStrategy()).isEqualTo(ON_DEMAND);
        assertThat(((Step.Retry) second).next().launch().changes()).containsExactly("capacity FARGATE after 2 Spot failures");
    }

    @Test
    void aSynchronousSpotCapacityShortageCountsAsASpotFailure() {
        AttemptStop noCapacity = AttemptStop.synchronousFailure("Capacity is unavailable at this time.",
                "Please try again later or in a different availability zone", NOW);

        Step step = plan(planner(fallbackAfter(1), RetryBudgets.NONE),
                ended(noCapacity, AttemptMetadata.of("run-1", 1, 3, List.of()), null));

        assertThat(((Step.Retry) step).next().launch().capacityProviderStrategy()).isEqualTo(ON_DEMAND);
    }

    @Test
    void anAdjustmentCarriesOverToLaterAttempts() {
        LaunchAdjustment onDemand = new LaunchAdjustment(ON_DEMAND, null, null, List.of("capacity FARGATE after 1 Spot failure"));
        Step step = plan(planner(fallbackAfter(1), RetryBudgets.NONE),
                ended(event("app-exit-2.json"), new AttemptMetadata("run-1", 2, 3, List.of(), onDemand, null)));

        assertThat(((Step.Retry) step).next().launch()).isEqualTo(onDemand);
        AttemptSummary current = ((Step.Retry) step).next().history().get(0);
        assertThat(current.launch().toTagValue()).isEqualTo("capacity=FARGATE:1:0");
    }

    // --- memory escalation -------------------------------------------------------------------

    @Test
    void outOfMemoryStaysFailedWhileEscalationIsOff() {
        Step step = plan(planner(AdaptationPolicy.NONE, RetryBudgets.NONE),
                ended(event("out-of-memory.json"), AttemptMetadata.of("run-1", 1, 3, List.of())));

        assertThat(step).isInstanceOfSatisfying(Step.Finish.class,
                finish -> assertThat(finish.outcome().outcome()).isEqualTo(Decision.FAILED));
    }

    @Test
    void outOfMemoryIsRetriedWithTwiceTheMemoryWhenEscalationIsOn() {
        // out-of-memory.json: cpu 1024, memory 2048
        Step step = plan(planner(memoryEscalationUpTo(8192), RetryBudgets.NONE),
                ended(event("out-of-memory.json"), AttemptMetadata.of("run-1", 1, 3, List.of())));

        assertThat(step).isInstanceOfSatisfying(Step.Retry.class, retry -> {
            assertThat(retry.verdict().rule()).isEqualTo("default:out-of-memory");
            assertThat(retry.next().launch().size()).isEqualTo(new TaskSize(1024, 4096));
            assertThat(retry.next().launch().changes())
                    .containsExactly("memory 2048 -> 4096 MiB (cpu 1024) after OutOfMemoryError");
        });
    }

    @Test
    void outOfMemoryAtTheCapFailsAndSaysSo() {
        Step step = plan(planner(memoryEscalationUpTo(3072), RetryBudgets.NONE),
                ended(event("out-of-memory.json"), AttemptMetadata.of("run-1", 1, 3, List.of())));

        assertThat(step).isInstanceOfSatisfying(Step.Finish.class, finish -> {
            assertThat(finish.outcome().outcome()).isEqualTo(Decision.FAILED);
            assertThat(finish.outcome().reason())
                    .isEqualTo("out of memory at 2048 MiB, and the memory cap of 3072 MiB allows no larger Fargate size");
        });
    }

    @Test
    void escalationPicksOnlySizesFargateAccepts() {
        assertThat(FargateSizes.escalate(new TaskSize(256, 512), 2.0, 30720)).contains(new TaskSize(256, 1024));
        // 256 CPU stops at 2 GiB: 4 GiB needs 512 CPU
        assertThat(FargateSizes.escalate(new TaskSize(256, 2048), 2.0, 30720)).contains(new TaskSize(512, 4096));
        // 512 CPU stops at 4 GiB: 8 GiB needs 1024 CPU
        assertThat(FargateSizes.escalate(new TaskSize(512, 4096), 2.0, 30720)).contains(new TaskSize(1024, 8192));
        // 8 vCPU takes memory in 4 GiB steps from 16 GiB
        assertThat(FargateSizes.escalate(new TaskSize(8192, 16384), 1.1, 122880)).contains(new TaskSize(8192, 20480));
        assertThat(FargateSizes.escalate(new TaskSize(16384, 122880), 2.0, 122880)).isEmpty();
        assertThat(FargateSizes.valid(new TaskSize(256, 4096))).isFalse();
        assertThat(FargateSizes.valid(new TaskSize(4096, 30720))).isTrue();
        assertThat(FargateSizes.valid(new TaskSize(4096, 31744))).isFalse();
    }

    // --- placement change --------------------------------------------------------------------

    @Test
    void anEniTimeoutPutsTheNextSubnetFirst() {
        AdaptationPolicy rotate = new AdaptationPolicy(List.of(), 1, false, 2.0, 30720, true,
                List.of("subnet-a", "subnet-b", "subnet-c"));

        Step step = plan(planner(rotate, RetryBudgets.NONE),
                ended(event("eni-timeout.json"), AttemptMetadata.of("run-1", 1, 3, List.of())));

        LaunchAdjustment launch = ((Step.Retry) step).next().launch();
        assertThat(launch.subnetOffset()).isEqualTo(1);
        assertThat(launch.order(List.of("subnet-a", "subnet-b", "subnet-c"))).containsExactly("subnet-b", "subnet-c", "subnet-a");
        assertThat(launch.changes()).containsExactly("subnet subnet-b first after an ENI timeout");
    }

    @Test
    void anEniTimeoutInAnyCasePutsTheNextSubnetFirst() {
        AdaptationPolicy rotate = new AdaptationPolicy(List.of(), 1, false, 2.0, 30720, true,
                List.of("subnet-a", "subnet-b"));
        AttemptStop lowerCase = new AttemptStop("arn:aws:ecs:us-east-1:111122223333:task/batch/abc", "TaskFailedToStart",
                "timeout waiting for network interface provisioning to complete.", List.of(), NOW, null, NOW);

        Step step = plan(planner(rotate, RetryBudgets.NONE),
                ended(lowerCase, AttemptMetadata.of("run-1", 1, 3, List.of()), null));

        assertThat(((Step.Retry) step).next().launch().subnetOffset()).isEqualTo(1);
    }

    // --- what the step says ------------------------------------------------------------------

    @Test
    void theStepCarriesTheChangesOfThisDecisionOnly_andTheAttemptAsRecorded() {
        AdaptationPolicy rotate = new AdaptationPolicy(ON_DEMAND, 1, false, 2.0, 30720, true,
                List.of("subnet-a", "subnet-b"));
        LaunchAdjustment onDemand = LaunchAdjustment.NONE.withCapacity(ON_DEMAND, "capacity FARGATE after 1 Spot failure");
        AttemptMetadata second = new AttemptMetadata("run-1", 2, 3, List.of(), onDemand, null);

        Step.Retry retry = (Step.Retry) plan(planner(rotate, RetryBudgets.NONE), ended(event("eni-timeout.json"), second));

        assertThat(retry.nextLaunch().changes()).containsExactly("capacity FARGATE after 1 Spot failure",
                "subnet subnet-b first after an ENI timeout");
        assertThat(retry.changes()).containsExactly("subnet subnet-b first after an ENI timeout");
        assertThat(retry.summary().attempt()).isEqualTo(2);
        assertThat(retry.summary().causes()).contains(Cause.ENI_TIMEOUT);
        assertThat(retry.ended()).isEqualTo(ended(event("eni-timeout.json"), second));
        assertThat(retry.decision()).isEqualTo(Decision.RETRY);
    }

    // --- separate budgets --------------------------------------------------------------------

    @Test
    void theInfrastructureBudgetRunsOutWhileTheApplicationBudgetDoesNot() {
        RetryPlanner planner = planner(AdaptationPolicy.NONE, new RetryBudgets(1, 3));
        TaskStateChange pullError = event("cannot-pull-transient.json");

        Step first = plan(planner, ended(pullError, AttemptMetadata.of("run-1", 1, 5, List.of())));
        assertThat(first).isInstanceOf(Step.Retry.class);
        Step second = plan(planner, ended(pullError, AttemptMetadata.of("run-1", 2, 5, ((Step.Retry) first).next().history())));

        assertThat(second).isInstanceOfSatisfying(Step.Finish.class, finish -> {
            assertThat(finish.outcome().outcome()).isEqualTo(Decision.RETRIES_EXHAUSTED);
            assertThat(finish.outcome().exhaustedBudget()).isEqualTo(Budget.INFRASTRUCTURE);
            assertThat(finish.outcome().reason()).endsWith("the infrastructure retry budget of 1 is used up");
        });
    }

    @Test
    void applicationFailuresDoNotSpendTheInfrastructureBudget() {
        RetryPlanner planner = planner(AdaptationPolicy.NONE, new RetryBudgets(1, 3));
        AttemptSummary infraFailure = AttemptSummary.of(1, event("cannot-pull-transient.json").stop(), Decision.RETRY,
                "default:transient-error", FailureKind.INFRASTRUCTURE, null);
        AttemptSummary appFailure = AttemptSummary.of(2, event("app-exit-2.json").stop(), Decision.RETRY,
                "default:retryable-exit-code", FailureKind.APPLICATION, null);

        Step step = plan(planner, ended(event("app-exit-2.json"),
                AttemptMetadata.of("run-1", 3, 5, List.of(infraFailure, appFailure))));

        assertThat(step).isInstanceOf(Step.Retry.class);
    }

    @Test
    void maxAttemptsStillCapsARunWithBudgetsLeft() {
        Step step = plan(planner(AdaptationPolicy.NONE, new RetryBudgets(5, 5)),
                ended(event("app-exit-2.json"), AttemptMetadata.of("run-1", 3, 3, List.of())));

        assertThat(((Step.Finish) step).outcome().exhaustedBudget()).isEqualTo(Budget.ATTEMPTS);
        assertThat(((Step.Finish) step).outcome().reason()).endsWith("all 3 attempts used");
    }

    // --- attempt timeout ---------------------------------------------------------------------

    private static AttemptStop stoppedWith(String reason) {
        return new AttemptStop("arn:aws:ecs:us-east-1:111122223333:task/batch/abc", "UserInitiated", reason,
                List.of(new ContainerExit("app", 143, null)), NOW, NOW, NOW);
    }

    @Test
    void theTimeoutReasonIsRecognisedAndRetriedByDefault() {
        Verdict verdict = new StopClassifier(List.of(), Set.of(), Set.of(), true)
                .classify(stoppedWith(StopClassifier.ATTEMPT_TIMEOUT_REASON_PREFIX + " after 600 s (attempt 1 of run r)"));

        assertThat(verdict.action()).isEqualTo(Action.RETRY);
        assertThat(verdict.rule()).isEqualTo("default:attempt-timeout");
        assertThat(verdict.kind()).isEqualTo(FailureKind.APPLICATION);
    }

    @Test
    void theTimeoutFailsTheRunWhenTimeoutsAreNotRetryable() {
        Verdict verdict = new StopClassifier(List.of(), Set.of(), Set.of(), false)
                .classify(stoppedWith(StopClassifier.ATTEMPT_TIMEOUT_REASON_PREFIX + " after 600 s"));

        assertThat(verdict.action()).isEqualTo(Action.FAIL);
        assertThat(verdict.rule()).isEqualTo("default:attempt-timeout");
    }

    @Test
    void aPersonsStopIsStillFailed() {
        Verdict verdict = new StopClassifier(List.of(), Set.of(), Set.of(), true).classify(event("user-initiated.json").stop());

        assertThat(verdict.action()).isEqualTo(Action.FAIL);
        assertThat(verdict.rule()).isEqualTo("default:user-initiated");
    }

    // --- the change is recorded --------------------------------------------------------------

    @Test
    void theAdjustmentIsRecordedInTheAttemptsTagsAndReadBack() {
        LaunchAdjustment launch = new LaunchAdjustment(ON_DEMAND, new TaskSize(1024, 4096), 1, List.of());
        AttemptSummary earlier = AttemptSummary.of(1, event("spot-interruption.json").stop(), Decision.RETRY,
                "default:infrastructure-stop", FailureKind.INFRASTRUCTURE,
                AttemptLaunch.fromTagValue("capacity=FARGATE_SPOT:1:0"));
        AttemptMetadata run = new AttemptMetadata("run-1", 2, 3, List.of(earlier), launch, null);

        var tags = run.tags();
        assertThat(tags).containsEntry("ecs-retrier:launch", "capacity=FARGATE:1:0 cpu=1024 memory=4096 subnet-offset=1")
                .containsEntry("ecs-retrier:launch-1", "capacity=FARGATE_SPOT:1:0");
        AttemptMetadata read = AttemptMetadata.fromTags(tags).orElseThrow();
        assertThat(read.launch().capacityProviderStrategy()).isEqualTo(ON_DEMAND);
        assertThat(read.launch().size().memoryMiB()).isEqualTo(4096);
        assertThat(read.launch().order(List.of("subnet-a", "subnet-b"))).containsExactly("subnet-b", "subnet-a");
        assertThat(read.history().get(0).launch().toTagValue()).isEqualTo("capacity=FARGATE_SPOT:1:0");
        assertThat(read.history().get(0).kind()).isEqualTo(FailureKind.INFRASTRUCTURE);
    }
}
