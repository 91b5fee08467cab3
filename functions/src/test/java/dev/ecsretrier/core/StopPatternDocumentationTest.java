package dev.ecsretrier.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/policy.md lists every pattern the classifier uses, with its kind and source, and no other. */
class StopPatternDocumentationTest {

    /** Maven runs the tests in the module's folder. */
    private static final Path POLICY = Path.of("..", "docs", "policy.md");

    private static final Pattern ROW = Pattern.compile("(?m)^\\| `([^`]+)` \\| ([A-Z_]+) \\| (\\S+) \\|$");

    private static List<StopPattern> documented() throws IOException {
        String policy = Files.readString(POLICY);
        int table = policy.indexOf("| pattern | kind | source |");
        assertThat(table).as("docs/policy.md has the table of patterns").isPositive();
        Matcher row = ROW.matcher(policy.substring(table));
        List<StopPattern> patterns = new ArrayList<>();
        while (row.find()) {
            patterns.add(new StopPattern(row.group(1), StopPattern.Kind.valueOf(row.group(2)), row.group(3)));
        }
        return patterns;
    }

    @Test
    void thePolicyTable_listsEveryPatternOfTheClassifier_withItsKindAndSource_inItsOrder() throws IOException {
        assertThat(documented()).containsExactlyElementsOf(StopPattern.DEFAULTS);
    }

    @Test
    void thePolicyTable_namesTheSynchronousFailuresThatFail() throws IOException {
        String policy = Files.readString(POLICY);
        for (StopPattern marker : StopClassifier.PERMANENT_SYNCHRONOUS_MARKERS) {
            assertThat(policy).contains("`" + marker.text() + "`");
        }
    }
}
