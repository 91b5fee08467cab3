package dev.ecsretrier.local.cli;

import dev.ecsretrier.config.ConfigurationException;
import dev.ecsretrier.config.Deployment;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.InvalidStartRequestException;
import dev.ecsretrier.local.emulator.LocalSettings;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The retry policy, as options: each becomes the handlers' setting of the same meaning. Defaults and ranges in the
 * descriptions are the settings' own ({@link SettingFacts}).
 */
final class PolicyOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--max-attempts", paramLabel = "N",
            description = "Attempts in all, the first included, ${bundle:RETRIER_MAX_ATTEMPTS.range} (RETRIER_MAX_ATTEMPTS;"
                    + " default ${bundle:RETRIER_MAX_ATTEMPTS.default}).")
    String maxAttempts;

    @Option(names = "--backoff-initial", paramLabel = "SECONDS",
            description = "Delay before the second attempt, ${bundle:RETRIER_BACKOFF_INITIAL_SECONDS.range}"
                    + " (default ${bundle:RETRIER_BACKOFF_INITIAL_SECONDS.default}).")
    String backoffInitial;

    @Option(names = "--backoff-multiplier", paramLabel = "X", description = "Growth per attempt,"
            + " ${bundle:RETRIER_BACKOFF_MULTIPLIER.range} (default ${bundle:RETRIER_BACKOFF_MULTIPLIER.default}).")
    String backoffMultiplier;

    @Option(names = "--backoff-max", paramLabel = "SECONDS", description = "Cap on any delay,"
            + " ${bundle:RETRIER_BACKOFF_MAX_SECONDS.range} (default ${bundle:RETRIER_BACKOFF_MAX_SECONDS.default}).")
    String backoffMax;

    @Option(names = "--jitter", paramLabel = "FULL|EQUAL|NONE", description = "Backoff jitter"
            + " (default ${bundle:RETRIER_BACKOFF_JITTER.default}).")
    String jitter;

    @Option(names = "--retryable-exit-codes", paramLabel = "CODE", split = ",",
            description = "Exit codes that mean 'try again', ${bundle:RETRIER_RETRYABLE_EXIT_CODES.range}, comma-separated"
                    + " (default none).")
    List<String> retryableExitCodes;

    @Option(names = "--rules", paramLabel = "RULES.json",
            description = "A JSON list of user rules, evaluated before the default policy.")
    Path rules;

    @Option(names = "--infrastructure-retries", paramLabel = "N",
            description = "Retries after infrastructure failures (ECS could not start or keep the task),"
                    + " ${bundle:RETRIER_INFRASTRUCTURE_RETRIES.range}; default: no separate limit.")
    String infrastructureRetries;

    @Option(names = "--application-retries", paramLabel = "N",
            description = "Retries after application failures (exit codes, out of memory, timeout),"
                    + " ${bundle:RETRIER_APPLICATION_RETRIES.range}; default: no separate limit.")
    String applicationRetries;

    @Option(names = "--capacity-provider-strategy", paramLabel = "STRATEGY",
            description = "Launch on this capacity provider strategy instead of launch type FARGATE: JSON"
                    + " ([{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":1}]) or provider names, weight 1 each.")
    String capacityProviderStrategy;

    @Option(names = "--subnets", paramLabel = "SUBNET", split = ",", description = "Subnets, comma-separated, in order.")
    List<String> subnets;

    @Option(names = "--fallback-capacity-provider-strategy", paramLabel = "STRATEGY",
            description = "After Spot failures, launch on this strategy instead: JSON or provider names (e.g. FARGATE).")
    String fallbackStrategy;

    @Option(names = "--fallback-after-spot-failures", paramLabel = "N",
            description = "Spot failures (interruptions, capacity shortages) before the fallback,"
                    + " ${bundle:RETRIER_FALLBACK_AFTER_SPOT_FAILURES.range} (default"
                    + " ${bundle:RETRIER_FALLBACK_AFTER_SPOT_FAILURES.default}).")
    String fallbackAfterSpotFailures;

    @Option(names = "--memory-escalation", description = "Retry an out-of-memory stop with more memory.")
    boolean memoryEscalation;

    @Option(names = "--memory-factor", paramLabel = "X", description = "Memory growth per escalation,"
            + " ${bundle:RETRIER_MEMORY_FACTOR.range} (default ${bundle:RETRIER_MEMORY_FACTOR.default}).")
    String memoryFactor;

    @Option(names = "--memory-max-mib", paramLabel = "MIB",
            description = "The most memory escalation may give a task, ${bundle:RETRIER_MEMORY_MAX_MIB.range} (default"
                    + " ${bundle:RETRIER_MEMORY_MAX_MIB.default}); at the cap an OOM fails the run.")
    String memoryMaxMib;

    @Option(names = "--rotate-subnets",
            description = "After an ENI timeout or a capacity failure, put the next subnet first.")
    boolean rotateSubnets;

    @Option(names = "--attempt-timeout", paramLabel = "SECONDS",
            description = "Stop an attempt that runs longer (StopTask at launch + SECONDS), at most"
                    + " ${bundle:RETRIER_ATTEMPT_TIMEOUT_SECONDS.max}; default: no timeout.")
    String attemptTimeout;

    @Option(names = "--retry-on-timeout", negatable = true, paramLabel = "",
            description = "Whether an attempt stopped by its timeout is retried (default: retried).")
    Boolean retryOnTimeout;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The deployment's jobs file, as the functions read it (RETRIER_CONFIG_FILE): job name to its"
                    + " RETRIER_* settings; the other options are the defaults under it.")
    Path configFile;

    @Option(names = "--setting", paramLabel = "VARIABLE=VALUE",
            description = "Any handler setting by its environment variable, e.g. RETRIER_MEMORY_ESCALATION=true,"
                    + " RETRIER_ATTEMPT_TIMEOUT_SECONDS=600, RETRIER_INFRASTRUCTURE_RETRIES=4,"
                    + " RETRIER_FALLBACK_CAPACITY_PROVIDER_STRATEGY='[{\"capacityProvider\":\"FARGATE\"}]'.")
    Map<String, String> variables;

    /**
     * The settings given; the rest keep their defaults.
     *
     * @throws ParameterException for an unknown --setting, an unreadable --rules file, or an option that
     *                            has no effect without another (as the construct refuses them)
     */
    Map<Setting, String> settings() {
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
            settings.put(Setting.RULES, readRules());
        }
        put(settings, Setting.INFRASTRUCTURE_RETRIES, infrastructureRetries);
        put(settings, Setting.APPLICATION_RETRIES, applicationRetries);
        put(settings, Setting.CAPACITY_PROVIDER_STRATEGY, strategy(capacityProviderStrategy));
        put(settings, Setting.SUBNETS, subnets == null ? null : String.join(",", subnets.stream().map(String::trim).toList()));
        put(settings, Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY, strategy(fallbackStrategy));
        put(settings, Setting.FALLBACK_AFTER_SPOT_FAILURES, fallbackAfterSpotFailures);
        put(settings, Setting.MEMORY_ESCALATION, memoryEscalation ? "true" : null);
        put(settings, Setting.MEMORY_FACTOR, memoryFactor);
        put(settings, Setting.MEMORY_MAX_MIB, memoryMaxMib);
        put(settings, Setting.ROTATE_SUBNETS, rotateSubnets ? "true" : null);
        put(settings, Setting.ATTEMPT_TIMEOUT_SECONDS, attemptTimeout);
        put(settings, Setting.RETRY_ON_TIMEOUT, retryOnTimeout == null ? null : retryOnTimeout.toString());
        if (variables != null) {
            variables.forEach((variable, value) -> settings.put(setting(variable, value), value));
        }
        if (configFile != null) {
            settings.put(Setting.CONFIG_FILE, configFile.toString());
        }
        if (!"true".equalsIgnoreCase(settings.get(Setting.MEMORY_ESCALATION))) {
            withoutEffect("--memory-factor", memoryFactor, "--memory-escalation");
            withoutEffect("--memory-max-mib", memoryMaxMib, "--memory-escalation");
        }
        if (settings.get(Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY) == null) {
            withoutEffect("--fallback-after-spot-failures", fallbackAfterSpotFailures,
                    "--fallback-capacity-provider-strategy");
        }
        return settings;
    }

    /**
     * The handlers' configuration of {@code settings} for the job {@code job} names (null: the only one), checked as
     * Lambda would check it.
     *
     * @throws ParameterException naming the option (or the --setting, or the file's job) of each bad value, or a
     *                            --job that is missing or not one of --config's jobs
     */
    Job job(Map<Setting, String> settings, String job) {
        Deployment deployment = deployment(settings);
        String name;
        try {
            name = deployment.jobFor(job);
        } catch (InvalidStartRequestException e) {
            throw job == null
                    ? new ParameterException(spec.commandLine(), "Missing option '--job': the --config file has "
                    + deployment.names().size() + " jobs (" + String.join(", ", deployment.names()) + ")")
                    : UsageErrorHandler.invalid(spec, "--job", job, "is not a job of "
                    + (configFile == null ? "this configuration" : "the --config file") + " (jobs: "
                    + String.join(", ", deployment.names()) + ")" + UsageErrorHandler.didYouMean(job, deployment.names()));
        }
        return new Job(name, deployment.job(name));
    }

    /** A job of the configuration: its name and its whole configuration. */
    record Job(String name, RetrierConfig config) {
    }

    /**
     * The jobs of {@code settings} (those of --config, or one), checked as Lambda would check them.
     *
     * @throws ParameterException naming the option (or the --setting, or the file's job) of each bad value
     */
    Deployment deployment(Map<Setting, String> settings) {
        try {
            return LocalSettings.deployment(settings);
        } catch (ConfigurationException e) {
            throw new ParameterException(spec.commandLine(), explain(e));
        }
    }

    /** The construct refuses an option that would do nothing; so does the command line. */
    private void withoutEffect(String option, String value, String needed) {
        if (value != null) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': '" + value
                    + "' has no effect without " + needed);
        }
    }

    private String readRules() {
        try {
            return Files.readString(rules);
        } catch (NoSuchFileException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--rules': '" + rules
                    + "': no such file");
        } catch (IOException | UncheckedIOException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--rules': '" + rules
                    + "' cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    /**
     * Whether these settings decide the attempt count, as {@code run} takes it from them: a max
     * attempts of its own, or retry budgets (both budgets give {@code 1 + infrastructure + application}).
     */
    static boolean setsAttemptCount(Map<Setting, String> settings) {
        return settings.containsKey(Setting.MAX_ATTEMPTS) || settings.containsKey(Setting.INFRASTRUCTURE_RETRIES)
                || settings.containsKey(Setting.APPLICATION_RETRIES);
    }

    private Setting setting(String variable, String value) {
        for (Setting setting : Setting.values()) {
            if (setting.variable().equals(variable)) {
                return setting;
            }
        }
        throw new ParameterException(spec.commandLine(), "Invalid value for option '--setting': '" + variable + "="
                + value + "': " + variable + " is not a setting" + UsageErrorHandler.didYouMean(variable,
                Arrays.stream(Setting.values()).map(Setting::variable).toList())
                + " (the settings: docs/configuration.md)");
    }

    /** Provider names ("FARGATE_SPOT,FARGATE") as a strategy of weight 1 each; JSON as it is. */
    static String strategy(String written) {
        if (written == null || written.isBlank() || written.strip().startsWith("[")) {
            return written;
        }
        return "[" + Arrays.stream(written.split(","))
                .map(String::trim)
                .map(provider -> "{\"capacityProvider\":\"" + provider.replace("\"", "") + "\",\"weight\":1}")
                .collect(Collectors.joining(",")) + "]";
    }

    /** The option that sets each variable, for the messages and the help. */
    static final Map<String, String> OPTIONS = Map.ofEntries(
            Map.entry(Setting.MAX_ATTEMPTS.variable(), "--max-attempts"),
            Map.entry(Setting.BACKOFF_INITIAL_SECONDS.variable(), "--backoff-initial"),
            Map.entry(Setting.BACKOFF_MULTIPLIER.variable(), "--backoff-multiplier"),
            Map.entry(Setting.BACKOFF_MAX_SECONDS.variable(), "--backoff-max"),
            Map.entry(Setting.BACKOFF_JITTER.variable(), "--jitter"),
            Map.entry(Setting.RETRYABLE_EXIT_CODES.variable(), "--retryable-exit-codes"),
            Map.entry(Setting.RULES.variable(), "--rules"),
            Map.entry(Setting.INFRASTRUCTURE_RETRIES.variable(), "--infrastructure-retries"),
            Map.entry(Setting.APPLICATION_RETRIES.variable(), "--application-retries"),
            Map.entry(Setting.CAPACITY_PROVIDER_STRATEGY.variable(), "--capacity-provider-strategy"),
            Map.entry(Setting.SUBNETS.variable(), "--subnets"),
            Map.entry(Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY.variable(), "--fallback-capacity-provider-strategy"),
            Map.entry(Setting.FALLBACK_AFTER_SPOT_FAILURES.variable(), "--fallback-after-spot-failures"),
            Map.entry(Setting.MEMORY_FACTOR.variable(), "--memory-factor"),
            Map.entry(Setting.MEMORY_MAX_MIB.variable(), "--memory-max-mib"),
            Map.entry(Setting.ATTEMPT_TIMEOUT_SECONDS.variable(), "--attempt-timeout"));

    /**
     * The configuration's problems, each with what set the variable it names: the --setting given for it,
     * else the option.
     */
    String explain(ConfigurationException e) {
        return "invalid options: " + e.problems().stream().map(problem -> {
            String variable = problem.split("[=:\\s]", 2)[0];
            String option = variables != null && variables.containsKey(variable)
                    ? "--setting " + variable + "=" + variables.get(variable) : OPTIONS.get(variable);
            return option == null ? problem : option + " (" + problem + ")";
        }).collect(Collectors.joining("; "));
    }

    private static void put(Map<Setting, String> settings, Setting setting, String value) {
        if (value != null) {
            settings.put(setting, value);
        }
    }
}
