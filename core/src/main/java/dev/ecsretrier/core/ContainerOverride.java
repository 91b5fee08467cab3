package dev.ecsretrier.core;

import java.util.List;

/**
 * Overrides for one container, in the shape ECS uses in {@code RunTask} and in task events.
 * Null lists mean "not overridden".
 */
public record ContainerOverride(String name, List<String> command, List<EnvironmentVariable> environment) {

    public ContainerOverride {
        command = command == null ? null : NullTolerantLists.copy(command);
        environment = environment == null ? null : NullTolerantLists.copy(environment);
    }

    public List<EnvironmentVariable> environmentOrEmpty() {
        return environment == null ? List.of() : environment;
    }
}
