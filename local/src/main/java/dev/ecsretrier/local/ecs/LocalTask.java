package dev.ecsretrier.local.ecs;

import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.TaskSize;
import dev.ecsretrier.local.emulator.LaunchFault;
import dev.ecsretrier.local.emulator.LaunchKey;
import dev.ecsretrier.port.LaunchRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * One task of the local ECS and its lifecycle, PROVISIONING → RUNNING → STOPPED (or straight to
 * STOPPED when it fails to start), with the timestamps, stop code and {@code detail.version} ECS
 * reports at each step. Only this class changes the task's state, each transition under the
 * task's own lock; {@link LocalEcs} decides when a transition happens.
 *
 * <p>A task runs one process per container of its RunTask ({@link #containers}), each with its own override; it
 * stops once every one of them has exited (or StopTask stopped them), reporting each container's exit code.
 *
 * <p>Versions as ECS counts state changes: 1 when created, 3 once running or stopping before
 * the container started, 5 once stopped after the container ran.
 */
final class LocalTask {

    static final String PROVISIONING = "PROVISIONING";
    static final String RUNNING = "RUNNING";
    static final String STOPPED = "STOPPED";
    /** ECS's stop code for a StopTask call. */
    static final String USER_INITIATED = "UserInitiated";
    static final String ESSENTIAL_CONTAINER_EXITED = "EssentialContainerExited";

    final String taskArn;
    final String taskId;
    final String taskDefinitionArn;
    final LaunchRequest request;
    final LaunchKey key;
    final LaunchFault.StopsTask fault;
    final Instant createdAt;
    /** Task-level size as ECS reports it: the request's override, else the task definition's. */
    final String cpu;
    final String memory;
    /** Where the task's ENI goes: the request's first subnet, or null without a network configuration. */
    final String subnet;
    /** The task's containers, in the request's order: one per container override. */
    final List<String> containers;

    private String lastStatus = PROVISIONING;
    /** ECS's {@code detail.version}: one more per state change. */
    private int version = 1;
    /** One per container once they run, in {@link #containers}' order. */
    private List<TaskProgram.Execution> executions = List.of();
    /** Set by StopTask. */
    private String stopRequestedReason;
    private Instant startedAt;
    private Instant stoppingAt;
    private Instant executionStoppedAt;
    private Instant stoppedAt;
    private String stopCode;
    private String stoppedReason;
    /** Per container, in {@link #containers}' order. */
    private final String[] containerReasons;
    private final Integer[] exitCodes;
    private final boolean[] exited;
    /** The first provider of the request's strategy; absent with a launch type. */
    private String capacityProvider;
    /** The STOPPED event, once emitted. */
    private String stoppedEvent;

    LocalTask(String taskArn, String taskId, String taskDefinitionArn, LaunchRequest request, LaunchKey key,
              LaunchFault.StopsTask fault, Instant createdAt, String cpu, String memory) {
        this.taskArn = taskArn;
        this.taskId = taskId;
        this.taskDefinitionArn = taskDefinitionArn;
        this.request = request;
        this.key = key;
        this.fault = fault;
        this.createdAt = createdAt;
        this.cpu = cpu;
        this.memory = memory;
        this.subnet = request.network() == null || request.network().subnets().isEmpty() ? null
                : request.network().subnets().get(0);
        if (request.containers().isEmpty()) {
            throw new IllegalArgumentException("a local task runs at least one container; the request names none");
        }
        this.containers = request.containers().stream().map(ContainerOverride::name).toList();
        this.containerReasons = new String[containers.size()];
        this.exitCodes = new Integer[containers.size()];
        this.exited = new boolean[containers.size()];
        if (!request.capacityProviderStrategy().isEmpty()) {
            this.capacityProvider = request.capacityProviderStrategy().get(0).capacityProvider();
        }
    }

    /** ECS's stop code when the task's host goes away; here: serve stopped while the task ran. */
    static final String TERMINATION_NOTICE = "TerminationNotice";
    static final String INTERRUPTED_REASON = "Task stopped because the local runtime (serve) stopped while it ran";

    /** A task's tag, as RunTask takes it. */
    record SavedTag(String key, String value) {
    }

    /** What RunTask was given, in a shape the one JSON binder reads back (tags as RunTask's key/value list). */
    record SavedRequest(String cluster, String taskDefinition, String startedBy, String clientToken,
                        List<ContainerOverride> containers, List<SavedTag> tags, String launchType,
                        List<CapacityProviderItem> capacityProviderStrategy, LaunchRequest.NetworkSettings network,
                        TaskSize size) {

        static SavedRequest of(LaunchRequest r) {
            return new SavedRequest(r.cluster(), r.taskDefinition(), r.startedBy(), r.clientToken(), r.containers(),
                    r.tags().entrySet().stream().map(e -> new SavedTag(e.getKey(), e.getValue())).toList(),
                    r.launchType(), r.capacityProviderStrategy(), r.network(), r.size());
        }

        LaunchRequest request() {
            Map<String, String> byKey = new LinkedHashMap<>();
            tags.forEach(tag -> byKey.put(tag.key(), tag.value()));
            return new LaunchRequest(cluster, taskDefinition, startedBy, clientToken, containers, byKey, launchType,
                    capacityProviderStrategy, network, size);
        }
    }

    /**
     * What a data directory keeps of a task, enough to restore it as it was after a restart.
     *
     * @param containers each container's exit code and reason, in the request's order
     */
    record Saved(String taskArn, String taskId, String taskDefinitionArn, SavedRequest request, String runId,
                 int attempt, Instant createdAt, String cpu, String memory, String lastStatus, int version,
                 String stopRequestedReason, Instant startedAt, Instant stoppingAt, Instant executionStoppedAt,
                 Instant stoppedAt, String stopCode, String stoppedReason, List<ContainerExit> containers,
                 String capacityProvider, String stoppedEvent) {
    }

    synchronized Saved saved() {
        return new Saved(taskArn, taskId, taskDefinitionArn, SavedRequest.of(request), key.runId(), key.attempt(), createdAt, cpu, memory,
                lastStatus, version, stopRequestedReason, startedAt, stoppingAt, executionStoppedAt, stoppedAt, stopCode,
                stoppedReason, containerExits(), capacityProvider, stoppedEvent);
    }

    /** The task as it was saved; its process, if it had one, is gone. */
    static LocalTask restored(Saved saved) {
        LocalTask task = new LocalTask(saved.taskArn(), saved.taskId(), saved.taskDefinitionArn(), saved.request().request(),
                new LaunchKey(saved.runId(), saved.attempt()), null, saved.createdAt(), saved.cpu(), saved.memory());
        task.lastStatus = saved.lastStatus();
        task.version = saved.version();
        task.stopRequestedReason = saved.stopRequestedReason();
        task.startedAt = saved.startedAt();
        task.stoppingAt = saved.stoppingAt();
        task.executionStoppedAt = saved.executionStoppedAt();
        task.stoppedAt = saved.stoppedAt();
        task.stopCode = saved.stopCode();
        task.stoppedReason = saved.stoppedReason();
        List<ContainerExit> exits = saved.containers() == null ? List.of() : saved.containers();
        for (int i = 0; i < Math.min(exits.size(), task.containers.size()); i++) {
            task.exitCodes[i] = exits.get(i).exitCode();
            task.containerReasons[i] = exits.get(i).reason();
            task.exited[i] = exits.get(i).exitCode() != null;
        }
        task.capacityProvider = saved.capacityProvider();
        task.stoppedEvent = saved.stoppedEvent();
        return task;
    }

    /**
     * The runtime stopped while this task had not (its process was ended with it): it stops now as a
     * task whose host went away, {@code TerminationNotice}, which the default policy retries; a
     * StopTask that came first wins, UserInitiated.
     */
    synchronized void interruptByRestart(Instant now) {
        if (stopRequestedReason != null) {
            stopAsRequested();
        } else {
            stopCode = TERMINATION_NOTICE;
            stoppedReason = INTERRUPTED_REASON;
            stoppingAt = now;
        }
        if (RUNNING.equals(lastStatus)) {
            executionStoppedAt = now;
            version = 5;
        } else {
            version = 3;
        }
    }

    /**
     * StopTask: the desired status becomes STOPPED with this reason, and a running process is
     * signalled. False (and nothing changes) when the task stopped or was asked to already.
     */
    synchronized boolean requestStop(String reason, Instant now) {
        if (stopped() || stopRequestedReason != null) {
            return false;
        }
        stopRequestedReason = reason;
        stoppingAt = now;
        stopRunning();
        return true;
    }

    /**
     * The injected fault ends the task as ECS would have: its stop code and reasons, and, when
     * the fault lets the container start, a start halfway between creation and now. A StopTask
     * that came first wins: the stop is then UserInitiated.
     */
    synchronized void stopByFault(Instant now) {
        if (stopRequestedReason != null) {
            stopAsRequested();
        } else {
            stopCode = fault.stopCode();
            stoppedReason = fault.stoppedReason();
            // The fault strikes the first container (the app); ECS reports the others without an exit code.
            containerReasons[0] = fault.containerReason();
            exitCodes[0] = fault.exitCode();
            if (capacityProvider == null && fault.capacityProvider() != null) {
                // A launch type, not a strategy: the fault says where the task "ran".
                capacityProvider = fault.capacityProvider();
            }
            if (fault.containerStarted()) {
                startedAt = createdAt.plus(Duration.between(createdAt, now).dividedBy(2));
                executionStoppedAt = now;
            }
            stoppingAt = now;
        }
        version = fault.containerStarted() ? 5 : 3;
    }

    /** Before its process starts: when StopTask came first, the task stops as UserInitiated and this is true. */
    synchronized boolean stopIfRequestedBeforeStart() {
        if (stopRequestedReason == null) {
            return false;
        }
        stopAsRequested();
        version = 3;
        return true;
    }

    /** The process of container {@code container} (its place) could not be started: the task never ran. */
    synchronized void failToStart(int container, String message, Instant now) {
        stopCode = ESSENTIAL_CONTAINER_EXITED;
        stoppedReason = "Essential container in task exited";
        containerReasons[container] = "CannotStartContainerError: " + message;
        stoppingAt = now;
        version = 3;
    }

    /**
     * PROVISIONING → RUNNING with its processes, one per container in {@link #containers}' order; a StopTask that came
     * meanwhile stops them at once.
     */
    synchronized void run(List<TaskProgram.Execution> started, Instant now) {
        if (started.size() != containers.size()) {
            throw new IllegalArgumentException(started.size() + " processes for " + containers.size() + " containers");
        }
        executions = List.copyOf(started);
        startedAt = now;
        lastStatus = RUNNING;
        version = 3;
        if (stopRequestedReason != null) {
            stopRunning();
        }
    }

    /**
     * The process of container {@code container} (its place) ended: with {@code code}, or {@code error} when its exit
     * code could not be had. Once every container has exited the task stops: a stop that StopTask asked for is
     * UserInitiated; any other is the essential container's exit.
     *
     * @return whether that was the last container, so that the task has stopped
     */
    synchronized boolean exit(int container, Integer code, Throwable error, Instant now) {
        exited[container] = true;
        exitCodes[container] = error == null ? code : null;
        if (error != null) {
            containerReasons[container] = "ContainerRuntimeError: " + error.getMessage();
        }
        for (boolean done : exited) {
            if (!done) {
                return false;
            }
        }
        executionStoppedAt = now;
        if (stopRequestedReason != null) {
            stopAsRequested();
        } else {
            stopCode = ESSENTIAL_CONTAINER_EXITED;
            stoppedReason = LaunchFault.ESSENTIAL_CONTAINER_EXITED;
            stoppingAt = now;
        }
        version = 5;
        return true;
    }

    /**
     * The last step, after one of the stops above: STOPPED at {@code now}, and the event ECS emits
     * for it, rendered from the stopped task and kept.
     *
     * @return the event
     */
    synchronized String stop(Instant now, Function<LocalTask, String> event) {
        stoppedAt = now;
        if (stoppingAt == null) {
            stoppingAt = stoppedAt;
        }
        lastStatus = STOPPED;
        stoppedEvent = event.apply(this);
        return stoppedEvent;
    }

    /** Stops the processes still running, without a state change (the runtime is closing). */
    synchronized void stopProcess() {
        if (!stopped()) {
            stopRunning();
        }
    }

    synchronized LocalEcs.TaskState state(String clusterArn) {
        return new LocalEcs.TaskState(taskArn, clusterArn, taskDefinitionArn, request, lastStatus,
                stopRequestedReason != null, cpu, memory, createdAt, startedAt, stoppedAt, stopCode, stoppedReason,
                containerExits(), version);
    }

    synchronized LocalEcs.LaunchedTask launched() {
        return new LocalEcs.LaunchedTask(taskArn, request, stoppedEvent);
    }

    synchronized String lastStatus() {
        return lastStatus;
    }

    synchronized String stopRequestedReason() {
        return stopRequestedReason;
    }

    /** "EssentialContainerExited: Essential container in task exited; app exit 2; report exit 0". */
    synchronized String describeStop() {
        StringBuilder text = new StringBuilder(stopCode);
        text.append(": ").append(stoppedReason);
        for (int i = 0; i < containers.size(); i++) {
            if (exitCodes[i] != null) {
                text.append("; ").append(containers.get(i)).append(" exit ").append(exitCodes[i]);
            }
            if (containerReasons[i] != null && !containerReasons[i].equals(stoppedReason)) {
                text.append("; ").append(containers.get(i)).append(": ").append(containerReasons[i]);
            }
        }
        return text.toString();
    }

    // What the STOPPED event reports; read under the task's lock (inside stop()).

    synchronized Instant startedAt() {
        return startedAt;
    }

    synchronized Instant stoppingAt() {
        return stoppingAt;
    }

    synchronized Instant executionStoppedAt() {
        return executionStoppedAt;
    }

    synchronized Instant stoppedAt() {
        return stoppedAt;
    }

    synchronized String stopCode() {
        return stopCode;
    }

    synchronized String stoppedReason() {
        return stoppedReason;
    }

    /** Each container's exit code (null until it exited) and reason, in {@link #containers}' order. */
    synchronized List<ContainerExit> containerExits() {
        return IntStream.range(0, containers.size())
                .mapToObj(i -> new ContainerExit(containers.get(i), exitCodes[i], containerReasons[i]))
                .toList();
    }

    synchronized String capacityProvider() {
        return capacityProvider;
    }

    synchronized int version() {
        return version;
    }

    private boolean stopped() {
        return STOPPED.equals(lastStatus);
    }

    /** SIGTERM to each container's process that has not exited. */
    private void stopRunning() {
        for (int i = 0; i < executions.size(); i++) {
            if (!exited[i]) {
                executions.get(i).stop();
            }
        }
    }

    private void stopAsRequested() {
        stopCode = USER_INITIATED;
        stoppedReason = stopRequestedReason;
    }
}
