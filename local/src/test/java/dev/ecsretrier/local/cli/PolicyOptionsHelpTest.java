package dev.ecsretrier.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.config.Setting;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The help of every policy option states its setting's range and default as {@link Setting} states them: the help
 * takes them from the settings ({@link SettingFacts}), so a changed default or range shows in the help at once.
 */
class PolicyOptionsHelpTest {

    @ParameterizedTest
    @ValueSource(strings = {"run", "demo", "serve", "classify"})
    void everyPolicyOption_statesItsSettingsRangeAndDefault(String command) {
        CommandSpec spec = RetrierCommand.commandLine().getSubcommands().get(command).getCommandSpec();
        int checked = 0;
        for (Setting setting : Setting.values()) {
            String name = PolicyOptions.OPTIONS.get(setting.variable());
            OptionSpec option = name == null ? null : spec.findOption(name);
            if (option == null) {
                continue;
            }
            checked++;
            String help = String.join(" ", option.description());
            assertThat(help).as("%s's help", name).doesNotContain("${").doesNotContain("null");
            setting.range().ifPresent(range -> assertThat(help).as("%s's help states %s's range %s", name,
                    setting.variable(), range).containsAnyOf(range.toString(), "at most " + plain(range.max())));
            if (setting.range().isPresent() && !setting.defaultValue().isEmpty() && !setting.defaultValue().equals("0")) {
                assertThat(help).as("%s's help states %s's default", name, setting.variable())
                        .containsPattern("default " + Pattern.quote(setting.defaultValue()) + "(?![0-9]|\\.[0-9])");
            }
        }
        assertThat(checked).as("policy options of %s", command).isEqualTo(PolicyOptions.OPTIONS.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "demo", "serve", "classify"})
    void theJitterOption_statesItsDefault(String command) {
        OptionSpec jitter = RetrierCommand.commandLine().getSubcommands().get(command).getCommandSpec().findOption("--jitter");
        assertThat(Arrays.toString(jitter.description())).contains("default " + Setting.BACKOFF_JITTER.defaultValue());
    }

    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
