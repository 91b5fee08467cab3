package dev.ecsretrier.json;

import java.util.List;

/**
 * A plain JSON value that does not fit the record it is read into. {@link #path()} names the
 * field ({@code containerOverrides[0].command[1]}; empty for the value itself).
 */
public final class JsonBindingException extends RuntimeException {

    private final String path;
    private final String problem;
    private final List<String> knownFields;

    JsonBindingException(String path, String problem, List<String> knownFields) {
        super((path.isEmpty() ? "the value" : path) + " " + problem);
        this.path = path;
        this.problem = problem;
        this.knownFields = List.copyOf(knownFields);
    }

    JsonBindingException(String path, String problem) {
        this(path, problem, List.of());
    }

    /**
     * A problem with {@code field} of a value read through {@link JsonForm}'s {@code fromJson}: the
     * binder prefixes the value's own path ({@code launch.cpu}).
     */
    public static JsonBindingException at(String field, String problem) {
        return new JsonBindingException(field, problem);
    }

    public String path() {
        return path;
    }

    public String problem() {
        return problem;
    }

    /** When the field is not one the record has: the fields it has, in order. Otherwise empty. */
    public List<String> knownFields() {
        return knownFields;
    }

    public boolean unknownField() {
        return !knownFields.isEmpty();
    }
}
