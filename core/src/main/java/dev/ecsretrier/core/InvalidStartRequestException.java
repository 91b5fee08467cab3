package dev.ecsretrier.core;

/** A start request the starter refuses; nothing was launched. */
public final class InvalidStartRequestException extends InvalidInputException {

    public InvalidStartRequestException(String field, String problem) {
        this(field, problem, null);
    }

    public InvalidStartRequestException(String field, String problem, Throwable cause) {
        super(field, "invalid start request: " + field + " " + problem, cause);
    }
}
