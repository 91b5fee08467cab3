package dev.ecsretrier.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsretrier.core.InvalidStartRequestException;
import dev.ecsretrier.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The jobs one deployment serves, each with its whole configuration: job name to
 * {@link RetrierConfig}. Without {@link Setting#CONFIG_FILE} it is one job, read from the
 * environment as always. With it, the file names the jobs:
 *
 * <pre>{@code
 * {"defaults": {"RETRIER_MAX_ATTEMPTS": 3},
 *  "jobs": {"nightly-etl": {"RETRIER_TASK_DEFINITION": "etl:7", "RETRIER_CONTAINER_NAME": "app",
 *                           "RETRIER_RETRYABLE_EXIT_CODES": [2, 75]}}}
 * }</pre>
 *
 * <p>A job's settings are the environment's settings of the same names ({@link #PER_JOB}), read and
 * checked by the same {@link RetrierConfig#fromEnvironment}: a job's value, else the file's
 * {@code defaults}, else the environment, else the setting's default. Read once, at initialization;
 * one {@link ConfigurationException} names every bad value of every job.
 */
public record Deployment(Map<String, RetrierConfig> jobs) {

    /** A job's name travels in a tag, an environment variable, an SNS attribute and a metric dimension. */
    public static final Pattern JOB_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    public static final String JOB_NAME_RULE = "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit";

    /**
     * The settings a job may set for itself: what it runs and how its stops are decided. The others
     * (cluster, startedBy, schedules, topic) are the deployment's, one for all jobs: the rule, the
     * schedule group and the topic are shared.
     */
    public static final Set<Setting> PER_JOB = EnumSet.of(Setting.TASK_DEFINITION, Setting.CONTAINER_NAME,
            Setting.CONTAINER_NAMES, Setting.ESSENTIAL_CONTAINERS, Setting.LAUNCH_TYPE, Setting.CAPACITY_PROVIDER_STRATEGY, Setting.SUBNETS,
            Setting.SECURITY_GROUPS, Setting.ASSIGN_PUBLIC_IP, Setting.MAX_ATTEMPTS, Setting.BACKOFF_INITIAL_SECONDS,
            Setting.BACKOFF_MULTIPLIER, Setting.BACKOFF_MAX_SECONDS, Setting.BACKOFF_JITTER,
            Setting.RETRYABLE_EXIT_CODES, Setting.RULES, Setting.INFRASTRUCTURE_RETRIES, Setting.APPLICATION_RETRIES,
            Setting.FALLBACK_CAPACITY_PROVIDER_STRATEGY, Setting.FALLBACK_AFTER_SPOT_FAILURES,
            Setting.MEMORY_ESCALATION, Setting.MEMORY_FACTOR, Setting.MEMORY_MAX_MIB, Setting.ROTATE_SUBNETS,
            Setting.ATTEMPT_TIMEOUT_SECONDS, Setting.RETRY_ON_TIMEOUT);

    private static final Set<String> FILE_FIELDS = Set.of("defaults", "jobs");

    public Deployment {
        if (jobs.isEmpty()) {
            throw new IllegalArgumentException("a deployment serves at least one job");
        }
        jobs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(jobs));
    }

    /** One job, named {@code name}. */
    public static Deployment single(String name, RetrierConfig config) {
        return new Deployment(Map.of(name, config));
    }

    /**
     * The deployment the environment describes: the jobs of {@link Setting#CONFIG_FILE}, or one job.
     *
     * @throws ConfigurationException naming every bad setting (and the file, when it cannot be read)
     */
    public static Deployment fromEnvironment(Map<String, String> env) {
        String file = env.getOrDefault(Setting.CONFIG_FILE.variable(), "").trim();
        if (file.isEmpty()) {
            String name = env.getOrDefault(Setting.JOB_NAME.variable(), "").trim();
            name = name.isEmpty() ? Setting.JOB_NAME.defaultValue() : name;
            List<String> problems = new ArrayList<>();
            if (!JOB_NAME.matcher(name).matches()) {
                problems.add(Setting.JOB_NAME.variable() + "='" + name + "': must be " + JOB_NAME_RULE);
            }
            RetrierConfig config = null;
            try {
                config = RetrierConfig.fromEnvironment(env);
            } catch (ConfigurationException e) {
                problems.addAll(e.problems());
            }
            if (!problems.isEmpty()) {
                throw new ConfigurationException(problems);
            }
            return single(name, config);
        }
        String text;
        try {
            text = Files.readString(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new ConfigurationException(List.of(Setting.CONFIG_FILE.variable() + "='" + file + "': no such file"));
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationException(List.of(Setting.CONFIG_FILE.variable() + "='" + file
                    + "': cannot be read: " + e.getMessage()));
        }
        return fromFile(env, text, file);
    }

    /**
     * The jobs a configuration file's text describes, over the environment's settings.
     *
     * @param source how problems name the file
     */
    public static Deployment fromFile(Map<String, String> env, String text, String source) {
        List<String> problems = new ArrayList<>();
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (JsonProcessingException e) {
            throw new ConfigurationException(List.of(source + ": is not JSON: " + e.getOriginalMessage()));
        }
        if (!(parsed instanceof Map<?, ?> root)) {
            throw new ConfigurationException(List.of(source + ": must be a JSON object with \"jobs\""));
        }
        for (Object field : root.keySet()) {
            if (!FILE_FIELDS.contains(field)) {
                problems.add(source + ": has the unknown field '" + field + "'; known: defaults, jobs");
            }
        }
        Map<String, String> defaults = settings(root.get("defaults"), "defaults", env, problems);
        Object jobsField = root.get("jobs");
        Map<String, RetrierConfig> jobs = new LinkedHashMap<>();
        if (!(jobsField instanceof Map<?, ?> named) || named.isEmpty()) {
            problems.add("jobs: must be an object of at least one job, job name to its settings");
        } else {
            for (Map.Entry<?, ?> job : named.entrySet()) {
                String name = String.valueOf(job.getKey());
                String at = "jobs." + name;
                if (!JOB_NAME.matcher(name).matches()) {
                    problems.add(at + ": the job's name must be " + JOB_NAME_RULE);
                }
                Map<String, String> own = settings(job.getValue(), at, env, problems);
                Map<String, String> merged = new LinkedHashMap<>(env);
                overlay(merged, defaults);
                overlay(merged, own);
                try {
                    jobs.put(name, RetrierConfig.fromEnvironment(merged));
                } catch (ConfigurationException e) {
                    for (String problem : e.problems()) {
                        problems.add(located(problem, at, own, defaults, env));
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(new ArrayList<>(new LinkedHashSet<>(problems)));
        }
        return new Deployment(jobs);
    }

    /** A setting and its other spelling: a layer that sets either replaces both below it. */
    private static final Map<String, String> SPELLINGS = Map.of(
            Setting.CONTAINER_NAME.variable(), Setting.CONTAINER_NAMES.variable(),
            Setting.CONTAINER_NAMES.variable(), Setting.CONTAINER_NAME.variable());

    /**
     * {@code layer} over {@code below}, where {@link Setting#CONTAINER_NAME} and {@link Setting#CONTAINER_NAMES} are one
     * setting spelt two ways: a job's {@code RETRIER_CONTAINER_NAMES} replaces the environment's
     * {@code RETRIER_CONTAINER_NAME} rather than conflicting with it.
     */
    public static void overlay(Map<String, String> below, Map<String, String> layer) {
        layer.keySet().forEach(variable -> {
            String other = SPELLINGS.get(variable);
            if (other != null && !layer.containsKey(other)) {
                below.remove(other);
            }
        });
        below.putAll(layer);
    }

    /**
     * A problem named where its value came from, so that one bad environment value is named once
     * for all jobs and a job's own value under that job.
     */
    private static String located(String problem, String job, Map<String, String> own, Map<String, String> defaults,
                                  Map<String, String> env) {
        String variable = problem.split("[=:]", 2)[0];
        if (own.containsKey(variable)) {
            return job + "." + problem;
        }
        if (defaults.containsKey(variable)) {
            return "defaults." + problem;
        }
        boolean perJob = PER_JOB.stream().anyMatch(s -> s.variable().equals(variable));
        return perJob && !env.containsKey(variable) ? job + "." + problem : problem;
    }

    /**
     * A setting whose value is {@code {"environment": "VARIABLE"}} takes that environment variable's
     * value: the construct writes the file at synthesis, and puts what is only known at deploy time (an
     * in-stack subnet's or security group's id) in the function's environment instead.
     */
    public static final String ENVIRONMENT_REFERENCE = "environment";

    /**
     * A settings object as variable to text: strings, numbers and booleans as written, a list of
     * plain values comma-separated (exit codes, subnets), an {@link #ENVIRONMENT_REFERENCE} as the
     * variable's value, anything else as JSON (rules, strategies).
     */
    private static Map<String, String> settings(Object value, String at, Map<String, String> env, List<String> problems) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (value == null) {
            return settings;
        }
        if (!(value instanceof Map<?, ?> fields)) {
            problems.add(at + ": must be an object of settings (RETRIER_* names)");
            return settings;
        }
        for (Map.Entry<?, ?> field : fields.entrySet()) {
            String variable = String.valueOf(field.getKey());
            Setting setting = java.util.Arrays.stream(Setting.values())
                    .filter(s -> s.variable().equals(variable)).findFirst().orElse(null);
            if (setting == null) {
                problems.add(at + "." + variable + ": is not a setting; a job may set " + PER_JOB.stream()
                        .map(Setting::variable).collect(Collectors.joining(", ")));
            } else if (!PER_JOB.contains(setting)) {
                problems.add(at + "." + variable + ": is the deployment's, one for every job (set it in the"
                        + " environment), not a job's");
            } else if (field.getValue() instanceof Map<?, ?> reference && reference.size() == 1
                    && reference.get(ENVIRONMENT_REFERENCE) instanceof String referenced) {
                if (env.containsKey(referenced)) {
                    settings.put(variable, env.get(referenced));
                } else {
                    problems.add(at + "." + variable + ": names the environment variable " + referenced
                            + ", which is not set");
                }
            } else if (field.getValue() != null) {
                settings.put(variable, text(field.getValue()));
            }
        }
        return settings;
    }

    private static String text(Object value) {
        if (value instanceof List<?> list && list.stream().noneMatch(v -> v instanceof Map || v instanceof List)) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        if (value instanceof Map || value instanceof List) {
            return Json.write(value);
        }
        return String.valueOf(value);
    }

    public Set<String> names() {
        return jobs.keySet();
    }

    /** The settings every job shares (cluster, startedBy, schedules, topic): the same in each job's configuration. */
    public RetrierConfig shared() {
        return jobs.values().iterator().next();
    }

    /**
     * The job a start request names; a request may leave it out when there is exactly one.
     *
     * @throws InvalidStartRequestException naming {@code job}, with the jobs there are
     */
    public String jobFor(String requested) {
        if (requested == null) {
            if (jobs.size() == 1) {
                return jobs.keySet().iterator().next();
            }
            throw new InvalidStartRequestException("job", "is required: this deployment serves " + jobs.size()
                    + " jobs (" + String.join(", ", jobs.keySet()) + ")");
        }
        if (!jobs.containsKey(requested)) {
            throw new InvalidStartRequestException("job", "'" + clip(requested) + "' is not a job of this deployment"
                    + " (jobs: " + String.join(", ", jobs.keySet()) + ")");
        }
        return requested;
    }

    /** The configuration of a job {@link #jobFor} accepted, or of a known job. */
    public RetrierConfig job(String name) {
        RetrierConfig config = jobs.get(name);
        if (config == null) {
            throw new IllegalArgumentException("no job '" + name + "'");
        }
        return config;
    }

    private static String clip(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }
}
