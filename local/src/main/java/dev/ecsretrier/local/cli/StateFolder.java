package dev.ecsretrier.local.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The one place a command keeps the state no option named (the notifications and dead-letter files):
 * {@code <java.io.tmpdir>/ecs-retrier-<command>-<random>/}, removed when the command ends unless
 * {@code --keep-state} asked to keep it.
 */
final class StateFolder implements AutoCloseable {

    static final String DESCRIPTION = "<temporary folder>/ecs-retrier-<command>-<random>/";

    private final Path path;
    private final boolean keep;

    private StateFolder(Path path, boolean keep) {
        this.path = path;
        this.keep = keep;
    }

    /** A new folder in the system's temporary folder ({@code java.io.tmpdir}, read now; ./retrier passes $TMPDIR). */
    static StateFolder create(String command, boolean keep) throws IOException {
        Path parent = Path.of(System.getProperty("java.io.tmpdir"));
        return new StateFolder(Files.createTempDirectory(parent, "ecs-retrier-" + command + "-"), keep);
    }

    Path resolve(String file) {
        return path.resolve(file);
    }

    Path path() {
        return path;
    }

    boolean kept() {
        return keep;
    }

    /** Removes the folder and what is in it, unless it is to be kept. */
    @Override
    public void close() {
        if (keep || !Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("retrier: could not remove " + path + ": " + e.getMessage());
        }
    }
}
