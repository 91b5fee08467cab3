package dev.ecsretrier.operate;

import dev.ecsretrier.core.RunCancellation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;
import software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException;
import software.amazon.awssdk.services.scheduler.model.ScheduleState;
import software.amazon.awssdk.services.scheduler.model.ScheduleSummary;

/**
 * A run's schedules in the retrier's group, read live: {@code <runId>-<attempt>} (a next attempt),
 * {@code <runId>-<attempt>-timeout} (an attempt's timeout) and {@code <runId>-cancelled} (its cancel
 * marker). {@code ListSchedules} by name prefix, then filtered by the exact shape, since another run's
 * id may begin with this one's (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_ListSchedules.html).
 */
public final class RunSchedules {

    /** A pending schedule of the run: an attempt's (attempt set, not a timeout) or an attempt's timeout. */
    public record RunSchedule(String name, int attempt, boolean timeout) {
    }

    private final SchedulerClient scheduler;
    private final Deployment deployment;

    public RunSchedules(SchedulerClient scheduler, Deployment deployment) {
        this.scheduler = scheduler;
        this.deployment = deployment;
    }

    /** The run's pending (enabled) schedules, by name. */
    public List<RunSchedule> pending(String runId) {
        Pattern shape = Pattern.compile(Pattern.quote(runId) + "-(\\d+)(-timeout)?");
        List<RunSchedule> found = new ArrayList<>();
        for (ScheduleSummary summary : scheduler.listSchedulesPaginator(r -> r.groupName(deployment.scheduleGroup())
                .namePrefix(runId + "-").state(ScheduleState.ENABLED)).schedules()) {
            Matcher name = shape.matcher(summary.name());
            if (name.matches()) {
                found.add(new RunSchedule(summary.name(), Integer.parseInt(name.group(1)), name.group(2) != null));
            }
        }
        return found;
    }

    /** A waiting attempt of any run: its schedule {@code <runId>-<attempt>}. */
    public record Waiting(String runId, int attempt, String name) {
    }

    /** Every waiting attempt in the group: the enabled schedules named {@code <runId>-<attempt>}. */
    public List<Waiting> waiting() {
        Pattern shape = Pattern.compile("(.+)-(\\d+)");
        List<Waiting> found = new ArrayList<>();
        for (ScheduleSummary summary : scheduler.listSchedulesPaginator(r -> r.groupName(deployment.scheduleGroup())
                .state(ScheduleState.ENABLED)).schedules()) {
            Matcher name = shape.matcher(summary.name());
            if (name.matches()) {
                found.add(new Waiting(name.group(1), Integer.parseInt(name.group(2)), summary.name()));
            }
        }
        return found;
    }

    /** A schedule as it is now; empty when it fired (and was deleted) or never was. */
    public Optional<GetScheduleResponse> get(String name) {
        try {
            return Optional.of(scheduler.getSchedule(r -> r.name(name).groupName(deployment.scheduleGroup())));
        } catch (ResourceNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Deletes a schedule; false when it was gone already (it fired, or someone else deleted it). */
    public boolean delete(String name) {
        try {
            scheduler.deleteSchedule(r -> r.name(name).groupName(deployment.scheduleGroup()));
            return true;
        } catch (ResourceNotFoundException e) {
            return false;
        }
    }

    /** The run's cancel marker, when it has one. */
    public Optional<RunCancellation> cancellation(String runId) {
        return get(RunCancellation.markerName(runId)).map(marker -> new RunCancellation(runId, marker.description()));
    }
}
