package dev.ecsretrier.local.ecs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A task as a local process, started with exactly the container's environment and nothing else. */
final class ProcessProgram implements TaskProgram {

    private final List<String> entryPoint;
    private final Path logDirectory;

    ProcessProgram(List<String> entryPoint, Path logDirectory) {
        if (entryPoint.isEmpty()) {
            throw new IllegalArgumentException("a task command needs at least the program to run");
        }
        this.entryPoint = List.copyOf(entryPoint);
        this.logDirectory = logDirectory;
    }

    @Override
    public Execution start(Container container) throws IOException {
        List<String> command = new ArrayList<>(entryPoint);
        if (container.command() != null) {
            command.addAll(container.command());
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(container.environment());
        builder.redirectInput(ProcessBuilder.Redirect.from(nullFile()));
        if (logDirectory != null) {
            Files.createDirectories(logDirectory);
            builder.redirectErrorStream(true);
            builder.redirectOutput(logDirectory.resolve(container.taskId() + ".log").toFile());
        } else {
            builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        Process process = builder.start();
        CompletableFuture<Integer> exit = process.onExit().thenApply(Process::exitValue);
        return new Execution() {
            @Override
            public CompletableFuture<Integer> exitCode() {
                return exit;
            }

            @Override
            public void stop() {
                process.destroy();
            }
        };
    }

    @Override
    public String image() {
        return "local:" + Path.of(entryPoint.get(entryPoint.size() - 1)).getFileName();
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
