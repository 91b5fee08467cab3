package dev.ecsretrier.local.emulator.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsretrier.json.Json;
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

    /**
     * What arrived, for a line that records it (a payload, an SNS message): its plain JSON value when it
     * is JSON, so that the line nests it, the text as it was otherwise.
     */
    public static Object valueOrText(String text) {
        if (text == null || text.isBlank()) {
            return text;
        }
        try {
            return Json.parse(text);
        } catch (JsonProcessingException e) {
            return text;
        }
    }

    /** Whether {@code line} is one whole JSON document, as the functions' parser reads it. */
    private static boolean isJson(String line) {
        try {
            Json.parse(line);
            return !line.isBlank();
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    /**
     * The lines written so far (none when the file does not exist), without a last line that a crash
     * cut short: one that is not a whole JSON document.
     */
    public synchronized java.util.List<String> lines() {
        if (!Files.exists(path)) {
            return java.util.List.of();
        }
        try {
            java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(path, StandardCharsets.UTF_8));
            lines.removeIf(String::isBlank);
            if (!lines.isEmpty() && !isJson(lines.get(lines.size() - 1))) {
                lines.remove(lines.size() - 1);
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** Replaces the file's lines (a journal compacted to what is still live): a new file moved over the old one. */
    public synchronized void rewrite(java.util.List<String> jsonLines) {
        try {
            Path next = path.resolveSibling(path.getFileName() + ".next");
            Files.writeString(next, jsonLines.isEmpty() ? "" : String.join("\n", jsonLines) + "\n", StandardCharsets.UTF_8);
            Files.move(next, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + path, e);
        }
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
