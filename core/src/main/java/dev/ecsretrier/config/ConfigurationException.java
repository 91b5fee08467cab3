package dev.ecsretrier.config;

import java.util.List;

/** Configuration that cannot work; lists every bad variable at once, each with its value. */
public final class ConfigurationException extends RuntimeException {

    private final List<String> problems;

    public ConfigurationException(List<String> problems) {
        super("invalid ecs-retrier configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
