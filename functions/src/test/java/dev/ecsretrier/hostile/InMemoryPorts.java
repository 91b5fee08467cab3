package dev.ecsretrier.hostile;

import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.DescribedTask;
import dev.ecsretrier.port.LaunchRequest;
import dev.ecsretrier.port.LaunchResult;
import dev.ecsretrier.port.Notification;
import dev.ecsretrier.port.Notifier;
import dev.ecsretrier.port.ScheduledAttempt;
import dev.ecsretrier.port.ScheduledStop;
import dev.ecsretrier.port.TaskDescriber;
import dev.ecsretrier.port.TaskLauncher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Ports that remember what they were asked, for the property tests. */
final class InMemoryPorts implements TaskLauncher, TaskDescriber, AttemptScheduler, Notifier {

    final List<LaunchRequest> launches = new ArrayList<>();
    final List<ScheduledAttempt> schedules = new ArrayList<>();
    final List<Notification> notifications = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    private final Set<String> scheduleNames = new HashSet<>();
    final Map<String, DescribedTask> tasks = new HashMap<>();
    LaunchResult nextLaunch = new LaunchResult.Started("arn:aws:ecs:us-east-1:111122223333:task/batch/0123456789abcdef");

    static RetrierConfig config(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", "us-east-1");
        env.put("RETRIER_CLUSTER", "arn:aws:ecs:us-east-1:111122223333:cluster/batch");
        env.put("RETRIER_TASK_DEFINITION", "sample:3");
        env.put("RETRIER_CONTAINER_NAME", "app");
        env.put("RETRIER_RETRYABLE_EXIT_CODES", "2");
        env.put("RETRIER_SUBNETS", "subnet-a,subnet-b");
        env.put("RETRIER_STARTER_ARN", "arn:aws:lambda:us-east-1:111122223333:function:starter:live");
        env.put("RETRIER_SCHEDULER_ROLE_ARN", "arn:aws:iam::111122223333:role/scheduler");
        env.put("RETRIER_TOPIC_ARN", "arn:aws:sns:us-east-1:111122223333:outcomes");
        env.putAll(extra);
        return RetrierConfig.fromEnvironment(env);
    }

    @Override
    public LaunchResult launch(LaunchRequest request) {
        launches.add(request);
        return nextLaunch;
    }

    @Override
    public Optional<DescribedTask> describe(String cluster, String taskArn) {
        return Optional.ofNullable(tasks.get(taskArn));
    }

    @Override
    public Result schedule(ScheduledAttempt attempt) {
        schedules.add(attempt);
        return scheduleNames.add(attempt.name()) ? Result.CREATED : Result.ALREADY_SCHEDULED;
    }

    @Override
    public Result scheduleStop(ScheduledStop stop) {
        return scheduleNames.add(stop.name()) ? Result.CREATED : Result.ALREADY_SCHEDULED;
    }

    @Override
    public void cancel(String name) {
        scheduleNames.remove(name);
    }

    @Override
    public void publish(Notification notification) {
        notifications.add(notification);
    }
}
