package dev.ecsretrier.core;

/**
 * An event the classifier cannot read. Thrown so that Lambda retries the event and then sends
 * it to the dead-letter queue, where a person can see it: never dropped in silence.
 */
public final class InvalidEventException extends InvalidInputException {

    public InvalidEventException(String field, String problem) {
        this(field, problem, null);
    }

    public InvalidEventException(String field, String problem, Throwable cause) {
        super(field, "cannot read ECS task event: " + field + " " + problem, cause);
    }
}
