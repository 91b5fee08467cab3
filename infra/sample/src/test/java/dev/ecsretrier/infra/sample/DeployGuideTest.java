package dev.ecsretrier.infra.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/deploy.md shows what CI builds and runs: the example app's code verbatim, its dependency, the pinned CDK CLI. */
class DeployGuideTest {

    private static final Path ROOT = Path.of(System.getProperty("ecsretrier.repository.root"));
    private static final Path EXAMPLE = ROOT.resolve("examples/existing-cluster");

    @Test
    void usingTheConstructShowsTheExampleStackVerbatim() throws IOException {
        String shown = block(section("## Using the construct in your own stack"), "java");

        assertThat(shown).isEqualTo(Files.readString(EXAMPLE.resolve("src/main/java/com/example/jobs/JobsStack.java")));
    }

    @Test
    void theDependencyShownIsTheOneTheExampleBuildsWith() throws IOException {
        List<String> shown = block(section("## Using the construct in your own stack"), "xml").lines().map(String::strip).toList();
        List<String> pom = Files.readAllLines(EXAMPLE.resolve("pom.xml")).stream().map(String::strip).toList();

        assertThat(pom).containsSequence(shown);
    }

    @Test
    void theGuideNamesTheCdkCliVersionInfraPackageJsonPins() throws IOException {
        String pinned = new ObjectMapper().readTree(ROOT.resolve("infra/package.json").toFile())
                .at("/devDependencies/aws-cdk").asText();

        assertThat(pinned).matches("2\\.\\d+\\.\\d+");
        assertThat(Files.readString(ROOT.resolve("docs/deploy.md"))).contains("`aws-cdk` **" + pinned + "**");
        assertThat(new ObjectMapper().readTree(ROOT.resolve("infra/package-lock.json").toFile())
                .at("/packages/node_modules~1aws-cdk/version").asText()).isEqualTo(pinned);
    }

    private static String section(String heading) throws IOException {
        String guide = Files.readString(ROOT.resolve("docs/deploy.md"));
        int start = guide.indexOf("\n" + heading + "\n");
        assertThat(start).as("docs/deploy.md has the section %s", heading).isNotNegative();
        int end = guide.indexOf("\n## ", start + 1);
        return guide.substring(start, end < 0 ? guide.length() : end);
    }

    private static String block(String section, String language) {
        Matcher block = Pattern.compile("\n```" + language + "\n(.*?)```\n", Pattern.DOTALL).matcher(section);
        assertThat(block.find()).as("a %s block", language).isTrue();
        return block.group(1);
    }
}
