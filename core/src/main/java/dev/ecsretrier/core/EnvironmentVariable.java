package dev.ecsretrier.core;

/** One container environment variable, in ECS's {@code {"name", "value"}} shape. */
public record EnvironmentVariable(String name, String value) {
}
