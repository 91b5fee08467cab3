package dev.ecsretrier.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;

/** The construct's jar carries the functions jar and stages it as a content-hashed asset, from any working directory. */
class FunctionsJarTest {

    /** The jar the functions module built (Maven passes its path); the construct must carry exactly this one. */
    private static final Path BUILT = Path.of(System.getProperty("ecsretrier.functions.jar"));

    @Test
    void theCarriedJarIsTheFunctionsModulesLambdaJar() throws Exception {
        assertThat(FunctionsJar.class.getResource(FunctionsJar.RESOURCE)).isNotNull();
        assertThat(FunctionsJar.sha256()).isEqualTo(sha256(Files.readAllBytes(BUILT)));
    }

    @Test
    void theAssetIsNamedByTheJarsContent_andStagedWithItsBytes() throws Exception {
        Path outdir = Files.createTempDirectory("cdk.out");
        App app = App.Builder.create().outdir(outdir.toString()).build();
        Stack stack = new Stack(app, "Code");
        Function.Builder.create(stack, "F").runtime(Runtime.JAVA_21).handler("h").code(FunctionsJar.code()).build();
        CloudAssembly assembly = app.synth();

        // CDK names a custom-hashed asset by the SHA-256 of the hash it is given (the jar's SHA-256, in hex).
        String assetHash = sha256(FunctionsJar.sha256().getBytes(StandardCharsets.US_ASCII));
        assertThat(Templates.resource(Template.fromStack(stack), "AWS::Lambda::Function", "F").at("/Properties/Code/S3Key").asText())
                .isEqualTo(assetHash + ".jar");
        Path staged = Path.of(assembly.getDirectory()).resolve("asset." + assetHash + ".jar");
        assertThat(Files.readAllBytes(staged)).isEqualTo(Files.readAllBytes(BUILT));
    }

    @Test
    void twoAppsGetTheSameAssetForTheSameJar() {
        assertThat(codeOf(new App())).isEqualTo(codeOf(new App()));
    }

    private static Object codeOf(App app) {
        Stack stack = new Stack(app, "Code");
        Function.Builder.create(stack, "F").runtime(Runtime.JAVA_21).handler("h").code(FunctionsJar.code()).build();
        return Template.fromStack(stack).findResources("AWS::Lambda::Function").values().iterator().next().get("Properties");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
