package dev.ecsretrier.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.LaunchAdjustment;
import dev.ecsretrier.core.TaskSize;
import dev.ecsretrier.json.JsonRecords;
import dev.ecsretrier.metrics.RetrierMetrics;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/operate.md documents every field of every history record, and every metric with its dimensions. */
class OperateGuideTest {

    /** Maven runs the tests in the module's folder. */
    private static final Path OPERATE = Path.of("..", "docs", "operate.md");

    private static String section(String heading) throws IOException {
        String guide = Files.readString(OPERATE);
        int start = guide.indexOf("\n" + heading + "\n");
        assertThat(start).as("docs/operate.md has the section %s", heading).isNotNegative();
        int end = guide.indexOf("\n## ", start + 1);
        return guide.substring(start, end < 0 ? guide.length() : end);
    }

    /** The table row whose first cell names {@code field} (alone, or among others). */
    private static String row(String section, String field) {
        return section.lines().filter(line -> line.startsWith("| ") && line.split("\\|")[1].contains("`" + field + "`"))
                .findFirst().orElseThrow(() -> new AssertionError("docs/operate.md has no row for `" + field + "`"));
    }

    private static List<String> names(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
    }

    @Test
    void everyFieldOfTheLaunchedRecord_isDocumented() throws IOException {
        String history = section("## Read a run's history");
        for (String field : names(HistoryRecord.Launched.class)) {
            assertThat(row(history, field)).isNotEmpty();
        }
        for (String field : names(HistoryRecord.Launched.Failure.class)) {
            assertThat(row(history, "failure")).contains(field);
        }
        // The launch's JSON fields (its wire form: the task size as ECS's cpu and memory strings).
        LaunchAdjustment full = new LaunchAdjustment(List.of(new CapacityProviderItem("FARGATE", 1, 0)),
                new TaskSize(1024, 4096), 1, List.of("memory 2048 -> 4096 MiB (cpu 1024) after OutOfMemoryError"));
        @SuppressWarnings("unchecked")
        Map<String, Object> launchJson = (Map<String, Object>) JsonRecords.toPlain(full);
        assertThat(launchJson).containsKeys("cpu", "memory");
        for (String field : launchJson.keySet()) {
            assertThat(row(history, "launch")).contains("`" + field + "`");
        }
        for (String field : names(CapacityProviderItem.class)) {
            assertThat(row(history, "launch")).contains(field);
        }
    }

    @Test
    void everyFieldOfTheDecidedRecord_isDocumented() throws IOException {
        String history = section("## Read a run's history");
        for (String field : names(HistoryRecord.Decided.class)) {
            if (!field.equals("stop")) {
                assertThat(row(history, field)).isNotEmpty();
            }
        }
        for (String field : names(AttemptStop.class)) {
            assertThat(history).contains("`stop." + field + "`");
        }
        for (String field : names(ContainerExit.class)) {
            assertThat(row(history, "stop.containers")).contains("`" + field + "`");
        }
        for (String field : names(HistoryRecord.NextAttempt.class)) {
            assertThat(row(history, "next")).contains("`" + field + "`");
        }
    }

    @Test
    void theRecordsNameAndVersion_areTheOnesWritten() throws IOException {
        String history = section("## Read a run's history");
        assertThat(history).contains("`\"record\":\"" + HistoryRecords.NAME + "\"`", "`\"version\":" + HistoryRecords.VERSION + "`",
                "`" + HistoryRecords.LAUNCHED + "`", "`" + HistoryRecords.DECIDED + "`");
    }

    @Test
    void everyMetric_isDocumentedWithItsDimensions() throws IOException, IllegalAccessException {
        String metrics = section("## Metrics");
        assertThat(metrics).contains("Namespace `" + RetrierMetrics.NAMESPACE + "`", "`" + RetrierMetrics.RETRIER_DIMENSION + "`");
        for (Field constant : RetrierMetrics.class.getFields()) {
            if (Modifier.isStatic(constant.getModifiers()) && constant.getType() == String.class
                    && !constant.getName().endsWith("DIMENSION") && !constant.getName().equals("NAMESPACE")) {
                assertThat(row(metrics, (String) constant.get(null))).isNotEmpty();
            }
        }
        assertThat(row(metrics, RetrierMetrics.ATTEMPTS_RETRIED)).contains("`" + RetrierMetrics.FAILURE_KIND_DIMENSION + "`");
        assertThat(row(metrics, RetrierMetrics.RUNS_ENDED)).contains("`" + RetrierMetrics.OUTCOME_DIMENSION + "`");
    }
}
