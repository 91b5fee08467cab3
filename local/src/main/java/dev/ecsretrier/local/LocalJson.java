package dev.ecsretrier.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ecsretrier.json.JsonRecords;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local runtime's JSON documents: jackson-databind trees for the AWS wire protocols and events it
 * builds and inspects (free-form documents, not records). Records go through the functions' one
 * binder ({@link JsonRecords}): written as the functions write them, so that what the local runtime
 * hands a handler is what AWS would hand it, and read as the functions read them. Databind stays in
 * this module: the Lambda jar has none (docs/performance.md).
 */
public final class LocalJson {

    public static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private LocalJson() {
    }

    public static JsonNode tree(String json) throws JsonProcessingException {
        return MAPPER.readTree(json);
    }

    public static JsonNode tree(byte[] json) throws IOException {
        return MAPPER.readTree(json);
    }

    /** Whether {@code text} is one whole JSON document. */
    public static boolean isJson(String text) {
        try {
            MAPPER.readTree(text);
            return true;
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /** What arrived, for a log line: its JSON tree when it is JSON, the text as it was otherwise. */
    public static Object treeOrText(String text) {
        try {
            JsonNode tree = MAPPER.readTree(text);
            return tree == null || tree.isMissingNode() ? text : tree;
        } catch (JsonProcessingException e) {
            return text;
        }
    }

    /** Trees, maps, lists, scalars and records (the records as the functions write them). */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(plain(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static byte[] writeBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(plain(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static Object plain(Object value) {
        if (value instanceof JsonNode || value == null) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), plain(v)));
            return copy;
        }
        if (value instanceof Collection<?> items) {
            List<Object> copy = new ArrayList<>(items.size());
            items.forEach(item -> copy.add(plain(item)));
            return copy;
        }
        return JsonRecords.toPlain(value);
    }
}
