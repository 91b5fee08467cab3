package dev.ecsretrier.infra.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code cdk synth} as a user runs it: the CDK CLI pinned in infra/package.json runs the sample app on its runtime
 * classpath (what cdk.json's {@code exec:java} gets, not the test classpath) and prints the template, alone, on stdout.
 * A dependency the tests have but the app lacks (jackson-databind once was) fails here.
 */
class SampleAppSynthIT {

    private static final Path CLI_DIR = Path.of(System.getProperty("ecsretrier.cdk.cli.dir"));
    private static final Path OUT = Path.of(System.getProperty("ecsretrier.cli.out"));

    private static int exitCode;
    private static String stdout;
    private static String stderr;

    @BeforeAll
    static void synthesizeWithTheCdkCli() throws Exception {
        String classpath = Files.readString(Path.of(System.getProperty("ecsretrier.runtime.classpath"))).strip()
                + File.pathSeparator + System.getProperty("ecsretrier.sample.jar");
        String app = String.join(" ", "java",
                quoted("-D" + SampleStack.SAMPLE_TASK_DIR_PROPERTY + "=" + System.getProperty("ecsretrier.sample.task.dir")),
                "-cp", quoted(classpath), SampleApp.class.getName());
        Files.createDirectories(OUT);
        Path stdoutFile = OUT.resolve("template.yaml");
        Path stderrFile = OUT.resolve("stderr.txt");
        List<String> command = new ArrayList<>(List.of(CLI_DIR.resolve("node_modules/.bin/cdk").toString(),
                "synth", "--app", app, "--output", OUT.resolve("cdk.out").toString()));
        Process cdk = new ProcessBuilder(command)
                .directory(CLI_DIR.toFile())
                .redirectOutput(stdoutFile.toFile())
                .redirectError(stderrFile.toFile())
                .start();
        if (!cdk.waitFor(10, TimeUnit.MINUTES)) {
            cdk.destroyForcibly();
        }
        exitCode = cdk.isAlive() ? -1 : cdk.exitValue();
        stdout = Files.readString(stdoutFile, StandardCharsets.UTF_8);
        stderr = Files.readString(stderrFile, StandardCharsets.UTF_8);
    }

    @Test
    void cdkSynthSucceedsOnTheAppsRuntimeClasspath() {
        assertThat(exitCode).as("cdk synth exit code; stderr:%n%s", stderr).isZero();
    }

    @Test
    void stdoutIsTheTemplateAndNothingElse_soCdkSynthRedirectedToAFileIsATemplate() throws Exception {
        assertThat(exitCode).as("stderr:%n%s", stderr).isZero();
        assertThat(stdout).doesNotContain("\u001b").startsWith("Description: ");
        JsonNode printed = new YAMLMapper().readTree(stdout);
        ObjectNode assembly = (ObjectNode) new ObjectMapper().readTree(
                OUT.resolve("cdk.out").resolve(SampleApp.STACK_NAME + ".template.json").toFile());
        // The CLI prints the cloud assembly's template, less the bootstrap version rule.
        assembly.remove("Rules");
        assertThat(printed).isEqualTo(assembly);
    }

    @Test
    void thePrintedTemplatePassesCfnLint() throws Exception {
        assertThat(exitCode).as("stderr:%n%s", stderr).isZero();
        List<String> functions = new ArrayList<>();
        new YAMLMapper().readTree(stdout).get("Resources").fields().forEachRemaining(resource -> {
            if (resource.getValue().get("Type").asText().equals("AWS::Lambda::Function")) {
                functions.add(resource.getKey());
            }
        });
        assertThat(functions).hasSize(2);

        CfnLint.assertOnlyCdksOwnFindings(OUT.resolve("template.yaml"), functions, true);
    }

    private static String quoted(String argument) {
        return "'" + argument.replace("'", "'\\''") + "'";
    }
}
