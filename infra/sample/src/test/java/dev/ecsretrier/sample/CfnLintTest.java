package dev.ecsretrier.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The CloudFormation linter on the synthesized sample template (target/cdk.out). It is a required tool: a machine
 * without cfn-lint fails this test rather than skipping it, so CI can never pass without the check.
 */
class CfnLintTest {

    @Test
    void sampleTemplateHasNoCfnLintErrors_andOnlyTheKnownCdkWarning() throws Exception {
        Path template = SynthesizedSample.get().templateFile;
        assertThat(template).exists().startsWith(SynthesizedSample.outdir().toAbsolutePath().normalize());

        Process process;
        try {
            process = new ProcessBuilder("cfn-lint", "--format", "parseable", template.toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            fail("cfn-lint is required but could not be started (" + e.getMessage() + "); install it with: pip install cfn-lint");
            return;
        }
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("cfn-lint did not finish within 5 minutes on " + template);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Files.writeString(template.resolveSibling("cfn-lint.txt"), output);
        // Exit code bits: 2 errors, 4 warnings, 8 informational; 1 is a crash.
        int exit = process.exitValue();
        assertThat(exit & 1).as("cfn-lint crashed:%n%s", output).isZero();
        assertThat(exit & 2).as("cfn-lint errors:%n%s", output).isZero();
        // One known warning, accepted by name: CDK makes every function DependsOn its role (and the role's policy)
        // although the function's Role property already references it (W3005, redundant DependsOn). Harmless.
        Set<String> functions = SynthesizedSample.get().template.findResources("AWS::Lambda::Function").keySet();
        List<String> findings = output.lines().filter(line -> !line.isBlank()).toList();
        assertThat(findings).as("cfn-lint findings").allSatisfy(finding -> {
            Matcher redundantRoleDependency = REDUNDANT_ROLE_DEPENDENCY.matcher(finding);
            assertThat(redundantRoleDependency.find()).as("an accepted finding: %s", finding).isTrue();
            assertThat(functions).contains(redundantRoleDependency.group(1));
        });
        assertThat(findings).hasSizeLessThanOrEqualTo(functions.size());
    }

    private static final Pattern REDUNDANT_ROLE_DEPENDENCY = Pattern.compile(
            ":W3005:'[A-Za-z0-9]+Role[A-Z0-9]{8}' dependency already enforced by a 'GetAtt' at 'Resources/([A-Za-z0-9]+)/Properties/Role'$");
}
