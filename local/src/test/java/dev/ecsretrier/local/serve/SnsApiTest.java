package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.sns.PublishedNotification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.InvalidParameterException;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.NotFoundException;
import java.util.Map;

/** {@code serve}'s SNS Publish (query protocol, XML answers), driven by the SDK v2's SnsClient. */
class SnsApiTest {

    static ServedRuntime served;
    static SnsClient sns;

    @BeforeAll
    static void start() throws Exception {
        served = new ServedRuntime(41);
        sns = served.client(SnsClient.builder());
    }

    @AfterAll
    static void stop() {
        sns.close();
        served.close();
    }

    static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    @Test
    void publishReachesTheLocalTopicWithItsSubjectBodyAndAttributes() {
        String messageId = sns.publish(r -> r.topicArn(LocalSettings.TOPIC_ARN)
                .subject("ecs-retrier: run sns-1 FAILED after 1 attempt")
                .message("{\"runId\":\"sns-1\",\"outcome\":\"FAILED\"}")
                .messageAttributes(Map.of("runId", text("sns-1"), "outcome", text("FAILED"),
                        "dedupKey", text("sns-1/FAILED")))).messageId();

        PublishedNotification published = served.runtime.notifications().stream()
                .filter(n -> n.messageId().equals(messageId)).findFirst().orElseThrow();
        assertThat(published.subject()).isEqualTo("ecs-retrier: run sns-1 FAILED after 1 attempt");
        assertThat(published.message()).isEqualTo("{\"runId\":\"sns-1\",\"outcome\":\"FAILED\"}");
        assertThat(published.attributes()).containsOnly(Map.entry("runId", "sns-1"), Map.entry("outcome", "FAILED"),
                Map.entry("dedupKey", "sns-1/FAILED"));
    }

    @Test
    void anotherTopicIsNotFound() {
        assertThatThrownBy(() -> sns.publish(r -> r.topicArn("arn:aws:sns:local:000000000000:other").message("{}")))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404))
                .hasMessageContaining("Topic does not exist");
    }

    @Test
    void aSubjectOf100CharactersIsAnInvalidParameter() {
        int before = served.runtime.notifications().size();

        assertThatThrownBy(() -> sns.publish(r -> r.topicArn(LocalSettings.TOPIC_ARN).subject("s".repeat(100))
                .message("{}")))
                .isInstanceOfSatisfying(InvalidParameterException.class, e -> assertThat(e.statusCode()).isEqualTo(400))
                .hasMessageContaining("Subject");
        assertThat(served.runtime.notifications()).hasSize(before);
    }
}
