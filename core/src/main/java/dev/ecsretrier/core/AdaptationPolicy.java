package dev.ecsretrier.core;

import java.util.List;
import java.util.Locale;

/**
 * Retries that change the next launch: on-demand capacity after Spot failures, more memory after
 * an out-of-memory stop, subnets in another order after an ENI or capacity failure. Pure.
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

    static final String ENI_TIMEOUT_PREFIX = "Timeout waiting for network interface provisioning";

    public AdaptationPolicy {
        fallbackStrategy = List.copyOf(fallbackStrategy);
        subnets = List.copyOf(subnets);
    }

    /** A verdict after adaptation, and the launch of the next attempt if it is retried. */
    public record Adapted(Verdict verdict, LaunchAdjustment next) {
    }

    public Adapted adapt(AttemptStop stop, Verdict verdict, List<AttemptSummary> earlier, LaunchAdjustment current,
                         TaskSize size) {
        LaunchAdjustment next = current;
        if (memoryEscalation && StopClassifier.OUT_OF_MEMORY_RULE.equals(verdict.rule())) {
            if (size == null) {
                return new Adapted(new Verdict(Action.FAIL, verdict.rule(), verdict.reason()
                        + "; the stop gives no task size to escalate from", verdict.kind()), current);
            }
            var bigger = FargateSizes.escalate(size, memoryFactor, memoryCapMiB);
            if (bigger.isEmpty()) {
                return new Adapted(new Verdict(Action.FAIL, verdict.rule(), "out of memory at " + size.memoryMiB()
                        + " MiB, and the memory cap of " + memoryCapMiB + " MiB allows no larger Fargate size",
                        verdict.kind()), current);
            }
            TaskSize to = bigger.get();
            String change = "memory " + size.memoryMiB() + " -> " + to.memoryMiB() + " MiB (cpu " + to.cpu()
                    + ") after OutOfMemoryError";
            verdict = new Verdict(Action.RETRY, verdict.rule(), "out of memory at " + size.memoryMiB()
                    + " MiB: the next attempt gets " + to.memoryMiB() + " MiB", verdict.kind());
            next = next.withSize(to, change);
        }
        if (verdict.action() != Action.RETRY) {
            return new Adapted(verdict, current);
        }
        if (!fallbackStrategy.isEmpty() && isSpotFailure(stop.stopCode(), stop.stoppedReason(), stop.synchronous())
                && !fallbackStrategy.equals(next.capacityProviderStrategy())) {
            long spotFailures = 1 + earlier.stream()
                    .filter(a -> isSpotFailure(a.stopCode(), a.stoppedReason(), a.taskArn() == null))
                    .count();
            if (spotFailures >= fallbackAfterSpotFailures) {
                next = next.withCapacity(fallbackStrategy, "capacity " + providers(fallbackStrategy) + " after "
                        + spotFailures + " Spot failure" + (spotFailures == 1 ? "" : "s"));
            }
        }
        if (rotateSubnets && subnets.size() > 1 && isPlacementFailure(stop)) {
            int offset = Math.floorMod((next.subnetOffset() == null ? 0 : next.subnetOffset()) + 1, subnets.size());
            next = next.withSubnetOffset(offset, "subnet " + subnets.get(offset) + " first after " + placementCause(stop));
        }
        return new Adapted(verdict, next);
    }

    /** A Spot interruption, or a synchronous failure for lack of capacity (Fargate Spot's usual one). */
    static boolean isSpotFailure(String stopCode, String stoppedReason, boolean synchronous) {
        return "SpotInterruption".equals(stopCode)
                || (synchronous && stoppedReason != null && stoppedReason.toLowerCase(Locale.ROOT).contains("capacity"));
    }

    static boolean isPlacementFailure(AttemptStop stop) {
        String reason = stop.stoppedReason() == null ? "" : stop.stoppedReason();
        return reason.startsWith(ENI_TIMEOUT_PREFIX)
                || stop.containers().stream().anyMatch(c -> c.reason() != null && c.reason().startsWith(ENI_TIMEOUT_PREFIX))
                || (stop.synchronous() && reason.toLowerCase(Locale.ROOT).contains("capacity"));
    }

    private static String placementCause(AttemptStop stop) {
        return stop.synchronous() ? "a capacity failure" : "an ENI timeout";
    }

    private static String providers(List<CapacityProviderItem> strategy) {
        return String.join("+", strategy.stream().map(CapacityProviderItem::capacityProvider).toList());
    }
}
