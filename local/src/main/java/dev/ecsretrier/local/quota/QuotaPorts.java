package dev.ecsretrier.local.quota;

import dev.ecsretrier.core.RunCancellation;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.LaunchRequest;
import dev.ecsretrier.port.LaunchResult;
import dev.ecsretrier.port.Notification;
import dev.ecsretrier.port.Notifier;
import dev.ecsretrier.port.ScheduledAttempt;
import dev.ecsretrier.port.ScheduledStop;
import dev.ecsretrier.port.TaskDescriber;
import dev.ecsretrier.port.TaskLauncher;
import java.util.Optional;

/**
 * The local emulators behind AWS's quotas, as the handlers see them through their ports: each call
 * goes through the SDK's retries first, and a call still throttled answers what the AWS adapter
 * answers then (RunTask: {@link LaunchResult.Unavailable}, as {@code EcsTaskLauncher} maps a
 * throttling error; the others throw, so the invocation fails and Lambda retries it).
 */
public final class QuotaPorts {

    private QuotaPorts() {
    }

    public static TaskLauncher launcher(TaskLauncher ecs, SdkRetries sdk) {
        return new TaskLauncher() {
            @Override
            public LaunchResult launch(LaunchRequest request) {
                try {
                    sdk.call(AwsQuota.RUN_TASK);
                } catch (ThrottlingException e) {
                    return new LaunchResult.Unavailable(e.errorCode(), "Rate exceeded");
                }
                return ecs.launch(request);
            }

            // StopTask (a cancelled run's task) is not among the modelled quotas; its round trip is.
            @Override
            public void stop(String cluster, String taskArn, String reason) {
                sdk.roundTrip();
                ecs.stop(cluster, taskArn, reason);
            }
        };
    }

    public static TaskDescriber describer(TaskDescriber ecs, SdkRetries sdk) {
        return (cluster, taskArn) -> {
            sdk.call(AwsQuota.DESCRIBE_TASKS);
            return ecs.describe(cluster, taskArn);
        };
    }

    public static AttemptScheduler scheduler(AttemptScheduler scheduler, SdkRetries sdk) {
        return new AttemptScheduler() {
            @Override
            public Result schedule(ScheduledAttempt attempt) {
                sdk.call(AwsQuota.CREATE_SCHEDULE);
                return scheduler.schedule(attempt);
            }

            @Override
            public Result scheduleStop(ScheduledStop stop) {
                sdk.call(AwsQuota.CREATE_SCHEDULE);
                return scheduler.scheduleStop(stop);
            }

            @Override
            public void cancel(String name) {
                sdk.roundTrip();
                scheduler.cancel(name);
            }

            // GetSchedule (the cancel marker) is not among the modelled quotas; its round trip is.
            @Override
            public Optional<RunCancellation> cancellation(String runId) {
                sdk.roundTrip();
                return scheduler.cancellation(runId);
            }

            @Override
            public boolean claimCancelledEnd(String runId, String claimant, String targetArn) {
                sdk.call(AwsQuota.CREATE_SCHEDULE);
                return scheduler.claimCancelledEnd(runId, claimant, targetArn);
            }
        };
    }

    public static Notifier notifier(Notifier topic, SdkRetries sdk) {
        return (Notification notification) -> {
            sdk.call(AwsQuota.PUBLISH);
            topic.publish(notification);
        };
    }

}
