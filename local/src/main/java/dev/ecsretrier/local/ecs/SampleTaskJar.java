package dev.ecsretrier.local.ecs;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds this checkout's {@code sample-task/target/sample-task.jar} and the java that runs it. */
public final class SampleTaskJar {

    /** Overrides where the jar is looked for. */
    public static final String PROPERTY = "ecs-retrier.sample-task.jar";
    static final Path RELATIVE = Path.of("sample-task", "target", "sample-task.jar");

    private SampleTaskJar() {
    }

    /** {@code java -jar <repo>/sample-task/target/sample-task.jar}, with JVM flags for a quick start. */
    public static List<String> command() {
        Path jar = locate().orElseThrow(() -> new IllegalStateException("sample-task jar not found ("
                + RELATIVE + " above " + codeLocation().map(Path::toString).orElse("this jar") + " or the current folder):"
                + " build it with `mvn -pl sample-task package`, or give a task command"));
        List<String> command = new ArrayList<>();
        command.add(java());
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    public static Optional<Path> locate() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isRegularFile);
        }
        Optional<Path> fromCode = codeLocation().flatMap(SampleTaskJar::above);
        return fromCode.isPresent() ? fromCode : above(Path.of("").toAbsolutePath());
    }

    /** The java of this JVM. */
    public static String java() {
        return ProcessHandle.current().info().command()
                .filter(c -> Files.isExecutable(Path.of(c)))
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static Optional<Path> above(Path start) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path jar = dir.resolve(RELATIVE);
            if (Files.isRegularFile(jar)) {
                return Optional.of(jar);
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> codeLocation() {
        try {
            return Optional.of(Path.of(SampleTaskJar.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
