package dev.ecsretrier.operate;

import dev.ecsretrier.core.RunCancellation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.ActionAfterCompletion;
import software.amazon.awssdk.services.scheduler.model.ConflictException;
import software.amazon.awssdk.services.scheduler.model.FlexibleTimeWindowMode;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;
import software.amazon.awssdk.services.scheduler.model.ScheduleState;

/**
 * {@code retrier cancel}: marks the run cancelled, then takes away what could start another attempt.
 * <ol>
 *   <li>the marker: a disabled schedule {@code <runId>-cancelled} whose Description is the reason;
 *       from then on every start of the run (a schedule firing, Lambda's retry, a caller) launches
 *       nothing, and a start already past its first look stops the task it started;</li>
 *   <li>each pending next-attempt schedule is read (its input is the next start request) and
 *       deleted; one this command deleted never fires, so this command hands its start request to
 *       the starter itself, which finds the marker and ends the run CANCELLED (one notification);
 *       one that fired meanwhile is ended by that start;</li>
 *   <li>the run's running tasks are stopped with {@link RunCancellation#stopReason()}: their STOPPED
 *       events end the run CANCELLED in the classifier;</li>
 *   <li>after one function timeout from the marker, steps 2 and 3 again: an invocation that began
 *       before the marker existed has ended by then (Lambda stops it at its timeout), so nothing it
 *       did can start an attempt after this returns.</li>
 * </ol>
 * The argument, with the races it covers, is in docs/reliability.md.
 */
public final class RunCanceller {

    /** The points between steps, for a test that makes a schedule fire at one of them. */
    public enum Step { BEFORE_MARKER, MARKED, SCHEDULES_SWEPT, TASKS_SWEPT, SECOND_SWEEP }

    /** What the cancel did. */
    public record Report(String runId, boolean alreadyMarked, List<String> schedulesDeleted, List<String> handedToStarter,
                         List<String> tasksStopped) {
        public Report {
            schedulesDeleted = List.copyOf(schedulesDeleted);
            handedToStarter = List.copyOf(handedToStarter);
            tasksStopped = List.copyOf(tasksStopped);
        }
    }

    static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    /** A disabled schedule never fires; its time only has to be a valid one-time expression in the future. */
    static final Duration MARKER_AT = Duration.ofDays(1);

    private final Deployment deployment;
    private final LambdaClient lambda;
    private final EcsClient ecs;
    private final RunSchedules schedules;
    private final RunTasks tasks;
    private final SchedulerClient scheduler;
    private final Clock clock;
    private final Consumer<Step> steps;
    private final Consumer<String> progress;

    /**
     * @param steps    told at each step (tests); a no-op otherwise
     * @param progress one line per thing done, for the person waiting
     */
    public RunCanceller(Deployment deployment, LambdaClient lambda, EcsClient ecs, SchedulerClient scheduler, Clock clock,
                        Consumer<Step> steps, Consumer<String> progress) {
        this.deployment = deployment;
        this.lambda = lambda;
        this.ecs = ecs;
        this.scheduler = scheduler;
        this.schedules = new RunSchedules(scheduler, deployment);
        this.tasks = new RunTasks(ecs, deployment);
        this.clock = clock;
        this.steps = steps;
        this.progress = progress;
    }

    /**
     * @param inFlight how long an invocation that began before the marker may still act: the
     *                 functions' timeout (the second sweep waits for it)
     */
    public Report cancel(RunCancellation cancellation, Duration inFlight) throws InterruptedException {
        steps.accept(Step.BEFORE_MARKER);
        Instant marked = clock.instant();
        boolean already = !mark(cancellation);
        progress.accept(already ? "run " + cancellation.runId() + " was already marked cancelled"
                : "marked run " + cancellation.runId() + " cancelled (schedule " + cancellation.markerName() + ")");
        steps.accept(Step.MARKED);
        List<String> deleted = new ArrayList<>();
        List<String> handed = new ArrayList<>();
        List<String> stopped = new ArrayList<>();
        sweep(cancellation, deleted, handed, stopped);
        Duration left = Duration.between(clock.instant(), marked.plus(inFlight));
        if (!left.isNegative() && !left.isZero()) {
            progress.accept("waiting " + seconds(left) + " for function invocations that began before the marker");
            Thread.sleep(left.toMillis());
        }
        steps.accept(Step.SECOND_SWEEP);
        sweep(cancellation, deleted, handed, stopped);
        return new Report(cancellation.runId(), already, deleted, handed, stopped);
    }

    private void sweep(RunCancellation cancellation, List<String> deleted, List<String> handed, List<String> stopped) {
        for (RunSchedules.RunSchedule pending : schedules.pending(cancellation.runId())) {
            Optional<GetScheduleResponse> schedule = schedules.get(pending.name());
            if (schedule.isEmpty() || !schedules.delete(pending.name())) {
                progress.accept("schedule " + pending.name() + " fired meanwhile: its start finds the marker");
                continue;
            }
            deleted.add(pending.name());
            progress.accept("deleted schedule " + pending.name());
            if (!pending.timeout()) {
                // The deleted schedule was the run's only way on: its start request, handed to the starter,
                // ends the run CANCELLED with the attempts so far.
                handed.add(pending.name());
                hand(schedule.get().target().input());
                progress.accept("the starter ended the run from schedule " + pending.name() + "'s start request");
            }
        }
        steps.accept(Step.SCHEDULES_SWEPT);
        for (RunTasks.RunTask task : tasks.running(cancellation.runId())) {
            if (stopped.contains(task.task().taskArn())) {
                continue;
            }
            // StopTask: "Up to 255 characters" of reason (RunCancellation cuts it to that).
            ecs.stopTask(r -> r.cluster(deployment.cluster()).task(task.task().taskArn()).reason(cancellation.stopReason()));
            stopped.add(task.task().taskArn());
            progress.accept("stopped task " + task.task().taskArn() + " (attempt " + task.attempt() + ")");
        }
        steps.accept(Step.TASKS_SWEPT);
    }

    /** CreateSchedule of the marker; false when it existed (a cancel before this one). */
    private boolean mark(RunCancellation cancellation) {
        try {
            scheduler.createSchedule(r -> r.name(cancellation.markerName()).groupName(deployment.scheduleGroup())
                    .state(ScheduleState.DISABLED)
                    .description(cancellation.reason())
                    .scheduleExpression("at(" + AT.format(clock.instant().plus(MARKER_AT)) + ")")
                    .scheduleExpressionTimezone("UTC")
                    .flexibleTimeWindow(w -> w.mode(FlexibleTimeWindowMode.OFF))
                    .actionAfterCompletion(ActionAfterCompletion.NONE)
                    .target(t -> t.arn(deployment.starter()).roleArn(deployment.schedulerRoleArn()).input("{}")));
            return true;
        } catch (ConflictException e) {
            return false;
        }
    }

    /** Invokes the starter (RequestResponse) with a deleted schedule's start request; its error is this command's. */
    private void hand(String startRequest) {
        InvokeResponse response = lambda.invoke(r -> r.functionName(deployment.starter())
                .invocationType(InvocationType.REQUEST_RESPONSE).payload(SdkBytes.fromUtf8String(startRequest)));
        if (response.functionError() != null) {
            throw new IllegalStateException("the starter failed on the start request of a deleted schedule ("
                    + response.functionError() + "): " + response.payload().asUtf8String());
        }
    }

    private static String seconds(Duration duration) {
        return (duration.toMillis() + 999) / 1000 + " s";
    }
}
