package dev.ecsretrier.json;

/**
 * A value written as another one: a result whose JSON is a selection of what it holds (the handlers'
 * answer from the core's step). {@link JsonRecords#toPlain} writes what {@link #toJson()} returns.
 */
public interface JsonForm {

    /** The value to write instead: a map, a record, a list or a scalar. */
    Object toJson();
}
