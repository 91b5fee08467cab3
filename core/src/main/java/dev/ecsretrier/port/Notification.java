package dev.ecsretrier.port;

import java.util.Map;

/**
 * One message for the topic: a short subject, a JSON body, and the message attributes
 * ({@code outcome}, {@code runId}, {@code dedupKey}) that subscription filter policies use.
 */
public record Notification(String subject, String body, Map<String, String> attributes) {

    public Notification {
        attributes = Map.copyOf(attributes);
    }
}
