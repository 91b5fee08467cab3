package dev.ecsretrier.local.emulator;

import dev.ecsretrier.port.LaunchRequest;
import java.util.function.Predicate;

/**
 * Conditions on a launch for {@link Faults.Builder#when}: faults that depend on where and how big
 * a task is launched, as the real ones do (a Spot interruption needs Spot capacity).
 */
public final class LaunchConditions {

    private LaunchConditions() {
    }

    /** The task runs on this capacity provider: the first of the request's strategy. */
    public static Predicate<LaunchRequest> onCapacityProvider(String provider) {
        return request -> !request.capacityProviderStrategy().isEmpty()
                && provider.equals(request.capacityProviderStrategy().get(0).capacityProvider());
    }

    /** The task gets less than {@code mib} memory: its override, else the local task definition's (2048). */
    public static Predicate<LaunchRequest> memoryBelow(int mib) {
        return memoryBelow(mib, Integer.parseInt(LocalSettings.TASK_MEMORY));
    }

    /**
     * @param taskDefinitionMemoryMiB what a request without a memory override gets
     *                                ({@code LocalRuntime.Builder.taskSize})
     */
    public static Predicate<LaunchRequest> memoryBelow(int mib, int taskDefinitionMemoryMiB) {
        return request -> (request.size() == null ? taskDefinitionMemoryMiB : request.size().memoryMiB()) < mib;
    }

    /** The task runs this job: its {@code ecs-retrier:job} tag. */
    public static Predicate<LaunchRequest> ofJob(String job) {
        return request -> job.equals(request.tags().get(dev.ecsretrier.core.AttemptMetadata.JOB_TAG));
    }

    /** The task's ENI goes to this subnet: the first of the request's subnets. */
    public static Predicate<LaunchRequest> inSubnet(String subnet) {
        return request -> request.network() != null && !request.network().subnets().isEmpty()
                && subnet.equals(request.network().subnets().get(0));
    }
}
