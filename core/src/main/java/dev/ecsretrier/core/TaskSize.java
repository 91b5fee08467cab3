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

    /**
     * Reads a size that ecs-retrier itself wrote as text (a start request's {@code launch}, a tag):
     * null when both are absent; otherwise both must be whole numbers.
     *
     * @throws IllegalArgumentException naming the part ({@code cpuName} or {@code memoryName}) that is
     *                                  missing or not a whole number
     */
    static TaskSize fromText(String cpuName, String cpu, String memoryName, String memory) {
        if (cpu == null && memory == null) {
            return null;
        }
        return new TaskSize(whole(cpuName, cpu, memoryName), whole(memoryName, memory, cpuName));
    }

    /** Whether Fargate accepts this size ({@link FargateSizes}); RunTask fails for any other. */
    public boolean fargateAccepts() {
        return FargateSizes.valid(this);
    }

    /** ECS's form of the cpu: CPU units as a string ({@code "1024"}). */
    public String cpuText() {
        return Integer.toString(cpu);
    }

    /** ECS's form of the memory: MiB as a string ({@code "4096"}). */
    public String memoryText() {
        return Integer.toString(memoryMiB);
    }

    private static int whole(String name, String text, String other) {
        if (text == null) {
            throw new TaskSizeException(name, "is missing: " + other + " and " + name + " are set together");
        }
        try {
            int value = Integer.parseInt(text);
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new TaskSizeException(name, "must be a positive whole number as a string (\"1024\"), got '"
                + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'");
    }

    /** A size part that does not read; {@link #part()} names it. */
    static final class TaskSizeException extends IllegalArgumentException {
        private final String part;
        private final String problem;

        TaskSizeException(String part, String problem) {
            super(part + " " + problem);
            this.part = part;
            this.problem = problem;
        }

        String part() {
            return part;
        }

        String problem() {
            return problem;
        }
    }
}
