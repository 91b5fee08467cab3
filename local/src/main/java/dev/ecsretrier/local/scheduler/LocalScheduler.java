package dev.ecsretrier.local.scheduler;

import dev.ecsretrier.aws.SchedulerAttemptScheduler;
import dev.ecsretrier.core.RunCancellation;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.JsonRecords;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LaunchKey;
import dev.ecsretrier.local.emulator.TimeScale;
import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.emulator.internal.EmulatorContext;
import dev.ecsretrier.local.emulator.internal.JsonLinesFile;
import dev.ecsretrier.local.emulator.internal.PendingWork;
import dev.ecsretrier.local.emulator.internal.Timeline;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.ScheduledAttempt;
import dev.ecsretrier.port.ScheduledStop;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * EventBridge Scheduler's one-time schedules: each fires once at its time (waited for at the
 * runtime's time scale), invokes its target with its input (the starter's alias, or ECS StopTask
 * for an attempt timeout), and is deleted after it completed. A name that exists is refused, as
 * Scheduler's {@code ConflictException}; a deleted name is free again.
 */
public final class LocalScheduler implements AttemptScheduler {

    /** Scheduler's precision: a schedule for 1:00 fires between 1:00:00 and 1:00:59. */
    static final Duration PRECISION = SchedulerAttemptScheduler.PRECISION;
    /** A second firing (the fault) comes up to this long (before time scale) after the first. */
    static final long DOUBLE_FIRE_SPREAD_MILLIS = 2_000;

    /** EventBridge Scheduler's universal target that calls ECS StopTask. */
    public static final String STOP_TASK_TARGET = SchedulerAttemptScheduler.STOP_TASK_TARGET;

    /**
     * A schedule that has not fired yet, as ListSchedules and GetSchedule show it.
     *
     * @param group     the schedule group it was created in; null for the handlers' own (the retrier's group)
     * @param createdAt when CreateSchedule was called
     */
    public record PendingSchedule(ScheduledAttempt attempt, String group, Instant createdAt) {
    }

    /** A schedule created with {@code State=DISABLED}: it exists until deleted and never fires. */
    public record DisabledSchedule(PendingSchedule schedule, String description) {
    }

    /** Where a schedule's invocation goes: a target ARN (the starter's alias, StopTask) and the input. */
    @FunctionalInterface
    public interface Target {
        void invoke(String targetArn, String input);
    }

    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final TimeScale timeScale;
    private final boolean minutePrecision;
    private final double doubleFireProbability;
    private final Random random;
    private final Target target;
    private final Timeline timeline;
    private final PendingWork work;
    private final Map<String, ScheduledFuture<?>> schedules = new HashMap<>();
    /** What each pending schedule will send, by name; guarded by {@code schedules}. */
    private final Map<String, PendingSchedule> targets = new HashMap<>();
    /** Where schedules are kept (a data directory's journal); null to keep them in memory only. */
    private volatile JsonLinesFile journal;
    /** Disabled schedules (they never fire; {@code retrier cancel}'s markers), by name; guarded by {@code schedules}. */
    private final Map<String, DisabledSchedule> disabled = new HashMap<>();
    private final java.util.List<java.util.function.BiConsumer<PendingSchedule, RuntimeException>> deliveryFailureListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Set while an invocation runs on this thread: its schedules fire only after it returned. */
    private final ThreadLocal<CompletableFuture<Void>> invocation = new ThreadLocal<>();

    /**
     * @param minutePrecision fire anywhere in the schedule's minute, as Scheduler does, instead of on time
     * @param random          where in the minute, and whether (with the context's
     *                        {@link Faults#schedulerDoubleFire()} probability) a schedule invokes its target
     *                        twice, as Scheduler is at-least-once
     */
    public LocalScheduler(EmulatorContext context, boolean minutePrecision, Random random, Target target) {
        this.clock = context.clock();
        this.executor = context.executor();
        this.timeScale = context.timeScale();
        this.minutePrecision = minutePrecision;
        this.doubleFireProbability = context.faults().schedulerDoubleFire();
        this.random = random;
        this.target = target;
        this.timeline = context.timeline();
        this.work = context.work();
    }

    @Override
    public Result schedule(ScheduledAttempt attempt) {
        return create(attempt);
    }

    /** The attempt timeout: at its time, ECS StopTask with the stop's reason (the universal target's input). */
    @Override
    public Result scheduleStop(ScheduledStop stop) {
        Map<String, String> stopTask = new LinkedHashMap<>();
        stopTask.put("Cluster", stop.cluster());
        stopTask.put("Task", stop.taskArn());
        stopTask.put("Reason", stop.reason());
        return create(new ScheduledAttempt(stop.name(), stop.at(), Json.write(stopTask), STOP_TASK_TARGET));
    }

    /** {@code DeleteSchedule}; a schedule that fired already, or never was, is not an error. */
    @Override
    public void cancel(String name) {
        delete(name);
    }

    /** {@code GetSchedule} of the run's cancel marker. */
    @Override
    public Optional<RunCancellation> cancellation(String runId) {
        synchronized (schedules) {
            DisabledSchedule marker = disabled.get(RunCancellation.markerName(runId));
            return marker == null ? Optional.empty() : Optional.of(new RunCancellation(runId, marker.description()));
        }
    }

    /** The disabled claim {@link RunCancellation#endClaimName}, as {@link SchedulerAttemptScheduler} makes it. */
    @Override
    public boolean claimCancelledEnd(String runId, String claimant, String targetArn) {
        String name = RunCancellation.endClaimName(runId);
        synchronized (schedules) {
            if (createDisabled(new ScheduledAttempt(name, clock.instant().plus(Duration.ofDays(1)), "{}", targetArn), null,
                    claimant) == Result.CREATED) {
                return true;
            }
            DisabledSchedule claim = disabled.get(name);
            return claim != null && claim.description().equals(claimant);
        }
    }

    /**
     * {@code CreateSchedule} with {@code State=DISABLED}: the name exists (a second create conflicts)
     * and the schedule never fires, until it is deleted.
     */
    public Result createDisabled(ScheduledAttempt attempt, String group, String description) {
        synchronized (schedules) {
            if (schedules.containsKey(attempt.name()) || disabled.containsKey(attempt.name())) {
                return Result.ALREADY_SCHEDULED;
            }
            DisabledSchedule marker = new DisabledSchedule(new PendingSchedule(attempt, group, clock.instant()),
                    description == null ? "" : description);
            disabled.put(attempt.name(), marker);
            save(new SavedChange(null, null, marker));
            return Result.CREATED;
        }
    }

    /** The disabled schedules, by name. */
    public java.util.List<DisabledSchedule> disabledSchedules() {
        synchronized (schedules) {
            return disabled.values().stream()
                    .sorted(java.util.Comparator.comparing((DisabledSchedule s) -> s.schedule().attempt().name()))
                    .toList();
        }
    }

    /**
     * Fires a pending schedule now, on this thread, as Scheduler may at any moment of its minute:
     * for tests that need a schedule to fire at one exact point of another operation.
     *
     * @return false when the schedule had fired or been deleted
     */
    public boolean fireNow(String name) {
        ScheduledAttempt attempt;
        synchronized (schedules) {
            ScheduledFuture<?> schedule = schedules.get(name);
            if (schedule == null || !schedule.cancel(false)) {
                return false;
            }
            attempt = targets.get(name).attempt();
        }
        fire(attempt);
        return true;
    }

    private Result create(ScheduledAttempt attempt) {
        return create(attempt, null);
    }

    /** {@code CreateSchedule} in a named group (the wire API's); names are unique across groups here. */
    public Result create(ScheduledAttempt attempt, String group) {
        return create(attempt, group, null);
    }

    /** @param createdAt when a restored schedule was first created; null for a new one (now, and journaled) */
    private Result create(ScheduledAttempt attempt, String group, Instant createdAt) {
        synchronized (schedules) {
            if (schedules.containsKey(attempt.name()) || disabled.containsKey(attempt.name())) {
                return Result.ALREADY_SCHEDULED;
            }
            Instant now = clock.instant();
            Instant fireAt = fireTime(attempt.at());
            long waitNanos = timeScale.nanos(Duration.between(now, fireAt));
            CompletableFuture<Void> returned = invocation.get();
            Runnable fire = returned == null ? () -> fire(attempt) : () -> returned.thenRun(() -> fire(attempt));
            work.begin();
            schedules.put(attempt.name(), executor.schedule(fire, waitNanos, TimeUnit.NANOSECONDS));
            PendingSchedule pending = new PendingSchedule(attempt, group, createdAt == null ? now : createdAt);
            targets.put(attempt.name(), pending);
            if (createdAt == null) {
                save(new SavedChange(pending, null));
            }
            return Result.CREATED;
        }
    }

    /**
     * Runs one function invocation; the schedules it creates fire only once it has returned, even
     * when they come due earlier (in AWS the function has answered long before a schedule's minute
     * comes). Keeps the timeline causal: a decision, then its next attempt.
     */
    public <T> T holdingFiresUntilReturn(Callable<T> call) throws Exception {
        CompletableFuture<Void> returned = new CompletableFuture<>();
        invocation.set(returned);
        try {
            return call.call();
        } finally {
            invocation.remove();
            returned.complete(null);
        }
    }

    /** {@code DeleteSchedule}: true when the schedule existed and had not fired. */
    public boolean delete(String name) {
        synchronized (schedules) {
            if (disabled.remove(name) != null) {
                save(new SavedChange(null, name));
                return true;
            }
            ScheduledFuture<?> schedule = schedules.get(name);
            if (schedule == null || !schedule.cancel(false)) {
                return false;
            }
            schedules.remove(name);
            targets.remove(name);
            save(new SavedChange(null, name));
        }
        work.end();
        return true;
    }

    /** A schedule that has not fired yet: its time, target and input (the next start request). */
    public Optional<ScheduledAttempt> pendingSchedule(String name) {
        synchronized (schedules) {
            return Optional.ofNullable(targets.get(name)).map(PendingSchedule::attempt);
        }
    }

    /** Every schedule that has not fired yet, by name. */
    public java.util.List<PendingSchedule> pendingSchedules() {
        synchronized (schedules) {
            return targets.values().stream()
                    .sorted(java.util.Comparator.comparing((PendingSchedule s) -> s.attempt().name()))
                    .toList();
        }
    }

    /** Names of the schedules that have not fired yet. */
    public Set<String> pending() {
        synchronized (schedules) {
            return Set.copyOf(schedules.keySet());
        }
    }

    /**
     * When a schedule for {@code at} fires: on time, or as in AWS — asked for the whole minute the
     * AWS adapter asks for ({@link SchedulerAttemptScheduler#requestedMinute}), then somewhere in it.
     */
    Instant fireTime(Instant at) {
        if (!minutePrecision) {
            return at;
        }
        long offset;
        synchronized (random) {
            offset = random.nextLong(PRECISION.toMillis());
        }
        return SchedulerAttemptScheduler.requestedMinute(at, clock.instant()).plusMillis(offset);
    }

    private void fire(ScheduledAttempt attempt) {
        try {
            Optional<LaunchKey> key = key(attempt.input());
            timeline.record(TimelineEntry.Kind.SCHEDULE_FIRED, key.map(LaunchKey::runId).orElse(null),
                    key.map(LaunchKey::attempt).orElse(null), null,
                    "schedule " + attempt.name() + " fired: invoking " + attempt.target());
            invoke(attempt);
            if (doubleFireProbability > 0 && nextDoubleFire()) {
                timeline.record(TimelineEntry.Kind.SCHEDULE_FIRED_TWICE, key.map(LaunchKey::runId).orElse(null),
                        key.map(LaunchKey::attempt).orElse(null), null,
                        "schedule " + attempt.name() + " will invoke " + attempt.target() + " a second time");
                long delay;
                synchronized (random) {
                    delay = random.nextLong(DOUBLE_FIRE_SPREAD_MILLIS + 1);
                }
                work.begin();
                executor.schedule(() -> {
                    try {
                        invoke(attempt);
                    } finally {
                        work.end();
                    }
                }, timeScale.millis(Duration.ofMillis(delay)), TimeUnit.MILLISECONDS);
            }
        } finally {
            // ActionAfterCompletion DELETE: the name is free again once the schedule has fired.
            synchronized (schedules) {
                schedules.remove(attempt.name());
                targets.remove(attempt.name());
                save(new SavedChange(null, attempt.name()));
            }
            work.end();
        }
    }

    /** One line of the schedules' journal: a schedule created, or one gone (fired or deleted) by name. */
    record SavedChange(PendingSchedule created, String removed, DisabledSchedule disabled) {
        SavedChange(PendingSchedule created, String removed) {
            this(created, removed, null);
        }
    }

    /**
     * Keeps each schedule's creation and end in {@code file} from now on, after restoring the
     * schedules it holds that had neither fired nor been deleted (a data directory's
     * {@code schedules.jsonl}): each fires at its time, at once when that has passed; disabled ones
     * (cancel markers) stay disabled.
     */
    public void keepSchedulesIn(java.nio.file.Path file) {
        JsonLinesFile saved = new JsonLinesFile(file);
        Map<String, PendingSchedule> live = new LinkedHashMap<>();
        Map<String, DisabledSchedule> liveDisabled = new LinkedHashMap<>();
        for (String line : saved.lines()) {
            SavedChange change;
            try {
                change = JsonRecords.fromPlain(Json.parse(line), SavedChange.class);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalStateException("cannot read a schedule from " + file + ": " + e.getMessage(), e);
            }
            if (change.created() != null) {
                live.put(change.created().attempt().name(), change.created());
            } else if (change.disabled() != null) {
                liveDisabled.put(change.disabled().schedule().attempt().name(), change.disabled());
            } else {
                live.remove(change.removed());
                liveDisabled.remove(change.removed());
            }
        }
        List<String> compacted = new java.util.ArrayList<>();
        live.values().forEach(p -> compacted.add(Json.write(new SavedChange(p, null))));
        liveDisabled.values().forEach(d -> compacted.add(Json.write(new SavedChange(null, null, d))));
        saved.rewrite(compacted);
        journal = saved;
        synchronized (schedules) {
            liveDisabled.forEach(disabled::put);
        }
        live.values().forEach(p -> create(p.attempt(), p.group(), p.createdAt()));
    }

    private void save(SavedChange change) {
        JsonLinesFile file = journal;
        if (file != null) {
            file.append(Json.write(change));
        }
    }

    /** Also tells {@code listener} of each schedule that could not invoke its target (Scheduler's dead-letter queue). */
    public void onDeliveryFailure(java.util.function.BiConsumer<PendingSchedule, RuntimeException> listener) {
        deliveryFailureListeners.add(listener);
    }

    private void invoke(ScheduledAttempt attempt) {
        try {
            target.invoke(attempt.target(), attempt.input());
        } catch (RuntimeException e) {
            PendingSchedule schedule;
            synchronized (schedules) {
                schedule = targets.getOrDefault(attempt.name(), new PendingSchedule(attempt, null, clock.instant()));
            }
            deliveryFailureListeners.forEach(listener -> listener.accept(schedule, e));
            Optional<LaunchKey> key = key(attempt.input());
            timeline.record(TimelineEntry.Kind.DEAD_LETTERED, key.map(LaunchKey::runId).orElse(null),
                    key.map(LaunchKey::attempt).orElse(null), null,
                    "schedule " + attempt.name() + " could not invoke " + attempt.target() + ": " + e.getMessage());
        }
    }

    private boolean nextDoubleFire() {
        synchronized (random) {
            return random.nextDouble() < doubleFireProbability;
        }
    }

    private static Optional<LaunchKey> key(String input) {
        return LaunchKey.of(input);
    }
}
