package dev.ecsretrier.local.cli;

import dev.ecsretrier.config.ConfigurationException;
import dev.ecsretrier.config.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** The retry policy, as options: each becomes the handlers' setting of the same meaning. */
final class PolicyOptions {

    @Option(names = "--max-attempts", paramLabel = "N",
            description = "Attempts in all, the first included, 1-10 (RETRIER_MAX_ATTEMPTS; default 3).")
    String maxAttempts;

    @Option(names = "--backoff-initial", paramLabel = "SECONDS",
            description = "Delay before the second attempt (default 60).")
    String backoffInitial;

    @Option(names = "--backoff-multiplier", paramLabel = "X", description = "Growth per attempt, >= 1 (default 2).")
    String backoffMultiplier;

    @Option(names = "--backoff-max", paramLabel = "SECONDS", description = "Cap on any delay (default 900).")
    String backoffMax;

    @Option(names = "--jitter", paramLabel = "FULL|EQUAL|NONE", description = "Backoff jitter (default FULL).")
    String jitter;

    @Option(names = "--retryable-exit-codes", paramLabel = "CODE", split = ",",
            description = "Exit codes that mean 'try again', comma-separated (default none).")
    List<String> retryableExitCodes;

    @Option(names = "--rules", paramLabel = "RULES.json",
            description = "A JSON list of user rules, evaluated before the default policy.")
    Path rules;

    @Option(names = "--setting", paramLabel = "VARIABLE=VALUE",
            description = "Any handler setting by its environment variable, e.g. RETRIER_MEMORY_ESCALATION=true,"
                    + " RETRIER_ATTEMPT_TIMEOUT_SECONDS=600, RETRIER_INFRASTRUCTURE_RETRIES=4,"
                    + " RETRIER_FALLBACK_CAPACITY_PROVIDER_STRATEGY='[{\"capacityProvider\":\"FARGATE\"}]'.")
    Map<String, String> variables;

    /** The settings given; the rest keep their defaults. */
    Map<Setting, String> settings() throws IOException {
        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        put(settings, Setting.MAX_ATTEMPTS, maxAttempts);
        put(settings, Setting.BACKOFF_INITIAL_SECONDS, backoffInitial);
        put(settings, Setting.BACKOFF_MULTIPLIER, backoffMultiplier);
        put(settings, Setting.BACKOFF_MAX_SECONDS, backoffMax);
        put(settings, Setting.BACKOFF_JITTER, jitter);
        if (retryableExitCodes != null) {
            settings.put(Setting.RETRYABLE_EXIT_CODES, retryableExitCodes.stream().map(String::trim)
                    .collect(Collectors.joining(",")));
        }
        if (rules != null) {
            settings.put(Setting.RULES, Files.readString(rules));
        }
        if (variables != null) {
            variables.forEach((variable, value) -> settings.put(setting(variable), value));
        }
        return settings;
    }

    private static Setting setting(String variable) {
        for (Setting setting : Setting.values()) {
            if (setting.variable().equals(variable)) {
                return setting;
            }
        }
        throw new IllegalArgumentException("--setting: unknown variable '" + variable + "'; one of "
                + java.util.Arrays.stream(Setting.values()).map(Setting::variable).toList());
    }

    /** The configuration's problems, each with the option that sets the variable it names. */
    static String explain(ConfigurationException e) {
        Map<String, String> options = Map.of(
                Setting.MAX_ATTEMPTS.variable(), "--max-attempts",
                Setting.BACKOFF_INITIAL_SECONDS.variable(), "--backoff-initial",
                Setting.BACKOFF_MULTIPLIER.variable(), "--backoff-multiplier",
                Setting.BACKOFF_MAX_SECONDS.variable(), "--backoff-max",
                Setting.BACKOFF_JITTER.variable(), "--jitter",
                Setting.RETRYABLE_EXIT_CODES.variable(), "--retryable-exit-codes",
                Setting.RULES.variable(), "--rules");
        return "invalid options: " + e.problems().stream().map(problem -> {
            String variable = problem.split("[=:]", 2)[0];
            String option = options.get(variable);
            return option == null ? problem : option + " (" + problem + ")";
        }).collect(Collectors.joining("; "));
    }

    private static void put(Map<Setting, String> settings, Setting setting, String value) {
        if (value != null) {
            settings.put(setting, value);
        }
    }
}
