package dev.ecsretrier.infra.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The CloudFormation linter on the synthesized sample template (target/cdk.out). */
class CfnLintTest {

    @Test
    void sampleTemplateHasNoCfnLintErrors_andOnlyTheKnownCdkWarning() throws Exception {
        Path template = SynthesizedSample.get().templateFile;
        assertThat(template).exists().startsWith(SynthesizedSample.outdir().toAbsolutePath().normalize());

        CfnLint.assertOnlyCdksOwnFindings(template,
                SynthesizedSample.get().template.findResources("AWS::Lambda::Function").keySet(), false);
    }
}
