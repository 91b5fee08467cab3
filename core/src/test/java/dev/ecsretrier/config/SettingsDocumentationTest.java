package dev.ecsretrier.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md's settings table is the settings: one row per {@link Setting}, in its order, with its
 * variable, default, limits and description. The expected table is rendered from the settings, so a new setting, a
 * changed default or range, or an edited row fails here; the failure shows the table to paste.
 */
class SettingsDocumentationTest {

    /** Maven runs the tests in the module's folder. */
    private static final Path CONFIGURATION = Path.of("..", "docs", "configuration.md");
    private static final String HEADER = "| variable | default | limits | what it is |";

    static List<String> rendered() {
        List<String> rows = new ArrayList<>(List.of(HEADER, "|---|---|---|---|"));
        for (Setting setting : Setting.values()) {
            rows.add("| `" + setting.variable() + "` | " + defaultOf(setting) + " | "
                    + setting.range().map(Range::toString).orElse("") + " | " + setting.description() + " |");
        }
        return rows;
    }

    private static String defaultOf(Setting setting) {
        if (setting.required()) {
            return "required";
        }
        return setting.defaultValue().isEmpty() ? "empty" : "`" + setting.defaultValue() + "`";
    }

    static List<String> documented() throws IOException {
        List<String> lines = Files.readAllLines(CONFIGURATION);
        int header = lines.indexOf(HEADER);
        assertThat(header).as("docs/configuration.md has the settings table, headed %s", HEADER).isNotNegative();
        List<String> table = new ArrayList<>();
        for (int i = header; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            table.add(lines.get(i));
        }
        return table;
    }

    @Test
    void theSettingsTable_isEverySetting_withItsDefaultLimitsAndDescription_inOrder() throws IOException {
        assertThat(String.join("\n", documented()))
                .as("docs/configuration.md's settings table; rendered from Setting it is:%n%s", String.join("\n", rendered()))
                .isEqualTo(String.join("\n", rendered()));
    }

    @Test
    void everyNumericSetting_hasARange_andItsDefaultIsInIt() {
        for (Setting setting : Setting.values()) {
            setting.range().ifPresent(range -> {
                if (!setting.defaultValue().isEmpty()) {
                    assertThat(range.contains(setting.defaultNumber())).as("%s's default %s in %s", setting.variable(),
                            setting.defaultValue(), range).isTrue();
                }
            });
        }
    }
}
