package dev.ecsretrier.core;

import java.util.List;

/**
 * After {@code afterSpotFailures} Spot failures in a run (interruptions, or RunTask refusals for lack of
 * capacity, Fargate Spot's usual one), retries on {@code strategy} (on-demand capacity, typically).
 */
record CapacityFallback(List<CapacityProviderItem> strategy, int afterSpotFailures) implements Adaptation {

    CapacityFallback {
        strategy = List.copyOf(strategy);
    }

    @Override
    public Plan adapt(EndedAttempt ended, Plan planned) {
        Verdict verdict = planned.verdict();
        if (!planned.retried() || !(verdict.recognised(Cause.SPOT_INTERRUPTION) || verdict.recognised(Cause.NO_CAPACITY))
                || strategy.equals(planned.next().capacityProviderStrategy())) {
            return planned;
        }
        long spotFailures = 1 + ended.metadata().history().stream()
                .filter(earlier -> earlier.recognised(Cause.SPOT_INTERRUPTION) || earlier.recognised(Cause.NO_CAPACITY))
                .count();
        if (spotFailures < afterSpotFailures) {
            return planned;
        }
        String change = "capacity " + String.join("+", strategy.stream().map(CapacityProviderItem::capacityProvider)
                .toList()) + " after " + spotFailures + " Spot failure" + (spotFailures == 1 ? "" : "s");
        return planned.changed(planned.next().withCapacity(strategy, change), change);
    }
}
