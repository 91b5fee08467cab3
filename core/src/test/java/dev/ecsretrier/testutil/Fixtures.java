package dev.ecsretrier.testutil;

import dev.ecsretrier.input.TaskStateChange;
import dev.ecsretrier.input.TaskStateChangeParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** ECS event fixtures under {@code src/test/resources/events}, loaded by name. */
public final class Fixtures {

    private Fixtures() {
    }

    /** The bytes of {@code events/<name>}, e.g. {@code "succeeded.json"} or {@code "malformed/not-json.txt"}. */
    public static byte[] event(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/events/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture events/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String eventText(String name) {
        return new String(event(name), StandardCharsets.UTF_8);
    }

    /** The fixture read by the real parser. */
    public static TaskStateChange parsed(String name) {
        return TaskStateChangeParser.parse(event(name));
    }

    /** Every valid event fixture: the files directly in {@code events/} except the README. */
    public static List<String> validEvents() {
        return list("");
    }

    /** Every file in {@code events/malformed/}. */
    public static List<String> malformedEvents() {
        return list("malformed");
    }

    private static List<String> list(String folder) {
        Path dir = folder.isEmpty() ? root() : root().resolve(folder);
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("README.md"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path root() {
        URL url = Fixtures.class.getResource("/events");
        if (url == null) {
            throw new IllegalStateException("events/ is not on the test classpath");
        }
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                openZipFileSystem(uri);
            }
            return Path.of(uri);
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The functions' tests read the fixtures from core's test-jar: its zip file system, opened once. */
    private static synchronized void openZipFileSystem(URI uri) throws IOException {
        try {
            FileSystems.getFileSystem(uri);
        } catch (FileSystemNotFoundException notYetOpen) {
            FileSystems.newFileSystem(uri, Map.of());
        }
    }
}
