package dev.ecsretrier.json;

/**
 * A value written as another one: a result whose JSON is a selection of what it holds (the handlers'
 * answer from the core's step), or a typed value whose wire form is text or a flat record (a task
 * size as ECS's strings). {@link JsonRecords#toPlain} writes what {@link #toJson()} returns. A type
 * that is also read declares {@code static T fromJson(F form)}: {@link JsonRecords} reads the form
 * {@code F} and passes it on; an {@code IllegalArgumentException} or a {@link JsonBindingException}
 * (with a path relative to the value) it throws becomes the error of the field being read.
 */
public interface JsonForm {

    /** The value to write instead: a map, a record, a list or a scalar. */
    Object toJson();
}
