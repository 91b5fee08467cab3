package dev.ecsretrier.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The adaptive-retry settings, and the {@link Adaptation}s they turn on, in the order they are tried:
 * more memory after an out-of-memory stop, on-demand capacity after Spot failures, subnets in another
 * order after an ENI or capacity failure. Pure.
 *
 * @param fallbackStrategy          strategy for attempts after Spot failures; empty turns fallback off
 * @param fallbackAfterSpotFailures how many Spot failures (interruptions or capacity shortages) switch
 * @param memoryEscalation          whether an out-of-memory stop is retried with more memory
 * @param memoryFactor              how much more memory each escalation asks for
 * @param memoryCapMiB              the most memory escalation may give a task
 * @param rotateSubnets             whether ENI and capacity failures put the next subnet first
 * @param subnets                   the configured subnets, in their configured order
 */
public record AdaptationPolicy(List<CapacityProviderItem> fallbackStrategy, int fallbackAfterSpotFailures,
                               boolean memoryEscalation, double memoryFactor, int memoryCapMiB,
                               boolean rotateSubnets, List<String> subnets) {

    public static final AdaptationPolicy NONE = new AdaptationPolicy(List.of(), 1, false, 2.0, 0, false, List.of());

    public AdaptationPolicy {
        fallbackStrategy = List.copyOf(fallbackStrategy);
        subnets = List.copyOf(subnets);
    }

    /** The adaptations these settings turn on; memory escalation first, since it may turn a FAIL into a RETRY. */
    List<Adaptation> adaptations() {
        List<Adaptation> on = new ArrayList<>();
        if (memoryEscalation) {
            on.add(new MemoryEscalation(memoryFactor, memoryCapMiB));
        }
        if (!fallbackStrategy.isEmpty()) {
            on.add(new CapacityFallback(fallbackStrategy, fallbackAfterSpotFailures));
        }
        if (rotateSubnets) {
            on.add(new SubnetRotation(subnets));
        }
        return List.copyOf(on);
    }
}
