package dev.ecsretrier.core;

import java.util.List;

/**
 * Overrides for one container, in the shape ECS uses in {@code RunTask} and in task events.
 * Null lists mean "not overridden".
 */
public record ContainerOverride(String name, List<String> command, List<EnvironmentVariable> environment) {

    public ContainerOverride {
        command = command == null ? null : List.copyOf(command);
        environment = environment == null ? null : List.copyOf(environment);
    }

    public List<EnvironmentVariable> environmentOrEmpty() {
        return environment == null ? List.of() : environment;
    }
}
