package dev.ecsretrier.infra.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CloudFormation linter, a required tool: a machine without cfn-lint fails the test rather than skipping it, so
 * CI can never pass without the check. Only findings that CDK itself causes are accepted, each by its exact text.
 */
final class CfnLint {

    /**
     * CDK makes every function DependsOn its role (and the role's policy) although the function's Role property already
     * references it (W3005, redundant DependsOn). Harmless.
     */
    private static final Pattern REDUNDANT_ROLE_DEPENDENCY = Pattern.compile(
            ":W3005:'[A-Za-z0-9]+Role[A-Z0-9]{8}' dependency already enforced by a 'GetAtt' at 'Resources/([A-Za-z0-9]+)/Properties/Role'$");
    /**
     * {@code cdk synth} prints the template without the CheckBootstrapVersion rule, the one user of the
     * BootstrapVersion parameter (the cloud assembly keeps both).
     */
    private static final Pattern BOOTSTRAP_VERSION_UNUSED = Pattern.compile(":W2001:Parameter BootstrapVersion not used\\.?$");

    private CfnLint() {
    }

    /** No errors, and no warning but CDK's own; {@code printedByCli}: the template as {@code cdk synth} prints it. */
    static void assertOnlyCdksOwnFindings(Path template, Collection<String> functionIds, boolean printedByCli) throws Exception {
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
        Files.writeString(template.resolveSibling(template.getFileName() + ".cfn-lint.txt"), output);
        // Exit code bits: 2 errors, 4 warnings, 8 informational; 1 is a crash.
        int exit = process.exitValue();
        assertThat(exit & 1).as("cfn-lint crashed:%n%s", output).isZero();
        assertThat(exit & 2).as("cfn-lint errors:%n%s", output).isZero();
        List<String> findings = output.lines().filter(line -> !line.isBlank()).toList();
        assertThat(findings).as("cfn-lint findings").allSatisfy(finding -> {
            if (printedByCli && BOOTSTRAP_VERSION_UNUSED.matcher(finding).find()) {
                return;
            }
            Matcher redundantRoleDependency = REDUNDANT_ROLE_DEPENDENCY.matcher(finding);
            assertThat(redundantRoleDependency.find()).as("an accepted finding: %s", finding).isTrue();
            assertThat(functionIds).contains(redundantRoleDependency.group(1));
        });
        assertThat(findings).hasSizeLessThanOrEqualTo(functionIds.size() + (printedByCli ? 1 : 0));
    }
}
