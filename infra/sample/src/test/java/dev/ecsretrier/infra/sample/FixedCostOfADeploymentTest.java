package dev.ecsretrier.infra.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/performance.md prices what one deployment costs before its first run ("N jobs: one deployment
 * or N"): the retrier's KMS keys, alarm metrics and queues, counted here in the synthesized template.
 */
class FixedCostOfADeploymentTest {

    static final SynthesizedSample SAMPLE = SynthesizedSample.get();
    static final Path ROOT = Path.of(System.getProperty("ecsretrier.repository.root"));

    static Map<String, Map<String, Object>> retriers(String type) {
        Map<String, Map<String, Object>> all = new java.util.LinkedHashMap<>(SAMPLE.template.findResources(type));
        all.keySet().removeIf(id -> !id.startsWith("Retrier"));
        return all;
    }

    /**
     * CloudWatch bills an alarm per metric it evaluates: "If you create a metric alarm that contains a metric math
     * expression, which references multiple metrics, you incur a cost for each alarm-metric that's referenced in the
     * metric math expression" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_billing.html,
     * "Optimizing and reducing costs of CloudWatch alarms"); the expression itself is not a metric.
     */
    @SuppressWarnings("unchecked")
    static int alarmMetrics(Map<String, Object> alarm) {
        Map<String, Object> properties = (Map<String, Object>) alarm.get("Properties");
        List<Map<String, Object>> metrics = (List<Map<String, Object>>) properties.get("Metrics");
        return metrics == null ? 1 : (int) metrics.stream().filter(m -> m.containsKey("MetricStat")).count();
    }

    static String costSection() throws IOException {
        String guide = Files.readString(ROOT.resolve("docs/performance.md"));
        int start = guide.indexOf("### N jobs: one deployment or N");
        assertThat(start).as("docs/performance.md has the N jobs section").isNotNegative();
        return guide.substring(start);
    }

    @Test
    void oneKmsKey_asTheGuidePricesIt() throws IOException {
        assertThat(retriers("AWS::KMS::Key")).hasSize(1);
        assertThat(costSection()).contains("| KMS customer managed key (the topic's encryption) | 1 |");
    }

    @Test
    void sevenAlarmsOfEightAlarmMetrics_asTheGuidePricesThem() throws IOException {
        Map<String, Map<String, Object>> alarms = retriers("AWS::CloudWatch::Alarm");

        assertThat(alarms).hasSize(7);
        assertThat(alarms.values().stream().mapToInt(FixedCostOfADeploymentTest::alarmMetrics).sum()).isEqualTo(8);
        assertThat(costSection()).contains("| 7 alarms, 8 alarm metrics |");
    }

    @Test
    void fourDeadLetterQueues_asTheGuideCountsThem() throws IOException {
        assertThat(retriers("AWS::SQS::Queue")).hasSize(4);
        assertThat(costSection()).contains("| SQS dead-letter queues | 4 |");
    }
}
