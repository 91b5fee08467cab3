package dev.ecsretrier.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A file that one JSON document per line is appended to (notifications, dead letters). */
public final class JsonLinesFile {

    private final Path path;

    public JsonLinesFile(Path path) {
        this.path = path.toAbsolutePath();
        try {
            if (this.path.getParent() != null) {
                Files.createDirectories(this.path.getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder of " + this.path, e);
        }
    }

    public Path path() {
        return path;
    }

    public synchronized void append(String jsonLine) {
        try {
            Files.writeString(path, jsonLine + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + path, e);
        }
    }
}
