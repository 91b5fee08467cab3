package dev.ecsretrier.aws;

import dev.ecsretrier.json.Json;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.ScheduledAttempt;
import dev.ecsretrier.port.ScheduledStop;
import java.time.Clock;
import java.time.Duration;
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
import software.amazon.awssdk.services.scheduler.model.ScheduleState;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;
import software.amazon.awssdk.services.scheduler.model.Target;
import dev.ecsretrier.core.RunCancellation;
import java.util.Optional;

/**
 * {@link AttemptScheduler} over EventBridge Scheduler: one-time {@code at(...)} schedules in UTC,
 * no flexible window, deleted after they fire, with a retry policy and a dead-letter queue. Next
 * attempts invoke the starter alias; attempt timeouts call ECS {@code StopTask} directly.
 *
 * <p>Scheduler fires with 60-second precision: {@code at(1:00:xx)} fires anywhere from 1:00:00 to
 * 1:00:59 (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html). So a
 * schedule is asked for a whole minute strictly after the time it was given, and at least
 * {@link #MIN_LEAD} ahead: it never fires before the backoff allows, and it is never a time in the
 * past by the time Scheduler reads it. The real wait is therefore between the backoff (at least a
 * minute) and about two minutes more.
 */
public final class SchedulerAttemptScheduler implements AttemptScheduler {

    static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    /** Scheduler's precision: a schedule fires anywhere in its minute. */
    public static final Duration PRECISION = Duration.ofMinutes(1);
    /** No schedule is asked for a minute that begins sooner than this after now. */
    public static final Duration MIN_LEAD = Duration.ofMinutes(1);
    /**
     * EventBridge Scheduler's universal target that calls ECS StopTask itself, no Lambda in between,
     * in the commercial partition; {@link #stopTaskTarget(String)} for the task's own.
     */
    public static final String STOP_TASK_TARGET = stopTaskTarget("aws");
    /** How long Scheduler keeps retrying a starter invocation that fails, and how often. */
    static final int MAX_EVENT_AGE_SECONDS = 3600;
    static final int MAX_RETRY_ATTEMPTS = 10;

    private final Supplier<SchedulerClient> scheduler;
    private final String groupName;
    private final String roleArn;
    private final String deadLetterArn;
    private final Clock clock;

    /**
     * @param deadLetterArn SQS queue ARN for invocations Scheduler gives up on; empty for none
     */
    public SchedulerAttemptScheduler(SchedulerClient scheduler, String groupName, String roleArn, String deadLetterArn) {
        this(() -> scheduler, groupName, roleArn, deadLetterArn);
    }

    public SchedulerAttemptScheduler(SchedulerClient scheduler, String groupName, String roleArn, String deadLetterArn,
                                     Clock clock) {
        this(() -> scheduler, groupName, roleArn, deadLetterArn, clock);
    }

    /** With a client built on first use (see {@link OnFirstUse}). */
    public SchedulerAttemptScheduler(Supplier<SchedulerClient> scheduler, String groupName, String roleArn,
                                     String deadLetterArn) {
        this(scheduler, groupName, roleArn, deadLetterArn, Clock.systemUTC());
    }

    /** @param clock what "now" is when a schedule's minute is chosen (see {@link #MIN_LEAD}) */
    public SchedulerAttemptScheduler(Supplier<SchedulerClient> scheduler, String groupName, String roleArn,
                                     String deadLetterArn, Clock clock) {
        this.scheduler = scheduler;
        this.groupName = groupName;
        this.roleArn = roleArn;
        this.deadLetterArn = deadLetterArn;
        this.clock = clock;
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

    /**
     * The run's cancel marker: {@code GetSchedule} of {@code <runId>-cancelled} in the group, whose
     * Description is the person's reason; {@code ResourceNotFoundException} when there is none
     * (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_GetSchedule.html).
     */
    @Override
    public Optional<RunCancellation> cancellation(String runId) {
        try {
            GetScheduleResponse marker = scheduler.get().getSchedule(r -> r.name(RunCancellation.markerName(runId))
                    .groupName(groupName));
            return Optional.of(new RunCancellation(runId, marker.description()));
        } catch (ResourceNotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code CreateSchedule} of the disabled claim {@link RunCancellation#endClaimName}, Description the
     * claimant (at most 512 characters); {@code ConflictException} when the name exists, then
     * {@code GetSchedule} tells whose it is
     * (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html). A disabled
     * schedule never fires; its time only has to be a valid one-time expression.
     */
    @Override
    public boolean claimCancelledEnd(String runId, String claimant, String targetArn) {
        String name = RunCancellation.endClaimName(runId);
        CreateScheduleRequest claim = oneTime(name, clock.instant().plus(Duration.ofDays(1)), targetArn, "{}")
                .toBuilder().state(ScheduleState.DISABLED).description(claimant)
                .actionAfterCompletion(ActionAfterCompletion.NONE).build();
        for (int tries = 0; tries < 2; tries++) {
            try {
                scheduler.get().createSchedule(claim);
                return true;
            } catch (ConflictException e) {
                try {
                    return claimant.equals(scheduler.get().getSchedule(r -> r.name(name).groupName(groupName))
                            .description());
                } catch (ResourceNotFoundException released) {
                    // Its claimant could not publish and let it go: claim it again.
                }
            }
        }
        return false;
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
        return oneTime(stop.name(), stop.at(), stopTaskTarget(partition(stop.taskArn())), Json.write(stopTask));
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
                .scheduleExpression(atExpression(requestedMinute(at, clock.instant())))
                .scheduleExpressionTimezone("UTC")
                .flexibleTimeWindow(w -> w.mode(FlexibleTimeWindowMode.OFF))
                .actionAfterCompletion(ActionAfterCompletion.DELETE)
                .target(target.build())
                .build();
    }

    /**
     * The minute to ask Scheduler for: the first whole minute strictly after both {@code notBefore}
     * and {@code now + MIN_LEAD}. Since Scheduler fires anywhere in that minute, the earliest fire is
     * still after {@code notBefore}. The local runtime's minute-precision mode uses the same rule.
     */
    public static Instant requestedMinute(Instant notBefore, Instant now) {
        Instant earliest = notBefore.isAfter(now.plus(MIN_LEAD)) ? notBefore : now.plus(MIN_LEAD);
        return earliest.truncatedTo(ChronoUnit.MINUTES).plus(PRECISION);
    }

    /** {@code at(yyyy-mm-ddThh:mm:ss)} of a whole minute, in UTC. */
    static String atExpression(Instant minute) {
        return "at(" + AT.format(minute) + ")";
    }

    /**
     * The universal target for ECS StopTask in a partition: {@code arn:<partition>:scheduler:::aws-sdk:ecs:stopTask}
     * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html; the China
     * regions' guide spells it {@code arn:aws-cn:scheduler:::aws-sdk:service:apiAction}).
     */
    public static String stopTaskTarget(String partition) {
        return "arn:" + partition + ":scheduler:::aws-sdk:ecs:stopTask";
    }

    /** The partition of an ARN ({@code arn:aws-us-gov:ecs:...} is {@code aws-us-gov}); {@code aws} when it is none. */
    static String partition(String arn) {
        String[] parts = arn == null ? new String[0] : arn.split(":", 3);
        return parts.length == 3 && parts[0].equals("arn") && !parts[1].isEmpty() ? parts[1] : "aws";
    }
}
