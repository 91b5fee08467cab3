package dev.ecsretrier.infra.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;

/** docs/deploy.md's many-jobs example is code that synthesizes, one least-privilege grant per job, and cfn-lint finds nothing. */
class ManyJobsGuideTest {

    private static final Path ROOT = Path.of(System.getProperty("ecsretrier.repository.root"));
    private static Template template;
    private static Path templateFile;
    private static FargateTaskDefinition nightlyEtl;
    private static FargateTaskDefinition reports;
    private static FargateTaskDefinition invoices;

    @BeforeAll
    static void synthesizeTheExample() throws Exception {
        Path outdir = Path.of(System.getProperty("ecsretrier.cdk.out")).resolveSibling("cdk.out.many-jobs");
        App app = new App(AppProps.builder().outdir(outdir.toString()).build());
        Stack stack = new Stack(app, "ManyJobs");
        Cluster cluster = Cluster.Builder.create(stack, "Cluster")
                .vpc(Vpc.Builder.create(stack, "Vpc").maxAzs(2).natGateways(1).build()).build();
        nightlyEtl = definition(stack, "NightlyEtl", "app");
        nightlyEtl.addContainer("report", ContainerDefinitionOptions.builder()
                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/busybox:stable")).build());
        reports = definition(stack, "Reports", "render");
        invoices = definition(stack, "Invoices", "app");
        ManyJobsExample.retrier(stack, cluster, nightlyEtl, reports, invoices);
        template = Template.fromStack(stack);
        app.synth();
        templateFile = outdir.resolve("ManyJobs.template.json");
    }

    @Test
    void theGuideShowsTheExampleVerbatim() throws Exception {
        String guide = Files.readString(ROOT.resolve("docs/deploy.md"));
        int start = guide.indexOf("\n## Many jobs in one construct\n");
        assertThat(start).isNotNegative();
        Matcher block = Pattern.compile("\n```java\n(.*?)```\n", Pattern.DOTALL).matcher(guide.substring(start));
        assertThat(block.find()).isTrue();
        assertThat(block.group(1)).isEqualTo(marked("infra/sample/src/test/java/dev/ecsretrier/infra/sample/ManyJobsExample.java"));
    }

    @Test
    void theExampleAppCiSynthesizesWithTheCdkCli_holdsTheGuidesExample() throws Exception {
        assertThat(marked("examples/many-jobs/src/main/java/com/example/platform/PlatformJobsStack.java"))
                .isEqualTo(marked("infra/sample/src/test/java/dev/ecsretrier/infra/sample/ManyJobsExample.java"));
    }

    /** The code between a source file's docs/deploy.md markers, unindented. */
    private static String marked(String file) throws Exception {
        String source = Files.readString(ROOT.resolve(file));
        int begin = source.indexOf("// docs/deploy.md begin\n");
        assertThat(begin).as(file + " marks the guide's example").isNotNegative();
        return source.substring(begin + "// docs/deploy.md begin\n".length(), source.indexOf("        // docs/deploy.md end"))
                .indent(-8);
    }

    @Test
    void theStarterMayRunEachJobsTaskDefinition_andNoOther() throws Exception {
        JsonNode statements = new ObjectMapper().valueToTree(template.findResources("AWS::IAM::Policy")).findValues("Statement").stream()
                .flatMap(s -> java.util.stream.StreamSupport.stream(s.spliterator(), false))
                .filter(s -> s.path("Sid").asText().equals("RunOurTaskDefinitionInOurCluster"))
                .findFirst().orElseThrow().get("Resource");
        assertThat(statements).hasSize(3);
        assertThat(statements.toString()).contains(nightlyEtl.getFamily() + ":*", reports.getFamily() + ":*", invoices.getFamily() + ":*");
    }

    @Test
    void theManyJobsTemplateHasNoCfnLintErrors_andOnlyTheKnownCdkWarning() throws Exception {
        assertThat(templateFile).exists();
        CfnLint.assertOnlyCdksOwnFindings(templateFile, template.findResources("AWS::Lambda::Function").keySet(), false);
    }

    private static FargateTaskDefinition definition(Stack stack, String id, String container) {
        FargateTaskDefinition definition = FargateTaskDefinition.Builder.create(stack, id).build();
        definition.addContainer(container, ContainerDefinitionOptions.builder()
                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/busybox:stable")).build());
        return definition;
    }
}
