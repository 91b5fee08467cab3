package dev.ecsretrier.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.FailureKind;
import dev.ecsretrier.json.TestJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each metric line is an embedded metric format document: every directive's dimensions and metrics are
 * root members, the dimension values strings, the metric values numbers, the timestamp epoch milliseconds.
 */
class RetrierMetricsTest {

    private static final Instant NOW = Instant.parse("2025-03-14T11:29:40.250Z");

    /** The metrics a line defines, as name=value by their dimension set; fails on a line that breaks the format. */
    private static List<String> metrics(String text) {
        assertThat(text).doesNotContain("\n");
        JsonNode line = TestJson.tree(text);
        assertThat(line.at("/_aws/Timestamp").asLong()).isEqualTo(NOW.toEpochMilli());
        List<String> defined = new ArrayList<>();
        for (JsonNode directive : line.at("/_aws/CloudWatchMetrics")) {
            assertThat(directive.get("Namespace").asText()).isEqualTo("EcsRetrier");
            for (JsonNode set : directive.get("Dimensions")) {
                List<String> dimensions = new ArrayList<>();
                for (JsonNode dimension : set) {
                    assertThat(line.get(dimension.asText()).isTextual()).as(dimension.asText()).isTrue();
                    dimensions.add(dimension.asText() + "=" + line.get(dimension.asText()).asText());
                }
                for (JsonNode metric : directive.get("Metrics")) {
                    String name = metric.get("Name").asText();
                    assertThat(line.get(name).isNumber()).as(name).isTrue();
                    defined.add(name + "=" + line.get(name).decimalValue().stripTrailingZeros().toPlainString() + " "
                            + metric.get("Unit").asText() + " " + dimensions);
                }
            }
        }
        assertThat(line.get("runId").asText()).isEqualTo("run-7f3a");
        return defined;
    }

    @Test
    void runStarted_countsOneRun_byRetrier() {
        assertThat(metrics(RetrierMetrics.runStarted("ecs-retrier", null, NOW, "run-7f3a")))
                .containsExactly("RunsStarted=1 Count [Retrier=ecs-retrier]");
    }

    @Test
    void attemptRetried_countsOneRetry_byFailureKind_andTheDelayInSeconds() {
        assertThat(metrics(RetrierMetrics.attemptRetried("ecs-retrier", null, FailureKind.INFRASTRUCTURE,
                Duration.ofMillis(61_500), NOW, "run-7f3a"))).containsExactly(
                "AttemptsRetried=1 Count [Retrier=ecs-retrier, FailureKind=INFRASTRUCTURE]",
                "RetryDelay=61.5 Seconds [Retrier=ecs-retrier]");
    }

    @Test
    void runEnded_countsOneRun_byOutcome() {
        assertThat(metrics(RetrierMetrics.runEnded("ecs-retrier", null, Decision.RETRIES_EXHAUSTED, NOW, "run-7f3a")))
                .containsExactly("RunsEnded=1 Count [Retrier=ecs-retrier, Outcome=RETRIES_EXHAUSTED]");
    }

    @Test
    void withAJob_eachMetricIsAlsoCountedByItsJob() {
        assertThat(metrics(RetrierMetrics.attemptRetried("ecs-retrier", "nightly-etl", FailureKind.APPLICATION,
                Duration.ofSeconds(60), NOW, "run-7f3a"))).containsExactly(
                "AttemptsRetried=1 Count [Retrier=ecs-retrier, FailureKind=APPLICATION]",
                "AttemptsRetried=1 Count [Retrier=ecs-retrier, Job=nightly-etl, FailureKind=APPLICATION]",
                "RetryDelay=60 Seconds [Retrier=ecs-retrier]",
                "RetryDelay=60 Seconds [Retrier=ecs-retrier, Job=nightly-etl]");
        assertThat(metrics(RetrierMetrics.runEnded("ecs-retrier", "reports", Decision.FAILED, NOW, "run-7f3a")))
                .containsExactly("RunsEnded=1 Count [Retrier=ecs-retrier, Outcome=FAILED]",
                        "RunsEnded=1 Count [Retrier=ecs-retrier, Job=reports, Outcome=FAILED]");
    }
}
