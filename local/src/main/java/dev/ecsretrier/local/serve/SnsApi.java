package dev.ecsretrier.local.serve;

import dev.ecsretrier.local.sns.LocalTopic;
import dev.ecsretrier.local.sns.PublishedNotification;
import dev.ecsretrier.port.Notification;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * SNS {@code Publish} to the local topic, in SNS's query protocol: a form-encoded POST
 * ({@code Action=Publish}, {@code MessageAttributes.entry.N.*}), answered in XML; errors in SNS's
 * {@code ErrorResponse} (NotFound 404, InvalidParameter 400, InvalidAction 400).
 */
final class SnsApi implements AwsApi {

    static final String NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/";
    /** https://docs.aws.amazon.com/sns/latest/api/API_Publish.html: subjects are under 100 characters. */
    static final int MAX_SUBJECT = 99;
    /** Publish: messages up to 256 KB (262,144 bytes). */
    static final int MAX_MESSAGE_BYTES = 262_144;

    private final LocalTopic topic;
    private final Consumer<String> log;

    SnsApi(LocalTopic topic, Consumer<String> log) {
        this.topic = topic;
        this.log = log;
    }

    @Override
    public Optional<WireResponse> answer(WireRequest request) {
        boolean form = request.header("Content-Type").map(t -> t.startsWith("application/x-www-form-urlencoded"))
                .orElse(false);
        if (!"POST".equals(request.method()) || !form || request.header("X-Amz-Target").isPresent()) {
            return Optional.empty();
        }
        Map<String, String> parameters;
        try {
            parameters = WireRequest.form(request.bodyText());
        } catch (IllegalArgumentException e) {
            // the query protocol's answer to a body that is not URL-encoded
            return Optional.of(error(400, "MalformedQueryString", "the request body is not URL-encoded: " + e.getMessage()));
        }
        String action = parameters.getOrDefault("Action", "");
        if (!"Publish".equals(action)) {
            return Optional.of(error(400, "InvalidAction", "The action " + action
                    + " is not valid for this endpoint: SNS Publish is the only action served locally"));
        }
        return Optional.of(publish(parameters));
    }

    private WireResponse publish(Map<String, String> parameters) {
        String topicArn = parameters.getOrDefault("TopicArn", parameters.getOrDefault("TargetArn", ""));
        if (!topic.topicArn().equals(topicArn)) {
            log.accept("sns publish: NotFound: " + topicArn);
            return error(404, "NotFound", "Topic does not exist: the local topic is " + topic.topicArn());
        }
        String message = parameters.get("Message");
        if (message == null || message.isEmpty()) {
            return invalid("Message", "Empty message");
        }
        if (message.getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
            return invalid("Message", "Message too long: at most " + MAX_MESSAGE_BYTES + " bytes");
        }
        String subject = parameters.get("Subject");
        if (subject != null && (subject.isEmpty() || subject.length() > MAX_SUBJECT
                || subject.chars().anyMatch(Character::isISOControl))) {
            return invalid("Subject", "Subject must be 1 to " + MAX_SUBJECT
                    + " characters with no line breaks or control characters; this one has " + subject.length());
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        for (int n = 1; parameters.containsKey("MessageAttributes.entry." + n + ".Name"); n++) {
            String prefix = "MessageAttributes.entry." + n;
            String name = parameters.get(prefix + ".Name");
            String value = parameters.get(prefix + ".Value.StringValue");
            if (parameters.get(prefix + ".Value.DataType") == null || value == null) {
                return invalid("MessageAttributes", "The message attribute '" + name
                        + "' must have a DataType and a StringValue");
            }
            attributes.put(name, value);
        }
        PublishedNotification published = topic.publishMessage(new Notification(subject, message, attributes));
        log.accept("sns publish: " + published.messageId() + " " + (subject == null ? "" : subject));
        return WireResponse.of(200, "text/xml", "<PublishResponse xmlns=\"" + NAMESPACE + "\"><PublishResult><MessageId>"
                + xml(published.messageId()) + "</MessageId></PublishResult><ResponseMetadata><RequestId>"
                + UUID.randomUUID() + "</RequestId></ResponseMetadata></PublishResponse>");
    }

    private WireResponse invalid(String parameter, String reason) {
        log.accept("sns publish: InvalidParameter: " + parameter + ": " + reason);
        return error(400, "InvalidParameter", "Invalid parameter: " + parameter + " Reason: " + reason);
    }

    /** The query protocol's error shape. */
    static WireResponse error(int status, String code, String message) {
        return WireResponse.of(status, "text/xml", "<ErrorResponse xmlns=\"" + NAMESPACE + "\"><Error><Type>Sender</Type><Code>"
                + xml(code) + "</Code><Message>" + xml(message) + "</Message></Error><RequestId>" + UUID.randomUUID()
                + "</RequestId></ErrorResponse>");
    }

    static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
