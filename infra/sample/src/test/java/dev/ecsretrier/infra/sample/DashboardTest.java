package dev.ecsretrier.infra.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.infra.TestJson;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The construct's dashboard, as CloudFormation gets it: its body is a JSON document joined from text and references
 * ({@code Fn::Join}); each widget's metrics are {@code [namespace, name, dimension, value, ..., {options}]}.
 */
class DashboardTest {

    private static SynthesizedSample sample;
    private static JsonNode body;

    @BeforeAll
    static void synthesize() throws Exception {
        sample = SynthesizedSample.get();
        JsonNode join = sample.resource("AWS::CloudWatch::Dashboard", "RetrierDashboard").at("/Properties/DashboardBody/Fn::Join");
        StringBuilder text = new StringBuilder();
        for (JsonNode part : join.get(1)) {
            // A reference becomes its logical id (with the attribute): the JSON stays JSON, and says what it points at.
            text.append(part.isTextual() ? part.asText() : part.has("Ref") ? "${" + part.get("Ref").asText() + "}"
                    : "${" + part.at("/Fn::GetAtt/0").asText() + "." + part.at("/Fn::GetAtt/1").asText() + "}");
        }
        body = TestJson.MAPPER.readTree(text.toString());
    }

    private static JsonNode widget(String title) {
        return StreamSupport.stream(body.get("widgets").spliterator(), false)
                .filter(w -> w.at("/properties/title").asText().equals(title)).findFirst()
                .orElseThrow(() -> new AssertionError("no widget titled '" + title + "' in " + body));
    }

    /**
     * A widget's metrics as {@code namespace name dim=value ... stat}: dimensions in name order (as CDK writes them),
     * the statistic {@code Average} when the options leave it out (the dashboard's default), the label left out.
     */
    private static List<String> metrics(String title) {
        List<String> metrics = new ArrayList<>();
        for (JsonNode metric : widget(title).at("/properties/metrics")) {
            StringBuilder line = new StringBuilder(metric.get(0).asText() + " " + metric.get(1).asText());
            int options = metric.size() - 1;
            for (int i = 2; i < options; i += 2) {
                line.append(" ").append(metric.get(i).asText()).append("=").append(metric.get(i + 1).asText());
            }
            line.append(" ").append(metric.get(options).path("stat").asText("Average"));
            metrics.add(line.toString());
        }
        return metrics;
    }

    private static String retrier() {
        return sample.stack.getRetrier().getStartedBy();
    }

    private static String id(String type, String prefix) {
        return sample.logicalId(type, prefix);
    }

    @Test
    void runsStarted_andRunsEndedByEveryOutcome() {
        List<String> expected = new ArrayList<>(List.of("EcsRetrier RunsStarted Retrier=" + retrier() + " Sum"));
        for (Decision outcome : Decision.values()) {
            if (outcome.terminal()) {
                expected.add("EcsRetrier RunsEnded Outcome=" + outcome + " Retrier=" + retrier() + " Sum");
            }
        }
        assertThat(metrics("Runs started and ended")).containsExactlyElementsOf(expected)
                .contains("EcsRetrier RunsEnded Outcome=SUCCEEDED Retrier=" + retrier() + " Sum",
                        "EcsRetrier RunsEnded Outcome=RETRIES_EXHAUSTED Retrier=" + retrier() + " Sum");
    }

    @Test
    void attemptsRetried_byFailureKind() {
        assertThat(metrics("Attempts retried, by failure kind")).containsExactly(
                "EcsRetrier AttemptsRetried FailureKind=INFRASTRUCTURE Retrier=" + retrier() + " Sum",
                "EcsRetrier AttemptsRetried FailureKind=APPLICATION Retrier=" + retrier() + " Sum");
    }

    @Test
    void theDelayUntilTheNextAttempt() {
        assertThat(metrics("Delay until the next attempt (seconds)")).containsExactly(
                "EcsRetrier RetryDelay Retrier=" + retrier() + " Average",
                "EcsRetrier RetryDelay Retrier=" + retrier() + " Maximum");
    }

    @Test
    void everyDeadLetterQueuesDepth() {
        assertThat(metrics("Dead-letter queue depths")).containsExactly(
                "AWS/SQS ApproximateNumberOfMessagesVisible QueueName=${" + id("AWS::SQS::Queue", "RetrierStarterFailures") + ".QueueName} Maximum",
                "AWS/SQS ApproximateNumberOfMessagesVisible QueueName=${" + id("AWS::SQS::Queue", "RetrierClassifierFailures") + ".QueueName} Maximum",
                "AWS/SQS ApproximateNumberOfMessagesVisible QueueName=${" + id("AWS::SQS::Queue", "RetrierRuleDeliveryFailures") + ".QueueName} Maximum",
                "AWS/SQS ApproximateNumberOfMessagesVisible QueueName=${" + id("AWS::SQS::Queue", "RetrierScheduleDeliveryFailures") + ".QueueName} Maximum");
    }

    @Test
    void theFunctionsErrorsAndDurations() {
        String starter = "FunctionName=${" + id("AWS::Lambda::Function", "RetrierStarter") + "}";
        String classifier = "FunctionName=${" + id("AWS::Lambda::Function", "RetrierClassifier") + "}";
        assertThat(metrics("Function errors")).containsExactly("AWS/Lambda Errors " + starter + " Sum",
                "AWS/Lambda Errors " + classifier + " Sum");
        assertThat(metrics("Function durations (ms)")).containsExactly(
                "AWS/Lambda Duration " + starter + " p50", "AWS/Lambda Duration " + starter + " Maximum",
                "AWS/Lambda Duration " + classifier + " p50", "AWS/Lambda Duration " + classifier + " Maximum");
    }

    @Test
    void theOperateGuide_describesEveryGraph() throws Exception {
        String guide = java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("ecsretrier.repository.root"))
                .resolve("docs/operate.md"));
        List<String> titles = StreamSupport.stream(body.get("widgets").spliterator(), false)
                .map(w -> w.at("/properties/title").asText()).toList();
        assertThat(titles).hasSize(6);
        for (String title : titles) {
            assertThat(guide).contains("\n| " + title + " | ");
        }
    }

    @Test
    void theSampleStackNamesItsDashboard() {
        assertThat(sample.outputs()).containsKey("DashboardName");
        assertThat(TestJson.toTree(sample.outputs().get("DashboardName")).get("Value"))
                .isEqualTo(TestJson.toTree(java.util.Map.of("Ref", id("AWS::CloudWatch::Dashboard", "RetrierDashboard"))));
    }
}
