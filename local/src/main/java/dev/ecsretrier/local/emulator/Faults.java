package dev.ecsretrier.local.emulator;

import dev.ecsretrier.port.LaunchRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The faults a runtime injects: launch faults in order (the next N launches), a per-launch policy
 * for everything after them, and the at-least-once deliveries of AWS as probabilities.
 *
 * @param nextLaunches            faults for the next launches, one each, in order
 * @param launchPolicy            consulted for each launch once {@code nextLaunches} is used up; empty for none
 * @param duplicateDelivery       chance that the bus delivers an event twice
 * @param handlerCrash            chance that an asynchronous invocation crashes before its handler runs
 * @param schedulerDoubleFire     chance that a schedule invokes its target twice
 */
public record Faults(List<LaunchFault> nextLaunches, Function<LaunchRequest, Optional<LaunchFault>> launchPolicy,
                     double duplicateDelivery, double handlerCrash, double schedulerDoubleFire) {

    public static final Faults NONE = builder().build();

    public Faults {
        nextLaunches = List.copyOf(nextLaunches);
        probability("duplicateDelivery", duplicateDelivery);
        probability("handlerCrash", handlerCrash);
        probability("schedulerDoubleFire", schedulerDoubleFire);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static void probability(String name, double p) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException(name + " must be a probability between 0 and 1, got " + p);
        }
    }

    /** Builds {@link Faults}; nothing is injected unless asked. */
    public static final class Builder {
        private final List<LaunchFault> nextLaunches = new ArrayList<>();
        private Function<LaunchRequest, Optional<LaunchFault>> launchPolicy = request -> Optional.empty();
        private double duplicateDelivery;
        private double handlerCrash;
        private double schedulerDoubleFire;

        /** The next {@code count} launches fail with {@code fault} (after those already queued). */
        public Builder nextLaunches(int count, LaunchFault fault) {
            nextLaunches.addAll(Collections.nCopies(count, fault));
            return this;
        }

        /** Decides a fault per launch (e.g. by the run id in the request's environment); replaces any before. */
        public Builder launchPolicy(Function<LaunchRequest, Optional<LaunchFault>> policy) {
            this.launchPolicy = policy;
            return this;
        }

        /**
         * Every launch that meets {@code condition} gets {@code fault}, e.g. a Spot interruption only on
         * FARGATE_SPOT ({@link LaunchConditions}). Added to the launch policy: the policy so far decides
         * first, then each condition in the order given.
         */
        public Builder when(Predicate<LaunchRequest> condition, LaunchFault fault) {
            Function<LaunchRequest, Optional<LaunchFault>> before = launchPolicy;
            this.launchPolicy = request -> before.apply(request)
                    .or(() -> condition.test(request) ? Optional.of(fault) : Optional.empty());
            return this;
        }

        public Builder duplicateDelivery(double probability) {
            this.duplicateDelivery = probability;
            return this;
        }

        public Builder handlerCrash(double probability) {
            this.handlerCrash = probability;
            return this;
        }

        public Builder schedulerDoubleFire(double probability) {
            this.schedulerDoubleFire = probability;
            return this;
        }

        public Faults build() {
            return new Faults(nextLaunches, launchPolicy, duplicateDelivery, handlerCrash, schedulerDoubleFire);
        }
    }
}
