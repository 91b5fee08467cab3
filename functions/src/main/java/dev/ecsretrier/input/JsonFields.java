package dev.ecsretrier.input;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Typed reads from a JSON tree that name the field in every error; one instance per input kind,
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

    JsonNode object(JsonNode parent, String name, String path) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            throw error(path, "is missing");
        }
        if (!node.isObject()) {
            throw error(path, "must be an object, got " + kind(node));
        }
        return node;
    }

    JsonNode optionalObject(JsonNode parent, String name, String path) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw error(path, "must be an object, got " + kind(node));
        }
        return node;
    }

    String text(JsonNode parent, String name, String path) {
        String value = optionalText(parent, name, path);
        if (value == null || value.isBlank()) {
            throw error(path, value == null ? "is missing" : "is empty");
        }
        return value;
    }

    /** A text that is reported, not carried: cut to {@link #MAX_TEXT}. */
    String optionalText(JsonNode parent, String name, String path) {
        String value = exactText(parent, name, path);
        return value == null || value.length() <= MAX_TEXT ? value : value.substring(0, MAX_TEXT) + "...";
    }

    /** A text carried on unchanged (an environment value). */
    String exactText(JsonNode parent, String name, String path) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw error(path, "must be a string, got " + kind(node));
        }
        return node.textValue();
    }

    Integer optionalInt(JsonNode parent, String name, String path) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw error(path, "must be an integer, got " + kind(node));
        }
        return node.intValue();
    }

    Long optionalLong(JsonNode parent, String name, String path) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw error(path, "must be an integer, got " + kind(node));
        }
        return node.longValue();
    }

    Instant optionalInstant(JsonNode parent, String name, String path) {
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
    List<JsonNode> array(JsonNode parent, String name, String path) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw error(path, "must be an array, got " + kind(node));
        }
        List<JsonNode> elements = new ArrayList<>();
        node.forEach(elements::add);
        return elements;
    }

    JsonNode element(JsonNode node, String path) {
        if (!node.isObject()) {
            throw error(path, "must be an object, got " + kind(node));
        }
        return node;
    }

    List<String> optionalStrings(JsonNode parent, String name, String path) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        List<JsonNode> items = array(parent, name, path);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (!item.isTextual()) {
                throw error(path + "[" + i + "]", "must be a string, got " + kind(item));
            }
            values.add(item.textValue());
        }
        return values;
    }

    static String kind(JsonNode node) {
        if (node.isTextual()) {
            String text = node.textValue();
            return "string '" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case BOOLEAN -> "boolean " + node.booleanValue();
            case NUMBER -> "number " + node.numberValue();
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
    }
}
