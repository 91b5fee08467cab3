package dev.ecsretrier.metrics;

import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.FailureKind;
import dev.ecsretrier.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CloudWatch metrics the functions emit, their names and dimensions (which the construct's
 * alarms and dashboard use), and the log line that emits them: CloudWatch embedded metric format,
 * which CloudWatch Logs turns into metrics with no PutMetricData call
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html:
 * a root {@code _aws} member with {@code Timestamp} in epoch milliseconds and {@code CloudWatchMetrics},
 * a list of directives of {@code Namespace}, {@code Dimensions} (a list of dimension sets) and
 * {@code Metrics} ({@code Name}, {@code Unit}); every dimension and metric named is a root member).
 * Every metric has the {@code Retrier} dimension (the retrier's {@code startedBy}).
 */
public final class RetrierMetrics {

    public static final String NAMESPACE = "EcsRetrier";
    public static final String RETRIER_DIMENSION = "Retrier";
    public static final String OUTCOME_DIMENSION = "Outcome";
    public static final String FAILURE_KIND_DIMENSION = "FailureKind";

    /** A run's first attempt was launched (or refused by ECS): Count, by Retrier. */
    public static final String RUNS_STARTED = "RunsStarted";
    /** An attempt ended and the next one was scheduled: Count, by Retrier and FailureKind. */
    public static final String ATTEMPTS_RETRIED = "AttemptsRetried";
    /** The backoff from a RETRY decision to the next attempt's schedule: Seconds, by Retrier. */
    public static final String RETRY_DELAY = "RetryDelay";
    /** A run ended: Count, by Retrier and Outcome (a terminal {@link Decision}); the runs-failed alarm watches it. */
    public static final String RUNS_ENDED = "RunsEnded";

    private RetrierMetrics() {
    }

    /** The line for a run's first launch. */
    public static String runStarted(String retrier, Instant at, String runId) {
        return line(at, runId, Map.of(RETRIER_DIMENSION, retrier),
                new Directive(List.of(RETRIER_DIMENSION), RUNS_STARTED, "Count", 1));
    }

    /** The line for a RETRY: one retried attempt of its failure kind, and the delay until the next one. */
    public static String attemptRetried(String retrier, FailureKind kind, Duration delay, Instant at, String runId) {
        Map<String, String> dimensions = new LinkedHashMap<>();
        dimensions.put(RETRIER_DIMENSION, retrier);
        dimensions.put(FAILURE_KIND_DIMENSION, kind == null ? "UNKNOWN" : kind.name());
        return line(at, runId, dimensions,
                new Directive(List.of(RETRIER_DIMENSION, FAILURE_KIND_DIMENSION), ATTEMPTS_RETRIED, "Count", 1),
                new Directive(List.of(RETRIER_DIMENSION), RETRY_DELAY, "Seconds", delay.toMillis() / 1000.0));
    }

    /** The line for a run's end. */
    public static String runEnded(String retrier, Decision outcome, Instant at, String runId) {
        Map<String, String> dimensions = new LinkedHashMap<>();
        dimensions.put(RETRIER_DIMENSION, retrier);
        dimensions.put(OUTCOME_DIMENSION, outcome.name());
        return line(at, runId, dimensions,
                new Directive(List.of(RETRIER_DIMENSION, OUTCOME_DIMENSION), RUNS_ENDED, "Count", 1));
    }

    /** One metric with its one dimension set. */
    private record Directive(List<String> dimensions, String name, String unit, Number value) {
    }

    /** {@code runId} is a plain member: searchable in the log, not a dimension (one metric per run would cost). */
    private static String line(Instant at, String runId, Map<String, String> dimensions, Directive... directives) {
        List<Object> metrics = new ArrayList<>();
        Map<String, Object> line = new LinkedHashMap<>();
        for (Directive d : directives) {
            metrics.add(Map.of("Namespace", NAMESPACE, "Dimensions", List.of(d.dimensions()),
                    "Metrics", List.of(Map.of("Name", d.name(), "Unit", d.unit()))));
        }
        line.put("_aws", Map.of("Timestamp", at.toEpochMilli(), "CloudWatchMetrics", metrics));
        line.putAll(dimensions);
        for (Directive d : directives) {
            line.put(d.name(), d.value());
        }
        line.put("runId", runId);
        return Json.write(line);
    }
}
