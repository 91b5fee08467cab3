package dev.ecsretrier.infra;

import dev.ecsretrier.core.RunsEndedMetric;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
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
 * that end FAILED or RETRIES_EXHAUSTED, each publishing to the topic.
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
                .namespace(RunsEndedMetric.NAMESPACE)
                .metricName(RunsEndedMetric.NAME)
                .dimensionsMap(TemplateOrder.map(RunsEndedMetric.RETRIER_DIMENSION, startedBy, RunsEndedMetric.OUTCOME_DIMENSION, outcome))
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
