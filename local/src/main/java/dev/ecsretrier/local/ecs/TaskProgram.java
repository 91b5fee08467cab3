package dev.ecsretrier.local.ecs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** What a local task runs in place of a container: by default a process, the sample-task jar. */
public interface TaskProgram {

    /**
     * Starts one task's container.
     *
     * @throws IOException when it cannot start (ECS: CannotStartContainerError)
     */
    Execution start(Container container) throws IOException;

    /** What the STOPPED event names as the container's image. */
    String image();

    /**
     * One container to start.
     *
     * @param environment exactly the container's environment: the task definition's, then the overrides
     * @param command     the command override, or null to keep the program's
     */
    record Container(String taskId, Map<String, String> environment, List<String> command) {
        public Container {
            environment = Map.copyOf(environment);
            command = command == null ? null : List.copyOf(command);
        }
    }

    /** A started container. */
    interface Execution {
        /** Completes with the exit code when the container ends. */
        CompletableFuture<Integer> exitCode();

        /** Stops the container the way ECS does, with SIGTERM (exit 143 for most programs). */
        void stop();
    }

    /**
     * A process: {@code entryPoint} then the command override, if any (Docker's ENTRYPOINT + CMD).
     *
     * @param logDirectory where each task's output goes, as {@code <taskId>.log}; null to discard it
     */
    static TaskProgram process(List<String> entryPoint, Path logDirectory) {
        return new ProcessProgram(entryPoint, logDirectory);
    }

    /** {@code java -jar sample-task.jar}, with the jar of this checkout. */
    static TaskProgram sampleTask(Path logDirectory) {
        return process(SampleTaskJar.command(), logDirectory);
    }
}
