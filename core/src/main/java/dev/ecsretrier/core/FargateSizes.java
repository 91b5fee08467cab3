package dev.ecsretrier.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The task-level CPU and memory combinations Fargate accepts (Linux), from the ECS developer
 * guide's "Task CPU and memory" table: a size outside it makes RunTask fail, so memory
 * escalation only ever picks one of these.
 */
final class FargateSizes {

    private static final List<TaskSize> VALID = table();

    private FargateSizes() {
    }

    private static List<TaskSize> table() {
        List<TaskSize> sizes = new ArrayList<>();
        for (int memory : new int[] {512, 1024, 2048}) {
            sizes.add(new TaskSize(256, memory));
        }
        addRange(sizes, 512, 1024, 4096, 1024);
        addRange(sizes, 1024, 2048, 8192, 1024);
        addRange(sizes, 2048, 4096, 16384, 1024);
        addRange(sizes, 4096, 8192, 30720, 1024);
        addRange(sizes, 8192, 16384, 61440, 4096);
        addRange(sizes, 16384, 32768, 122880, 8192);
        return List.copyOf(sizes);
    }

    private static void addRange(List<TaskSize> sizes, int cpu, int from, int to, int step) {
        for (int memory = from; memory <= to; memory += step) {
            sizes.add(new TaskSize(cpu, memory));
        }
    }

    static boolean valid(TaskSize size) {
        return VALID.contains(size);
    }

    /**
     * The smallest valid size with at least {@code factor ×} the memory, no less CPU, and memory
     * within {@code capMiB}; empty when the cap allows none.
     */
    static Optional<TaskSize> escalate(TaskSize current, double factor, int capMiB) {
        long wanted = (long) Math.ceil(current.memoryMiB() * factor);
        return VALID.stream()
                .filter(s -> s.memoryMiB() >= wanted && s.memoryMiB() > current.memoryMiB())
                .filter(s -> s.cpu() >= current.cpu() && s.memoryMiB() <= capMiB)
                .min(Comparator.comparingInt(TaskSize::memoryMiB).thenComparingInt(TaskSize::cpu));
    }
}
