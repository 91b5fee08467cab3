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
import dev.ecsretrier.testutil.TestEnvironment;
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

    /** The sample configuration ({@link TestEnvironment#sample()}) with short names the assertions use. */
    static RetrierConfig config(Map<String, String> extra) {
        Map<String, String> env = TestEnvironment.with(TestEnvironment.sample(),
                "RETRIER_TASK_DEFINITION", "sample:3", "RETRIER_SUBNETS", "subnet-a,subnet-b",
                "RETRIER_BACKOFF_JITTER", "FULL");
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

    /** No run is cancelled here: the property tests feed hostile input, not cancels. */
    @Override
    public Optional<dev.ecsretrier.core.RunCancellation> cancellation(String runId) {
        return Optional.empty();
    }

    /** No run is ever cancelled here, so no claim is ever contested. */
    @Override
    public boolean claimCancelledEnd(String runId, String claimant, String targetArn) {
        return true;
    }

    /** A refused input must not stop anything either: recorded like a launch. */
    @Override
    public void stop(String cluster, String taskArn, String reason) {
        log.add("StopTask " + taskArn + " " + reason);
    }

    @Override
    public void publish(Notification notification) {
        notifications.add(notification);
    }
}
