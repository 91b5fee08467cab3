package dev.ecsretrier.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who an attempt belongs to: its run, its number, the run's limit, the earlier attempts, how
 * this attempt's launch was adjusted, and the job it runs (null for a task tagged before jobs were). Travels as task tags (read back with
 * {@code DescribeTasks(include=TAGS)}) and, without the history, as {@code RETRIER_*} container
 * environment variables (the fallback the event carries).
 */
public record AttemptMetadata(String runId, int attempt, int maxAttempts, List<AttemptSummary> history,
                              LaunchAdjustment launch, String job) {

    public static final String TAG_PREFIX = "ecs-retrier:";
    public static final String RUN_ID_TAG = TAG_PREFIX + "run-id";
    public static final String ATTEMPT_TAG = TAG_PREFIX + "attempt";
    public static final String MAX_ATTEMPTS_TAG = TAG_PREFIX + "max-attempts";
    public static final String JOB_TAG = TAG_PREFIX + "job";
    /** One tag per earlier attempt: {@code ecs-retrier:history-1}, {@code -2}, ... (ECS allows 50 tags). */
    public static final String HISTORY_TAG_PREFIX = TAG_PREFIX + "history-";
    /** This attempt's launch adjustment; {@code ecs-retrier:launch-N} for an earlier attempt's. */
    public static final String LAUNCH_TAG = TAG_PREFIX + "launch";
    /** What the classifier recognised in an earlier attempt's stop: {@code ecs-retrier:causes-N}, when anything. */
    public static final String CAUSES_TAG_PREFIX = TAG_PREFIX + "causes-";

    /** AWS Batch allows 1 to 10 attempts; so do we, which also bounds the tags and a schedule's input. */
    public static final int MAX_ATTEMPTS_LIMIT = 10;

    /** Leaves room for {@code -<attempt>-timeout} within the 64 characters of a client token and a schedule name. */
    public static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,47}");

    /**
     * The run id of a start that names none, from its Lambda request id: the request id itself when it
     * is a valid run id (a UUID is), else a UUID derived from it. Lambda keeps the request id across its
     * retries of an event, and a redrive replays it under the same id, so neither starts a second run.
     */
    public static String runIdOfRequest(String requestId) {
        if (RUN_ID.matcher(requestId).matches()) {
            return requestId;
        }
        return java.util.UUID.nameUUIDFromBytes(requestId.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    public static final String RESERVED_ENV_PREFIX = "RETRIER_";
    public static final String RUN_ID_ENV = "RETRIER_RUN_ID";
    public static final String ATTEMPT_ENV = "RETRIER_ATTEMPT";
    public static final String MAX_ATTEMPTS_ENV = "RETRIER_MAX_ATTEMPTS";
    public static final String JOB_ENV = "RETRIER_JOB";

    public AttemptMetadata {
        history = history == null ? List.of() : List.copyOf(history);
        launch = launch == null ? LaunchAdjustment.NONE : launch;
    }

    /** An attempt launched as configured: no launch adjustment, no job recorded. */
    public static AttemptMetadata of(String runId, int attempt, int maxAttempts, List<AttemptSummary> history) {
        return new AttemptMetadata(runId, attempt, maxAttempts, history, LaunchAdjustment.NONE, null);
    }

    public boolean lastAttempt() {
        return attempt >= maxAttempts;
    }

    /** The {@code clientToken} of this attempt's RunTask and the name of its schedule: one each, ever. */
    public static String attemptKey(String runId, int attempt) {
        return runId + "-" + attempt;
    }

    public Map<String, String> tags() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(RUN_ID_TAG, runId);
        tags.put(ATTEMPT_TAG, Integer.toString(attempt));
        tags.put(MAX_ATTEMPTS_TAG, Integer.toString(maxAttempts));
        if (job != null) {
            tags.put(JOB_TAG, job);
        }
        if (!launch.isNone()) {
            tags.put(LAUNCH_TAG, launch.toTagValue());
        }
        for (AttemptSummary earlier : history) {
            tags.put(HISTORY_TAG_PREFIX + earlier.attempt(), earlier.toTagValue());
            if (earlier.launch() != null) {
                tags.put(LAUNCH_TAG + "-" + earlier.attempt(), earlier.launch().toTagValue());
            }
            if (earlier.causes() != null) {
                tags.put(CAUSES_TAG_PREFIX + earlier.attempt(), earlier.causesTagValue());
            }
        }
        return tags;
    }

    public List<EnvironmentVariable> environment() {
        List<EnvironmentVariable> environment = new ArrayList<>(List.of(new EnvironmentVariable(RUN_ID_ENV, runId),
                new EnvironmentVariable(ATTEMPT_ENV, Integer.toString(attempt)),
                new EnvironmentVariable(MAX_ATTEMPTS_ENV, Integer.toString(maxAttempts))));
        if (job != null) {
            environment.add(new EnvironmentVariable(JOB_ENV, job));
        }
        return List.copyOf(environment);
    }

    /** Reads the tags of a task this retrier started; empty when the run tags are absent. */
    public static Optional<AttemptMetadata> fromTags(Map<String, String> tags) {
        if (!tags.containsKey(RUN_ID_TAG)) {
            return Optional.empty();
        }
        int attempt = number("tag " + ATTEMPT_TAG, tags.get(ATTEMPT_TAG));
        int max = number("tag " + MAX_ATTEMPTS_TAG, tags.get(MAX_ATTEMPTS_TAG));
        List<AttemptSummary> history = new ArrayList<>();
        for (int earlier = 1; earlier < attempt; earlier++) {
            String value = tags.get(HISTORY_TAG_PREFIX + earlier);
            if (value != null) {
                try {
                    history.add(AttemptSummary.fromTagValue(earlier, value, launch(tags, earlier),
                            causes(tags, earlier)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidEventException("tag " + HISTORY_TAG_PREFIX + earlier, e.getMessage());
                }
            }
        }
        LaunchAdjustment launch = LaunchAdjustment.NONE;
        if (tags.containsKey(LAUNCH_TAG)) {
            try {
                launch = LaunchAdjustment.fromTagValue(tags.get(LAUNCH_TAG));
            } catch (IllegalArgumentException e) {
                throw new InvalidEventException("tag " + LAUNCH_TAG, e.getMessage());
            }
        }
        return Optional.of(new AttemptMetadata(runId("tag " + RUN_ID_TAG, tags.get(RUN_ID_TAG)), attempt, max, history,
                launch, tags.get(JOB_TAG)));
    }

    /** An earlier attempt's launch from its own tag; null when it has none (launched as configured). */
    private static AttemptLaunch launch(Map<String, String> tags, int attempt) {
        String value = tags.get(LAUNCH_TAG + "-" + attempt);
        if (value == null) {
            return null;
        }
        try {
            AttemptLaunch launch = AttemptLaunch.fromTagValue(value);
            return launch.isNone() ? null : launch;
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("tag " + LAUNCH_TAG + "-" + attempt, e.getMessage());
        }
    }

    private static Set<Cause> causes(Map<String, String> tags, int attempt) {
        try {
            return AttemptSummary.causesFromTagValue(tags.get(CAUSES_TAG_PREFIX + attempt));
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("tag " + CAUSES_TAG_PREFIX + attempt, e.getMessage());
        }
    }

    /** Reads the {@code RETRIER_*} variables of the container overrides; no history. */
    public static Optional<AttemptMetadata> fromEnvironment(List<ContainerOverride> overrides) {
        Map<String, String> env = new LinkedHashMap<>();
        for (ContainerOverride override : overrides) {
            for (EnvironmentVariable variable : override.environmentOrEmpty()) {
                if (variable.name() != null && variable.name().startsWith(RESERVED_ENV_PREFIX)) {
                    env.put(variable.name(), variable.value());
                }
            }
        }
        if (!env.containsKey(RUN_ID_ENV)) {
            return Optional.empty();
        }
        return Optional.of(new AttemptMetadata(runId("environment " + RUN_ID_ENV, env.get(RUN_ID_ENV)),
                number("environment " + ATTEMPT_ENV, env.get(ATTEMPT_ENV)),
                number("environment " + MAX_ATTEMPTS_ENV, env.get(MAX_ATTEMPTS_ENV)), List.of(), LaunchAdjustment.NONE,
                env.get(JOB_ENV)));
    }

    /** The overrides without this retrier's own variables: what the user asked for. */
    public static List<ContainerOverride> userOverrides(List<ContainerOverride> overrides) {
        List<ContainerOverride> user = new ArrayList<>();
        for (ContainerOverride o : overrides) {
            List<EnvironmentVariable> env = o.environment() == null ? null : o.environment().stream()
                    .filter(v -> v.name() == null || !v.name().startsWith(RESERVED_ENV_PREFIX))
                    .toList();
            boolean empty = o.command() == null && (env == null || env.isEmpty());
            if (!empty) {
                user.add(new ContainerOverride(o.name(), o.command(), env == null || env.isEmpty() ? null : env));
            }
        }
        return user;
    }

    private static String runId(String field, String value) {
        if (value == null || !RUN_ID.matcher(value).matches()) {
            throw new InvalidEventException(field, "must be a run id (1-48 of letters, digits, '.', '_', '-'), got "
                    + (value == null ? "nothing" : "'" + clip(value) + "'"));
        }
        return value;
    }

    private static int number(String field, String value) {
        if (value == null) {
            throw new InvalidEventException(field, "is missing");
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 1 || n > MAX_ATTEMPTS_LIMIT) {
                throw new InvalidEventException(field, "must be an attempt number 1-" + MAX_ATTEMPTS_LIMIT
                        + ", got '" + clip(value) + "'");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new InvalidEventException(field, "must be an attempt number 1-" + MAX_ATTEMPTS_LIMIT
                    + ", got '" + clip(value) + "'");
        }
    }

    private static String clip(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
