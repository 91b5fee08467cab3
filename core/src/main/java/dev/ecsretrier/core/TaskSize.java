package dev.ecsretrier.core;

/** A task's task-level size as ECS reports it: CPU units and memory in MiB. */
public record TaskSize(int cpu, int memoryMiB) {

    /** Reads ECS's strings ({@code "1024"}); null when either is absent or not a whole number (e.g. "1 vCPU"). */
    public static TaskSize parse(String cpu, String memory) {
        try {
            return cpu == null || memory == null ? null : new TaskSize(Integer.parseInt(cpu.trim()),
                    Integer.parseInt(memory.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
