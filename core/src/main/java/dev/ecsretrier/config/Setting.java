package dev.ecsretrier.config;

import dev.ecsretrier.core.AttemptMetadata;
import java.util.Optional;

/**
 * The environment variables that configure both handlers. The CDK construct sets them; the
 * local runtime passes the same names. Endpoints are not here on purpose: they come from the
 * SDK's standard settings ({@code AWS_ENDPOINT_URL}, {@code AWS_ENDPOINT_URL_ECS}, ...).
 *
 * <p>Each setting states its default and, for a number, its {@link Range} once, here: {@link RetrierConfig} checks
 * them, the construct's props and the CLI's help take them from here, and a test holds docs/configuration.md's table to
 * them.
 */
public enum Setting {
    CONFIG_FILE("RETRIER_CONFIG_FILE", "", "JSON file of the deployment's jobs (in Lambda /opt/ecs-retrier/jobs.json,"
            + " from the construct's layer); empty: one job, from these variables"),
    JOB_NAME("RETRIER_JOB_NAME", "default", "the job's name when there is no RETRIER_CONFIG_FILE (one job)"),
    CLUSTER("RETRIER_CLUSTER", null, "ARN of the cluster tasks run in"),
    TASK_DEFINITION("RETRIER_TASK_DEFINITION", null, "task definition ARN or family[:revision]"),
    CONTAINER_NAME("RETRIER_CONTAINER_NAME", "", "the container that start requests may override: the one-item"
            + " shorthand of RETRIER_CONTAINER_NAMES; one of the two is required"),
    CONTAINER_NAMES("RETRIER_CONTAINER_NAMES", "", "comma-separated containers that start requests may override (an app"
            + " container and a sidecar, say), each getting the RETRIER_* variables"),
    ESSENTIAL_CONTAINERS("RETRIER_ESSENTIAL_CONTAINERS", "", "comma-separated essential container names; empty: all containers"),
    STARTED_BY("RETRIER_STARTED_BY", "ecs-retrier", "startedBy value that marks this retrier's tasks"),
    LAUNCH_TYPE("RETRIER_LAUNCH_TYPE", "", "FARGATE, EC2 or EXTERNAL; empty when a capacity provider strategy is set"),
    CAPACITY_PROVIDER_STRATEGY("RETRIER_CAPACITY_PROVIDER_STRATEGY", "", "JSON list of {capacityProvider, weight, base}"),
    SUBNETS("RETRIER_SUBNETS", "", "comma-separated subnet ids (awsvpc network mode)"),
    SECURITY_GROUPS("RETRIER_SECURITY_GROUPS", "", "comma-separated security group ids"),
    ASSIGN_PUBLIC_IP("RETRIER_ASSIGN_PUBLIC_IP", "DISABLED", "ENABLED or DISABLED"),
    MAX_ATTEMPTS("RETRIER_MAX_ATTEMPTS", "3", Range.of(1, AttemptMetadata.MAX_ATTEMPTS_LIMIT), "attempts in all, first"
            + " included; when unset and both retry budgets are set: 1 + both budgets"),
    BACKOFF_INITIAL_SECONDS("RETRIER_BACKOFF_INITIAL_SECONDS", "60", Range.of(0, 86_400), "delay before the second attempt"),
    BACKOFF_MULTIPLIER("RETRIER_BACKOFF_MULTIPLIER", "2", Range.of(1.0, 100.0), "growth factor per attempt"),
    BACKOFF_MAX_SECONDS("RETRIER_BACKOFF_MAX_SECONDS", "900", Range.of(0, 86_400), "cap on any delay"),
    BACKOFF_JITTER("RETRIER_BACKOFF_JITTER", "FULL", "FULL, EQUAL or NONE"),
    RETRYABLE_EXIT_CODES("RETRIER_RETRYABLE_EXIT_CODES", "", Range.of(0, 255), "comma-separated exit codes that mean 'try again'"),
    RULES("RETRIER_RULES", "[]", "JSON list of user rules, evaluated before the default policy"),
    INFRASTRUCTURE_RETRIES("RETRIER_INFRASTRUCTURE_RETRIES", "", Range.of(0, AttemptMetadata.MAX_ATTEMPTS_LIMIT - 1), "retries allowed after infrastructure failures; empty: no separate limit"),
    APPLICATION_RETRIES("RETRIER_APPLICATION_RETRIES", "", Range.of(0, AttemptMetadata.MAX_ATTEMPTS_LIMIT - 1), "retries allowed after application failures; empty: no separate limit"),
    FALLBACK_CAPACITY_PROVIDER_STRATEGY("RETRIER_FALLBACK_CAPACITY_PROVIDER_STRATEGY", "", "JSON strategy for attempts after Spot failures, e.g. FARGATE; empty: off"),
    FALLBACK_AFTER_SPOT_FAILURES("RETRIER_FALLBACK_AFTER_SPOT_FAILURES", "1", Range.of(1, AttemptMetadata.MAX_ATTEMPTS_LIMIT), "Spot failures before the fallback strategy is used"),
    MEMORY_ESCALATION("RETRIER_MEMORY_ESCALATION", "false", "retry an out-of-memory stop with more memory (true/false)"),
    MEMORY_FACTOR("RETRIER_MEMORY_FACTOR", "2", Range.of(1.1, 16.0), "memory growth per escalation"),
    MEMORY_MAX_MIB("RETRIER_MEMORY_MAX_MIB", "30720", Range.of(512, 122_880), "the most memory escalation may give a task,"
            + " in MiB (Fargate's smallest to largest task)"),
    ROTATE_SUBNETS("RETRIER_ROTATE_SUBNETS", "false", "after an ENI or capacity failure, put the next subnet first (true/false)"),
    ATTEMPT_TIMEOUT_SECONDS("RETRIER_ATTEMPT_TIMEOUT_SECONDS", "0", Range.of(0, 14 * 86_400), "stop an attempt that runs longer; 0: no timeout"),
    RETRY_ON_TIMEOUT("RETRIER_RETRY_ON_TIMEOUT", "true", "whether an attempt stopped by its timeout is retried (true/false)"),
    SCHEDULE_GROUP("RETRIER_SCHEDULE_GROUP", "default", "EventBridge Scheduler group for next attempts"),
    STARTER_ARN("RETRIER_STARTER_ARN", "", "starter alias ARN the schedules invoke; the starter may derive its own"),
    STARTER_ALIAS("RETRIER_STARTER_ALIAS", "live", "alias name the starter schedules itself through"),
    SCHEDULER_ROLE_ARN("RETRIER_SCHEDULER_ROLE_ARN", null, "role EventBridge Scheduler assumes to invoke the starter"),
    SCHEDULE_DEAD_LETTER_ARN("RETRIER_SCHEDULE_DEAD_LETTER_ARN", "", "SQS queue ARN for schedule deliveries that fail"),
    TOPIC_ARN("RETRIER_TOPIC_ARN", null, "SNS topic for terminal outcomes"),
    HISTORY_LOG_GROUPS("RETRIER_HISTORY_LOG_GROUPS", "", "comma-separated log groups of the history records (the"
            + " starter's and the classifier's), read when a run ends so that its notification holds every attempt"
            + " whole; empty: earlier attempts come from the task's tags"),
    REGION("AWS_REGION", null, "region of every client; Lambda sets it");

    private final String variable;
    private final String defaultValue;
    private final Range range;
    private final String description;

    Setting(String variable, String defaultValue, String description) {
        this(variable, defaultValue, null, description);
    }

    Setting(String variable, String defaultValue, Range range, String description) {
        this.variable = variable;
        this.defaultValue = defaultValue;
        this.range = range;
        this.description = description;
    }

    /** The environment variable's name. */
    public String variable() {
        return variable;
    }

    /** The value used when the variable is absent, or {@code null} when it is required. */
    public String defaultValue() {
        return defaultValue;
    }

    /** The numbers this setting accepts (for a list of numbers: each of them); empty when it is not a number. */
    public Optional<Range> range() {
        return Optional.ofNullable(range);
    }

    /** The range, for a setting that has one (a programming error otherwise). */
    Range limits() {
        if (range == null) {
            throw new IllegalStateException(variable + " has no range");
        }
        return range;
    }

    /** The default as a whole number, for a numeric setting with a default. */
    public int defaultWhole() {
        return Integer.parseInt(defaultValue);
    }

    /** The default as a number, for a numeric setting with a default. */
    public double defaultNumber() {
        return Double.parseDouble(defaultValue);
    }

    public String description() {
        return description;
    }

    public boolean required() {
        return defaultValue == null;
    }
}
