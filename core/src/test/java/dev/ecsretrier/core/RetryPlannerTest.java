package dev.ecsretrier.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.core.RunOutcome.MetadataSource;
import dev.ecsretrier.input.TaskStateChange;
import dev.ecsretrier.testutil.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryPlannerTest {

    private static final Instant NOW = Instant.parse("2025-03-14T09:17:40Z");
    private static final String RUN = "run-7f3a";
    private static final List<ContainerOverride> USER_OVERRIDES = List.of(new ContainerOverride("app",
            List.of("python", "job.py", "--date", "2025-03-14"),
            List.of(new EnvironmentVariable("JOB_INPUT", "s3://example-bucket/input/2025-03-14.csv"))));

    private static RetryPlanner planner(Jitter jitter) {
        return new RetryPlanner(StopClassifier.of(List.of(), Set.of(2), Set.of()),
                new Backoff(Duration.ofSeconds(60), 2, Duration.ofSeconds(900), jitter));
    }

    private static EndedAttempt ended(String fixture, int attempt, int maxAttempts, List<AttemptSummary> history,
                                      MetadataSource source, String note) {
        TaskStateChange change = Fixtures.parsed(fixture);
        return new EndedAttempt(AttemptMetadata.of(RUN, attempt, maxAttempts, history), change.stop(), USER_OVERRIDES,
                change.clusterArn(), change.taskDefinitionArn(), source, note, null);
    }

    private static EndedAttempt ended(String fixture, int attempt, int maxAttempts) {
        return ended(fixture, attempt, maxAttempts, earlier(attempt - 1), MetadataSource.TAGS, null);
    }

    /** Earlier attempts that each ended in RETRY after a Spot interruption. */
    private static List<AttemptSummary> earlier(int count) {
        AttemptStop spot = Fixtures.parsed("spot-interruption.json").stop();
        return java.util.stream.IntStream.rangeClosed(1, count)
                .mapToObj(n -> AttemptSummary.of(n, spot, Decision.RETRY, "default:infrastructure-stop"))
                .toList();
    }

    private static Step plan(EndedAttempt ended) {
        return planner(Jitter.NONE).plan(ended, NOW, new SplittableRandom(1));
    }

    @Test
    void retry_buildsTheNextStartRequest() {
        Step.Retry retry = (Step.Retry) plan(ended("app-exit-2.json", 1, 3));

        StartRequest next = retry.next();
        assertThat(next.runId()).isEqualTo(RUN);
        assertThat(next.attempt()).isEqualTo(2);
        assertThat(next.containerOverrides()).isEqualTo(USER_OVERRIDES);
        AttemptStop stop = Fixtures.parsed("app-exit-2.json").stop();
        assertThat(next.history()).containsExactly(AttemptSummary.of(1, stop, Decision.RETRY,
                "default:retryable-exit-code", FailureKind.APPLICATION, null));
        assertThat(next.launch()).as("no adaptation configured").isNull();
        assertThat(retry.verdict().rule()).isEqualTo("default:retryable-exit-code");
    }

    @Test
    void retry_scheduleIsNamedAfterTheRunAndTheNextAttempt() {
        assertThat(((Step.Retry) plan(ended("app-exit-2.json", 1, 3))).scheduleName()).isEqualTo("run-7f3a-2");
        assertThat(((Step.Retry) plan(ended("spot-interruption.json", 2, 3))).scheduleName()).isEqualTo("run-7f3a-3");
    }

    @Test
    void retry_firesAtNowPlusTheBackoffOfTheFailedAttempt() {
        Step.Retry first = (Step.Retry) plan(ended("app-exit-2.json", 1, 5));
        assertThat(first.delay()).isEqualTo(Duration.ofSeconds(60));
        assertThat(first.at()).isEqualTo(NOW.plusSeconds(60));
        Step.Retry third = (Step.Retry) plan(ended("app-exit-2.json", 3, 5));
        assertThat(third.delay()).isEqualTo(Duration.ofSeconds(240));
        assertThat(third.at()).isEqualTo(NOW.plusSeconds(240));
    }

    @Test
    void retry_withJitter_firesAtNowPlusTheDrawnDelay() {
        Step.Retry retry = (Step.Retry) planner(Jitter.FULL).plan(ended("app-exit-2.json", 2, 3), NOW,
                new SplittableRandom(5));
        assertThat(retry.delay()).isBetween(Duration.ZERO, Duration.ofSeconds(120));
        assertThat(retry.at()).isEqualTo(NOW.plus(retry.delay()));
    }

    @Test
    void retry_historyGrowsByTheEndedAttempt() {
        Step.Retry retry = (Step.Retry) plan(ended("app-exit-2.json", 2, 3));
        assertThat(retry.next().history()).hasSize(2);
        assertThat(retry.next().history().get(0)).isEqualTo(earlier(1).get(0));
        AttemptSummary last = retry.next().history().get(1);
        assertThat(last.attempt()).isEqualTo(2);
        assertThat(last.decision()).isEqualTo(Decision.RETRY);
        assertThat(last.stopCode()).isEqualTo("EssentialContainerExited");
        assertThat(last.containers()).containsExactly(new ContainerExit("app", 2, null));
    }

    @Test
    void retryOnTheLastAttempt_becomesRetriesExhausted() {
        Step.Finish finish = (Step.Finish) plan(ended("app-exit-2.json", 3, 3));
        RunOutcome outcome = finish.outcome();
        assertThat(outcome.outcome()).isEqualTo(Decision.RETRIES_EXHAUSTED);
        assertThat(outcome.reason()).isEqualTo("container app exited 2, a retryable exit code; all 3 attempts used");
        assertThat(outcome.dedupKey()).isEqualTo("run-7f3a:RETRIES_EXHAUSTED");
        assertThat(outcome.attempts()).isEqualTo(3);
        assertThat(outcome.maxAttempts()).isEqualTo(3);
        assertThat(outcome.attemptHistory()).extracting(AttemptSummary::attempt).containsExactly(1, 2, 3);
        assertThat(outcome.attemptHistory()).extracting(AttemptSummary::decision)
                .containsExactly(Decision.RETRY, Decision.RETRY, Decision.RETRIES_EXHAUSTED);
        assertThat(finish.verdict().action()).isEqualTo(Action.RETRY);
    }

    @Test
    void singleAttemptRun_retryIsExhaustedAtOnce() {
        RunOutcome outcome = ((Step.Finish) plan(ended("spot-interruption.json", 1, 1))).outcome();
        assertThat(outcome.outcome()).isEqualTo(Decision.RETRIES_EXHAUSTED);
        assertThat(outcome.reason()).endsWith("; all 1 attempts used");
    }

    @Test
    void failOnTheLastAttempt_staysFailed() {
        RunOutcome outcome = ((Step.Finish) plan(ended("app-exit-1.json", 3, 3))).outcome();
        assertThat(outcome.outcome()).isEqualTo(Decision.FAILED);
        assertThat(outcome.reason()).doesNotContain("attempts used");
        assertThat(outcome.dedupKey()).isEqualTo("run-7f3a:FAILED");
    }

    @Test
    void success_finishesWithEveryOutcomeField() {
        EndedAttempt ended = ended("succeeded.json", 2, 3, earlier(1), MetadataSource.EVENT, "history unknown");
        RunOutcome outcome = ((Step.Finish) plan(ended)).outcome();
        assertThat(outcome.runId()).isEqualTo(RUN);
        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(outcome.dedupKey()).isEqualTo("run-7f3a:SUCCEEDED");
        assertThat(outcome.rule()).isEqualTo("default:succeeded");
        assertThat(outcome.reason()).isEqualTo("every essential container exited 0");
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(outcome.maxAttempts()).isEqualTo(3);
        assertThat(outcome.cluster()).isEqualTo("arn:aws:ecs:us-east-1:111122223333:cluster/batch");
        assertThat(outcome.taskDefinition()).isEqualTo("arn:aws:ecs:us-east-1:111122223333:task-definition/sample:3");
        assertThat(outcome.metadataSource()).isEqualTo(MetadataSource.EVENT);
        assertThat(outcome.note()).isEqualTo("history unknown");
        assertThat(outcome.finishedAt()).isEqualTo(NOW);
        assertThat(outcome.attemptHistory()).hasSize(2);
        AttemptSummary last = outcome.attemptHistory().get(1);
        assertThat(last.taskArn()).isEqualTo("arn:aws:ecs:us-east-1:111122223333:task/batch/fc4fbc017959a299ccede23afc8b7d2c");
        assertThat(last.decision()).isEqualTo(Decision.SUCCEEDED);
        assertThat(last.rule()).isEqualTo("default:succeeded");
        assertThat(last.startedAt()).isEqualTo(Instant.parse("2025-03-14T09:10:41.127Z"));
        assertThat(last.stoppedAt()).isEqualTo(Instant.parse("2025-03-14T09:17:36.889Z"));
    }

    @Test
    void sameInputsAndSeed_giveTheSameStep() {
        EndedAttempt ended = ended("spot-interruption.json", 1, 3);
        Step a = planner(Jitter.FULL).plan(ended, NOW, new SplittableRandom(2025));
        Step b = planner(Jitter.FULL).plan(ended, NOW, new SplittableRandom(2025));
        assertThat(a).isEqualTo(b);
        List<Duration> delays = java.util.stream.LongStream.range(0, 20)
                .mapToObj(seed -> ((Step.Retry) planner(Jitter.FULL).plan(ended, NOW, new SplittableRandom(seed))).delay())
                .distinct().toList();
        assertThat(delays).as("different seeds draw different delays").hasSizeGreaterThan(1);
    }

    @Test
    void subject_isShortAndHuman() {
        RunOutcome outcome = ((Step.Finish) plan(ended("succeeded.json", 1, 3))).outcome();
        assertThat(outcome.subject()).isEqualTo("ecs-retrier run run-7f3a SUCCEEDED after 1 attempt");
        RunOutcome exhausted = ((Step.Finish) plan(ended("app-exit-2.json", 3, 3))).outcome();
        assertThat(exhausted.subject()).isEqualTo("ecs-retrier run run-7f3a RETRIES_EXHAUSTED after 3 attempts");
    }

    /** SNS Publish: "Subject ... must be less than 100 characters" (ASCII, no line breaks). */
    @Test
    void subject_isUnder100Characters_forTheLongestRunIdOutcomeAndAttemptCount() {
        String longest = "r".repeat(48);
        for (Decision decision : Decision.values()) {
            RunOutcome outcome = new RunOutcome(longest, decision, RunOutcome.dedupKey(longest, decision),
                    "default:transient-error", "x", 10, 10, null, null, List.of(), MetadataSource.TAGS, null, NOW,
                    Budget.ATTEMPTS, "nightly-etl", HistorySource.NOTHING_EARLIER);
            assertThat(outcome.subject()).as(decision.name()).hasSizeLessThan(100).matches("[\\x20-\\x7E]+")
                    .endsWith(decision + " after 10 attempts").startsWith("ecs-retrier run rrrr");
        }
    }

    @Test
    void subject_isAsciiOnly_andCutBelow100() {
        RunOutcome outcome = new RunOutcome("läuft-" + "x".repeat(200), Decision.FAILED, "k", "r", "x", 1, 3,
                null, null, List.of(), MetadataSource.EVENT, null, NOW, null, null, HistorySource.NOTHING_EARLIER);
        assertThat(outcome.subject()).hasSize(99).matches("[\\x20-\\x7E]+").contains("l?uft-")
                .endsWith("... FAILED after 1 attempt");
    }

    @Test
    void onlyRetryIsNotTerminal() {
        assertThat(Decision.RETRY.terminal()).isFalse();
        assertThat(List.of(Decision.SUCCEEDED, Decision.FAILED, Decision.RETRIES_EXHAUSTED, Decision.CANCELLED))
                .allMatch(Decision::terminal);
    }

    /** user-initiated.json as ecs-retrier's cancel stops it: UserInitiated, our reason, app exit 143. */
    private static EndedAttempt cancelStop(int attempt, int maxAttempts, String stoppedReason) {
        TaskStateChange change = Fixtures.parsed("user-initiated.json");
        AttemptStop stop = change.stop();
        AttemptStop cancelled = new AttemptStop(stop.taskArn(), stop.stopCode(), stoppedReason, stop.containers(),
                stop.createdAt(), stop.startedAt(), stop.stoppedAt());
        return new EndedAttempt(AttemptMetadata.of(RUN, attempt, maxAttempts, earlier(attempt - 1)), cancelled,
                USER_OVERRIDES, change.clusterArn(), change.taskDefinitionArn(), MetadataSource.TAGS, null, null);
    }

    @Test
    void cancelStop_endsTheRunCancelled_withThePersonsReason_andTheStoppedAttemptInItsHistory() {
        String reason = new RunCancellation(RUN, "wrong input file").stopReason();
        Step.Finish finish = (Step.Finish) plan(cancelStop(2, 3, reason));

        RunOutcome outcome = finish.outcome();
        assertThat(outcome.outcome()).isEqualTo(Decision.CANCELLED);
        assertThat(outcome.dedupKey()).isEqualTo(RUN + ":CANCELLED");
        assertThat(outcome.rule()).isEqualTo("cancelled");
        assertThat(outcome.reason()).isEqualTo("the run was cancelled: wrong input file");
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(outcome.attemptHistory()).extracting(AttemptSummary::decision)
                .containsExactly(Decision.RETRY, Decision.CANCELLED);
        assertThat(outcome.attemptHistory().get(1).stoppedReason()).isEqualTo("ecs-retrier: cancelled: wrong input file");
        assertThat(outcome.subject()).endsWith("CANCELLED after 2 attempts");
    }

    @Test
    void cancelStop_outranksUserRulesThatWouldRetryAStopByHand() {
        RetryRule retryStops = new RetryRule("retry-user-stops", "UserInitiated", null, null, null, null, Action.RETRY);
        RetryPlanner planner = new RetryPlanner(StopClassifier.of(List.of(retryStops), Set.of(143), Set.of()),
                new Backoff(Duration.ofSeconds(60), 2, Duration.ofSeconds(900), Jitter.NONE));
        Step step = planner.plan(cancelStop(1, 3, "ecs-retrier: cancelled: no reason given"), NOW, new SplittableRandom(1));

        assertThat(step).isInstanceOf(Step.Finish.class);
        assertThat(((Step.Finish) step).outcome().outcome()).isEqualTo(Decision.CANCELLED);
        // Without our reason, the same stop is a person's: the user rule decides.
        assertThat(planner.plan(cancelStop(1, 3, "Task stopped by user"), NOW, new SplittableRandom(1)))
                .isInstanceOf(Step.Retry.class);
    }

    @Test
    void cancelledBefore_anAttemptThatDidNotStart_countsOnlyTheAttemptsThatRan() {
        Step.Retry retry = (Step.Retry) plan(ended("app-exit-2.json", 1, 3));
        StartRequest next = retry.next();
        AttemptMetadata attempt2 = AttemptMetadata.of(RUN, next.attemptNumber(), 3, next.history());

        RunOutcome outcome = planner(Jitter.NONE).cancelledBefore(attempt2, "cluster", "task-definition",
                MetadataSource.REQUEST, null, new RunCancellation(RUN, null), NOW).outcome();

        assertThat(outcome.outcome()).isEqualTo(Decision.CANCELLED);
        assertThat(outcome.attempts()).isEqualTo(1);
        assertThat(outcome.attemptHistory()).extracting(AttemptSummary::decision).containsExactly(Decision.RETRY);
        assertThat(outcome.reason()).isEqualTo("the run was cancelled: no reason given");
    }
}
