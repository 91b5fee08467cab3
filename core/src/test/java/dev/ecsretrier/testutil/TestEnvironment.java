package dev.ecsretrier.testutil;

import dev.ecsretrier.config.RetrierConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** Environment maps for {@link RetrierConfig#fromEnvironment}, shaped like the sample stack's. */
public final class TestEnvironment {

    public static final String REGION = "us-east-1";
    public static final String CLUSTER = "arn:aws:ecs:us-east-1:111122223333:cluster/batch";
    public static final String TASK_DEFINITION = "arn:aws:ecs:us-east-1:111122223333:task-definition/sample:3";
    public static final String SCHEDULER_ROLE = "arn:aws:iam::111122223333:role/ecs-retrier-scheduler";
    public static final String TOPIC = "arn:aws:sns:us-east-1:111122223333:ecs-retrier-outcomes";
    public static final String STARTER_ARN = "arn:aws:lambda:us-east-1:111122223333:function:ecs-retrier-starter:live";

    private TestEnvironment() {
    }

    /** Only the required variables. */
    public static Map<String, String> required() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", REGION);
        env.put("RETRIER_CLUSTER", CLUSTER);
        env.put("RETRIER_TASK_DEFINITION", TASK_DEFINITION);
        env.put("RETRIER_CONTAINER_NAME", "app");
        env.put("RETRIER_SCHEDULER_ROLE_ARN", SCHEDULER_ROLE);
        env.put("RETRIER_TOPIC_ARN", TOPIC);
        return env;
    }

    /** The sample stack: Fargate in two subnets, exit code 2 retryable, 3 attempts, 60 s doubling, no jitter. */
    public static Map<String, String> sample() {
        Map<String, String> env = required();
        env.put("RETRIER_STARTER_ARN", STARTER_ARN);
        env.put("RETRIER_LAUNCH_TYPE", "FARGATE");
        env.put("RETRIER_SUBNETS", "subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788");
        env.put("RETRIER_SECURITY_GROUPS", "sg-0123456789abcdef0");
        env.put("RETRIER_RETRYABLE_EXIT_CODES", "2");
        env.put("RETRIER_BACKOFF_JITTER", "NONE");
        env.put("RETRIER_SCHEDULE_GROUP", "ecs-retrier");
        return env;
    }

    /** {@link #sample()} with some variables replaced: {@code "NAME", "value", ...}; a null value removes one. */
    public static RetrierConfig sampleConfig(String... nameValues) {
        return config(sample(), nameValues);
    }

    public static RetrierConfig config(Map<String, String> base, String... nameValues) {
        return RetrierConfig.fromEnvironment(with(base, nameValues));
    }

    public static Map<String, String> with(Map<String, String> base, String... nameValues) {
        if (nameValues.length % 2 != 0) {
            throw new IllegalArgumentException("name/value pairs expected");
        }
        Map<String, String> env = new LinkedHashMap<>(base);
        for (int i = 0; i < nameValues.length; i += 2) {
            if (nameValues[i + 1] == null) {
                env.remove(nameValues[i]);
            } else {
                env.put(nameValues[i], nameValues[i + 1]);
            }
        }
        return env;
    }
}
