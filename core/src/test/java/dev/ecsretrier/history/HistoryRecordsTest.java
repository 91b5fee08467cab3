package dev.ecsretrier.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.core.Budget;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.Backoff;
import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.EndedAttempt;
import dev.ecsretrier.core.FailureKind;
import dev.ecsretrier.core.Jitter;
import dev.ecsretrier.core.LaunchAdjustment;
import dev.ecsretrier.core.RetryPlanner;
import dev.ecsretrier.core.RunOutcome.MetadataSource;
import dev.ecsretrier.core.Step;
import dev.ecsretrier.core.StopClassifier;
import dev.ecsretrier.input.TaskStateChange;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.testutil.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A run's history as log lines: written from the planner's step, read back to the same record. */
class HistoryRecordsTest {

    private static final Instant NOW = Instant.parse("2025-03-14T11:29:40Z");
    private static final String RUN = "run-7f3a";
    private static final LaunchAdjustment ON_DEMAND = new LaunchAdjustment(
            List.of(new CapacityProviderItem("FARGATE", 1, null)), null, null,
            List.of("capacity FARGATE after 1 Spot failure"));

    private static final RetryPlanner PLANNER = new RetryPlanner(StopClassifier.of(List.of(), Set.of(2), Set.of()),
            new Backoff(Duration.ofSeconds(60), 2, Duration.ofSeconds(900), Jitter.NONE));

    private static EndedAttempt ended(String fixture, int attempt, LaunchAdjustment launch) {
        TaskStateChange change = Fixtures.parsed(fixture);
        return new EndedAttempt(new AttemptMetadata(RUN, attempt, 3, List.of(), launch, null), change.stop(), List.of(),
                change.clusterArn(), change.taskDefinitionArn(), MetadataSource.TAGS, null, null);
    }

    private static HistoryRecord.Decided decided(EndedAttempt ended, boolean alreadyScheduled) {
        Step step = PLANNER.plan(ended, NOW, new SplittableRandom(1));
        return HistoryRecord.Decided.of(ended, step, NOW, alreadyScheduled, null);
    }

    @Test
    void aRetryDecision_isWrittenWithItsStopInFull_andTheNextAttempt() {
        EndedAttempt ended = ended("spot-interruption.json", 1, null);
        JsonNode line = TestJson.tree(HistoryRecords.line(decided(ended, false)));

        assertThat(line.get("record").asText()).isEqualTo("ecs-retrier.history");
        assertThat(line.get("version").asInt()).isEqualTo(1);
        assertThat(line.get("type").asText()).isEqualTo("decided");
        assertThat(line.get("runId").asText()).isEqualTo(RUN);
        assertThat(line.get("attempt").asInt()).isEqualTo(1);
        assertThat(line.get("maxAttempts").asInt()).isEqualTo(3);
        assertThat(line.get("at").asText()).isEqualTo("2025-03-14T11:29:40Z");
        assertThat(line.has("job")).as("a task that names no job (launched before jobs were recorded)").isFalse();
        assertThat(line.get("cluster").asText()).isEqualTo(ended.cluster());
        assertThat(line.get("taskDefinition").asText()).isEqualTo(ended.taskDefinition());
        JsonNode stop = line.get("stop");
        assertThat(stop.get("taskArn").asText()).isEqualTo(ended.stop().taskArn());
        assertThat(stop.get("stopCode").asText()).isEqualTo("SpotInterruption");
        assertThat(stop.get("stoppedReason").asText()).isEqualTo(ended.stop().stoppedReason());
        assertThat(stop.get("createdAt").asText()).isEqualTo(ended.stop().createdAt().toString());
        assertThat(stop.get("startedAt").asText()).isEqualTo(ended.stop().startedAt().toString());
        assertThat(stop.get("stoppedAt").asText()).isEqualTo(ended.stop().stoppedAt().toString());
        assertThat(stop.get("containers")).hasSize(ended.stop().containers().size());
        assertThat(stop.at("/containers/0/name").asText()).isEqualTo(ended.stop().containers().get(0).name());
        assertThat(stop.at("/containers/0/exitCode").asInt()).isEqualTo(ended.stop().containers().get(0).exitCode());
        assertThat(line.get("decision").asText()).isEqualTo("RETRY");
        assertThat(line.get("rule").asText()).startsWith("default:");
        assertThat(line.get("reason").asText()).isNotBlank();
        assertThat(line.get("kind").asText()).isEqualTo("INFRASTRUCTURE");
        JsonNode next = line.get("next");
        assertThat(next.get("attempt").asInt()).isEqualTo(2);
        assertThat(next.get("delayMillis").asLong()).isEqualTo(60_000);
        assertThat(next.get("at").asText()).isEqualTo("2025-03-14T11:30:40Z");
        assertThat(next.get("scheduleName").asText()).isEqualTo("run-7f3a-2");
        assertThat(next.get("alreadyScheduled").asBoolean()).isFalse();
        assertThat(line.has("exhaustedBudget")).isFalse();
        assertThat(line.get("metadataSource").asText()).isEqualTo("TAGS");
    }

    @Test
    void aContainersReason_isWrittenInFull() {
        EndedAttempt ended = ended("out-of-memory.json", 3, null);
        JsonNode line = TestJson.tree(HistoryRecords.line(decided(ended, false)));

        assertThat(line.at("/stop/containers/0/reason").asText())
                .isEqualTo(ended.stop().containers().get(0).reason()).startsWith("OutOfMemoryError");
        assertThat(line.get("decision").asText()).isEqualTo("FAILED");
        assertThat(line.get("kind").asText()).isEqualTo("APPLICATION");
        assertThat(line.has("next")).isFalse();
    }

    @Test
    void launchChanges_areFields_notATagString() {
        HistoryRecord.Launched launched = new HistoryRecord.Launched(RUN, 2, 3, null, NOW,
                "arn:aws:ecs:us-east-1:111122223333:cluster/batch", "sample:3",
                "arn:aws:ecs:us-east-1:111122223333:task/batch/0123", ON_DEMAND, null);
        JsonNode line = TestJson.tree(HistoryRecords.line(launched));

        assertThat(line.get("type").asText()).isEqualTo("launched");
        assertThat(line.get("taskArn").asText()).isEqualTo("arn:aws:ecs:us-east-1:111122223333:task/batch/0123");
        assertThat(line.at("/launch/capacityProviderStrategy/0/capacityProvider").asText()).isEqualTo("FARGATE");
        assertThat(line.at("/launch/capacityProviderStrategy/0/weight").asInt()).isEqualTo(1);
        assertThat(line.at("/launch/changes/0").asText()).isEqualTo("capacity FARGATE after 1 Spot failure");
        assertThat(line.has("failure")).isFalse();
    }

    @Test
    void aDecisionNamesItsJob() {
        EndedAttempt ended = ended("spot-interruption.json", 1, null);
        Step step = PLANNER.plan(ended, NOW, new SplittableRandom(1));

        JsonNode line = TestJson.tree(HistoryRecords.line(HistoryRecord.Decided.of(ended, step, NOW, false, "nightly-etl")));

        assertThat(line.get("job").asText()).isEqualTo("nightly-etl");
    }

    @Test
    void theNextAttemptsLaunchChanges_areInTheDecision() {
        EndedAttempt ended = ended("spot-interruption.json", 1, null);
        Step.Retry retry = (Step.Retry) PLANNER.plan(ended, NOW, new SplittableRandom(1));
        Step.Retry adapted = new Step.Retry(retry.ended(), retry.verdict(), new dev.ecsretrier.core.StartRequest(RUN, 2,
                List.of(), retry.next().history(), ON_DEMAND, null), ON_DEMAND.changes(), retry.scheduleName(), retry.delay(),
                retry.at());
        JsonNode line = TestJson.tree(HistoryRecords.line(HistoryRecord.Decided.of(ended, adapted, NOW, false, null)));

        assertThat(line.at("/next/launch/capacityProviderStrategy/0/capacityProvider").asText()).isEqualTo("FARGATE");
        assertThat(line.has("launch")).as("attempt 1 was launched as configured").isFalse();
    }

    @Test
    void everyRecord_readsBackAsItWasWritten() {
        List<HistoryRecord> records = List.of(
                decided(ended("spot-interruption.json", 1, ON_DEMAND), true),
                decided(ended("out-of-memory.json", 2, null), false),
                decided(ended("app-exit-2.json", 3, null), false),
                new HistoryRecord.Launched(RUN, 1, 3, "nightly-report", NOW, "c", "td", null, null,
                        new HistoryRecord.Launched.Failure("RESOURCE:MEMORY", "no container instance had memory")));
        for (HistoryRecord record : records) {
            assertThat(HistoryRecords.read(HistoryRecords.line(record))).contains(record);
        }
        assertThat(((HistoryRecord.Decided) records.get(2)).decision()).isEqualTo(Decision.RETRIES_EXHAUSTED);
        assertThat(((HistoryRecord.Decided) records.get(2)).exhaustedBudget()).isEqualTo(Budget.ATTEMPTS);
        assertThat(((HistoryRecord.Decided) records.get(0)).kind()).isEqualTo(FailureKind.INFRASTRUCTURE);
    }

    @Test
    void otherLogLines_areNotRecords() {
        assertThat(HistoryRecords.read("START RequestId: 8f5c Version: 3")).isEmpty();
        assertThat(HistoryRecords.read("{\"_aws\":{\"Timestamp\":1},\"RunsEnded\":1}")).isEmpty();
        assertThat(HistoryRecords.read("{not json")).isEmpty();
        assertThat(HistoryRecords.read("[1,2]")).isEmpty();
        assertThat(HistoryRecords.read("{\"record\":\"someone-else\",\"version\":1}")).isEmpty();
    }

    @Test
    void fieldsANewerWriterAdds_areIgnored_atEveryLevel() {
        HistoryRecord record = decided(ended("out-of-memory.json", 1, null), false);
        ObjectNode line = (ObjectNode) TestJson.tree(HistoryRecords.line(record));
        line.put("addedLater", "x");
        ((ObjectNode) line.get("stop")).put("addedLater", 1);
        ((ObjectNode) line.at("/stop/containers/0")).put("addedLater", true);

        assertThat(HistoryRecords.read(line.toString())).contains(record);
    }

    @Test
    void anotherVersion_isRefused_naming_it() {
        ObjectNode line = (ObjectNode) TestJson.tree(HistoryRecords.line(decided(ended("succeeded.json", 1, null), false)));
        line.put("version", 2);

        assertThatThrownBy(() -> HistoryRecords.read(line.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 2");
    }

    @Test
    void aFieldOfTheWrongType_isRefused_naming_it() {
        ObjectNode line = (ObjectNode) TestJson.tree(HistoryRecords.line(decided(ended("succeeded.json", 1, null), false)));
        line.put("attempt", "one");

        assertThatThrownBy(() -> HistoryRecords.read(line.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attempt");
    }
}
