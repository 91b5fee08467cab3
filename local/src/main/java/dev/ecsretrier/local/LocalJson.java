package dev.ecsretrier.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.JsonRecords;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the local runtime needs of JSON beyond the functions' binder. The runtime and {@code serve} read
 * and write through the functions' {@link Json} and {@link JsonRecords} (records, plain values), as the
 * handlers do; here are text that may or may not be JSON (a payload, an SNS message), and the command
 * line's documents: jackson-databind trees, their pretty printer and their writer ({@link #tree},
 * {@link #MAPPER}, {@link #write}). Databind stays in this module: the Lambda jar has none
 * (docs/performance.md).
 */
public final class LocalJson {

    /** The command line's trees and pretty printer; the runtime itself does not use it. */
    public static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private LocalJson() {
    }

    /** Whether {@code text} is one whole JSON document, as the functions' parser reads it. */
    public static boolean isJson(String text) {
        try {
            Json.parse(text);
            return !text.isBlank();
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /** What arrived, for a record of it: its plain JSON value when it is JSON, the text as it was otherwise. */
    public static Object valueOrText(String text) {
        if (text == null || text.isBlank()) {
            return text;
        }
        try {
            return Json.parse(text);
        } catch (JsonProcessingException e) {
            return text;
        }
    }

    public static JsonNode tree(String json) throws JsonProcessingException {
        return MAPPER.readTree(json);
    }

    public static JsonNode tree(byte[] json) throws IOException {
        return MAPPER.readTree(json);
    }

    /** As {@link #valueOrText}, as a tree, for the command line's documents. */
    public static Object treeOrText(String text) {
        try {
            JsonNode tree = MAPPER.readTree(text);
            return tree == null || tree.isMissingNode() ? text : tree;
        } catch (JsonProcessingException e) {
            return text;
        }
    }

    /**
     * The command line's documents (trees, maps, lists, scalars and records, the records as the functions
     * write them), by databind, which keeps a null member as {@code null} where the functions' writer
     * leaves it out: the {@code --json} output people and scripts read stays as it was. Nothing else in
     * the local runtime writes through here.
     */
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
