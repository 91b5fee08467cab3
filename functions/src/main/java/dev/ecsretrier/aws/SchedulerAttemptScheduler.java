package dev.ecsretrier.aws;

import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.ScheduledAttempt;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.ActionAfterCompletion;
import software.amazon.awssdk.services.scheduler.model.ConflictException;
import software.amazon.awssdk.services.scheduler.model.CreateScheduleRequest;
import software.amazon.awssdk.services.scheduler.model.FlexibleTimeWindowMode;
import software.amazon.awssdk.services.scheduler.model.Target;

/**
 * {@link AttemptScheduler} over EventBridge Scheduler: a one-time {@code at(...)} schedule in UTC,
 * no flexible window, deleted after it fires, with a retry policy and a dead-letter queue.
 */
public final class SchedulerAttemptScheduler implements AttemptScheduler {

    static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    /** How long Scheduler keeps retrying a starter invocation that fails, and how often. */
    static final int MAX_EVENT_AGE_SECONDS = 3600;
    static final int MAX_RETRY_ATTEMPTS = 10;

    private final SchedulerClient scheduler;
    private final String groupName;
    private final String roleArn;
    private final String deadLetterArn;

    /**
     * @param deadLetterArn SQS queue ARN for invocations Scheduler gives up on; empty for none
     */
    public SchedulerAttemptScheduler(SchedulerClient scheduler, String groupName, String roleArn, String deadLetterArn) {
        this.scheduler = scheduler;
        this.groupName = groupName;
        this.roleArn = roleArn;
        this.deadLetterArn = deadLetterArn;
    }

    @Override
    public Result schedule(ScheduledAttempt attempt) {
        try {
            scheduler.createSchedule(toCreateSchedule(attempt));
            return Result.CREATED;
        } catch (ConflictException e) {
            // The same stop was delivered twice: the first delivery already scheduled this attempt.
            return Result.ALREADY_SCHEDULED;
        }
    }

    CreateScheduleRequest toCreateSchedule(ScheduledAttempt attempt) {
        Target.Builder target = Target.builder()
                .arn(attempt.target())
                .roleArn(roleArn)
                .input(attempt.input())
                .retryPolicy(p -> p.maximumEventAgeInSeconds(MAX_EVENT_AGE_SECONDS).maximumRetryAttempts(MAX_RETRY_ATTEMPTS));
        if (deadLetterArn != null && !deadLetterArn.isEmpty()) {
            target.deadLetterConfig(d -> d.arn(deadLetterArn));
        }
        return CreateScheduleRequest.builder()
                .name(attempt.name())
                .groupName(groupName)
                .scheduleExpression(atExpression(attempt.at()))
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
