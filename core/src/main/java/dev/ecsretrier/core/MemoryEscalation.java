package dev.ecsretrier.core;

import java.util.Optional;

/**
 * After an out-of-memory stop that the default policy fails, retries with {@code factor ×} the memory,
 * always a size Fargate accepts ({@link FargateSizes}), up to {@code capMiB}; at the cap, or without a
 * size to grow from, the run fails and the reason says why.
 */
record MemoryEscalation(double factor, int capMiB) implements Adaptation {

    @Override
    public Plan adapt(EndedAttempt ended, Plan planned) {
        Verdict verdict = planned.verdict();
        if (!verdict.decidedBy(DefaultRule.OUT_OF_MEMORY)) {
            return planned;
        }
        TaskSize size = ended.size();
        if (size == null) {
            return planned.withVerdict(verdict.with(Action.FAIL, verdict.reason()
                    + "; the stop gives no task size to escalate from"));
        }
        Optional<TaskSize> bigger = FargateSizes.escalate(size, factor, capMiB);
        if (bigger.isEmpty()) {
            return planned.withVerdict(verdict.with(Action.FAIL, "out of memory at " + size.memoryMiB()
                    + " MiB, and the memory cap of " + capMiB + " MiB allows no larger Fargate size"));
        }
        TaskSize to = bigger.get();
        String change = "memory " + size.memoryMiB() + " -> " + to.memoryMiB() + " MiB (cpu " + to.cpu()
                + ") after OutOfMemoryError";
        return planned.withVerdict(verdict.with(Action.RETRY, "out of memory at " + size.memoryMiB()
                        + " MiB: the next attempt gets " + to.memoryMiB() + " MiB"))
                .changed(planned.next().withSize(to, change), change);
    }
}
