package dev.ecsretrier.testutil;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class RequiredToolTest {

    @Test
    void aMissingToolFailsTheTestInCi() {
        assertThatThrownBy(() -> RequiredTool.require("moto", false, "pip install 'moto[server]'", Map.of("CI", "true")))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("moto is not installed here; pip install 'moto[server]'")
                .hasMessageContaining("CI=true");
    }

    @Test
    void aMissingToolSkipsTheTestOutsideCi() {
        assertThatThrownBy(() -> RequiredTool.require("moto", false, "pip install 'moto[server]'", Map.of()))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("SKIPPED: moto is not installed here");
        assertThatThrownBy(() -> RequiredTool.require("moto", false, "pip install 'moto[server]'", Map.of("CI", "false")))
                .isInstanceOf(TestAbortedException.class);
    }

    @Test
    void anInstalledToolLetsTheTestRunEverywhere() {
        assertThatCode(() -> RequiredTool.require("moto", true, "-", Map.of("CI", "true"))).doesNotThrowAnyException();
        assertThatCode(() -> RequiredTool.require("moto", true, "-", Map.of())).doesNotThrowAnyException();
    }
}
