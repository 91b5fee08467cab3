package dev.ecsretrier.aws;

import dev.ecsretrier.json.Json;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.ScheduledAttempt;
import dev.ecsretrier.port.ScheduledStop;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.ActionAfterCompletion;
import software.amazon.awssdk.services.scheduler.model.ConflictException;
import software.amazon.awssdk.services.scheduler.model.CreateScheduleRequest;
import software.amazon.awssdk.services.scheduler.model.FlexibleTimeWindowMode;
import software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException;
import software.amazon.awssdk.services.scheduler.model.Target;

/**
 * {@link AttemptScheduler} over EventBridge Scheduler: one-time {@code at(...)} schedules in UTC,
 * no flexible window, deleted after they fire, with a retry policy and a dead-letter queue. Next
 * attempts invoke the starter alias; attempt timeouts call ECS {@code StopTask} directly.
 */
public final class SchedulerAttemptScheduler implements AttemptScheduler {

    static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    /** EventBridge Scheduler's universal target that calls ECS StopTask itself, no Lambda in between. */
    public static final String STOP_TASK_TARGET = "arn:aws:scheduler:::aws-sdk:ecs:stopTask";
    /** How long Scheduler keeps retrying a starter invocation that fails, and how often. */
    static final int MAX_EVENT_AGE_SECONDS = 3600;
    static final int MAX_RETRY_ATTEMPTS = 10;

    private final Supplier<SchedulerClient> scheduler;
    private final String groupName;
    private final String roleArn;
    private final String deadLetterArn;

    /**
     * @param deadLetterArn SQS queue ARN for invocations Scheduler gives up on; empty for none
     */
    public SchedulerAttemptScheduler(SchedulerClient scheduler, String groupName, String roleArn, String deadLetterArn) {
        this(() -> scheduler, groupName, roleArn, deadLetterArn);
    }

    /** With a client built on first use (see {@link OnFirstUse}). */
    public SchedulerAttemptScheduler(Supplier<SchedulerClient> scheduler, String groupName, String roleArn,
                                     String deadLetterArn) {
        this.scheduler = scheduler;
        this.groupName = groupName;
        this.roleArn = roleArn;
        this.deadLetterArn = deadLetterArn;
    }

    @Override
    public Result schedule(ScheduledAttempt attempt) {
        return create(toCreateSchedule(attempt));
    }

    @Override
    public Result scheduleStop(ScheduledStop stop) {
        return create(toCreateSchedule(stop));
    }

    @Override
    public void cancel(String name) {
        try {
            scheduler.get().deleteSchedule(r -> r.name(name).groupName(groupName));
        } catch (ResourceNotFoundException e) {
            // Fired and deleted already, or never created: either way nothing is pending.
        }
    }

    private Result create(CreateScheduleRequest request) {
        try {
            scheduler.get().createSchedule(request);
            return Result.CREATED;
        } catch (ConflictException e) {
            // The same stop was delivered twice: the first delivery already scheduled this.
            return Result.ALREADY_SCHEDULED;
        }
    }

    CreateScheduleRequest toCreateSchedule(ScheduledAttempt attempt) {
        return oneTime(attempt.name(), attempt.at(), attempt.target(), attempt.input());
    }

    CreateScheduleRequest toCreateSchedule(ScheduledStop stop) {
        // Universal targets take the API's own request, with its PascalCase member names.
        Map<String, String> stopTask = new LinkedHashMap<>();
        stopTask.put("Cluster", stop.cluster());
        stopTask.put("Task", stop.taskArn());
        stopTask.put("Reason", stop.reason());
        return oneTime(stop.name(), stop.at(), STOP_TASK_TARGET, Json.write(stopTask));
    }

    private CreateScheduleRequest oneTime(String name, Instant at, String targetArn, String input) {
        Target.Builder target = Target.builder()
                .arn(targetArn)
                .roleArn(roleArn)
                .input(input)
                .retryPolicy(p -> p.maximumEventAgeInSeconds(MAX_EVENT_AGE_SECONDS).maximumRetryAttempts(MAX_RETRY_ATTEMPTS));
        if (deadLetterArn != null && !deadLetterArn.isEmpty()) {
            target.deadLetterConfig(d -> d.arn(deadLetterArn));
        }
        return CreateScheduleRequest.builder()
                .name(name)
                .groupName(groupName)
                .scheduleExpression(atExpression(at))
                .scheduleExpressionTimezone("UTC")
                .flexibleTimeWindow(w -> w.mode(FlexibleTimeWindowMode.OFF))
                .actionAfterCompletion(ActionAfterCompletion.DELETE)
                .target(target.build())
                .build();
    }

    /** {@code at(yyyy-mm-ddThh:mm:ss)}, rounded up to the second so that it is never earlier than asked. */
    static String atExpression(Instant at) {
        Instant second = at.truncatedTo(ChronoUnit.SECONDS);
        if (second.isBefore(at)) {
            second = second.plusSeconds(1);
        }
        return "at(" + AT.format(second) + ")";
    }
}
