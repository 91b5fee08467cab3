package dev.ecsretrier.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import software.amazon.awscdk.services.lambda.Code;

/**
 * Finds the functions module's shaded jar, the code of both functions. Maven passes its path as the
 * system property {@value #PROPERTY} (tests and {@code cdk synth}); without it, the jar is looked up
 * in {@code functions/target/} next to the working directory, as when running from {@code infra/}.
 */
public final class FunctionsJar {

    public static final String PROPERTY = "ecsretrier.functions.jar";
    private static final String BUILD_HINT = "build it first: mvn -pl infra -am package (from the repository root)";

    private FunctionsJar() {
    }

    /** The jar as Lambda code; fails with a build hint when the jar is missing. */
    public static Code locate() {
        return Code.fromAsset(path().toString());
    }

    static Path path() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null) {
            Path jar = Path.of(configured).toAbsolutePath().normalize();
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("the functions jar " + jar + " (" + PROPERTY + ") does not exist; " + BUILD_HINT);
            }
            return jar;
        }
        for (Path target : List.of(Path.of("..", "functions", "target"), Path.of("functions", "target"))) {
            if (Files.isDirectory(target)) {
                try (Stream<Path> files = Files.list(target)) {
                    var found = files.filter(f -> f.getFileName().toString().matches("functions-.*-lambda\\.jar")).findFirst();
                    if (found.isPresent()) {
                        return found.get().toAbsolutePath().normalize();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("no functions-*-lambda.jar in ../functions/target or functions/target; " + BUILD_HINT);
    }
}
