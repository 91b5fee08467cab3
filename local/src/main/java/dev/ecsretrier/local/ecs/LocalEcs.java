package dev.ecsretrier.local.ecs;

import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.TaskSize;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.JsonRecords;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LaunchFault;
import dev.ecsretrier.local.emulator.LaunchKey;
import dev.ecsretrier.local.emulator.TimeScale;
import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.emulator.internal.EmulatorContext;
import dev.ecsretrier.local.emulator.internal.JsonLinesFile;
import dev.ecsretrier.local.emulator.internal.PendingWork;
import dev.ecsretrier.local.emulator.internal.Timeline;
import dev.ecsretrier.port.DescribedTask;
import dev.ecsretrier.port.LaunchRequest;
import dev.ecsretrier.port.LaunchResult;
import dev.ecsretrier.port.TaskDescriber;
import dev.ecsretrier.port.TaskLauncher;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * ECS on one machine: {@code RunTask} starts the task's program as a local process with exactly
 * the environment the request carries, honours the client token (one token, one task), keeps the
 * tags for {@code DescribeTasks}, stops a task by ARN ({@code StopTask}), and emits the STOPPED
 * event when a task ends. Faults make a launch stop or fail the way ECS does.
 */
public final class LocalEcs implements TaskLauncher, TaskDescriber, AutoCloseable {

    /** ECS's stopped reason when StopTask gives none. */
    public static final String DEFAULT_STOP_REASON = "Task stopped by user";

    /**
     * @param taskDefinitionEnvironment the container definition's own environment; overrides win
     * @param taskCpu                   the task definition's task-level cpu (ECS units), for tasks without an override
     * @param taskMemory                the task definition's task-level memory (MiB), for tasks without an override
     * @param maxRunningTasks           tasks beyond this wait in PROVISIONING for a free slot
     * @param provisioning              how long (before time scale) a task takes to fail to start
     * @param forgetStoppedTasks        stopped tasks are no longer describable (as after ECS's retention):
     *                                  the classifier must fall back to the event
     */
    public record Settings(String clusterArn,
                           Map<String, String> taskDefinitionEnvironment, String taskCpu, String taskMemory,
                           int maxRunningTasks, Duration provisioning, boolean forgetStoppedTasks) {
        public Settings {
            taskDefinitionEnvironment = Map.copyOf(taskDefinitionEnvironment);
            if (maxRunningTasks < 1) {
                throw new IllegalArgumentException("maxRunningTasks must be at least 1, got " + maxRunningTasks);
            }
            if (TaskSize.parse(taskCpu, taskMemory) == null) {
                throw new IllegalArgumentException("the task size must be whole numbers of cpu units and MiB, got cpu '"
                        + taskCpu + "' memory '" + taskMemory + "'");
            }
        }
    }

    /**
     * One task RunTask started, as launched.
     *
     * @param request      exactly what RunTask was given (capacity, size override, subnets, tags)
     * @param stoppedEvent the STOPPED event it emitted, or null while it runs
     */
    public record LaunchedTask(String taskArn, LaunchRequest request, String stoppedEvent) {
    }

    /**
     * One RunTask call as it reached ECS, before the client token is looked at: what a test counts
     * without relying on this class's own de-duplication.
     *
     * @param clientToken null when the call carried none
     */
    public record RunTaskCall(Instant at, LaunchKey key, String clientToken) {
    }

    /**
     * A task as {@code DescribeTasks} shows it, at one moment.
     *
     * @param request       what RunTask was given
     * @param stopRequested StopTask was called: the desired status is STOPPED
     * @param startedAt     null until the container started; so are the stop fields until it stopped
     * @param containers    each container, in the request's order, with its exit code once it exited and its reason
     */
    public record TaskState(String taskArn, String clusterArn, String taskDefinitionArn, LaunchRequest request,
                            String lastStatus, boolean stopRequested, String cpu, String memory, Instant createdAt,
                            Instant startedAt, Instant stoppedAt, String stopCode, String stoppedReason,
                            List<ContainerExit> containers, int version) {
        public TaskState {
            containers = List.copyOf(containers);
        }
    }

    private final Settings settings;
    private final String region;
    private final String account;
    private final TaskProgram program;
    private final Function<LaunchRequest, Optional<LaunchFault>> launchPolicy;
    private final Clock clock;
    private final TimeScale timeScale;
    private final ScheduledExecutorService executor;
    private final Random ids;
    private final Consumer<String> events;
    private final Timeline timeline;
    private final PendingWork work;

    private final ConcurrentLinkedQueue<LaunchFault> nextFaults = new ConcurrentLinkedQueue<>();
    private final Map<String, LaunchResult> byClientToken = new HashMap<>();
    private final Map<String, LocalTask> describable = new ConcurrentHashMap<>();
    private final Map<String, LocalTask> all = new ConcurrentHashMap<>();
    private final Map<LaunchKey, Integer> launches = new ConcurrentHashMap<>();
    private final Map<LaunchKey, Integer> runTaskCalls = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<RunTaskCall> runTaskCallLog = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicLong eventsEmitted = new java.util.concurrent.atomic.AtomicLong();
    private final Deque<LocalTask> waiting = new ArrayDeque<>();
    /** Where each task's changes are kept (a data directory's journal); null to keep them in memory only. */
    private volatile JsonLinesFile journal;
    private volatile boolean closing;
    private int running;

    /**
     * Launches get the context's faults: {@link Faults#nextLaunches()} first, one each, then
     * {@link Faults#launchPolicy()}.
     *
     * @param ids    the task ids
     * @param events where STOPPED events go (the event bus)
     */
    public LocalEcs(EmulatorContext context, Settings settings, TaskProgram program, Random ids,
                    Consumer<String> events) {
        this.settings = settings;
        this.region = context.region();
        this.account = context.account();
        this.program = program;
        this.launchPolicy = context.faults().launchPolicy();
        this.clock = context.clock();
        this.timeScale = context.timeScale();
        this.executor = context.executor();
        this.ids = ids;
        this.events = events;
        this.timeline = context.timeline();
        this.work = context.work();
        nextFaults.addAll(context.faults().nextLaunches());
    }

    /** The next {@code count} new launches get {@code fault}, after the faults already queued. */
    public void failNextLaunches(int count, LaunchFault fault) {
        for (int i = 0; i < count; i++) {
            nextFaults.add(fault);
        }
    }

    @Override
    public LaunchResult launch(LaunchRequest request) {
        LaunchKey key = keyOf(request);
        runTaskCalls.merge(key, 1, Integer::sum);
        runTaskCallLog.add(new RunTaskCall(clock.instant(), key, request.clientToken()));
        if (!isOurCluster(request.cluster())) {
            return new LaunchResult.Failed("ClusterNotFoundException", "Cluster not found.");
        }
        LocalTask task;
        synchronized (byClientToken) {
            LaunchResult earlier = request.clientToken() == null ? null : byClientToken.get(request.clientToken());
            if (earlier != null) {
                timeline.record(TimelineEntry.Kind.TASK_REUSED, key.runId(), key.attempt(),
                        earlier instanceof LaunchResult.Started s ? s.taskArn() : null,
                        "RunTask with client token " + request.clientToken() + " again: ECS answers as the first time");
                return earlier;
            }
            LaunchFault fault = nextFault(request);
            if (fault instanceof LaunchFault.FailsRunTask failure) {
                LaunchResult failed = failure.apiError()
                        ? new LaunchResult.Unavailable(failure.reason(), failure.detail())
                        : new LaunchResult.Failed(failure.reason(), failure.detail());
                if (!failure.apiError() && request.clientToken() != null) {
                    byClientToken.put(request.clientToken(), failed);
                }
                timeline.record(TimelineEntry.Kind.RUN_TASK_FAILED, key.runId(), key.attempt(), null,
                        "RunTask failed: " + failure.reason()
                                + (failure.detail() == null ? "" : " (" + failure.detail() + ")") + " [fault injected]");
                return failed;
            }
            task = newTask(request, key, (LaunchFault.StopsTask) fault);
            if (request.clientToken() != null) {
                byClientToken.put(request.clientToken(), new LaunchResult.Started(task.taskArn));
            }
        }
        all.put(task.taskArn, task);
        describable.put(task.taskArn, task);
        launches.merge(key, 1, Integer::sum);
        save(task);
        timeline.record(TimelineEntry.Kind.TASK_LAUNCHED, key.runId(), key.attempt(), task.taskArn,
                "RunTask started task " + task.taskId + " " + describeLaunch(task)
                        + (task.fault == null ? "" : " [fault injected: " + task.fault.name() + "]"));
        work.begin();
        if (task.fault != null) {
            executor.schedule(() -> failAsInjected(task), timeScale.millis(settings.provisioning()), TimeUnit.MILLISECONDS);
        } else {
            executor.execute(() -> startOrWait(task));
        }
        return new LaunchResult.Started(task.taskArn);
    }

    @Override
    public Optional<DescribedTask> describe(String cluster, String taskArn) {
        LocalTask task = describable.get(taskArn);
        if (task == null || !isOurCluster(cluster)) {
            return Optional.empty();
        }
        LaunchRequest r = task.request;
        return Optional.of(new DescribedTask(task.taskArn, r.tags(), r.containers()));
    }

    /** The task as DescribeTasks shows it, while ECS keeps it (see {@link Settings#forgetStoppedTasks}). */
    public Optional<TaskState> state(String cluster, String taskArn) {
        LocalTask task = taskArn == null ? null : describable.get(taskArn);
        if (task == null || !isOurCluster(cluster)) {
            return Optional.empty();
        }
        return Optional.of(task.state(settings.clusterArn()));
    }

    /**
     * Every task DescribeTasks would show (running, and stopped ones ECS still keeps), oldest first:
     * what ListTasks filters.
     */
    public List<TaskState> states(String cluster) {
        if (!isOurCluster(cluster)) {
            return List.of();
        }
        return describable.values().stream()
                .sorted(Comparator.comparing((LocalTask task) -> task.createdAt).thenComparing(task -> task.taskArn))
                .map(task -> state(cluster, task.taskArn))
                .flatMap(Optional::stream)
                .toList();
    }

    /** Whether {@code cluster} (an ARN or a name) is this ECS's cluster. */
    public boolean hasCluster(String cluster) {
        return isOurCluster(cluster);
    }

    /**
     * {@code StopTask}: the task stops with stop code {@code UserInitiated} and this reason (its
     * process gets SIGTERM). False when the task is unknown or already stopped.
     */
    public boolean stopTask(String cluster, String taskArn, String reason) {
        LocalTask task = all.get(taskArn);
        if (task == null || !isOurCluster(cluster)) {
            return false;
        }
        String stopReason = reason == null || reason.isBlank() ? DEFAULT_STOP_REASON : reason;
        if (!task.requestStop(stopReason, clock.instant())) {
            return false;
        }
        save(task);
        timeline.record(TimelineEntry.Kind.TASK_STOP_REQUESTED, task.key.runId(), task.key.attempt(), task.taskArn,
                "StopTask: " + stopReason);
        return true;
    }

    /** The starter's StopTask of a task its cancelled run must not run: {@link #stopTask}. */
    @Override
    public void stop(String cluster, String taskArn, String reason) {
        stopTask(cluster, taskArn, reason);
    }

    /** The task is no longer describable, as when ECS has let it go after its retention. */
    public void forget(String taskArn) {
        describable.remove(taskArn);
    }

    /** The task's last status (PROVISIONING, RUNNING, STOPPED), while ECS knows it. */
    public Optional<String> lastStatus(String taskArn) {
        LocalTask task = all.get(taskArn);
        if (task == null) {
            return Optional.empty();
        }
        return Optional.of(task.lastStatus());
    }

    /** Tasks started per run attempt: more than one would be a duplicate launch. */
    public Map<LaunchKey, Integer> launchCounts() {
        return Map.copyOf(launches);
    }

    /** RunTask calls per run attempt, repeated client tokens and failures included. */
    public Map<LaunchKey, Integer> runTaskCalls() {
        return Map.copyOf(runTaskCalls);
    }

    /** Every RunTask call so far, in arrival order, with its client token. */
    public List<RunTaskCall> runTaskCallLog() {
        return List.copyOf(runTaskCallLog);
    }

    /** The tasks started for a run, by attempt, with what each was launched with. */
    public List<LaunchedTask> launched(String runId) {
        return all.values().stream()
                .filter(task -> task.key.runId().equals(runId))
                .sorted(Comparator.comparingInt((LocalTask task) -> task.key.attempt()).thenComparing(task -> task.createdAt))
                .map(LocalTask::launched)
                .toList();
    }

    /** STOPPED events emitted so far: one per task. */
    public long eventsEmitted() {
        return eventsEmitted.get();
    }

    /**
     * Keeps each task's changes in {@code file} from now on, after restoring the tasks it holds (a
     * data directory's {@code tasks.jsonl}): stopped ones as they were, describable and listed (and
     * their client tokens answered as before); ones that had not stopped when the runtime did (their
     * process ended with it) stop now, {@code TerminationNotice}, and emit their STOPPED event, so the
     * classifier decides them. Call once, after the event target is ready.
     */
    public void keepTasksIn(Path file) {
        JsonLinesFile journal = new JsonLinesFile(file);
        Map<String, LocalTask.Saved> last = new LinkedHashMap<>();
        for (String line : journal.lines()) {
            LocalTask.Saved saved = readSaved(line, file);
            last.put(saved.taskArn(), saved);
        }
        journal.rewrite(last.values().stream().map(Json::write).toList());
        this.journal = journal;
        List<LocalTask> interrupted = new ArrayList<>();
        for (LocalTask.Saved saved : last.values()) {
            LocalTask task = LocalTask.restored(saved);
            all.put(task.taskArn, task);
            if (!settings.forgetStoppedTasks() || !LocalTask.STOPPED.equals(task.lastStatus())) {
                describable.put(task.taskArn, task);
            }
            if (task.request.clientToken() != null) {
                synchronized (byClientToken) {
                    byClientToken.put(task.request.clientToken(), new LaunchResult.Started(task.taskArn));
                }
            }
            launches.merge(task.key, 1, Integer::sum);
            if (!LocalTask.STOPPED.equals(task.lastStatus())) {
                interrupted.add(task);
            }
        }
        for (LocalTask task : interrupted) {
            work.begin();
            task.interruptByRestart(clock.instant());
            stopped(task);
        }
    }

    private static LocalTask.Saved readSaved(String line, Path file) {
        try {
            return JsonRecords.fromPlain(Json.parse(line), LocalTask.Saved.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read a task from " + file + ": " + e.getMessage(), e);
        }
    }

    private void save(LocalTask task) {
        JsonLinesFile file = journal;
        if (file != null) {
            file.append(Json.write(task.saved()));
        }
    }

    /**
     * Stops every process still running; their tasks emit no event and keep their state, so that a
     * runtime restarted on the same data directory stops them as interrupted.
     */
    @Override
    public void close() {
        closing = true;
        all.values().forEach(LocalTask::stopProcess);
    }

    private LaunchFault nextFault(LaunchRequest request) {
        LaunchFault queued = nextFaults.poll();
        return queued != null ? queued : launchPolicy.apply(request).orElse(null);
    }

    private LocalTask newTask(LaunchRequest request, LaunchKey key, LaunchFault.StopsTask fault) {
        String taskId;
        String arn;
        do {
            // A task restored from a data directory keeps its id: a seeded runtime must not draw it again.
            synchronized (ids) {
                taskId = String.format("%016x%016x", ids.nextLong(), ids.nextLong());
            }
            arn = "arn:aws:ecs:" + region + ":" + account + ":task/"
                    + StoppedTaskEvent.clusterName(settings.clusterArn()) + "/" + taskId;
        } while (all.containsKey(arn));
        return new LocalTask(arn, taskId, taskDefinitionArn(request.taskDefinition()), request, key, fault,
                clock.instant(), request.size() != null ? request.size().cpuText() : settings.taskCpu(),
                request.size() != null ? request.size().memoryText() : settings.taskMemory());
    }

    private void failAsInjected(LocalTask task) {
        task.stopByFault(clock.instant());
        stopped(task);
    }

    private void startOrWait(LocalTask task) {
        synchronized (waiting) {
            if (running >= settings.maxRunningTasks()) {
                waiting.add(task);
                return;
            }
            running++;
        }
        start(task);
    }

    private void start(LocalTask task) {
        if (task.stopIfRequestedBeforeStart()) {
            stopped(task);
            releaseSlot();
            return;
        }
        // One process per container, each with its own override; the first keeps the task's log name.
        List<TaskProgram.Execution> executions = new ArrayList<>();
        List<ContainerOverride> containers = task.request.containers();
        for (int i = 0; i < containers.size(); i++) {
            ContainerOverride container = containers.get(i);
            try {
                executions.add(program.start(new TaskProgram.Container(
                        i == 0 ? task.taskId : task.taskId + "-" + container.name(), environment(container),
                        container.command())));
            } catch (IOException | RuntimeException e) {
                executions.forEach(TaskProgram.Execution::stop);
                task.failToStart(i, e.getMessage(), clock.instant());
                stopped(task);
                releaseSlot();
                return;
            }
        }
        task.run(executions, clock.instant());
        save(task);
        for (int i = 0; i < executions.size(); i++) {
            int container = i;
            executions.get(i).exitCode().whenCompleteAsync((code, error) -> exited(task, container, code, error), executor);
        }
    }

    private void exited(LocalTask task, int container, Integer code, Throwable error) {
        if (closing) {
            // close() ended the process: not the container's exit; the task stays as it was saved.
            return;
        }
        if (!task.exit(container, code, error, clock.instant())) {
            // Another container still runs: the task stops when the last one exits.
            save(task);
            return;
        }
        try {
            stopped(task);
        } finally {
            releaseSlot();
        }
    }

    private void releaseSlot() {
        LocalTask next;
        synchronized (waiting) {
            next = waiting.poll();
            if (next == null) {
                running--;
            }
        }
        if (next != null) {
            executor.execute(() -> start(next));
        }
    }

    /** The task is STOPPED: emit its event, then this piece of work is done. */
    private void stopped(LocalTask task) {
        try {
            String event = task.stop(clock.instant(),
                    stopped -> StoppedTaskEvent.json(stopped, region, account, program.image()));
            save(task);
            if (settings.forgetStoppedTasks()) {
                forget(task.taskArn);
            }
            timeline.record(TimelineEntry.Kind.TASK_STOPPED, task.key.runId(), task.key.attempt(), task.taskArn,
                    task.describeStop());
            eventsEmitted.incrementAndGet();
            events.accept(event);
        } finally {
            work.end();
        }
    }

    /** A container's environment: the task definition's, then its override's. */
    private Map<String, String> environment(ContainerOverride container) {
        Map<String, String> environment = new LinkedHashMap<>(settings.taskDefinitionEnvironment());
        for (EnvironmentVariable variable : container.environmentOrEmpty()) {
            environment.put(variable.name(), variable.value());
        }
        return environment;
    }

    private String taskDefinitionArn(String taskDefinition) {
        if (taskDefinition.startsWith("arn:")) {
            return taskDefinition;
        }
        return "arn:aws:ecs:" + region + ":" + account + ":task-definition/"
                + (taskDefinition.contains(":") ? taskDefinition : taskDefinition + ":1");
    }

    private boolean isOurCluster(String cluster) {
        return settings.clusterArn().equals(cluster)
                || StoppedTaskEvent.clusterName(settings.clusterArn()).equals(cluster);
    }

    private static LaunchKey keyOf(LaunchRequest request) {
        String runId = request.tags().get(AttemptMetadata.RUN_ID_TAG);
        String attempt = request.tags().get(AttemptMetadata.ATTEMPT_TAG);
        List<EnvironmentVariable> environment = request.containers().isEmpty() ? List.of()
                : request.containers().get(0).environmentOrEmpty();
        for (EnvironmentVariable variable : environment) {
            if (runId == null && AttemptMetadata.RUN_ID_ENV.equals(variable.name())) {
                runId = variable.value();
            }
            if (attempt == null && AttemptMetadata.ATTEMPT_ENV.equals(variable.name())) {
                attempt = variable.value();
            }
        }
        int number;
        try {
            number = attempt == null ? 0 : Integer.parseInt(attempt);
        } catch (NumberFormatException e) {
            number = 0;
        }
        return new LaunchKey(runId == null ? "-" : runId, number);
    }

    /** Where and how big: "on FARGATE_SPOT, cpu 1024 memory 2048, subnet-a". */
    private static String describeLaunch(LocalTask task) {
        LaunchRequest r = task.request;
        String provider = task.capacityProvider();
        String capacity = provider != null ? provider
                : r.launchType() != null ? r.launchType() : "FARGATE";
        return "on " + capacity + ", cpu " + task.cpu + " memory " + task.memory
                + (task.subnet == null ? "" : ", " + task.subnet);
    }
}
