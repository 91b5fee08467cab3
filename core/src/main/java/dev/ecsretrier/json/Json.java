package dev.ecsretrier.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.filter.FilteringParserDelegate;
import com.fasterxml.jackson.core.filter.TokenFilter;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The functions' JSON, in two steps: text to and from plain values ({@code Map}, {@code List},
 * {@code String}, {@code Number}, {@code Boolean}, {@code null}) through jackson-jr, and records to and from
 * plain values through {@link JsonRecords}. Objects are written without null fields, instants as
 * ISO-8601 text, enums by name.
 *
 * <p>Not jackson-databind: building its mapper and first (de)serializers costs about 210 ms of a
 * Lambda cold start (C1 only), jackson-jr's plain values about 35 ms.
 */
public final class Json {

    private static final JSON TEXT = JSON.builder()
            // 2.7 stays 2.7 (not a double's 2.7000000000000002) when a number is reported back.
            .enable(JSON.Feature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS)
            // Only plain values reach jackson-jr: no bean introspection, no guessing at unknown types.
            .enable(JSON.Feature.FAIL_ON_UNKNOWN_TYPE_WRITE)
            .disable(JSON.Feature.HANDLE_JAVA_BEANS)
            .disable(JSON.Feature.USE_DEFERRED_MAPS)
            .build();

    private Json() {
    }

    /**
     * Parses JSON text to plain values; objects keep their field order.
     *
     * @throws JsonProcessingException when the text is not JSON (its message says where and why)
     */
    public static Object parse(byte[] json) throws JsonProcessingException {
        try {
            return TEXT.anyFrom(json);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading JSON from memory", e); // no I/O happens on a byte array
        }
    }

    /**
     * As {@link #parse(byte[])}, but only what {@link JsonRecords} reads into {@code type} with unknown
     * fields {@link JsonRecords.UnknownFields#SKIPPED} becomes plain values, and at the top the fields
     * named in {@code envelope}; every other field is still parsed, so malformed text anywhere is refused,
     * but not built into maps and lists (nor checked for duplicate keys). For AWS's events on the warm
     * path: an ECS task state change is about 4 KB, mostly attachments and container details the
     * classifier does not read; building them into maps was most of the 20 KB each event allocated
     * (JMH {@code -prof gc}, WarmPathPartsBenchmark.readTheEvent, issue 12).
     *
     * @throws JsonProcessingException when the text is not JSON (its message says where and why)
     */
    public static Object parseReadBy(byte[] json, Class<?> type, Set<String> envelope) throws JsonProcessingException {
        TokenFilter fields = JsonRecords.fieldsReadBy(type);
        TokenFilter root = envelope.isEmpty() ? fields : new TokenFilter() {
            @Override
            public TokenFilter includeProperty(String name) {
                return envelope.contains(name) ? TokenFilter.INCLUDE_ALL : fields.includeProperty(name);
            }

            @Override
            public TokenFilter includeElement(int index) {
                return fields.includeElement(index);
            }

            @Override
            public boolean includeEmptyObject(boolean contentsFiltered) {
                return true;
            }

            @Override
            public boolean includeEmptyArray(boolean contentsFiltered) {
                return true;
            }
        };
        try (JsonParser parser = new FilteringParserDelegate(TEXT.getStreamingFactory().createParser(json), root,
                TokenFilter.Inclusion.INCLUDE_ALL_AND_PATH, true)) {
            return TEXT.anyFrom(parser);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading JSON from memory", e); // no I/O happens on a byte array
        }
    }

    public static Object parse(String json) throws JsonProcessingException {
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a record, a collection, a map or a scalar (see {@link JsonRecords#toPlain}) as JSON text. */
    public static String write(Object value) {
        try {
            return TEXT.asString(JsonRecords.toPlain(value));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static byte[] writeBytes(Object value) {
        try {
            return TEXT.asBytes(JsonRecords.toPlain(value));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
