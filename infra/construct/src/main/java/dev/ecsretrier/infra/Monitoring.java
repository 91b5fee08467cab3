package dev.ecsretrier.infra;

import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.FailureKind;
import dev.ecsretrier.metrics.RetrierMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/**
 * What tells a person the loop needs them: an alarm on every dead-letter queue, on each function's errors and on runs
 * that end FAILED or RETRIES_EXHAUSTED, each publishing to the topic; and the dashboard that shows how the loop goes.
 */
final class Monitoring {

    private static final Duration ALARM_PERIOD = Duration.minutes(5);

    private final Construct scope;
    private final String startedBy;
    private final ITopic topic;

    private Monitoring(Construct scope, String startedBy, ITopic topic) {
        this.scope = scope;
        this.startedBy = startedBy;
        this.topic = topic;
    }

    static void createAlarms(Construct scope, String startedBy, ITopic topic, Map<String, IQueue> deadLetterQueues,
            IFunction starter, IFunction classifier) {
        new Monitoring(scope, startedBy, topic).alarms(deadLetterQueues, starter, classifier);
    }

    /**
     * The loop on one CloudWatch dashboard: runs started and ended by outcome, attempts retried by failure kind, the
     * delay until the next attempt (the functions' embedded metrics, {@link RetrierMetrics}), the dead-letter
     * queues' depths, and the functions' errors and durations.
     */
    static Dashboard createDashboard(Construct scope, String startedBy, Map<String, IQueue> deadLetterQueues,
            IFunction starter, IFunction classifier) {
        Monitoring monitoring = new Monitoring(scope, startedBy, null);
        List<IMetric> runs = new ArrayList<>();
        runs.add(monitoring.retrierMetric(RetrierMetrics.RUNS_STARTED, null, null, "Sum", "started"));
        for (Decision outcome : Decision.values()) {
            if (outcome.terminal()) {
                runs.add(monitoring.retrierMetric(RetrierMetrics.RUNS_ENDED, RetrierMetrics.OUTCOME_DIMENSION,
                        outcome.name(), "Sum", "ended " + outcome.name()));
            }
        }
        List<IMetric> retried = new ArrayList<>();
        for (FailureKind kind : FailureKind.values()) {
            retried.add(monitoring.retrierMetric(RetrierMetrics.ATTEMPTS_RETRIED, RetrierMetrics.FAILURE_KIND_DIMENSION,
                    kind.name(), "Sum", kind.name()));
        }
        List<IMetric> delay = List.of(
                monitoring.retrierMetric(RetrierMetrics.RETRY_DELAY, null, null, "Average", "average"),
                monitoring.retrierMetric(RetrierMetrics.RETRY_DELAY, null, null, "Maximum", "longest"));
        List<IMetric> depths = new ArrayList<>();
        deadLetterQueues.forEach((name, queue) -> depths.add(queue.metricApproximateNumberOfMessagesVisible(
                MetricOptions.builder().statistic("Maximum").period(ALARM_PERIOD).label(name).build())));
        List<IMetric> errors = new ArrayList<>();
        List<IMetric> durations = new ArrayList<>();
        for (IFunction function : List.of(starter, classifier)) {
            String name = function.getNode().getId().toLowerCase(Locale.ROOT);
            errors.add(function.metricErrors(MetricOptions.builder().statistic("Sum").period(ALARM_PERIOD).label(name).build()));
            durations.add(function.metricDuration(MetricOptions.builder().statistic("p50").period(ALARM_PERIOD)
                    .label(name + " p50").build()));
            durations.add(function.metricDuration(MetricOptions.builder().statistic("Maximum").period(ALARM_PERIOD)
                    .label(name + " longest").build()));
        }
        Dashboard dashboard = Dashboard.Builder.create(scope, "Dashboard").build();
        dashboard.addWidgets(graph("Runs started and ended", runs), graph("Attempts retried, by failure kind", retried),
                graph("Delay until the next attempt (seconds)", delay));
        dashboard.addWidgets(graph("Dead-letter queue depths", depths), graph("Function errors", errors),
                graph("Function durations (ms)", durations));
        return dashboard;
    }

    /** Three graphs fill a row of the dashboard's 24 columns. */
    private static GraphWidget graph(String title, List<IMetric> metrics) {
        return GraphWidget.Builder.create().title(title).left(metrics).width(8).height(6).build();
    }

    /** One of the functions' metrics for this retrier, with at most one more dimension. */
    private Metric retrierMetric(String name, String dimension, String value, String statistic, String label) {
        Map<String, String> dimensions = new LinkedHashMap<>();
        dimensions.put(RetrierMetrics.RETRIER_DIMENSION, startedBy);
        if (dimension != null) {
            dimensions.put(dimension, value);
        }
        return Metric.Builder.create()
                .namespace(RetrierMetrics.NAMESPACE)
                .metricName(name)
                .dimensionsMap(dimensions)
                .statistic(statistic)
                .label(label)
                .period(ALARM_PERIOD)
                .build();
    }

    private void alarms(Map<String, IQueue> deadLetterQueues, IFunction starter, IFunction classifier) {
        deadLetterQueues.forEach((name, queue) -> alarm(name + "Alarm",
                "A message is waiting in the ecs-retrier " + name + " dead-letter queue: an event or an invocation was not processed",
                queue.metricApproximateNumberOfMessagesVisible(MetricOptions.builder()
                        .statistic("Maximum").period(ALARM_PERIOD).build())));
        for (IFunction function : List.of(starter, classifier)) {
            String name = function.getNode().getId();
            alarm(name + "ErrorsAlarm", "The ecs-retrier " + name.toLowerCase(Locale.ROOT) + " function failed",
                    function.metricErrors(MetricOptions.builder().statistic("Sum").period(ALARM_PERIOD).build()));
        }
        alarm("RunsFailedAlarm", "ecs-retrier runs of " + startedBy + " ended FAILED or RETRIES_EXHAUSTED",
                MathExpression.Builder.create()
                        .expression("FILL(failed, 0) + FILL(exhausted, 0)")
                        .label("Runs ended FAILED or RETRIES_EXHAUSTED")
                        .usingMetrics(TemplateOrder.map("failed", runsEnded("FAILED"), "exhausted", runsEnded("RETRIES_EXHAUSTED")))
                        .period(ALARM_PERIOD)
                        .build());
    }

    private Metric runsEnded(String outcome) {
        return Metric.Builder.create()
                // The Embedded Metric Format line both handlers print when a run ends.
                .namespace(RetrierMetrics.NAMESPACE)
                .metricName(RetrierMetrics.RUNS_ENDED)
                .dimensionsMap(TemplateOrder.map(RetrierMetrics.RETRIER_DIMENSION, startedBy, RetrierMetrics.OUTCOME_DIMENSION, outcome))
                .statistic("Sum")
                .period(ALARM_PERIOD)
                .build();
    }

    private void alarm(String id, String description, IMetric metric) {
        Alarm alarm = Alarm.Builder.create(scope, id)
                .alarmDescription(description)
                .metric(metric)
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        alarm.addAlarmAction(new SnsAction(topic));
    }
}
