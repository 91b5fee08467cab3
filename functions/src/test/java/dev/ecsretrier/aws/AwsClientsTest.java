package dev.ecsretrier.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.testutil.RecordingAwsEndpoint;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Request;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Response;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.scheduler.model.CreateScheduleRequest;
import software.amazon.awssdk.services.sns.model.PublishRequest;

/**
 * The clients as the handlers get them from {@link AwsClients}: Lambda's credentials from the
 * environment (set for the tests in the pom), SigV4 for the configured region, and
 * the SDK's standard retry strategy with 6 attempts in all (the SDK's standard makes 3, its default
 * LEGACY mode 4) and a throttled call's waits capped at 5 s. The endpoint comes from the SDK's standard
 * {@code aws.endpointUrl} setting, as {@code AWS_ENDPOINT_URL} gives it. The tests that count attempts
 * use the same strategy with 1 ms waits, so that they take milliseconds, not the up to 17 s of the real ones.
 */
class AwsClientsTest {

    private final RecordingAwsEndpoint aws = new RecordingAwsEndpoint();
    private final AwsClients clients = new AwsClients("eu-west-1", AwsClients.retryStrategy().toBuilder()
            .backoffStrategy(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(1)))
            .throttlingBackoffStrategy(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(1))).build());

    @BeforeEach
    void pointTheSdkAtTheRecorder() {
        System.setProperty("aws.endpointUrl", aws.uri().toString());
    }

    @AfterEach
    void restore() {
        System.clearProperty("aws.endpointUrl");
        aws.close();
    }

    @Test
    void aThrottledCall_isTriedSixTimes_thenFailsAsThrottling() {
        aws.answer("AmazonEC2ContainerServiceV20141113.DescribeTasks",
                Response.jsonError(400, "ThrottlingException", "Rate exceeded"));

        assertThatThrownBy(() -> clients.ecs().describeTasks(r -> r.cluster("batch").tasks("arn:aws:ecs:task/1")))
                .isInstanceOfSatisfying(SdkServiceException.class, e -> assertThat(e.isThrottlingException()).isTrue())
                .hasMessageContaining("Rate exceeded");

        assertThat(attempts()).containsExactly("attempt=1; max=6", "attempt=2; max=6", "attempt=3; max=6",
                "attempt=4; max=6", "attempt=5; max=6", "attempt=6; max=6");
    }

    @Test
    void aThrottledCall_thatGetsThroughOnTheFifthAttempt_succeeds() {
        aws.answer("AmazonEC2ContainerServiceV20141113.DescribeTasks",
                Response.jsonError(400, "ThrottlingException", "Rate exceeded"),
                Response.jsonError(400, "ThrottlingException", "Rate exceeded"),
                Response.jsonError(400, "ThrottlingException", "Rate exceeded"),
                Response.jsonError(400, "ThrottlingException", "Rate exceeded"),
                Response.json(200, "{\"tasks\":[],\"failures\":[]}"));

        assertThat(clients.ecs().describeTasks(r -> r.cluster("batch").tasks("arn:aws:ecs:task/1")).tasks()).isEmpty();

        assertThat(attempts()).hasSize(5).last().isEqualTo("attempt=5; max=6");
    }

    @Test
    void theRealThrottlingWaits_growFromOneSecond_capAtFiveSeconds_andFitTheFunctionsTimeout() {
        BackoffStrategy waits = BackoffStrategy.exponentialDelay(AwsClients.THROTTLING_BASE_DELAY,
                AwsClients.THROTTLING_MAX_DELAY);
        long worstMillis = 0;
        // The SDK asks for the wait before attempt n (2 to 6): up to min(5 s, 1 s x 2^(n-2)).
        for (int attempt = 2; attempt <= AwsClients.MAX_ATTEMPTS; attempt++) {
            long ceiling = Math.min(5_000, 1_000L << (attempt - 2));
            long longest = 0;
            for (int draw = 0; draw < 2_000; draw++) {
                longest = Math.max(longest, waits.computeDelay(attempt).toMillis());
            }
            // Full jitter: uniform in [0, ceiling], so 2,000 draws come close to the ceiling, never past it.
            assertThat(longest).as("wait before attempt %d", attempt).isBetween(ceiling * 9 / 10, ceiling);
            worstMillis += ceiling;
        }
        assertThat(worstMillis).as("the five waits at their longest").isEqualTo(17_000)
                .isLessThan(Duration.ofSeconds(30).toMillis());
    }

    @Test
    void ecsRetriesAServerErrorFiveTimes_underTheStandardStrategy() {
        aws.answer("AmazonEC2ContainerServiceV20141113.RunTask",
                Response.jsonError(500, "ServerException", "Service unavailable"));

        assertThatThrownBy(() -> clients.ecs().runTask(RunTaskRequest.builder().cluster("batch")
                .taskDefinition("sample:3").build()))
                .isInstanceOf(SdkServiceException.class).hasMessageContaining("Service unavailable");

        assertThat(attempts()).containsExactly("attempt=1; max=6", "attempt=2; max=6", "attempt=3; max=6",
                "attempt=4; max=6", "attempt=5; max=6", "attempt=6; max=6");
    }

    @Test
    void schedulerAndSnsUseTheSameStrategy() {
        aws.answer("POST /schedules/run-7f3a-2", Response.restJsonError(500, "InternalServerException", "busy"));
        aws.answer("Publish", Response.xml(500, """
                <ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
                  <Error><Type>Receiver</Type><Code>InternalError</Code><Message>busy</Message></Error>
                  <RequestId>req</RequestId>
                </ErrorResponse>"""));

        assertThatThrownBy(() -> clients.scheduler().createSchedule(CreateScheduleRequest.builder()
                .name("run-7f3a-2").scheduleExpression("at(2026-11-25T15:00:00)")
                .flexibleTimeWindow(w -> w.mode("OFF"))
                .target(t -> t.arn("arn:aws:lambda:eu-west-1:111122223333:function:starter")
                        .roleArn("arn:aws:iam::111122223333:role/scheduler"))
                .build())).isInstanceOf(SdkServiceException.class);
        assertThatThrownBy(() -> clients.sns().publish(PublishRequest.builder()
                .topicArn("arn:aws:sns:eu-west-1:111122223333:outcomes").message("m").build()))
                .isInstanceOf(SdkServiceException.class);

        assertThat(attempts()).hasSize(12).containsOnly("attempt=1; max=6", "attempt=2; max=6", "attempt=3; max=6",
                "attempt=4; max=6", "attempt=5; max=6", "attempt=6; max=6");
    }

    @Test
    void requestsAreSignedWithLambdasCredentialsForTheConfiguredRegion() {
        aws.answer("Publish", Response.xml(200, """
                <PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
                  <PublishResult><MessageId>m-1</MessageId></PublishResult>
                </PublishResponse>"""));

        clients.sns().publish(PublishRequest.builder().topicArn("arn:aws:sns:eu-west-1:111122223333:outcomes")
                .message("m").build());

        Request publish = aws.only("Publish");
        assertThat(publish.header("Authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                .contains("/eu-west-1/sns/aws4_request");
        assertThat(publish.header("X-Amz-Security-Token")).isEqualTo("token");
    }

    private List<String> attempts() {
        return aws.requests().stream().map(r -> r.header("amz-sdk-request")).toList();
    }
}
