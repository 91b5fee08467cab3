package dev.ecsretrier.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.core.AttemptMetadata;
import java.util.Optional;

/** One attempt of one run: what may be launched at most once. */
public record LaunchKey(String runId, int attempt) {

    @Override
    public String toString() {
        return AttemptMetadata.attemptKey(runId, attempt);
    }

    /**
     * The attempt an invocation payload is about: a start request ({@code runId}, {@code attempt})
     * or an ECS task event (its {@code RETRIER_*} environment overrides). Empty when it says nothing.
     */
    public static Optional<LaunchKey> of(JsonNode payload) {
        if (payload == null || !payload.isObject()) {
            return Optional.empty();
        }
        if (payload.path("runId").isTextual()) {
            JsonNode attempt = payload.path("attempt");
            return Optional.of(new LaunchKey(payload.get("runId").textValue(), attempt.canConvertToInt() ? attempt.intValue() : 1));
        }
        String runId = null;
        Integer attempt = null;
        for (JsonNode override : payload.path("detail").path("overrides").path("containerOverrides")) {
            for (JsonNode variable : override.path("environment")) {
                String name = variable.path("name").asText();
                if (name.equals(AttemptMetadata.RUN_ID_ENV)) {
                    runId = variable.path("value").asText();
                } else if (name.equals(AttemptMetadata.ATTEMPT_ENV)) {
                    try {
                        attempt = Integer.valueOf(variable.path("value").asText());
                    } catch (NumberFormatException e) {
                        attempt = null;
                    }
                }
            }
        }
        return runId == null ? Optional.empty() : Optional.of(new LaunchKey(runId, attempt == null ? 0 : attempt));
    }
}
