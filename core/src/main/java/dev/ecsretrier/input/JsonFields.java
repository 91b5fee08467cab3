package dev.ecsretrier.input;

import dev.ecsretrier.json.JsonRecords;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Typed reads from a parsed JSON object (plain maps and lists, see {@code Json.parse}) that name
 * the field in every error; one instance per input kind,
 * so each kind throws its own exception type.
 */
final class JsonFields {

    /** Long texts are cut: ECS's own reasons are at most 255 characters. */
    static final int MAX_TEXT = 1024;

    private final BiFunction<String, String, RuntimeException> error;

    JsonFields(BiFunction<String, String, RuntimeException> error) {
        this.error = error;
    }

    RuntimeException error(String field, String problem) {
        return error.apply(field, problem);
    }

    Map<?, ?> object(Map<?, ?> parent, String name, String path) {
        Map<?, ?> object = optionalObject(parent, name, path);
        if (object == null) {
            throw error(path, "is missing");
        }
        return object;
    }

    Map<?, ?> optionalObject(Map<?, ?> parent, String name, String path) {
        Object node = parent.get(name);
        return node == null ? null : element(node, path);
    }

    String text(Map<?, ?> parent, String name, String path) {
        String value = optionalText(parent, name, path);
        if (value == null || value.isBlank()) {
            throw error(path, value == null ? "is missing" : "is empty");
        }
        return value;
    }

    /** A text that is reported, not carried: cut to {@link #MAX_TEXT}. */
    String optionalText(Map<?, ?> parent, String name, String path) {
        String value = exactText(parent, name, path);
        return value == null || value.length() <= MAX_TEXT ? value : value.substring(0, MAX_TEXT) + "...";
    }

    /** A text carried on unchanged (an environment value). */
    String exactText(Map<?, ?> parent, String name, String path) {
        Object node = parent.get(name);
        if (node == null || node instanceof String) {
            return (String) node;
        }
        throw error(path, "must be a string, got " + kind(node));
    }

    Integer optionalInt(Map<?, ?> parent, String name, String path) {
        Object node = parent.get(name);
        if (node == null || node instanceof Integer) {
            return (Integer) node;
        }
        throw error(path, "must be an integer, got " + kind(node));
    }

    Instant optionalInstant(Map<?, ?> parent, String name, String path) {
        String value = optionalText(parent, name, path);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw error(path, "must be an ISO-8601 UTC timestamp, got '" + value + "'");
        }
    }

    /** The elements of an optional array; empty when absent. */
    List<?> array(Map<?, ?> parent, String name, String path) {
        Object node = parent.get(name);
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof List<?> elements)) {
            throw error(path, "must be an array, got " + kind(node));
        }
        return elements;
    }

    /** The objects of an optional array, each read by {@code read} with its own path; empty when absent. */
    <T> List<T> objects(Map<?, ?> parent, String name, String path, BiFunction<Map<?, ?>, String, T> read) {
        List<?> nodes = array(parent, name, path);
        List<T> result = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            String itemPath = path + "[" + i + "]";
            result.add(read.apply(element(nodes.get(i), itemPath), itemPath));
        }
        return result;
    }

    Map<?, ?> element(Object node, String path) {
        if (!(node instanceof Map<?, ?> object)) {
            throw error(path, "must be an object, got " + kind(node));
        }
        return object;
    }

    List<String> optionalStrings(Map<?, ?> parent, String name, String path) {
        if (parent.get(name) == null) {
            return null;
        }
        List<?> items = array(parent, name, path);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof String value)) {
                throw error(path + "[" + i + "]", "must be a string, got " + kind(items.get(i)));
            }
            values.add(value);
        }
        return values;
    }

    static String kind(Object node) {
        return JsonRecords.describe(node);
    }
}
