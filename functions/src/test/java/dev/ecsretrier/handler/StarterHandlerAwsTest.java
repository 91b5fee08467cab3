package dev.ecsretrier.handler;

import static dev.ecsretrier.testutil.RecordingAwsEndpoint.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.aws.EcsTaskLauncher;
import dev.ecsretrier.aws.SchedulerAttemptScheduler;
import dev.ecsretrier.aws.SnsNotifier;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.InvalidStartRequestException;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.testutil.RecordingAwsEndpoint;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Response;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The starter end to end with the real AWS adapters and SDK clients against a local endpoint. */
class StarterHandlerAwsTest {

    static final String RUN_TASK = "AmazonEC2ContainerServiceV20141113.RunTask";
    static final String TASK_ARN = "arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec316893a47cdb02dcf74a5fc77";
    /** GetSchedule of run-7f3a's cancel marker: the starter reads it before and after RunTask. */
    static final String MARKER = "GET /schedules/run-7f3a-cancelled";

    // No run is cancelled here: every marker read finds none.
    private final RecordingAwsEndpoint aws = new RecordingAwsEndpoint().answer("GET /schedules/*",
            Response.restJsonError(404, "ResourceNotFoundException", "Schedule does not exist."));
    private final List<String> log = new ArrayList<>();
    private final StarterHandler handler = handler(aws, log);

    @AfterEach
    void stop() {
        aws.close();
    }

    @Test
    void emptyRequestStartsAttemptOneOfANewRunAndAnswersItsTask() throws IOException {
        aws.answer(RUN_TASK, Response.json(200, fixture("aws/ecs/run-task-started.json")));

        JsonNode response = invoke("{}");

        String runId = response.get("runId").asText();
        assertThat(runId).matches("[0-9a-f-]{36}");
        assertThat(response.get("attempt").asInt()).isEqualTo(1);
        assertThat(response.get("taskArn").asText()).isEqualTo(TASK_ARN);
        JsonNode runTask = TestJson.tree(aws.only(RUN_TASK).body());
        assertThat(runTask.get("clientToken").asText()).isEqualTo(runId + "-1");
        assertThat(runTask.get("startedBy").asText()).isEqualTo("ecs-retrier");
        assertThat(runTask.get("count").asInt()).isEqualTo(1);
        assertThat(runTask.get("launchType").asText()).isEqualTo("FARGATE");
        assertThat(runTask.get("tags")).isEqualTo(TestJson.tree("""
                [{"key": "ecs-retrier:run-id", "value": "%s"},
                 {"key": "ecs-retrier:attempt", "value": "1"},
                 {"key": "ecs-retrier:max-attempts", "value": "3"}]
                """.formatted(runId)));
        assertThat(runTask.get("overrides")).isEqualTo(TestJson.tree("""
                {"containerOverrides": [{"name": "app", "environment": [
                  {"name": "RETRIER_RUN_ID", "value": "%s"},
                  {"name": "RETRIER_ATTEMPT", "value": "1"},
                  {"name": "RETRIER_MAX_ATTEMPTS", "value": "3"}]}]}
                """.formatted(runId)));
        assertThat(runTask.at("/networkConfiguration/awsvpcConfiguration/subnets"))
                .isEqualTo(TestJson.tree("[\"subnet-0a1b2c3d4e5f60718\", \"subnet-0f1e2d3c4b5a69788\"]"));
    }

    @Test
    void sameStartRequestTwiceSendsTheSameClientToken() throws IOException {
        aws.answer(RUN_TASK, Response.json(200, fixture("aws/ecs/run-task-started.json")));
        String request = """
                {"runId": "run-7f3a", "attempt": 1, "containerOverrides": [{"name": "app",
                  "command": ["python", "job.py"], "environment": [{"name": "MODE", "value": "full"}]}]}
                """;

        invoke(request);
        invoke(request);

        assertThat(aws.requests(RUN_TASK)).hasSize(2)
                .extracting(r -> TestJson.tree(r.body()))
                .allSatisfy(body -> {
                    assertThat(body.get("clientToken").asText()).isEqualTo("run-7f3a-1");
                    assertThat(body.at("/overrides/containerOverrides/0/command")).isEqualTo(TestJson.tree("[\"python\", \"job.py\"]"));
                    assertThat(body.at("/overrides/containerOverrides/0/environment/0"))
                            .isEqualTo(TestJson.tree("{\"name\": \"MODE\", \"value\": \"full\"}"));
                });
    }

    /** A redeploy between Lambda's tries of one start: the run goes on with the task the token started, no FAILED. */
    @Test
    void reusedClientTokenAfterARedeploy_answersTheTaskItStarted_andPublishesNothing() throws IOException {
        aws.answer(RUN_TASK, Response.json(400, """
                {"__type": "ConflictException",
                 "message": "The clientToken run-7f3a-1 is already in use with a different RunTask request.",
                 "resourceIds": ["%s"]}""".formatted(TASK_ARN)));

        JsonNode response = invoke("{\"runId\": \"run-7f3a\"}");

        assertThat(response.get("taskArn").asText()).isEqualTo(TASK_ARN);
        assertThat(response.has("launchFailure")).isFalse();
        assertThat(aws.operations()).containsExactly(MARKER, RUN_TASK, MARKER);
    }

    @Test
    void reusedClientTokenThatNamesNoTask_failsTheInvocation_andEndsNothing() {
        aws.answer(RUN_TASK, Response.jsonError(400, "ConflictException",
                "The clientToken run-7f3a-1 is already in use with a different RunTask request."));

        assertThatThrownBy(() -> invoke("{\"runId\": \"run-7f3a\"}"))
                .isInstanceOf(RunTaskUnavailableException.class).hasMessageContaining("may be running");
        assertThat(aws.operations()).containsExactly(MARKER, RUN_TASK);
    }

    @Test
    void invalidRequestLaunchesNothing() {
        assertThatThrownBy(() -> invoke("{\"containerOverrides\": [{\"name\": \"sidecar\"}]}"))
                .isInstanceOf(InvalidStartRequestException.class)
                .hasMessageContaining("containerOverrides[0].name");
        assertThat(aws.requests()).isEmpty();
    }

    @Test
    void synchronousResourceFailureSchedulesTheNextAttempt() throws IOException {
        aws.answer(RUN_TASK, Response.json(200, fixture("aws/ecs/run-task-resource-memory.json")));
        aws.answer("POST /schedules/run-7f3a-2", Response.restJson(200, ClassifierHandlerAwsTest.CREATED));

        JsonNode response = invoke("{\"runId\": \"run-7f3a\"}");

        assertThat(response.has("taskArn")).isFalse();
        assertThat(response.get("launchFailure")).isEqualTo(TestJson.tree("""
                {"reason": "RESOURCE:MEMORY", "detail": "no container instance met the memory requirement"}"""));
        assertThat(response.at("/step/decision").asText()).isEqualTo("RETRY");
        assertThat(response.at("/step/metadataSource").asText()).isEqualTo("REQUEST");
        JsonNode schedule = TestJson.tree(aws.only("POST /schedules/run-7f3a-2").body());
        assertThat(schedule.get("ScheduleExpression").asText()).isEqualTo("at(2025-03-14T10:10:00)");
        JsonNode input = TestJson.tree(schedule.at("/Target/Input").asText());
        assertThat(input.get("attempt").asInt()).isEqualTo(2);
        assertThat(input.at("/history/0/stopCode").asText()).isEqualTo("TaskFailedToStart");
        assertThat(input.at("/history/0/stoppedReason").asText())
                .isEqualTo("RunTask failed: RESOURCE:MEMORY (no container instance met the memory requirement)");
        assertThat(input.at("/history/0").has("taskArn")).isFalse();
    }

    @Test
    void startedTaskGetsItsTimeoutScheduledAsAStopTask() throws IOException {
        StarterHandler withTimeout = handler(aws, log,
                ClassifierHandlerAwsTest.environment(java.util.Map.of("RETRIER_ATTEMPT_TIMEOUT_SECONDS", "3600")));
        aws.answer(RUN_TASK, Response.json(200, fixture("aws/ecs/run-task-started.json")));
        aws.answer("POST /schedules/run-7f3a-1-timeout", Response.restJson(200, ClassifierHandlerAwsTest.CREATED));

        withTimeout.start("{\"runId\": \"run-7f3a\"}".getBytes(StandardCharsets.UTF_8), ClassifierHandlerAwsTest.STARTER);

        JsonNode schedule = TestJson.tree(aws.only("POST /schedules/run-7f3a-1-timeout").body());
        // 10:08:40.500 + 3600 s, then the whole minute after (Scheduler's precision).
        assertThat(schedule.get("ScheduleExpression").asText()).isEqualTo("at(2025-03-14T11:09:00)");
        assertThat(schedule.at("/Target/Arn").asText()).isEqualTo("arn:aws:scheduler:::aws-sdk:ecs:stopTask");
        assertThat(TestJson.tree(schedule.at("/Target/Input").asText())).isEqualTo(TestJson.tree("""
                {"Cluster": "arn:aws:ecs:us-east-1:111122223333:cluster/batch",
                 "Task": "%s",
                 "Reason": "ecs-retrier: attempt timeout after 3600 s (attempt 1 of run run-7f3a)"}
                """.formatted(TASK_ARN)));
        assertThat(aws.requests()).extracting(r -> r.operation())
                .containsExactly(MARKER, RUN_TASK, MARKER, "POST /schedules/run-7f3a-1-timeout");
    }

    private JsonNode invoke(String request) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // No Lambda context: RETRIER_STARTER_ARN is set, so the starter need not derive its own ARN.
        handler.handleRequest(new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)), out, null);
        return TestJson.MAPPER.readTree(out.toByteArray());
    }

    static StarterHandler handler(RecordingAwsEndpoint aws, List<String> log) {
        return handler(aws, log, ClassifierHandlerAwsTest.environment(java.util.Map.of()));
    }

    static StarterHandler handler(RecordingAwsEndpoint aws, List<String> log, java.util.Map<String, String> environment) {
        RetrierConfig config = RetrierConfig.fromEnvironment(environment);
        return new StarterHandler(config, new EcsTaskLauncher(aws.ecs()),
                new SchedulerAttemptScheduler(aws.scheduler(), config.scheduleGroup(), config.schedulerRoleArn(),
                        config.scheduleDeadLetterArn(), Clock.fixed(ClassifierHandlerAwsTest.NOW, ZoneOffset.UTC)),
                new SnsNotifier(aws.sns(), config.topicArn()),
                Clock.fixed(ClassifierHandlerAwsTest.NOW, ZoneOffset.UTC), new Random(7), log::add);
    }
}
