package dev.ecsretrier.local.emulator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A failure the local ECS gives a launch on demand: the task stops the way ECS stops it, or
 * {@code RunTask} itself fails. The texts are ECS's own (see the event fixtures of core/).
 */
public sealed interface LaunchFault {

    /** A short name for the timeline and the CLI. */
    String name();

    /**
     * RunTask starts the task, and it stops with this, without running the task's program.
     *
     * @param stopCode         ECS's stop code
     * @param stoppedReason    the task's stopped reason
     * @param containerReason  the container's reason, or null
     * @param exitCode         the container's exit code, or null when it never ran
     * @param capacityProvider the capacity provider the event names (FARGATE_SPOT for a Spot interruption), or null
     */
    record StopsTask(String name, String stopCode, String stoppedReason, String containerReason, Integer exitCode,
                     String capacityProvider) implements LaunchFault {

        /** Whether the container got to run before it stopped (it has an exit code). */
        public boolean containerStarted() {
            return exitCode != null;
        }
    }

    /**
     * RunTask starts nothing: a {@code failures[]} entry ({@code RESOURCE:MEMORY}), or an API error
     * that outlived the SDK's retries ({@code ThrottlingException}).
     *
     * @param apiError true for an API error: ECS keeps nothing, so the same client token may try again;
     *                 false for a {@code failures[]} answer, which ECS repeats for the same client token
     */
    record FailsRunTask(String name, String reason, String detail, boolean apiError) implements LaunchFault {
    }

    String CANNOT_PULL_TRANSIENT = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to"
            + " resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/sample:1.4.2: failed to do request: Head"
            + " \"https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/sample/manifests/1.4.2\": dial tcp"
            + " 10.0.42.17:443: i/o timeout";
    String CANNOT_PULL_NOT_FOUND = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to"
            + " resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/sample:1.4.3: not found";
    String RESOURCE_INITIALIZATION = "ResourceInitializationError: unable to pull secrets or registry auth: execution"
            + " resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s):"
            + " failed to fetch secret arn:aws:secretsmanager:us-east-1:111122223333:secret:batch/app-token-Xk2P9q from"
            + " secrets manager: RequestCanceled: request context canceled caused by: context deadline exceeded. Please"
            + " check your task network configuration.";
    String ENI_TIMEOUT = "Timeout waiting for network interface provisioning to complete.";
    String SPOT_INTERRUPTION = "Your Spot Task was interrupted.";
    String ESSENTIAL_CONTAINER_EXITED = "Essential container in task exited";
    String OUT_OF_MEMORY = "OutOfMemoryError: Container killed due to memory usage";

    /** A transient image pull failure (network): RETRY by the default policy. */
    static LaunchFault cannotPullContainer() {
        return new StopsTask("cannot-pull", "TaskFailedToStart", CANNOT_PULL_TRANSIENT, CANNOT_PULL_TRANSIENT, null, null);
    }

    /** The image tag does not exist: FAILED, no retry. */
    static LaunchFault imageNotFound() {
        return new StopsTask("image-not-found", "TaskFailedToStart", CANNOT_PULL_NOT_FOUND, CANNOT_PULL_NOT_FOUND, null,
                null);
    }

    /** Secrets could not be fetched in time: RETRY. */
    static LaunchFault resourceInitialization() {
        return new StopsTask("resource-init", "TaskFailedToStart", RESOURCE_INITIALIZATION, null, null, null);
    }

    /** The ENI was not provisioned in time: RETRY. */
    static LaunchFault eniTimeout() {
        return new StopsTask("eni-timeout", "TaskFailedToStart", ENI_TIMEOUT, null, null, null);
    }

    /** Fargate Spot took the capacity back: the container got SIGTERM (exit 143); RETRY. */
    static LaunchFault spotInterruption() {
        return new StopsTask("spot", "SpotInterruption", SPOT_INTERRUPTION, null, 143, "FARGATE_SPOT");
    }

    /** The container was killed for its memory use (exit 137): FAILED by the default policy. */
    static LaunchFault outOfMemory() {
        return new StopsTask("oom", "EssentialContainerExited", ESSENTIAL_CONTAINER_EXITED, OUT_OF_MEMORY, 137, null);
    }

    /** The task fails to start with any stopped reason. */
    static LaunchFault stoppedReason(String text) {
        return new StopsTask("reason", "TaskFailedToStart", text, null, null, null);
    }

    /** No container instance has the memory: a {@code failures[]} entry. */
    static LaunchFault resourceMemory() {
        return new FailsRunTask("run-task-memory", "RESOURCE:MEMORY", null, false);
    }

    /** RunTask was throttled past the SDK's retries. */
    static LaunchFault throttling() {
        return new FailsRunTask("throttling", "ThrottlingException", "Rate exceeded", true);
    }

    /** The faults by their CLI names; {@code reason=TEXT} is {@link #stoppedReason(String)}. */
    static Map<String, Supplier<LaunchFault>> named() {
        Map<String, Supplier<LaunchFault>> named = new LinkedHashMap<>();
        named.put("cannot-pull", LaunchFault::cannotPullContainer);
        named.put("image-not-found", LaunchFault::imageNotFound);
        named.put("resource-init", LaunchFault::resourceInitialization);
        named.put("eni-timeout", LaunchFault::eniTimeout);
        named.put("spot", LaunchFault::spotInterruption);
        named.put("oom", LaunchFault::outOfMemory);
        named.put("run-task-memory", LaunchFault::resourceMemory);
        named.put("throttling", LaunchFault::throttling);
        return named;
    }

    /** A fault by its CLI name, or {@code reason=TEXT}. */
    static Optional<LaunchFault> byName(String name) {
        if (name.startsWith("reason=") && name.length() > "reason=".length()) {
            return Optional.of(stoppedReason(name.substring("reason=".length())));
        }
        return Optional.ofNullable(named().get(name)).map(Supplier::get);
    }
}
