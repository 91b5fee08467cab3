package dev.ecsretrier.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./retrier} script's build step, with a stand-in {@code mvn} on PATH: one progress line
 * on stderr when the build works, Maven's whole output (without ANSI codes) when it fails.
 */
class RetrierScriptTest {

    record Result(int exit, String out, String err) {
    }

    /** A checkout with the script and no jar yet, and an mvn that prints {@code noise} and runs {@code then}. */
    static Result run(Path dir, String then) throws Exception {
        Path checkout = Files.createDirectories(dir.resolve("checkout"));
        Files.copy(Path.of("..", "retrier"), checkout.resolve("retrier"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        // and a java that says how it was called, so no real jar is needed
        Path java = Files.createDirectories(dir.resolve("jdk").resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"java $*\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(bin.resolve("mvn"), "#!/bin/sh\n"
                + "printf '\\033[0m [proguard] Note: something accesses a method dynamically\\n'\n"
                + "echo \"mvn $*\"\n"
                + "mkdir -p local/target sample-task/target\n"
                + then + "\n");
        Files.setPosixFilePermissions(bin.resolve("mvn"), PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder builder = new ProcessBuilder("bash", checkout.resolve("retrier").toString(), "--version");
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("JAVA_HOME", dir.resolve("jdk").toString());
        builder.environment().put("TMPDIR", Files.createDirectories(dir.resolve("tmp")).toString());
        builder.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), read(dir.resolve("out.txt")), read(dir.resolve("err.txt")));
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    @Test
    void aBuildThatWorksShowsOneLineOnStderrThenRunsTheJar(@TempDir Path dir) throws Exception {
        Result run = run(dir, "touch local/target/ecs-retrier-local.jar sample-task/target/sample-task.jar");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err().lines()).containsExactly("retrier: building the local runtime (first use, or sources changed)...");
        assertThat(run.out()).startsWith("java -Djava.io.tmpdir=" + dir.resolve("tmp") + " -jar ")
                .contains("local/target/ecs-retrier-local.jar --version");
        assertThat(dir.resolve("tmp")).isEmptyDirectory();
    }

    @Test
    void aBuildThatFailsShowsMavensOutputWithoutAnsiCodesAndExits1(@TempDir Path dir) throws Exception {
        Result run = run(dir, "echo '[ERROR] COMPILATION ERROR: Foo.java:[3,1] class, interface, or enum expected'; exit 1");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("[proguard] Note", "-Dlambda.jar.phase=none -pl local -am package -DskipTests",
                "[ERROR] COMPILATION ERROR: Foo.java:[3,1]", "retrier: the build failed (above)").doesNotContain("\u001b[");
        assertThat(run.out()).isEmpty();
        assertThat(dir.resolve("tmp")).isEmptyDirectory();
    }
}
