package dev.ecsretrier.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.ScheduledAttempt;
import dev.ecsretrier.port.ScheduledStop;
import dev.ecsretrier.testutil.RecordingAwsEndpoint;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Request;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Response;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.scheduler.model.SchedulerException;

/** {@link SchedulerAttemptScheduler}: the exact {@code CreateSchedule} sent, and a duplicate name as success. */
class SchedulerAttemptSchedulerTest {

    static final String CREATE_SCHEDULE = "POST /schedules/run-7f3a-2";
    static final String STARTER = "arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live";
    static final String ROLE = "arn:aws:iam::111122223333:role/ecs-retrier-scheduler";
    static final String DLQ = "arn:aws:sqs:us-east-1:111122223333:ecs-retrier-schedule-dlq";
    static final String INPUT = "{\"runId\":\"run-7f3a\",\"attempt\":2,\"containerOverrides\":[],\"history\":[]}";
    static final String CREATED = "{\"ScheduleArn\": \"arn:aws:scheduler:us-east-1:111122223333:schedule/ecs-retrier/run-7f3a-2\"}";

    /** When the schedules below are created: a few minutes before their times. */
    static final Instant NOW = Instant.parse("2025-03-14T10:05:12.400Z");

    private final RecordingAwsEndpoint aws = new RecordingAwsEndpoint();

    private SchedulerAttemptScheduler scheduler(String group, String deadLetter) {
        return scheduler(group, deadLetter, NOW);
    }

    private SchedulerAttemptScheduler scheduler(String group, String deadLetter, Instant now) {
        return new SchedulerAttemptScheduler(aws.scheduler(), group, ROLE, deadLetter, Clock.fixed(now, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        aws.close();
    }

    @Test
    void sendsOneTimeUtcScheduleThatDeletesItselfAndTargetsTheStarter() throws IOException {
        aws.answer(CREATE_SCHEDULE, Response.restJson(200, CREATED));
        SchedulerAttemptScheduler scheduler = scheduler("ecs-retrier", DLQ);

        AttemptScheduler.Result result = scheduler.schedule(
                new ScheduledAttempt("run-7f3a-2", Instant.parse("2025-03-14T10:09:36.250Z"), INPUT, STARTER));

        assertThat(result).isEqualTo(AttemptScheduler.Result.CREATED);
        Request sent = aws.only(CREATE_SCHEDULE);
        assertThat(sent.header("Content-Type")).isEqualTo("application/json");
        assertThat(sent.header("Authorization")).contains("/us-east-1/scheduler/aws4_request");
        ObjectNode body = (ObjectNode) TestJson.tree(sent.body());
        // The SDK fills the idempotency token itself (a UUID) when none is given.
        JsonNode token = body.remove("ClientToken");
        assertThat(token.asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(body).isEqualTo(TestJson.tree("""
                {
                  "GroupName": "ecs-retrier",
                  "ScheduleExpression": "at(2025-03-14T10:10:00)",
                  "ScheduleExpressionTimezone": "UTC",
                  "FlexibleTimeWindow": {"Mode": "OFF"},
                  "ActionAfterCompletion": "DELETE",
                  "Target": {
                    "Arn": "arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live",
                    "RoleArn": "arn:aws:iam::111122223333:role/ecs-retrier-scheduler",
                    "Input": "{\\"runId\\":\\"run-7f3a\\",\\"attempt\\":2,\\"containerOverrides\\":[],\\"history\\":[]}",
                    "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 10},
                    "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:111122223333:ecs-retrier-schedule-dlq"}
                  }
                }
                """));
    }

    @Test
    void noDeadLetterConfigWhenNoneIsConfigured() throws IOException {
        aws.answer(CREATE_SCHEDULE, Response.restJson(200, CREATED));

        scheduler("default", "").schedule(new ScheduledAttempt("run-7f3a-2", Instant.parse("2025-03-14T10:09:36Z"),
                INPUT, STARTER));

        JsonNode body = TestJson.tree(aws.only(CREATE_SCHEDULE).body());
        assertThat(body.get("GroupName").asText()).isEqualTo("default");
        assertThat(body.get("Target").has("DeadLetterConfig")).isFalse();
    }

    // Scheduler's 60-second precision: at(10:09:37) may fire at 10:09:00, 37 s before the backoff allows.

    @Test
    void aTimeInsideAMinuteIsAskedForAsTheNextWholeMinute() {
        assertThat(expressionFor(Instant.parse("2025-03-14T10:09:36.250Z"), NOW)).isEqualTo("at(2025-03-14T10:10:00)");
        assertThat(expressionFor(Instant.parse("2025-03-14T10:09:00.001Z"), NOW)).isEqualTo("at(2025-03-14T10:10:00)");
    }

    @Test
    void aTimeOnAWholeMinuteIsAskedForAsTheMinuteAfter_crossingIntoTheNextDayInUtc() {
        assertThat(expressionFor(Instant.parse("2025-12-31T23:59:00Z"), Instant.parse("2025-12-31T23:50:00Z")))
                .isEqualTo("at(2026-01-01T00:00:00)");
    }

    @Test
    void aDelayOfAboutZeroIsAskedForAMinuteThatBeginsAtLeastAMinuteAhead() {
        Instant now = Instant.parse("2025-03-14T10:05:59.990Z");
        assertThat(expressionFor(now, now)).isEqualTo("at(2025-03-14T10:07:00)");
        assertThat(expressionFor(now.minusSeconds(30), now)).as("a time already past").isEqualTo("at(2025-03-14T10:07:00)");
    }

    @Test
    void theEarliestPossibleFireIsNeverBeforeTheBackoff_norLessThanAMinuteAway() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 10_000; i++) {
            Instant now = NOW.plusMillis(random.nextLong(86_400_000));
            Instant notBefore = now.plusMillis(random.nextLong(900_001));
            Instant minute = SchedulerAttemptScheduler.requestedMinute(notBefore, now);
            assertThat(minute.truncatedTo(ChronoUnit.MINUTES)).isEqualTo(minute);
            // Scheduler fires somewhere in [minute, minute + 60 s): its earliest is after the backoff.
            assertThat(minute).isAfter(notBefore).isAfterOrEqualTo(now.plus(SchedulerAttemptScheduler.MIN_LEAD));
            assertThat(Duration.between(notBefore, minute)).isLessThanOrEqualTo(Duration.ofMinutes(2));
        }
    }

    private String expressionFor(Instant at, Instant now) {
        aws.clear();
        aws.answer(CREATE_SCHEDULE, Response.restJson(200, CREATED));
        scheduler("default", DLQ, now).schedule(new ScheduledAttempt("run-7f3a-2", at, INPUT, STARTER));
        return TestJson.tree(aws.only(CREATE_SCHEDULE).body()).get("ScheduleExpression").asText();
    }

    @Test
    void conflictMeansAlreadyScheduledNotAnError() {
        aws.answer(CREATE_SCHEDULE, Response.restJson(200, CREATED),
                Response.restJsonError(409, "ConflictException", "Schedule run-7f3a-2 already exists."));
        SchedulerAttemptScheduler scheduler = scheduler("ecs-retrier", DLQ);
        ScheduledAttempt attempt = new ScheduledAttempt("run-7f3a-2", Instant.parse("2025-03-14T10:09:36Z"), INPUT, STARTER);

        assertThat(scheduler.schedule(attempt)).isEqualTo(AttemptScheduler.Result.CREATED);
        assertThat(scheduler.schedule(attempt)).isEqualTo(AttemptScheduler.Result.ALREADY_SCHEDULED);
        // A conflict is not retried by the SDK: two calls, two requests.
        assertThat(aws.requests(CREATE_SCHEDULE)).hasSize(2);
    }

    @Test
    void attemptTimeoutIsAScheduleThatCallsEcsStopTaskDirectly() throws IOException {
        String create = "POST /schedules/run-7f3a-2-timeout";
        aws.answer(create, Response.restJson(200, CREATED),
                Response.restJsonError(409, "ConflictException", "Schedule run-7f3a-2-timeout already exists."));
        SchedulerAttemptScheduler scheduler = scheduler("ecs-retrier", DLQ);
        ScheduledStop stop = new ScheduledStop("run-7f3a-2-timeout", Instant.parse("2025-03-14T11:09:36.250Z"),
                "arn:aws:ecs:us-east-1:111122223333:cluster/batch",
                "arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec316893a47cdb02dcf74a5fc77",
                "ecs-retrier: attempt timeout after 3600 s (attempt 2 of run run-7f3a)");

        assertThat(scheduler.scheduleStop(stop)).isEqualTo(AttemptScheduler.Result.CREATED);
        assertThat(scheduler.scheduleStop(stop)).isEqualTo(AttemptScheduler.Result.ALREADY_SCHEDULED);

        ObjectNode body = (ObjectNode) TestJson.tree(aws.requests(create).get(0).body());
        body.remove("ClientToken");
        assertThat(body).isEqualTo(TestJson.tree("""
                {
                  "GroupName": "ecs-retrier",
                  "ScheduleExpression": "at(2025-03-14T11:10:00)",
                  "ScheduleExpressionTimezone": "UTC",
                  "FlexibleTimeWindow": {"Mode": "OFF"},
                  "ActionAfterCompletion": "DELETE",
                  "Target": {
                    "Arn": "arn:aws:scheduler:::aws-sdk:ecs:stopTask",
                    "RoleArn": "arn:aws:iam::111122223333:role/ecs-retrier-scheduler",
                    "Input": "{\\"Cluster\\":\\"arn:aws:ecs:us-east-1:111122223333:cluster/batch\\",\\"Task\\":\\"arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec316893a47cdb02dcf74a5fc77\\",\\"Reason\\":\\"ecs-retrier: attempt timeout after 3600 s (attempt 2 of run run-7f3a)\\"}",
                    "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 10},
                    "DeadLetterConfig": {"Arn": "arn:aws:sqs:us-east-1:111122223333:ecs-retrier-schedule-dlq"}
                  }
                }
                """));
    }

    @Test
    void attemptTimeoutTargetsStopTaskInTheTasksOwnPartition() throws IOException {
        String create = "POST /schedules/run-7f3a-2-timeout";
        for (String partition : new String[] {"aws-cn", "aws-us-gov"}) {
            aws.clear();
            aws.answer(create, Response.restJson(200, CREATED));
            String region = partition.equals("aws-cn") ? "cn-north-1" : "us-gov-west-1";
            scheduler("ecs-retrier", DLQ).scheduleStop(new ScheduledStop("run-7f3a-2-timeout",
                    Instant.parse("2025-03-14T11:09:36Z"), "batch",
                    "arn:" + partition + ":ecs:" + region + ":111122223333:task/batch/0ea07ec316893a47cdb02dcf74a5fc77",
                    "ecs-retrier: attempt timeout after 3600 s (attempt 2 of run run-7f3a)"));

            assertThat(TestJson.tree(aws.only(create).body()).at("/Target/Arn").asText())
                    .isEqualTo("arn:" + partition + ":scheduler:::aws-sdk:ecs:stopTask");
        }
    }

    @Test
    void cancelDeletesThePendingScheduleInTheGroup() {
        aws.answer("DELETE /schedules/run-7f3a-2-timeout", Response.restJson(200, "{}"));
        SchedulerAttemptScheduler scheduler = scheduler("ecs-retrier", DLQ);

        scheduler.cancel("run-7f3a-2-timeout");

        Request sent = aws.only("DELETE /schedules/run-7f3a-2-timeout");
        assertThat(sent.query()).contains("groupName=ecs-retrier");
        assertThat(sent.body()).isEmpty();
    }

    @Test
    void cancelOfAScheduleThatIsGoneIsNotAnError() {
        aws.answer("DELETE /schedules/run-7f3a-2-timeout",
                Response.restJsonError(404, "ResourceNotFoundException", "Schedule run-7f3a-2-timeout does not exist."));
        SchedulerAttemptScheduler scheduler = scheduler("ecs-retrier", DLQ);

        scheduler.cancel("run-7f3a-2-timeout");

        assertThat(aws.requests("DELETE /schedules/run-7f3a-2-timeout")).hasSize(1);
    }

    @Test
    void cancellationReadsTheRunsMarkerInTheGroup_itsDescriptionIsTheReason() {
        aws.answer("GET /schedules/run-7f3a-cancelled", Response.restJson(200,
                "{\"Name\": \"run-7f3a-cancelled\", \"GroupName\": \"ecs-retrier\", \"State\": \"DISABLED\","
                        + " \"Description\": \"wrong input file\"}"));
        SchedulerAttemptScheduler scheduler = scheduler("ecs-retrier", DLQ);

        assertThat(scheduler.cancellation("run-7f3a"))
                .contains(new dev.ecsretrier.core.RunCancellation("run-7f3a", "wrong input file"));
        assertThat(aws.only("GET /schedules/run-7f3a-cancelled").query()).contains("groupName=ecs-retrier");
    }

    @Test
    void noMarker_isNoCancellation() {
        aws.answer("GET /schedules/run-7f3a-cancelled",
                Response.restJsonError(404, "ResourceNotFoundException", "Schedule run-7f3a-cancelled does not exist."));

        assertThat(scheduler("ecs-retrier", DLQ).cancellation("run-7f3a")).isEmpty();
    }

    static final String CREATE_CLAIM = "POST /schedules/run-7f3a-cancel-ended";

    @Test
    void theClaimOfACancelledRunsEnd_isADisabledScheduleWhoseDescriptionIsTheClaimant() throws IOException {
        aws.answer(CREATE_CLAIM, Response.restJson(200, CREATED));

        assertThat(scheduler("ecs-retrier", DLQ).claimCancelledEnd("run-7f3a", "stop of task arn:aws:ecs:t", STARTER))
                .isTrue();

        ObjectNode body = (ObjectNode) TestJson.tree(aws.only(CREATE_CLAIM).body());
        body.remove("ClientToken");
        assertThat(body.path("State").asText()).isEqualTo("DISABLED");
        assertThat(body.path("Description").asText()).isEqualTo("stop of task arn:aws:ecs:t");
        assertThat(body.path("GroupName").asText()).isEqualTo("ecs-retrier");
        assertThat(body.path("ActionAfterCompletion").asText()).isEqualTo("NONE");
        assertThat(body.path("ScheduleExpression").asText()).isEqualTo("at(2025-03-15T10:06:00)");
        assertThat(body.at("/Target/Arn").asText()).isEqualTo(STARTER);
    }

    @Test
    void aClaimThatExists_isTheSameClaimantsOnly() {
        aws.answer(CREATE_CLAIM, Response.restJsonError(409, "ConflictException", "Schedule run-7f3a-cancel-ended already exists."));
        aws.answer("GET /schedules/run-7f3a-cancel-ended", Response.restJson(200,
                "{\"Name\": \"run-7f3a-cancel-ended\", \"State\": \"DISABLED\", \"Description\": \"start of run-7f3a-2 by request r-1\"}"));
        SchedulerAttemptScheduler scheduler = scheduler("ecs-retrier", DLQ);

        assertThat(scheduler.claimCancelledEnd("run-7f3a", "start of run-7f3a-2 by request r-1", STARTER)).isTrue();
        assertThat(scheduler.claimCancelledEnd("run-7f3a", "start of run-7f3a-2 by request r-2", STARTER)).isFalse();
    }

    @Test
    void otherErrorsPropagateSoLambdaRetriesTheEvent() {
        aws.answer(CREATE_SCHEDULE, Response.restJsonError(400, "ValidationException",
                "Invalid Schedule Expression at(2025-03-14T10:09:36Z)."));
        SchedulerAttemptScheduler scheduler = scheduler("ecs-retrier", DLQ);

        assertThatThrownBy(() -> scheduler.schedule(
                new ScheduledAttempt("run-7f3a-2", Instant.parse("2025-03-14T10:09:36Z"), INPUT, STARTER)))
                .isInstanceOf(SchedulerException.class)
                .hasMessageContaining("Invalid Schedule Expression");
    }
}
