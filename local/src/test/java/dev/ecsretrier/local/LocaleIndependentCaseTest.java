package dev.ecsretrier.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No production code changes a text's case by the JVM's default locale: under a Turkish locale
 * {@code "RUNNING".toLowerCase()} is {@code "runnıng"}, so an enum name, a setting or a status read
 * back would no longer match. Every call names {@code Locale.ROOT}.
 */
class LocaleIndependentCaseTest {

    /** Maven runs the tests in the module's folder; the modules are its siblings. */
    static final List<Path> SOURCES = List.of(Path.of("..", "core", "src", "main", "java"),
            Path.of("..", "functions", "src", "main", "java"), Path.of("..", "operate", "src", "main", "java"),
            Path.of("src", "main", "java"), Path.of("..", "infra", "construct", "src", "main", "java"),
            Path.of("..", "infra", "sample", "src", "main", "java"));
    static final Pattern DEFAULT_LOCALE_CASE = Pattern.compile("\\.to(Lower|Upper)Case\\(\\)");

    @Test
    void everyCaseChangeNamesTheRootLocale() throws IOException {
        List<String> calls = new ArrayList<>();
        for (Path root : SOURCES) {
            assertThat(root).as("a module's sources").isDirectory();
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    List<String> lines = Files.readAllLines(file);
                    for (int i = 0; i < lines.size(); i++) {
                        if (DEFAULT_LOCALE_CASE.matcher(lines.get(i)).find()) {
                            calls.add(file + ":" + (i + 1) + ": " + lines.get(i).strip());
                        }
                    }
                }
            }
        }
        assertThat(calls).as("toLowerCase()/toUpperCase() without Locale.ROOT").isEmpty();
    }
}
