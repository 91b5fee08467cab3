package dev.ecsretrier.operate;

import dev.ecsretrier.config.StackOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where one retrier runs and what the operate commands need to know of it: from a CloudFormation
 * stack's outputs ({@link #fromStackOutputs}), or given piece by piece (the local runtime's
 * endpoint has its own known names).
 *
 * @param starter           the starter alias ARN (or name) that {@code start} invokes
 * @param cluster           the cluster ARN the tasks run in
 * @param startedBy         the {@code startedBy} of this retrier's tasks
 * @param scheduleGroup     the retrier's schedule group (next attempts, timeouts, cancel markers)
 * @param schedulerRoleArn  the role the retrier's schedules run as (a cancel marker names it too)
 * @param starterLogGroup   the starter's log group: its launch and decision lines
 * @param classifierLogGroup the classifier's log group: its decision lines
 * @param functionTimeout   how long one function invocation can last: cancel sweeps again after it
 */
public record Deployment(String starter, String cluster, String startedBy, String scheduleGroup,
                         String schedulerRoleArn, String starterLogGroup, String classifierLogGroup,
                         Duration functionTimeout) {

    /** The construct's function timeout (EcsRetrier: 30 s), when the stack does not say. */
    public static final Duration DEFAULT_FUNCTION_TIMEOUT = Duration.ofSeconds(30);

    /** The sample stack's (and any stack's that copies it) output keys. */
    public static final String STARTER_OUTPUT = StackOutput.STARTER_ALIAS_ARN.key();
    public static final String CLUSTER_OUTPUT = StackOutput.CLUSTER_ARN.key();
    public static final String STARTED_BY_OUTPUT = StackOutput.STARTED_BY.key();
    public static final String SCHEDULE_GROUP_OUTPUT = StackOutput.SCHEDULE_GROUP_NAME.key();
    public static final String SCHEDULER_ROLE_OUTPUT = StackOutput.SCHEDULER_ROLE_ARN.key();
    public static final String STARTER_LOG_GROUP_OUTPUT = StackOutput.STARTER_LOG_GROUP_NAME.key();
    public static final String CLASSIFIER_LOG_GROUP_OUTPUT = StackOutput.CLASSIFIER_LOG_GROUP_NAME.key();

    public Deployment {
        Objects.requireNonNull(starter, "starter");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(startedBy, "startedBy");
        Objects.requireNonNull(scheduleGroup, "scheduleGroup");
        Objects.requireNonNull(schedulerRoleArn, "schedulerRoleArn");
        Objects.requireNonNull(starterLogGroup, "starterLogGroup");
        Objects.requireNonNull(classifierLogGroup, "classifierLogGroup");
        functionTimeout = functionTimeout == null ? DEFAULT_FUNCTION_TIMEOUT : functionTimeout;
    }

    /**
     * The deployment a stack's outputs describe; {@code overrides} (non-null values) win over them.
     *
     * @throws IllegalArgumentException naming the outputs the stack lacks
     */
    public static Deployment fromStackOutputs(String stack, Map<String, String> outputs, Map<String, String> overrides) {
        List<String> missing = new ArrayList<>();
        String starter = pick(outputs, overrides, STARTER_OUTPUT, missing);
        String cluster = pick(outputs, overrides, CLUSTER_OUTPUT, missing);
        String startedBy = pick(outputs, overrides, STARTED_BY_OUTPUT, missing);
        String group = pick(outputs, overrides, SCHEDULE_GROUP_OUTPUT, missing);
        String role = pick(outputs, overrides, SCHEDULER_ROLE_OUTPUT, missing);
        String starterLogs = pick(outputs, overrides, STARTER_LOG_GROUP_OUTPUT, missing);
        String classifierLogs = pick(outputs, overrides, CLASSIFIER_LOG_GROUP_OUTPUT, missing);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("stack " + stack + " has no output " + String.join(", ", missing)
                    + " (outputs: " + String.join(", ", outputs.keySet()) + "); give them as options instead");
        }
        return new Deployment(starter, cluster, startedBy, group, role, starterLogs, classifierLogs, null);
    }

    /** The same deployment, whose invocations last at most {@code timeout}. */
    public Deployment withFunctionTimeout(Duration timeout) {
        return new Deployment(starter, cluster, startedBy, scheduleGroup, schedulerRoleArn, starterLogGroup,
                classifierLogGroup, timeout);
    }

    private static String pick(Map<String, String> outputs, Map<String, String> overrides, String key,
                               List<String> missing) {
        String value = overrides.get(key) != null ? overrides.get(key) : outputs.get(key);
        if (value == null || value.isBlank()) {
            missing.add(key);
        }
        return value;
    }
}
