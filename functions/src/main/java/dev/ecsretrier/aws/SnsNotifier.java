package dev.ecsretrier.aws;

import dev.ecsretrier.port.Notification;
import dev.ecsretrier.port.Notifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.PublishRequest;

/** {@link Notifier} over SNS {@code Publish}, with string message attributes for filter policies. */
public final class SnsNotifier implements Notifier {

    private final Supplier<SnsClient> sns;
    private final String topicArn;

    public SnsNotifier(SnsClient sns, String topicArn) {
        this(() -> sns, topicArn);
    }

    /** With a client built on first use (see {@link OnFirstUse}). */
    public SnsNotifier(Supplier<SnsClient> sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public void publish(Notification notification) {
        sns.get().publish(toPublish(notification));
    }

    PublishRequest toPublish(Notification notification) {
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        notification.attributes().forEach((name, value) ->
                attributes.put(name, MessageAttributeValue.builder().dataType("String").stringValue(value).build()));
        return PublishRequest.builder()
                .topicArn(topicArn)
                .subject(notification.subject())
                .message(notification.body())
                .messageAttributes(attributes)
                .build();
    }
}
