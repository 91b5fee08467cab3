package dev.ecsretrier.infra.sample;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.infra.Templates;
import dev.ecsretrier.infra.TestJson;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;

/**
 * The sample stack, synthesized once per test JVM (jsii synthesis takes seconds) into {@code target/cdk.out}, with
 * cdk-nag's AwsSolutions checks applied, so that template, nag and cfn-lint tests all look at the same assembly.
 */
final class SynthesizedSample {

    static final String EMAIL = "ops@example.com";

    private static SynthesizedSample instance;

    final SampleStack stack;
    final Template template;
    final Path templateFile;

    private SynthesizedSample() {
        App app = App.Builder.create().outdir(outdir().toString()).build();
        stack = new SampleStack(app, SampleApp.STACK_NAME, SampleApp.stackProps(null, null), EMAIL);
        // logIgnores: a suppressed finding becomes an info annotation, so tests can tell a suppression is still needed.
        Aspects.of(app).add(AwsSolutionsChecks.Builder.create().verbose(true).logIgnores(true).build());
        CloudAssembly assembly = app.synth();
        templateFile = Path.of(assembly.getStackByName(SampleApp.STACK_NAME).getTemplateFullPath());
        template = Template.fromStack(stack);
    }

    static synchronized SynthesizedSample get() {
        if (instance == null) {
            instance = new SynthesizedSample();
        }
        return instance;
    }

    static Path outdir() {
        return Path.of(System.getProperty("ecsretrier.cdk.out", "target/cdk.out"));
    }

    /** The template as a JSON tree, for exact comparisons. */
    JsonNode json() {
        return TestJson.toTree(template.toJSON());
    }

    /** The one resource of this type whose logical id starts with the prefix (construct path without separators). */
    JsonNode resource(String type, String logicalIdPrefix) {
        return Templates.resource(template, type, logicalIdPrefix);
    }

    String logicalId(String type, String logicalIdPrefix) {
        return Templates.logicalId(template, type, logicalIdPrefix);
    }

    Map<String, Map<String, Object>> outputs() {
        return template.findOutputs("*");
    }
}
