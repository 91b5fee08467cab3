package dev.ecsretrier.shrunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The Lambda jar is the same bytes whenever it is built from the same sources: every entry carries
 * the build's fixed {@code project.build.outputTimestamp} (not the time of the build) and the entries
 * come in one order. Otherwise every deploy would publish new Lambda versions and change the CDK
 * asset hash although nothing changed. {@code .ci/run} also builds the jar twice and compares the
 * bytes.
 *
 * <p>Runs in {@code mvn verify} (failsafe, after {@code package}); the pom passes the jar's path and
 * the timestamp.
 */
class ReproducibleLambdaJarIT {

    private static final Path LAMBDA_JAR = Path.of(System.getProperty("ecsretrier.lambda.jar"));
    private static final Instant OUTPUT_TIMESTAMP = Instant.parse(System.getProperty("ecsretrier.output.timestamp"));

    @Test
    void everyEntryCarriesTheFixedOutputTimestamp_notTheTimeOfTheBuild() throws IOException {
        List<String> otherTimes = new ArrayList<>();
        int entries = 0;
        try (ZipFile jar = new ZipFile(LAMBDA_JAR.toFile())) {
            for (ZipEntry entry : Collections.list(jar.entries())) {
                entries++;
                FileTime time = entry.getLastModifiedTime();
                if (!time.toInstant().equals(OUTPUT_TIMESTAMP)) {
                    otherTimes.add(entry.getName() + " " + time);
                }
            }
        }
        assertThat(entries).as("entries of " + LAMBDA_JAR).isGreaterThan(1000);
        assertThat(otherTimes).as("entries not at " + OUTPUT_TIMESTAMP).isEmpty();
    }

    @Test
    void theManifestComesFirst_andTheFilesInNameOrder() throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipFile jar = new ZipFile(LAMBDA_JAR.toFile())) {
            Collections.list(jar.entries()).forEach(entry -> names.add(entry.getName()));
        }
        // First, as java.util.jar.JarInputStream needs it; then Ant's order (functions/pom.xml).
        assertThat(names.subList(0, 2)).containsExactly("META-INF/", "META-INF/MANIFEST.MF");
        assertThat(names.subList(2, names.size()).stream().filter(name -> !name.endsWith("/")).toList()).isSorted();
    }
}
