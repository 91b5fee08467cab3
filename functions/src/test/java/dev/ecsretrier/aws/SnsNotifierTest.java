package dev.ecsretrier.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.port.Notification;
import dev.ecsretrier.testutil.RecordingAwsEndpoint;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Request;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Response;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sns.model.NotFoundException;

/** {@link SnsNotifier}: the exact {@code Publish} the SDK sends (AWS Query protocol, form-encoded). */
class SnsNotifierTest {

    static final String TOPIC = "arn:aws:sns:us-east-1:111122223333:ecs-retrier-outcomes";
    static final String PUBLISHED = """
            <PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
              <PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult>
              <ResponseMetadata><RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata>
            </PublishResponse>
            """;

    private final RecordingAwsEndpoint aws = new RecordingAwsEndpoint();
    private final SnsNotifier notifier = new SnsNotifier(aws.sns(), TOPIC);

    @AfterEach
    void stop() {
        aws.close();
    }

    @Test
    void publishesSubjectBodyAndStringAttributesToTheTopic() {
        aws.answer("Publish", Response.xml(200, PUBLISHED));
        String body = "{\"runId\":\"run-7f3a\",\"outcome\":\"FAILED\",\"note\":\"a & b = c\"}";

        notifier.publish(new Notification("ecs-retrier run run-7f3a FAILED after 1 attempt", body,
                Map.of("outcome", "FAILED", "runId", "run-7f3a", "dedupKey", "run-7f3a:FAILED")));

        Request sent = aws.only("Publish");
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/");
        assertThat(sent.header("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(sent.header("Authorization")).contains("/us-east-1/sns/aws4_request");
        Map<String, String> form = sent.form();
        assertThat(form).containsEntry("Action", "Publish")
                .containsEntry("Version", "2010-03-31")
                .containsEntry("TopicArn", TOPIC)
                .containsEntry("Subject", "ecs-retrier run run-7f3a FAILED after 1 attempt")
                .containsEntry("Message", body);
        assertThat(sent.messageAttributes()).isEqualTo(Map.of(
                "outcome", "String=FAILED", "runId", "String=run-7f3a", "dedupKey", "String=run-7f3a:FAILED"));
        assertThat(form).hasSize(5 + 3 * 3);
    }

    @Test
    void missingTopicPropagatesSoLambdaRetriesTheEvent() {
        aws.answer("Publish", Response.xml(404, """
                <ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
                  <Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error>
                  <RequestId>9dd01905-5012-5f99-8663-4b3ecd0dfaef</RequestId>
                </ErrorResponse>
                """));

        assertThatThrownBy(() -> notifier.publish(new Notification("s", "{}", Map.of("outcome", "FAILED"))))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("Topic does not exist");
    }
}
