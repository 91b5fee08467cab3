package dev.ecsretrier.testutil;

import dev.ecsretrier.core.RunCancellation;
import dev.ecsretrier.port.AttemptScheduler;
import java.util.Optional;
import dev.ecsretrier.port.ScheduledAttempt;
import dev.ecsretrier.port.ScheduledStop;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * EventBridge Scheduler in memory: a schedule name can be created once; a second create with the
 * same name changes nothing and answers {@code ALREADY_SCHEDULED}, as AWS's {@code ConflictException} does.
 */
public final class FakeAttemptScheduler implements AttemptScheduler {

    private final Map<String, ScheduledAttempt> schedules = new LinkedHashMap<>();
    private final Map<String, ScheduledStop> stops = new LinkedHashMap<>();
    private final List<ScheduledAttempt> requests = new ArrayList<>();
    private final List<String> cancelled = new ArrayList<>();
    private final Map<String, RunCancellation> cancellations = new LinkedHashMap<>();
    private final List<String> cancellationReads = new ArrayList<>();
    private Runnable onCancellationRead = () -> { };

    @Override
    public Result schedule(ScheduledAttempt attempt) {
        requests.add(attempt);
        if (schedules.containsKey(attempt.name()) || stops.containsKey(attempt.name())) {
            return Result.ALREADY_SCHEDULED;
        }
        schedules.put(attempt.name(), attempt);
        return Result.CREATED;
    }

    @Override
    public Result scheduleStop(ScheduledStop stop) {
        if (stops.containsKey(stop.name()) || schedules.containsKey(stop.name())) {
            return Result.ALREADY_SCHEDULED;
        }
        stops.put(stop.name(), stop);
        return Result.CREATED;
    }

    /** Deletes a pending schedule of either kind; a missing one is not an error, as with AWS's delete. */
    @Override
    public void cancel(String name) {
        cancelled.add(name);
        schedules.remove(name);
        stops.remove(name);
        endClaims.entrySet().removeIf(claim -> RunCancellation.endClaimName(claim.getKey()).equals(name));
    }

    @Override
    public Optional<RunCancellation> cancellation(String runId) {
        cancellationReads.add(runId);
        onCancellationRead.run();
        return Optional.ofNullable(cancellations.get(runId));
    }

    /** The claims of cancelled runs' notifications: run id to claimant, as the disabled schedules hold them. */
    private final Map<String, String> endClaims = new LinkedHashMap<>();

    @Override
    public boolean claimCancelledEnd(String runId, String claimant, String targetArn) {
        return endClaims.computeIfAbsent(runId, id -> claimant).equals(claimant);
    }

    /** Run id to the claimant that holds its CANCELLED notification. */
    public Map<String, String> endClaims() {
        return endClaims;
    }

    /** What {@code retrier cancel} writes first: the run's marker. */
    public void markCancelled(RunCancellation cancellation) {
        cancellations.put(cancellation.runId(), cancellation);
    }

    /** Runs before each read of a marker answers: a cancel that lands at that very moment. */
    public void onCancellationRead(Runnable action) {
        this.onCancellationRead = action;
    }

    /** Every run id whose marker was read, in order. */
    public List<String> cancellationReads() {
        return cancellationReads;
    }

    /** The attempt-timeout schedules that exist. */
    public List<ScheduledStop> stops() {
        return List.copyOf(stops.values());
    }

    /** Every name passed to {@link #cancel}. */
    public List<String> cancelled() {
        return cancelled;
    }

    /** The schedules that exist, in creation order. */
    public List<ScheduledAttempt> schedules() {
        return List.copyOf(schedules.values());
    }

    /** Every create request, duplicates included. */
    public List<ScheduledAttempt> requests() {
        return requests;
    }

    public ScheduledAttempt only() {
        if (schedules.size() != 1) {
            throw new AssertionError("expected exactly one schedule, got " + schedules.keySet());
        }
        return schedules.values().iterator().next();
    }
}
