package dev.ecsretrier.testutil;

import dev.ecsretrier.json.Json;
import java.time.Instant;

/**
 * Conditions for tests that a known bug in main code makes fail; each test re-enables itself
 * as soon as the bug is fixed. Use with {@code @DisabledIf(value = "...KnownBugs#name", disabledReason = "BUG: ...")}.
 */
public final class KnownBugs {

    /**
     * The reason to put on such tests: {@code Json} calls {@code findAndAddModules()} but
     * {@code functions/pom.xml} has no {@code jackson-datatype-jsr310}, so every {@code Instant}
     * (history, outcome, step result) fails to serialize.
     */
    public static final String JSON_INSTANTS = "BUG: Json cannot write java.time.Instant (no jackson-datatype-jsr310"
            + " in functions/pom.xml): schedule input, notification body and step result all fail";

    private KnownBugs() {
    }

    public static boolean jsonCannotWriteInstants() {
        try {
            Json.write(Instant.EPOCH);
            return false;
        } catch (IllegalArgumentException e) {
            return true;
        }
    }
}
