package dev.ecsretrier.local.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.JsonBindingException;
import dev.ecsretrier.json.JsonRecords;
import java.util.Map;

/**
 * An AWS request body read into the record of its shape by the functions' one binder
 * ({@link JsonRecords}), as the handlers read start requests: the record is the schema, a field of the
 * wrong type is refused with its path. Fields the record does not have are skipped
 * ({@link JsonRecords.UnknownFields#SKIPPED}): the SDKs and the AWS CLI send members the emulators do
 * not read (a client token, a retry policy), and may send more in a later version.
 *
 * <p>The records' components are named as AWS spells the members ({@code GroupName},
 * {@code logGroupName}), so the binder needs no mapping.
 */
final class WireBody {

    private WireBody() {
    }

    /**
     * @throws Refused when the body is not JSON, not an object, or a member does not fit {@code shape}
     */
    static <T> T read(byte[] body, Class<T> shape) {
        Object plain;
        try {
            plain = body.length == 0 ? Map.of() : Json.parse(body);
        } catch (JsonProcessingException e) {
            throw new Refused(true, false, RequestLimits.describe(e));
        }
        if (!(plain instanceof Map<?, ?>)) {
            throw new Refused(true, true, "request body must be a JSON object");
        }
        return bind(plain, shape);
    }

    /**
     * As {@link #read}, for a body already in plain JSON values (the SQS query protocol's parameters in
     * the JSON protocol's shape).
     *
     * @throws Refused when a member does not fit {@code shape}
     */
    static <T> T bind(Object plain, Class<T> shape) {
        try {
            return JsonRecords.fromPlain(plain, shape, JsonRecords.UnknownFields.SKIPPED);
        } catch (JsonBindingException e) {
            throw new Refused(false, false, e.getMessage());
        }
    }

    /**
     * A body the API refuses, with the text of its error answer (the field's path and what is wrong).
     * Each API answers it with its own modeled exception.
     *
     * @param notJson     whether the body is not a JSON object at all (the JSON 1.1 protocol's
     *                    {@code SerializationException}) rather than a member of the wrong type
     * @param notAnObject of those, whether it is JSON, only not an object (PutEvents answers that as
     *                    a missing {@code Entries})
     */
    static final class Refused extends RuntimeException {
        private final boolean notJson;
        private final boolean notAnObject;

        Refused(boolean notJson, boolean notAnObject, String message) {
            super(message);
            this.notJson = notJson;
            this.notAnObject = notAnObject;
        }

        boolean notJson() {
            return notJson;
        }

        boolean notAnObject() {
            return notAnObject;
        }
    }
}
