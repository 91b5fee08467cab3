package dev.ecsretrier.core;

import java.util.ArrayList;
import java.util.List;

/**
 * One way a retry may change the next launch: it looks at the ended attempt (its stop, its size, the
 * run's history) and the plan so far (the verdict, the next launch), and returns that plan or a changed
 * one. The policy is a list of them, each given what the one before returned, as resilience4j composes
 * its retry predicates and interval functions; adding one is adding a class (docs/policy.md).
 */
@FunctionalInterface
interface Adaptation {

    /**
     * @param ended   the attempt that ended: {@code ended.metadata()} holds the run's history and this
     *                attempt's launch, {@code ended.size()} its task size
     * @param planned the classifier's verdict and the next launch, as the adaptations before left them
     * @return {@code planned}, or a plan with another verdict or a changed next launch
     */
    Plan adapt(EndedAttempt ended, Plan planned);

    /**
     * A verdict, the launch the next attempt would get, and what this decision changed in it.
     *
     * @param next    the next attempt's launch: this attempt's, plus the changes made so far
     * @param changes the changes this decision made, oldest first (each also ends {@code next.changes()})
     */
    record Plan(Verdict verdict, LaunchAdjustment next, List<String> changes) {

        public Plan {
            changes = List.copyOf(changes);
        }

        /** The classifier's verdict, with the ended attempt's launch carried over unchanged. */
        public static Plan unchanged(Verdict verdict, LaunchAdjustment current) {
            return new Plan(verdict, current, List.of());
        }

        public Plan withVerdict(Verdict other) {
            return new Plan(other, next, changes);
        }

        /** The plan with {@code launch} for the next attempt, which made {@code change}. */
        public Plan changed(LaunchAdjustment launch, String change) {
            List<String> all = new ArrayList<>(changes);
            all.add(change);
            return new Plan(verdict, launch, all);
        }

        public boolean retried() {
            return verdict.action() == Action.RETRY;
        }
    }
}
