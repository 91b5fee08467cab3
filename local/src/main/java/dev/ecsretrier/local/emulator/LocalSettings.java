package dev.ecsretrier.local.emulator;

import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.config.Setting;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration of the local runtime: the environment its handlers would get in Lambda,
 * with local ARNs, read by the same {@link RetrierConfig#fromEnvironment} (so it is checked the same way).
 */
public final class LocalSettings {

    public static final String REGION = "local";
    public static final String ACCOUNT = "000000000000";
    public static final String CLUSTER_ARN = "arn:aws:ecs:local:000000000000:cluster/local";
    public static final String TASK_DEFINITION_ARN = "arn:aws:ecs:local:000000000000:task-definition/sample-task:1";
    public static final String CONTAINER_NAME = "app";
    /** The local task definition's task-level size: what a task gets without a cpu/memory override. */
    public static final String TASK_CPU = "1024";
    public static final String TASK_MEMORY = "2048";
    public static final String STARTER_FUNCTION = "starter";
    public static final String CLASSIFIER_FUNCTION = "classifier";
    /** The alias the starter is invoked through, and the version it points to. */
    public static final String ALIAS = "live";
    public static final String ALIAS_VERSION = "1";
    public static final String STARTER_ARN = "arn:aws:lambda:local:000000000000:function:starter:" + ALIAS;
    public static final String TOPIC_ARN = "arn:aws:sns:local:000000000000:ecs-retrier-outcomes";
    public static final String SCHEDULER_ROLE_ARN = "arn:aws:iam::000000000000:role/ecs-retrier-scheduler";
    /**
     * The dead-letter queues, named by their purpose as the construct's ids name them
     * ({@code EcsRetrier.getDeadLetterQueues()}): failed asynchronous invocations of each function
     * (Lambda's on-failure destination), events the rule could not deliver (EventBridge's target DLQ),
     * schedules that could not invoke their target (Scheduler's DLQ).
     */
    public static final String STARTER_FAILURES = "StarterFailures";
    public static final String CLASSIFIER_FAILURES = "ClassifierFailures";
    public static final String RULE_DELIVERY_FAILURES = "RuleDeliveryFailures";
    public static final String SCHEDULE_DELIVERY_FAILURES = "ScheduleDeliveryFailures";
    public static final java.util.List<String> DEAD_LETTER_QUEUES = java.util.List.of(STARTER_FAILURES,
            CLASSIFIER_FAILURES, RULE_DELIVERY_FAILURES, SCHEDULE_DELIVERY_FAILURES);

    /** A local queue's ARN. */
    /** Lambda's log group for a function (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html). */
    public static String logGroupOf(String function) {
        return "/aws/lambda/" + function;
    }

    public static String queueArn(String queue) {
        return "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":" + queue;
    }

    /** The rule's name on the local bus. */
    public static final String RULE_NAME = "ecs-retrier-stopped-tasks";

    private LocalSettings() {
    }

    /**
     * The local defaults, then {@code settings} over them. The default launch type FARGATE is left out
     * when a capacity provider strategy is given (ECS takes one or the other).
     */
    public static Map<String, String> environment(Map<Setting, String> settings) {
        Map<Setting, String> all = new EnumMap<>(Setting.class);
        all.put(Setting.REGION, REGION);
        all.put(Setting.CLUSTER, CLUSTER_ARN);
        all.put(Setting.TASK_DEFINITION, TASK_DEFINITION_ARN);
        if (!settings.containsKey(Setting.CONTAINER_NAMES)) {
            // The local task definition's container, unless the settings name the containers (its other spelling).
            all.put(Setting.CONTAINER_NAME, CONTAINER_NAME);
        }
        String strategy = settings.get(Setting.CAPACITY_PROVIDER_STRATEGY);
        if (strategy == null || strategy.isBlank()) {
            all.put(Setting.LAUNCH_TYPE, "FARGATE");
        }
        all.put(Setting.STARTER_ARN, STARTER_ARN);
        all.put(Setting.SCHEDULER_ROLE_ARN, SCHEDULER_ROLE_ARN);
        all.put(Setting.TOPIC_ARN, TOPIC_ARN);
        // The functions' own log groups, as the construct passes them: a run's history is read back when it ends.
        all.put(Setting.HISTORY_LOG_GROUPS, logGroupOf(STARTER_FUNCTION) + ","
                + logGroupOf(CLASSIFIER_FUNCTION));
        all.putAll(settings);
        Map<String, String> environment = new LinkedHashMap<>();
        all.forEach((setting, value) -> environment.put(setting.variable(), value));
        return environment;
    }

    /**
     * The version Lambda reports as {@code X-Amz-Executed-Version} for a function named this way: the
     * version an alias points to, {@code $LATEST} when unqualified; empty for a qualifier that does
     * not exist here. The qualifier is the name's ({@code starter:live}, an ARN's last part) or the
     * {@code Qualifier} parameter's. https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html
     */
    public static java.util.Optional<String> executedVersion(String nameOrArn, String qualifierParameter) {
        String name = nameOrArn;
        int function = name.indexOf(":function:");
        if (function >= 0) {
            name = name.substring(function + ":function:".length());
        }
        int colon = name.indexOf(':');
        String qualifier = colon >= 0 ? name.substring(colon + 1) : qualifierParameter;
        if (qualifier == null || qualifier.isEmpty() || qualifier.equals("$LATEST")) {
            return java.util.Optional.of("$LATEST");
        }
        if (qualifier.equals(ALIAS) || qualifier.equals(ALIAS_VERSION)) {
            return java.util.Optional.of(ALIAS_VERSION);
        }
        return java.util.Optional.empty();
    }

    /** @throws dev.ecsretrier.config.ConfigurationException naming every bad setting */
    public static RetrierConfig config(Map<Setting, String> settings) {
        return RetrierConfig.fromEnvironment(environment(settings));
    }

    /**
     * The jobs the settings describe, as the functions read them: those of {@link Setting#CONFIG_FILE}
     * over these settings (the local task definition and container serve a job that names none), or one.
     *
     * @throws dev.ecsretrier.config.ConfigurationException naming every bad setting of every job
     */
    public static dev.ecsretrier.config.Deployment deployment(Map<Setting, String> settings) {
        return dev.ecsretrier.config.Deployment.fromEnvironment(environment(settings));
    }
}
