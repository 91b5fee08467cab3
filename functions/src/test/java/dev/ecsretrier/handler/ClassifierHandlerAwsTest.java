package dev.ecsretrier.handler;

import static dev.ecsretrier.testutil.RecordingAwsEndpoint.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.aws.EcsTaskDescriber;
import dev.ecsretrier.aws.LogsRunHistoryReader;
import dev.ecsretrier.aws.LogsRunHistoryReaderTest;
import dev.ecsretrier.port.RunHistoryReader;
import java.time.Duration;
import dev.ecsretrier.aws.SchedulerAttemptScheduler;
import dev.ecsretrier.aws.SnsNotifier;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.RunOutcome.MetadataSource;
import dev.ecsretrier.input.StartRequestReader;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.testutil.RecordingAwsEndpoint;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Request;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Response;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The classifier end to end with the real AWS adapters and SDK clients against a local endpoint:
 * given this ECS event and this DescribeTasks answer, these CreateSchedule / Publish calls are sent.
 */
class ClassifierHandlerAwsTest {

    static final String DESCRIBE_TASKS = "AmazonEC2ContainerServiceV20141113.DescribeTasks";
    static final String FILTER_LOG_EVENTS = "Logs_20140328.FilterLogEvents";
    static final String CREATE_SCHEDULE = "POST /schedules/run-7f3a-2";
    static final String STARTER = "arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live";
    static final String TOPIC = "arn:aws:sns:us-east-1:111122223333:ecs-retrier-outcomes";
    static final Instant NOW = Instant.parse("2025-03-14T10:08:40.500Z");
    static final String CREATED = "{\"ScheduleArn\": \"arn:aws:scheduler:us-east-1:111122223333:schedule/ecs-retrier/run-7f3a-2\"}";
    static final String PUBLISHED = "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>"
            + "<MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult></PublishResponse>";

    // No run is cancelled here: the marker read before each schedule finds none.
    private final RecordingAwsEndpoint aws = new RecordingAwsEndpoint().answer("GET /schedules/*",
            Response.restJsonError(404, "ResourceNotFoundException", "Schedule does not exist."));
    private final List<String> log = new ArrayList<>();
    private final ClassifierHandler handler = handler(aws, log);

    @AfterEach
    void stop() {
        aws.close();
    }

    @Test
    void retryableExitSchedulesTheNextAttemptWithTheRunFromTheTaskTags() throws IOException {
        aws.answer(DESCRIBE_TASKS, Response.json(200, fixture("aws/ecs/describe-tasks-tagged.json")));
        aws.answer(CREATE_SCHEDULE, Response.restJson(200, CREATED));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(fixture("events/app-exit-2.json").getBytes(StandardCharsets.UTF_8)),
                out, null);

        JsonNode step = TestJson.MAPPER.readTree(out.toByteArray());
        assertThat(step.get("decision").asText()).isEqualTo("RETRY");
        assertThat(step.get("metadataSource").asText()).isEqualTo("TAGS");
        assertThat(step.get("scheduleName").asText()).isEqualTo("run-7f3a-2");
        assertThat(step.get("alreadyScheduled").asBoolean()).isFalse();
        assertThat(TestJson.tree(aws.only(DESCRIBE_TASKS).body()).get("include")).isEqualTo(TestJson.tree("[\"TAGS\"]"));
        JsonNode schedule = TestJson.tree(aws.only(CREATE_SCHEDULE).body());
        assertThat(schedule.get("GroupName").asText()).isEqualTo("ecs-retrier");
        // Jitter NONE, initial delay 60 s: not before 10:09:40.500, so the whole minute after (Scheduler's precision).
        assertThat(schedule.get("ScheduleExpression").asText()).isEqualTo("at(2025-03-14T10:10:00)");
        assertThat(schedule.get("ScheduleExpressionTimezone").asText()).isEqualTo("UTC");
        assertThat(schedule.get("ActionAfterCompletion").asText()).isEqualTo("DELETE");
        assertThat(schedule.at("/Target/Arn").asText()).isEqualTo(STARTER);
        String input = schedule.at("/Target/Input").asText();
        assertThat(TestJson.tree(input)).isEqualTo(TestJson.tree("""
                {
                  "runId": "run-7f3a",
                  "attempt": 2,
                  "containerOverrides": [{
                    "name": "app",
                    "command": ["python", "job.py", "--day", "2025-03-14"],
                    "environment": [{"name": "MODE", "value": "full"}]
                  }],
                  "history": [{
                    "attempt": 1,
                    "taskArn": "arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec316893a47cdb02dcf74a5fc77",
                    "stopCode": "EssentialContainerExited",
                    "stoppedReason": "Essential container in task exited",
                    "containers": [{"name": "app", "exitCode": 2}],
                    "decision": "RETRY",
                    "rule": "default:retryable-exit-code",
                    "startedAt": "2025-03-14T10:05:41.127Z",
                    "stoppedAt": "2025-03-14T10:08:36.889Z",
                    "kind": "APPLICATION"
                  }],
                  "job": "default"
                }
                """));
        // The starter accepts what the classifier schedules.
        assertThat(new StartRequestReader(List.of("app"), 3).read(input.getBytes(StandardCharsets.UTF_8)).attemptNumber())
                .isEqualTo(2);
        assertThat(aws.requests("Publish")).isEmpty();
    }

    @Test
    void sameEventTwiceMakesOneScheduleAndBothDeliveriesSucceed() throws IOException {
        aws.answer(DESCRIBE_TASKS, Response.json(200, fixture("aws/ecs/describe-tasks-tagged.json")));
        aws.answer(CREATE_SCHEDULE, Response.restJson(200, CREATED),
                Response.restJsonError(409, "ConflictException", "Schedule run-7f3a-2 already exists."));

        StepResult first = handle("events/app-exit-2.json");
        StepResult second = handle("events/app-exit-2.json");

        assertThat(first.alreadyScheduled()).isFalse();
        assertThat(second.decision()).isEqualTo(Decision.RETRY);
        assertThat(second.alreadyScheduled()).isTrue();
        List<Request> creates = aws.requests(CREATE_SCHEDULE);
        assertThat(creates).hasSize(2);
        // Both deliveries ask for the same schedule name with the same input: the second conflicts.
        String input = TestJson.tree(creates.get(0).body()).at("/Target/Input").asText();
        assertThat(TestJson.tree(creates.get(1).body()).at("/Target/Input").asText()).isEqualTo(input);
    }

    @Test
    void taskNoLongerDescribableFallsBackToTheEventsEnvironment() throws IOException {
        aws.answer(DESCRIBE_TASKS, Response.json(200, fixture("aws/ecs/describe-tasks-missing.json")));
        aws.answer(CREATE_SCHEDULE, Response.restJson(200, CREATED));

        StepResult step = handle("events/app-exit-2.json");

        assertThat(step.decision()).isEqualTo(Decision.RETRY);
        assertThat(step.metadataSource()).isEqualTo(MetadataSource.EVENT);
        JsonNode input = TestJson.tree(TestJson.tree(aws.only(CREATE_SCHEDULE).body()).at("/Target/Input").asText());
        assertThat(input.get("runId").asText()).isEqualTo("run-7f3a");
        assertThat(input.get("attempt").asInt()).isEqualTo(2);
        // The event carries only the RETRIER_* variables: no user overrides to carry on.
        assertThat(input.get("containerOverrides")).isEqualTo(TestJson.tree("[]"));
        assertThat(input.at("/history/0/taskArn").asText())
                .isEqualTo("arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec316893a47cdb02dcf74a5fc77");
    }

    @Test
    void failedRunIsPublishedWithFilterAndDedupAttributes() throws IOException {
        aws.answer(DESCRIBE_TASKS, Response.json(200, fixture("aws/ecs/describe-tasks-tagged.json")));
        aws.answer("Publish", Response.xml(200, PUBLISHED));

        StepResult step = handle("events/app-exit-1.json");

        assertThat(step.decision()).isEqualTo(Decision.FAILED);
        assertThat(aws.requests(CREATE_SCHEDULE)).isEmpty();
        Request publish = aws.only("Publish");
        Map<String, String> form = publish.form();
        assertThat(form).containsEntry("TopicArn", TOPIC)
                .containsEntry("Subject", "ecs-retrier run run-7f3a FAILED after 1 attempt");
        assertThat(publish.messageAttributes()).isEqualTo(Map.of(
                "outcome", "String=FAILED", "runId", "String=run-7f3a", "dedupKey", "String=run-7f3a:FAILED",
                "job", "String=default"));
        JsonNode message = TestJson.tree(form.get("Message"));
        assertThat(message.get("runId").asText()).isEqualTo("run-7f3a");
        assertThat(message.get("outcome").asText()).isEqualTo("FAILED");
        assertThat(message.get("metadataSource").asText()).isEqualTo("TAGS");
        assertThat(message.at("/attemptHistory/0/containers/0/exitCode").asInt()).isEqualTo(1);
        assertThat(log).anyMatch(line -> line.contains("\"RunsEnded\":1"));
    }

    @Test
    void taskThatEndedOnItsOwnCancelsItsPendingTimeout() {
        ClassifierHandler withTimeout = handler(aws, log, environment(Map.of("RETRIER_ATTEMPT_TIMEOUT_SECONDS", "3600")));
        aws.answer(DESCRIBE_TASKS, Response.json(200, fixture("aws/ecs/describe-tasks-tagged.json")));
        aws.answer("DELETE /schedules/run-7f3a-1-timeout", Response.restJson(200, "{}"));
        aws.answer(CREATE_SCHEDULE, Response.restJson(200, CREATED));

        StepResult step = withTimeout.handle(fixture("events/app-exit-2.json").getBytes(StandardCharsets.UTF_8));

        assertThat(step.decision()).isEqualTo(Decision.RETRY);
        assertThat(aws.only("DELETE /schedules/run-7f3a-1-timeout").query()).contains("groupName=ecs-retrier");
        assertThat(aws.requests()).extracting(Request::operation).containsExactly(DESCRIBE_TASKS,
                "DELETE /schedules/run-7f3a-1-timeout", "GET /schedules/run-7f3a-cancelled", CREATE_SCHEDULE);
    }

    @Test
    void aRunThatEndsTakesItsEarlierAttemptsWholeFromTheirHistoryRecords() throws IOException {
        ClassifierHandler reading = handler(aws, log, environment(Map.of()), historyReader(Duration.ofSeconds(30)));
        aws.answer(DESCRIBE_TASKS, Response.json(200, fixture("aws/ecs/describe-tasks-attempt-2.json")));
        aws.answer(FILTER_LOG_EVENTS, LogsRunHistoryReaderTest.page(null, LogsRunHistoryReaderTest.decided(1)),
                LogsRunHistoryReaderTest.page(null));
        aws.answer("Publish", Response.xml(200, PUBLISHED));

        StepResult step = reading.handle(fixture("events/app-exit-1.json").getBytes(StandardCharsets.UTF_8));

        assertThat(step.decision()).isEqualTo(Decision.FAILED);
        assertThat(aws.requests(FILTER_LOG_EVENTS)).hasSize(2);
        JsonNode message = TestJson.tree(aws.only("Publish").form().get("Message"));
        JsonNode first = message.at("/attemptHistory/0");
        // The tag held 256 characters of it, sanitized ("time s : failed ... 111122223333.dkr"): the record all 300.
        assertThat(first.get("stoppedReason").asText()).isEqualTo(LogsRunHistoryReaderTest.LONG_REASON);
        assertThat(first.get("taskArn").asText())
                .isEqualTo("arn:aws:ecs:us-east-1:111122223333:task/batch/5f2c9a0e1b7d4c3a8e6f0d9b2a1c4e7f");
        assertThat(first.get("stoppedAt").asText()).isEqualTo("2025-03-14T09:58:31.950Z");
        assertThat(message.at("/attemptHistory/1/containers/0/exitCode").asInt()).isEqualTo(1);
        assertThat(message.get("historySource")).isEqualTo(TestJson.tree("""
                {"complete": true, "fromRecords": [1], "fromMetadata": []}
                """));
    }

    @Test
    void whenLogsThrottlesTheNotificationGoesOutWithTheTagsSummaryAndSaysItIsPartial() throws IOException {
        ClassifierHandler reading = handler(aws, log, environment(Map.of()), historyReader(Duration.ofMillis(1500)));
        aws.answer(DESCRIBE_TASKS, Response.json(200, fixture("aws/ecs/describe-tasks-attempt-2.json")));
        aws.answer(FILTER_LOG_EVENTS, Response.jsonError(400, "ThrottlingException", "Rate exceeded"));
        aws.answer("Publish", Response.xml(200, PUBLISHED));

        StepResult step = reading.handle(fixture("events/app-exit-1.json").getBytes(StandardCharsets.UTF_8));

        assertThat(step.decision()).isEqualTo(Decision.FAILED);
        JsonNode message = TestJson.tree(aws.only("Publish").form().get("Message"));
        assertThat(message.at("/attemptHistory/0/stoppedReason").asText()).isEqualTo("CannotPullContainerError: pull"
                + " image manifest has been retried 5 time s : failed to resolve ref 111122223333.dkr");
        assertThat(message.at("/historySource/complete").asBoolean()).isFalse();
        assertThat(message.at("/historySource/fromMetadata")).isEqualTo(TestJson.tree("[1]"));
        assertThat(message.at("/historySource/problem").asText())
                .contains("CloudWatch Logs FilterLogEvents on /aws/lambda/ecs-retrier-starter failed");
    }

    @Test
    void aRetryReadsNoHistory() throws IOException {
        ClassifierHandler reading = handler(aws, log, environment(Map.of()), historyReader(Duration.ofSeconds(30)));
        aws.answer(DESCRIBE_TASKS, Response.json(200, fixture("aws/ecs/describe-tasks-attempt-2.json")));
        aws.answer("POST /schedules/run-7f3a-3", Response.restJson(200, CREATED));

        StepResult step = reading.handle(fixture("events/app-exit-2.json").getBytes(StandardCharsets.UTF_8));

        assertThat(step.decision()).isEqualTo(Decision.RETRY);
        assertThat(aws.requests(FILTER_LOG_EVENTS)).isEmpty();
    }

    private LogsRunHistoryReader historyReader(Duration budget) {
        return new LogsRunHistoryReader(() -> aws.logs(budget),
                List.of(LogsRunHistoryReaderTest.STARTER_LOGS, LogsRunHistoryReaderTest.CLASSIFIER_LOGS),
                Clock.systemUTC(), budget);
    }

    private StepResult handle(String event) {
        return handler.handle(fixture(event).getBytes(StandardCharsets.UTF_8));
    }

    static ClassifierHandler handler(RecordingAwsEndpoint aws, List<String> log) {
        return handler(aws, log, environment(Map.of()));
    }

    static ClassifierHandler handler(RecordingAwsEndpoint aws, List<String> log, Map<String, String> environment) {
        return handler(aws, log, environment, RunHistoryReader.NONE);
    }

    static ClassifierHandler handler(RecordingAwsEndpoint aws, List<String> log, Map<String, String> environment,
                                     RunHistoryReader history) {
        RetrierConfig config = RetrierConfig.fromEnvironment(environment);
        return new ClassifierHandler(dev.ecsretrier.config.Deployment.single("default", config),
                new EcsTaskDescriber(aws.ecs()),
                new SchedulerAttemptScheduler(aws.scheduler(), config.scheduleGroup(), config.schedulerRoleArn(),
                        config.scheduleDeadLetterArn(), Clock.fixed(NOW, ZoneOffset.UTC)),
                new SnsNotifier(aws.sns(), config.topicArn()), history, Clock.fixed(NOW, ZoneOffset.UTC),
                new Random(7), log::add);
    }

    /** What the CDK construct sets for the sample stack, plus {@code extra}; jitter NONE so that times are exact. */
    static Map<String, String> environment(Map<String, String> extra) {
        Map<String, String> environment = new java.util.HashMap<>(Map.ofEntries(
                Map.entry("AWS_REGION", "us-east-1"),
                Map.entry("RETRIER_CLUSTER", "arn:aws:ecs:us-east-1:111122223333:cluster/batch"),
                Map.entry("RETRIER_TASK_DEFINITION", "arn:aws:ecs:us-east-1:111122223333:task-definition/sample:3"),
                Map.entry("RETRIER_CONTAINER_NAME", "app"),
                Map.entry("RETRIER_LAUNCH_TYPE", "FARGATE"),
                Map.entry("RETRIER_SUBNETS", "subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788"),
                Map.entry("RETRIER_SECURITY_GROUPS", "sg-0123456789abcdef0"),
                Map.entry("RETRIER_MAX_ATTEMPTS", "3"),
                Map.entry("RETRIER_BACKOFF_INITIAL_SECONDS", "60"),
                Map.entry("RETRIER_BACKOFF_JITTER", "NONE"),
                Map.entry("RETRIER_RETRYABLE_EXIT_CODES", "2"),
                Map.entry("RETRIER_SCHEDULE_GROUP", "ecs-retrier"),
                Map.entry("RETRIER_STARTER_ARN", STARTER),
                Map.entry("RETRIER_SCHEDULER_ROLE_ARN", "arn:aws:iam::111122223333:role/ecs-retrier-scheduler"),
                Map.entry("RETRIER_SCHEDULE_DEAD_LETTER_ARN", "arn:aws:sqs:us-east-1:111122223333:ecs-retrier-schedule-dlq"),
                Map.entry("RETRIER_TOPIC_ARN", TOPIC)));
        environment.putAll(extra);
        return environment;
    }
}
