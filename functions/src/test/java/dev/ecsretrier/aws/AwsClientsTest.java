package dev.ecsretrier.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.testutil.RecordingAwsEndpoint;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Request;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Response;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.scheduler.model.CreateScheduleRequest;
import software.amazon.awssdk.services.sns.model.PublishRequest;

/**
 * The clients as the handlers get them from {@link AwsClients}: Lambda's credentials from the
 * environment (set for the tests in the pom), SigV4 for the configured region, and
 * the SDK's STANDARD retry strategy (3 attempts in all, where the SDK's default LEGACY mode makes 4).
 * The endpoint comes from the SDK's standard {@code aws.endpointUrl} setting, as
 * {@code AWS_ENDPOINT_URL} gives it.
 */
class AwsClientsTest {

    private final RecordingAwsEndpoint aws = new RecordingAwsEndpoint();
    private final AwsClients clients = new AwsClients("eu-west-1");

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
    void ecsRetriesAServerErrorTwice_underTheStandardStrategy() {
        aws.answer("AmazonEC2ContainerServiceV20141113.RunTask",
                Response.jsonError(500, "ServerException", "Service unavailable"));

        assertThatThrownBy(() -> clients.ecs().runTask(RunTaskRequest.builder().cluster("batch")
                .taskDefinition("sample:3").build()))
                .isInstanceOf(SdkServiceException.class).hasMessageContaining("Service unavailable");

        assertThat(attempts()).containsExactly("attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3");
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

        assertThat(attempts()).containsExactly("attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3",
                "attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3");
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
