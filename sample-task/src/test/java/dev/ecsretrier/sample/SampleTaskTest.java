package dev.ecsretrier.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SampleTaskTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void failsWithExitCode2OnAListedAttempt() throws Exception {
        int code = SampleTask.run(Map.of("RETRIER_ATTEMPT", "2", "FAIL_ON_ATTEMPTS", "1,2"), out);

        assertThat(code).isEqualTo(2);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("attempt 2 is in FAIL_ON_ATTEMPTS");
    }

    @Test
    void succeedsOnAnAttemptNotListed() throws Exception {
        int code = SampleTask.run(Map.of("RETRIER_ATTEMPT", "3", "FAIL_ON_ATTEMPTS", "1,2"), out);

        assertThat(code).isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("attempt 3 succeeded");
    }

    @Test
    void usesTheConfiguredExitCode() throws Exception {
        int code = SampleTask.run(Map.of("FAIL_ON_ATTEMPTS", "1", "FAIL_EXIT_CODE", "75"), out);

        assertThat(code).isEqualTo(75);
    }

    @Test
    void worksForTheRequestedTime() throws Exception {
        long start = System.nanoTime();
        int code = SampleTask.run(Map.of("WORK_SECONDS", "0.2"), out);

        assertThat(code).isZero();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(200_000_000L);
    }

    @Test
    void aBadSettingIsNamed() throws Exception {
        int code = SampleTask.run(Map.of("FAIL_ON_ATTEMPTS", "one"), out);

        assertThat(code).isEqualTo(64);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("FAIL_ON_ATTEMPTS must be an integer, got 'one'");
    }
}
