package dev.ecsretrier.core;

/**
 * How one container ended.
 *
 * @param exitCode null when the container never ran (the task failed to start)
 * @param reason   ECS's reason for the container, e.g. {@code OutOfMemoryError: ...}, or null
 */
public record ContainerExit(String name, Integer exitCode, String reason) {
}
