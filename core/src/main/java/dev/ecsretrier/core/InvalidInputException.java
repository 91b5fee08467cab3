package dev.ecsretrier.core;

/** Input that cannot be processed; the message names the field and what is wrong with it. */
public abstract class InvalidInputException extends RuntimeException {

    private final String field;

    protected InvalidInputException(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /** The JSON path of the offending field, e.g. {@code detail.containers[0].exitCode}. */
    public String field() {
        return field;
    }
}
