package dev.ecsretrier.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.AttemptSummary;
import dev.ecsretrier.core.Backoff;
import dev.ecsretrier.core.Cause;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.FailureKind;
import dev.ecsretrier.core.HistorySource;
import dev.ecsretrier.core.Jitter;
import dev.ecsretrier.core.RunOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link RecordedHistory} and {@link HistoryWindow}: records win, the metadata fills in, and the outcome says which. */
class RecordedHistoryTest {

    static final String RUN = "run-7f3a";
    static final String FULL_REASON = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to"
            + " resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/sample:1.4.2: failed to do request: Head"
            + " \"https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/sample/manifests/1.4.2\": dial tcp"
            + " 10.0.42.17:443: i/o timeout";
    static final String TAG_VALUE = "decision=RETRY kind=INFRASTRUCTURE stop=TaskFailedToStart rule=default:transient-error"
            + " task=5f2c9a0e1b7d4c3a8e6f0d9b2a1c4e7f exits=app:- reason=CannotPullContainerError: pull image manifest has"
            + " been retried 5 time s : failed to resolve ref 111122223333.dkr";
    static final Instant NOW = Instant.parse("2025-03-14T10:08:40.500Z");
    static final AttemptStop STOP_2 = new AttemptStop("arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec3",
            "EssentialContainerExited", "Essential container in task exited", List.of(new ContainerExit("app", 1, null)),
            NOW.minusSeconds(300), NOW.minusSeconds(250), NOW.minusSeconds(5));

    /** Attempt 1 from its tag, attempt 2 just decided: as the planner leaves the outcome. */
    static RunOutcome outcome() {
        // Attempt 1 as the classifier reads it from the second task's tags.
        AttemptSummary first = dev.ecsretrier.core.AttemptMetadata.fromTags(java.util.Map.of(
                "ecs-retrier:run-id", RUN, "ecs-retrier:attempt", "2", "ecs-retrier:max-attempts", "3",
                "ecs-retrier:history-1", TAG_VALUE, "ecs-retrier:causes-1", "NO_CAPACITY")).orElseThrow().history().get(0);
        AttemptSummary second = AttemptSummary.of(2, STOP_2, Decision.FAILED, "default:unknown");
        return new RunOutcome(RUN, Decision.FAILED, RunOutcome.dedupKey(RUN, Decision.FAILED), "default:unknown",
                "exit 1", 2, 3, "arn:aws:ecs:us-east-1:111122223333:cluster/batch", "sample:3", List.of(first, second),
                RunOutcome.MetadataSource.TAGS, null, NOW, null, "default",
                HistorySource.metadataOnly(List.of(1), null));
    }

    static HistoryRecord.Decided decided(String runId, int attempt, Set<Cause> causes) {
        AttemptStop stop = new AttemptStop("arn:aws:ecs:us-east-1:111122223333:task/batch/5f2c9a0e1b7d4c3a8e6f0d9b2a1c4e7f",
                "TaskFailedToStart", FULL_REASON, List.of(new ContainerExit("app", null, null)),
                Instant.parse("2025-03-14T09:58:01.204Z"), null, Instant.parse("2025-03-14T09:58:31.950Z"));
        return new HistoryRecord.Decided(runId, attempt, 3, "default", Instant.parse("2025-03-14T09:58:32.411Z"),
                "arn:aws:ecs:us-east-1:111122223333:cluster/batch", "sample:3", null, stop, Decision.RETRY,
                "default:transient-error", "transient pull error", FailureKind.INFRASTRUCTURE, null, null,
                RunOutcome.MetadataSource.TAGS, null, causes);
    }

    @Test
    void anEarlierAttemptsRecordReplacesItsTagSummary() {
        RunOutcome complete = RecordedHistory.complete(outcome(), 2, List.of(decided(RUN, 1, Set.of())));

        AttemptSummary first = complete.attemptHistory().get(0);
        assertThat(first.stoppedReason()).isEqualTo(FULL_REASON);
        assertThat(first.taskArn()).isEqualTo("arn:aws:ecs:us-east-1:111122223333:task/batch/5f2c9a0e1b7d4c3a8e6f0d9b2a1c4e7f");
        assertThat(first.stoppedAt()).isEqualTo(Instant.parse("2025-03-14T09:58:31.950Z"));
        assertThat(first.kind()).isEqualTo(FailureKind.INFRASTRUCTURE);
        assertThat(complete.attemptHistory().get(1)).isEqualTo(outcome().attemptHistory().get(1));
        assertThat(complete.historySource()).isEqualTo(new HistorySource(true, List.of(1), List.of(), null));
    }

    @Test
    void causesARecordPredatesComeFromTheTags() {
        RunOutcome complete = RecordedHistory.complete(outcome(), 2, List.of(decided(RUN, 1, null)));

        assertThat(complete.attemptHistory().get(0).causes()).containsExactly(Cause.valueOf("NO_CAPACITY"));
    }

    @Test
    void anAttemptWhoseRecordIsNotFoundKeepsItsTagSummary_andTheHistoryIsNotComplete() {
        RunOutcome merged = RecordedHistory.complete(outcome(), 2, List.of(decided("run-7f3a-other", 1, null)));

        assertThat(merged.attemptHistory().get(0).stoppedReason()).endsWith("111122223333.dkr");
        assertThat(merged.historySource()).isEqualTo(new HistorySource(false, List.of(), List.of(1), null));
    }

    @Test
    void theAttemptJustDecidedIsNeverReplaced_andDuplicatesCountOnce() {
        HistoryRecord.Decided stale = decided(RUN, 2, null);
        RunOutcome merged = RecordedHistory.complete(outcome(), 2,
                List.of(decided(RUN, 1, null), decided(RUN, 1, null), stale));

        assertThat(merged.attemptHistory()).hasSize(2);
        assertThat(merged.attemptHistory().get(1).stopCode()).isEqualTo("EssentialContainerExited");
        assertThat(merged.historySource().fromRecords()).containsExactly(1);
    }

    @Test
    void anAttemptWithoutATagButWithARecordIsAdded() {
        RunOutcome withoutTag = outcome().withHistory(List.of(outcome().attemptHistory().get(1)),
                HistorySource.metadataOnly(List.of(), null));

        RunOutcome merged = RecordedHistory.complete(withoutTag, 2, List.of(decided(RUN, 1, null)));

        assertThat(merged.attemptHistory()).extracting(AttemptSummary::attempt).containsExactly(1, 2);
    }

    @Test
    void recordsThatCouldNotBeReadLeaveTheTagsHistory_andSayWhy() {
        RunOutcome unread = RecordedHistory.unread(outcome(), 2, "ThrottlingException: Rate exceeded");

        assertThat(unread.attemptHistory()).isEqualTo(outcome().attemptHistory());
        assertThat(unread.historySource())
                .isEqualTo(new HistorySource(false, List.of(), List.of(1), "ThrottlingException: Rate exceeded"));
    }

    @Test
    void aRunOfOneAttemptHasNothingEarlierToRead() {
        RunOutcome single = outcome().withHistory(List.of(AttemptSummary.of(1, STOP_2, Decision.FAILED, "default:unknown")),
                HistorySource.NOTHING_EARLIER);

        assertThat(RecordedHistory.hasEarlierAttempts(single, 1)).isFalse();
        assertThat(RecordedHistory.unread(single, 1, null).historySource()).isEqualTo(HistorySource.NOTHING_EARLIER);
    }

    @Test
    void theWindowReachesBackOverEveryAttemptAndBackoff() {
        Backoff backoff = new Backoff(Duration.ofSeconds(60), 2, Duration.ofSeconds(900), Jitter.FULL);

        // Two attempts of at most 30 min + 10 min margin, one backoff of at most 60 s + Scheduler's minute.
        assertThat(new HistoryWindow(backoff, Duration.ofMinutes(30)).since(NOW, 2))
                .isEqualTo(NOW.minus(Duration.ofMinutes(80 + 2)));
        // Without a timeout an attempt counts as a day.
        assertThat(new HistoryWindow(backoff, Duration.ZERO).since(NOW, 3))
                .isEqualTo(NOW.minus(Duration.ofDays(3).plusMinutes(1 + 1 + 2 + 1)));
    }
}
