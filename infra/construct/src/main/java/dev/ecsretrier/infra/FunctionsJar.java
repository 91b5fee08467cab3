package dev.ecsretrier.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import software.amazon.awscdk.AssetHashType;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.s3.assets.AssetOptions;

/**
 * The code of both functions: the functions module's shrunk Lambda jar, which this construct's own jar carries as the
 * resource {@value #RESOURCE}. Any CDK app with {@code dev.ecsretrier:infra} on its classpath gets it, with no path
 * into this repository. The CDK stages assets from files, so the jar is copied out once per JVM and staged under its
 * SHA-256: the same jar gives the same S3 key in every app and on every machine, another jar another key.
 */
public final class FunctionsJar {

    /** Where the jar sits on the classpath (infra/construct/pom.xml copies it there). */
    public static final String RESOURCE = "/dev/ecsretrier/infra/functions-lambda.jar";

    private static Staged staged;

    private FunctionsJar() {
    }

    /** The jar as Lambda code, hashed by its content. */
    public static Code code() {
        Staged jar = staged();
        return Code.fromAsset(jar.file().toString(), AssetOptions.builder()
                .assetHashType(AssetHashType.CUSTOM)
                .assetHash(jar.sha256())
                .build());
    }

    /** The SHA-256 (hex) of the carried jar, which is also its asset hash. */
    public static String sha256() {
        return staged().sha256();
    }

    private static synchronized Staged staged() {
        if (staged == null) {
            staged = copyOut();
        }
        return staged;
    }

    private static Staged copyOut() {
        try (InputStream resource = FunctionsJar.class.getResourceAsStream(RESOURCE)) {
            if (resource == null) {
                throw new IllegalStateException("the functions Lambda jar " + RESOURCE + " is not on the classpath: this "
                        + "dev.ecsretrier:infra jar was built without it (build it from the repository root with mvn package)");
            }
            Path dir = Files.createTempDirectory("ecs-retrier-functions");
            Path file = dir.resolve("functions-lambda.jar");
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (DigestInputStream hashing = new DigestInputStream(resource, digest)) {
                Files.copy(hashing, file);
            }
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return new Staged(file, HexFormat.of().formatHex(digest.digest()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not copy out the functions Lambda jar " + RESOURCE, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private record Staged(Path file, String sha256) {
    }
}
