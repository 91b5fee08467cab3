package dev.ecsretrier.local.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.JsonBindingException;
import dev.ecsretrier.json.JsonRecords;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One attempt of one run: what may be launched at most once. */
public record LaunchKey(String runId, int attempt) {

    @Override
    public String toString() {
        return AttemptMetadata.attemptKey(runId, attempt);
    }

    /**
     * The members an invocation payload names its attempt by, read by the functions' binder with the
     * others skipped: a start request's {@code runId} and {@code attempt}, or an ECS task event's
     * {@code RETRIER_*} environment overrides.
     */
    private record Payload(String runId, Integer attempt, Detail detail) {
        record Detail(Overrides overrides) {
        }

        record Overrides(List<Container> containerOverrides) {
        }

        record Container(List<Variable> environment) {
        }

        record Variable(String name, String value) {
        }
    }

    public static Optional<LaunchKey> of(String payload) {
        return of(payload.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The attempt an invocation payload is about: a start request ({@code runId}, {@code attempt}; 1
     * when not given) or an ECS task event (its {@code RETRIER_*} environment overrides; attempt 0 when
     * not readable). Empty when it says nothing, or is not a JSON object whose members have their types.
     */
    public static Optional<LaunchKey> of(byte[] payload) {
        Payload read;
        try {
            Object plain = Json.parse(payload);
            if (!(plain instanceof Map<?, ?>)) {
                return Optional.empty();
            }
            read = JsonRecords.fromPlain(plain, Payload.class, JsonRecords.UnknownFields.SKIPPED);
        } catch (JsonProcessingException | JsonBindingException e) {
            return Optional.empty();
        }
        if (read.runId() != null) {
            return Optional.of(new LaunchKey(read.runId(), read.attempt() == null ? 1 : read.attempt()));
        }
        String runId = null;
        Integer attempt = null;
        Payload.Overrides overrides = read.detail() == null ? null : read.detail().overrides();
        List<Payload.Container> containers = overrides == null || overrides.containerOverrides() == null
                ? List.of() : overrides.containerOverrides();
        for (Payload.Container container : containers) {
            for (Payload.Variable variable : container == null || container.environment() == null
                    ? List.<Payload.Variable>of() : container.environment()) {
                if (variable == null) {
                    continue;
                }
                if (AttemptMetadata.RUN_ID_ENV.equals(variable.name())) {
                    runId = variable.value();
                } else if (AttemptMetadata.ATTEMPT_ENV.equals(variable.name())) {
                    try {
                        attempt = variable.value() == null ? null : Integer.valueOf(variable.value());
                    } catch (NumberFormatException e) {
                        attempt = null;
                    }
                }
            }
        }
        return runId == null ? Optional.empty() : Optional.of(new LaunchKey(runId, attempt == null ? 0 : attempt));
    }
}
