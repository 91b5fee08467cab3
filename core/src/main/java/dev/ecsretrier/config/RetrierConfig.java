package dev.ecsretrier.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsretrier.core.AdaptationPolicy;
import dev.ecsretrier.core.AttemptLaunch;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.Backoff;
import dev.ecsretrier.core.Jitter;
import dev.ecsretrier.core.RetryBudgets;
import dev.ecsretrier.core.RetryPlanner;
import dev.ecsretrier.core.RetryRule;
import dev.ecsretrier.core.StopClassifier;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.JsonBindingException;
import dev.ecsretrier.json.JsonRecords;
import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.port.LaunchRequest.NetworkSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import dev.ecsretrier.history.HistoryWindow;

/**
 * Both handlers' configuration, read once per container from the environment ({@link Setting})
 * and checked as a whole: one {@link ConfigurationException} names every bad value.
 *
 * @param containerNames the containers start requests may override, in the order RunTask gets their overrides; at
 *                       least one
 */
public record RetrierConfig(String region, String cluster, String taskDefinition, List<String> containerNames,
                            Set<String> essentialContainers, String startedBy, String launchType,
                            List<CapacityProviderItem> capacityProviderStrategy, NetworkSettings network,
                            int maxAttempts, Backoff backoff, Set<Integer> retryableExitCodes, List<RetryRule> rules,
                            String scheduleGroup, String starterArn, String starterAlias, String schedulerRoleArn,
                            String scheduleDeadLetterArn, String topicArn, RetryBudgets budgets,
                            AdaptationPolicy adaptation, Duration attemptTimeout, boolean retryOnTimeout,
                            List<String> historyLogGroups) {

    public static final int MAX_ATTEMPTS_LIMIT = AttemptMetadata.MAX_ATTEMPTS_LIMIT;
    /** RunTask's {@code startedBy}: 1-128 letters, digits, '-', '/' or '_' (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html). */
    public static final Pattern STARTED_BY = Pattern.compile("[A-Za-z0-9_/-]{1,128}");
    private static final Pattern SCHEDULE_GROUP = Pattern.compile("[0-9a-zA-Z-_.]{1,64}");
    /**
     * A log group name: 1-512 of {@code [.\-_/#A-Za-z0-9]}
     * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html).
     */
    private static final Pattern LOG_GROUP = Pattern.compile("[.\\-_/#A-Za-z0-9]{1,512}");
    /**
     * RunTask's launch types. ECS Managed Instances is not one: "If you want to use Amazon ECS Managed Instances, you
     * must use the capacityProviderStrategy request parameter and omit the launchType request parameter"
     * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#ECS-RunTask-request-launchType).
     */
    private static final List<String> LAUNCH_TYPES = List.of("FARGATE", "EC2", "EXTERNAL");
    private static final String MANAGED_INSTANCES = "MANAGED_INSTANCES";

    public StopClassifier classifier() {
        return new StopClassifier(rules, retryableExitCodes, essentialContainers, retryOnTimeout);
    }

    public RetryPlanner planner() {
        return new RetryPlanner(classifier(), backoff, adaptation, budgets);
    }

    /** How far back a run's history records can lie, for this job's backoff and timeout. */
    public HistoryWindow historyWindow() {
        return new HistoryWindow(backoff, attemptTimeout);
    }

    public boolean hasAttemptTimeout() {
        return !attemptTimeout.isZero();
    }

    public static RetrierConfig fromEnvironment(Map<String, String> env) {
        Reader r = new Reader(env);
        String region = r.required(Setting.REGION);
        String cluster = r.required(Setting.CLUSTER);
        String taskDefinition = r.required(Setting.TASK_DEFINITION);
        List<String> containerNames = containerNames(r);
        Set<String> essential = new LinkedHashSet<>(r.list(Setting.ESSENTIAL_CONTAINERS));
        String startedBy = r.matching(Setting.STARTED_BY, STARTED_BY, "1-128 letters, digits, '-', '/' or '_'");
        String launchType = r.value(Setting.LAUNCH_TYPE).toUpperCase(Locale.ROOT);
        if (launchType.equals(MANAGED_INSTANCES)) {
            r.problem(Setting.LAUNCH_TYPE, "RunTask takes ECS Managed Instances only through a capacity provider:"
                    + " leave " + Setting.LAUNCH_TYPE.variable() + " empty and set "
                    + Setting.CAPACITY_PROVIDER_STRATEGY.variable() + " to the Managed Instances capacity provider");
        } else if (!launchType.isEmpty() && !LAUNCH_TYPES.contains(launchType)) {
            r.problem(Setting.LAUNCH_TYPE, "must be one of " + LAUNCH_TYPES);
        }
        List<CapacityProviderItem> strategy = r.jsonList(Setting.CAPACITY_PROVIDER_STRATEGY,
                CapacityProviderItem.class);
        if (!launchType.isEmpty() && !strategy.isEmpty()) {
            r.problem(Setting.CAPACITY_PROVIDER_STRATEGY, "cannot be set together with "
                    + Setting.LAUNCH_TYPE.variable() + " (ECS takes one or the other)");
        }
        String publicIp = r.value(Setting.ASSIGN_PUBLIC_IP).toUpperCase(Locale.ROOT);
        if (!publicIp.equals("ENABLED") && !publicIp.equals("DISABLED")) {
            r.problem(Setting.ASSIGN_PUBLIC_IP, "must be ENABLED or DISABLED");
        }
        NetworkSettings network = new NetworkSettings(r.list(Setting.SUBNETS), r.list(Setting.SECURITY_GROUPS),
                publicIp.equals("ENABLED"));
        Integer infrastructureRetries = r.optionalInteger(Setting.INFRASTRUCTURE_RETRIES);
        Integer applicationRetries = r.optionalInteger(Setting.APPLICATION_RETRIES);
        int maxAttempts = r.integer(Setting.MAX_ATTEMPTS);
        if (r.absent(Setting.MAX_ATTEMPTS) && infrastructureRetries != null && applicationRetries != null) {
            // Two budgets instead of one maxAttempts: the run may use both in full.
            maxAttempts = Math.min(MAX_ATTEMPTS_LIMIT, 1 + infrastructureRetries + applicationRetries);
        }
        List<CapacityProviderItem> fallback = r.jsonList(Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY,
                CapacityProviderItem.class);
        checkStrategy(r, Setting.CAPACITY_PROVIDER_STRATEGY, strategy);
        checkStrategy(r, Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY, fallback);
        if (AttemptLaunch.strategyTag(fallback).length() > AttemptLaunch.MAX_STRATEGY_TAG_CHARS) {
            r.problem(Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY, "is too long to record in a task tag (at most "
                    + AttemptLaunch.MAX_STRATEGY_TAG_CHARS + " characters as provider:weight:base items)");
        }
        int fallbackAfter = r.integer(Setting.FALLBACK_AFTER_SPOT_FAILURES);
        boolean escalate = r.bool(Setting.MEMORY_ESCALATION);
        double memoryFactor = r.number(Setting.MEMORY_FACTOR);
        int memoryMax = r.integer(Setting.MEMORY_MAX_MIB);
        boolean rotate = r.bool(Setting.ROTATE_SUBNETS);
        int timeoutSeconds = r.integer(Setting.ATTEMPT_TIMEOUT_SECONDS);
        boolean retryOnTimeout = r.bool(Setting.RETRY_ON_TIMEOUT);
        int initial = r.integer(Setting.BACKOFF_INITIAL_SECONDS);
        int max = r.integer(Setting.BACKOFF_MAX_SECONDS);
        double multiplier = r.number(Setting.BACKOFF_MULTIPLIER);
        Jitter jitter = r.enumValue(Setting.BACKOFF_JITTER, Jitter.class);
        if (max < initial) {
            r.problem(Setting.BACKOFF_MAX_SECONDS, "must not be below " + Setting.BACKOFF_INITIAL_SECONDS.variable()
                    + " (" + initial + ")");
        }
        Set<Integer> retryable = new LinkedHashSet<>();
        for (String code : r.list(Setting.RETRYABLE_EXIT_CODES)) {
            try {
                int c = Integer.parseInt(code);
                if (!Setting.RETRYABLE_EXIT_CODES.limits().contains(c)) {
                    throw new NumberFormatException();
                }
                retryable.add(c);
            } catch (NumberFormatException e) {
                r.problem(Setting.RETRYABLE_EXIT_CODES, "holds '" + code + "', not an exit code "
                        + Setting.RETRYABLE_EXIT_CODES.limits());
            }
        }
        List<RetryRule> rules = r.jsonList(Setting.RULES, RetryRule.class);
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i) == null) {
                r.problem(Setting.RULES, "element [" + i + "] is null");
            } else if (rules.get(i).exitCodes() != null && rules.get(i).exitCodes().contains(null)) {
                r.problem(Setting.RULES, "element [" + i + "].exitCodes holds null");
            }
        }
        String group = r.matching(Setting.SCHEDULE_GROUP, SCHEDULE_GROUP, "1-64 of [0-9a-zA-Z-_.]");
        String starterArn = r.value(Setting.STARTER_ARN);
        String alias = r.value(Setting.STARTER_ALIAS);
        String role = r.required(Setting.SCHEDULER_ROLE_ARN);
        String deadLetter = r.value(Setting.SCHEDULE_DEAD_LETTER_ARN);
        String topic = r.required(Setting.TOPIC_ARN);
        List<String> historyLogGroups = r.list(Setting.HISTORY_LOG_GROUPS);
        for (String logGroup : historyLogGroups) {
            if (!LOG_GROUP.matcher(logGroup).matches()) {
                r.problem(Setting.HISTORY_LOG_GROUPS, "'" + logGroup + "' is not a log group name (1-512 of [.-_/#A-Za-z0-9])");
            }
        }
        r.throwIfAny();
        return new RetrierConfig(region, cluster, taskDefinition, containerNames, Set.copyOf(essential), startedBy,
                launchType.isEmpty() ? null : launchType, List.copyOf(strategy), network, maxAttempts,
                new Backoff(Duration.ofSeconds(initial), multiplier, Duration.ofSeconds(max), jitter),
                Set.copyOf(retryable), List.copyOf(rules), group, starterArn, alias, role, deadLetter, topic,
                new RetryBudgets(infrastructureRetries, applicationRetries),
                new AdaptationPolicy(List.copyOf(fallback), fallbackAfter, escalate, memoryFactor, memoryMax, rotate,
                        network.subnets()),
                Duration.ofSeconds(timeoutSeconds), retryOnTimeout, List.copyOf(historyLogGroups));
    }

    /**
     * {@link Setting#CONTAINER_NAMES}, or its one-item shorthand {@link Setting#CONTAINER_NAME}: one of them, each name
     * once (RunTask takes one override per container).
     */
    private static List<String> containerNames(Reader r) {
        String one = r.value(Setting.CONTAINER_NAME);
        List<String> several = r.list(Setting.CONTAINER_NAMES);
        if (!one.isEmpty() && !several.isEmpty()) {
            r.problem(Setting.CONTAINER_NAMES, "cannot be set together with " + Setting.CONTAINER_NAME.variable()
                    + ", its one-item shorthand: set one of them");
        } else if (one.isEmpty() && several.isEmpty()) {
            r.missing(Setting.CONTAINER_NAME, "the container that start requests may override; "
                    + Setting.CONTAINER_NAMES.variable() + " for several");
        }
        Set<String> distinct = new LinkedHashSet<>(several);
        if (distinct.size() < several.size()) {
            r.problem(Setting.CONTAINER_NAMES, "names a container twice");
        }
        return several.isEmpty() ? (one.isEmpty() ? List.of() : List.of(one)) : List.copyOf(distinct);
    }

    /** The first of {@link #containerNames}: the one a request's plain environment (the CLI's {@code --env}) goes to. */
    public String firstContainer() {
        return containerNames.get(0);
    }

    private static void checkStrategy(Reader r, Setting setting, List<CapacityProviderItem> strategy) {
        for (int i = 0; i < strategy.size(); i++) {
            CapacityProviderItem item = strategy.get(i);
            if (item == null || item.capacityProvider() == null || item.capacityProvider().isBlank()) {
                r.problem(setting, "item [" + i + "] has no capacityProvider");
            } else if (!item.capacityProvider().matches("[A-Za-z0-9_-]{1,255}")) {
                r.problem(setting, "item [" + i + "] capacityProvider must be letters, digits, '_' or '-'");
            }
        }
    }

    /** Collects problems instead of stopping at the first. */
    private static final class Reader {
        private final Map<String, String> env;
        private final List<String> problems = new ArrayList<>();

        Reader(Map<String, String> env) {
            this.env = env;
        }

        void problem(Setting setting, String problem) {
            String value = env.get(setting.variable());
            problems.add(setting.variable() + (value == null ? "" : "='" + clip(value) + "'") + ": " + problem);
        }

        String value(Setting setting) {
            String value = env.get(setting.variable());
            if (value == null || value.isBlank()) {
                return setting.defaultValue() == null ? "" : setting.defaultValue();
            }
            return value.trim();
        }

        String required(Setting setting) {
            String value = value(setting);
            if (value.isEmpty()) {
                problems.add(setting.variable() + ": is required (" + setting.description() + ")");
            }
            return value;
        }

        void missing(Setting setting, String what) {
            problems.add(setting.variable() + ": is required (" + what + ")");
        }

        String matching(Setting setting, Pattern pattern, String rule) {
            String value = value(setting);
            if (!pattern.matcher(value).matches()) {
                problem(setting, "must be " + rule);
            }
            return value;
        }

        List<String> list(Setting setting) {
            String value = value(setting);
            return value.isEmpty() ? List.of()
                    : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        boolean absent(Setting setting) {
            String value = env.get(setting.variable());
            return value == null || value.isBlank();
        }

        Integer optionalInteger(Setting setting) {
            return absent(setting) ? null : integer(setting);
        }

        boolean bool(Setting setting) {
            String value = value(setting).toLowerCase(Locale.ROOT);
            if (!value.equals("true") && !value.equals("false")) {
                problem(setting, "must be true or false");
            }
            return value.equals("true");
        }

        /** A whole number within the setting's range. */
        int integer(Setting setting) {
            Range range = setting.limits();
            return parse(setting, Integer::parseInt, "an integer", range.minWhole(), range.maxWhole(), 0);
        }

        /** A number within the setting's range. */
        double number(Setting setting) {
            Range range = setting.limits();
            return parse(setting, Double::parseDouble, "a number", range.min(), range.max(), range.min());
        }

        private <T extends Number & Comparable<T>> T parse(Setting setting, Function<String, T> parser,
                                                          String kind, T min, T max, T fallback) {
            try {
                T n = parser.apply(value(setting));
                if (n.compareTo(min) < 0 || n.compareTo(max) > 0) {
                    problem(setting, "must be between " + min + " and " + max);
                }
                return n;
            } catch (NumberFormatException e) {
                problem(setting, "must be " + kind);
                return fallback;
            }
        }

        <E extends Enum<E>> E enumValue(Setting setting, Class<E> type) {
            try {
                return Enum.valueOf(type, value(setting).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problem(setting, "must be one of " + Arrays.toString(type.getEnumConstants()));
                return type.getEnumConstants()[0];
            }
        }

        /** A JSON array of records; empty when unset. */
        <T> List<T> jsonList(Setting setting, Class<T> element) {
            String value = value(setting);
            // Most functions run with the default "[]": no need to wake the JSON reader for it on a cold start.
            if (value.isEmpty() || value.equals("[]")) {
                return List.of();
            }
            try {
                List<T> parsed = JsonRecords.listFromPlain(Json.parse(value), element);
                return parsed == null ? List.of() : parsed;
            } catch (JsonBindingException e) {
                String at = e.path().isEmpty() ? "the top level" : e.path();
                problem(setting, e.unknownField() ? "has the unknown field " + at + "; known: " + e.knownFields()
                        : "is not valid at " + at + ": " + e.problem());
            } catch (JsonProcessingException e) {
                problem(setting, "is not JSON: " + e.getOriginalMessage());
            }
            return List.of();
        }

        void throwIfAny() {
            if (!problems.isEmpty()) {
                throw new ConfigurationException(problems);
            }
        }

        private static String clip(String text) {
            return text.length() <= 80 ? text : text.substring(0, 80) + "...";
        }
    }
}
