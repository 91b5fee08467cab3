package dev.ecsretrier.testutil;

import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.util.Map;

/**
 * A test that needs a tool outside the JVM (moto): on a developer's machine without it the test is
 * skipped and says why; in CI ({@code CI=true}) a missing tool fails the build, so CI can never
 * pass without the check.
 */
public final class RequiredTool {

    private RequiredTool() {
    }

    /** Skips (or, in CI, fails) the calling test unless {@code installed}. */
    public static void require(String tool, boolean installed, String install) {
        require(tool, installed, install, System.getenv());
    }

    static void require(String tool, boolean installed, String install, Map<String, String> environment) {
        if (installed) {
            return;
        }
        String missing = tool + " is not installed here; " + install;
        if (inCi(environment)) {
            fail(missing + " (CI=true: a missing tool fails the build instead of skipping the test)");
        }
        assumeThat(installed).as("SKIPPED: %s", missing).isTrue();
    }

    static boolean inCi(Map<String, String> environment) {
        return "true".equalsIgnoreCase(environment.get("CI"));
    }
}
