package dev.ecsretrier.local.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.local.Fixtures;
import org.junit.jupiter.api.Test;
import java.nio.file.Files;

/** Which attempt an invocation payload is about, read by the functions' binder with the members it does not name skipped. */
class LaunchKeyTest {

    @Test
    void aStartRequestNamesItsRunAndAttempt_theFirstWhenItSaysNone() {
        assertThat(LaunchKey.of("{\"runId\":\"run-1\",\"attempt\":3,\"containerOverrides\":[]}"))
                .contains(new LaunchKey("run-1", 3));
        assertThat(LaunchKey.of("{\"runId\":\"run-1\"}")).contains(new LaunchKey("run-1", 1));
    }

    @Test
    void anEcsEventNamesTheAttemptByItsEnvironmentOverrides() throws Exception {
        // out-of-memory.json: the app container's override environment RETRIER_RUN_ID=run-7f3a, RETRIER_ATTEMPT=1.
        String event = Files.readString(Fixtures.event("out-of-memory.json"));

        assertThat(LaunchKey.of(event)).contains(new LaunchKey("run-7f3a", 1));
    }

    @Test
    void aPayloadThatNamesNoAttempt_orIsNotAnObjectWithItsMembersTyped_isNone() {
        assertThat(LaunchKey.of("{\"Cluster\":\"c\",\"Task\":\"t\"}")).isEmpty();
        assertThat(LaunchKey.of("[1,2]")).isEmpty();
        assertThat(LaunchKey.of("not json")).isEmpty();
        assertThat(LaunchKey.of("{\"runId\":7}")).isEmpty();
    }
}
