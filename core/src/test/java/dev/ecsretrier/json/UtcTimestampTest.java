package dev.ecsretrier.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link UtcTimestamp#parse} is {@link Instant#parse}: the same instant, or the same error. */
class UtcTimestampTest {

    @Property(tries = 3000)
    void awsShape_readsAsInstantParseReadsIt(@ForAll("awsTimestamps") String text) {
        assertThat(UtcTimestamp.parse(text)).isEqualTo(Instant.parse(text));
    }

    @Provide
    Arbitrary<String> awsTimestamps() {
        Arbitrary<Long> seconds = Arbitraries.longs().between(Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
                Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
        return Combinators.combine(seconds, Arbitraries.integers().between(0, 999_999_999),
                Arbitraries.integers().between(0, 9)).as((second, nanos, digits) -> {
                    String whole = Instant.ofEpochSecond(second).toString(); // yyyy-MM-ddTHH:mm:ssZ
                    String fraction = String.format("%09d", nanos).substring(0, digits);
                    return whole.substring(0, 19) + (digits == 0 ? "" : "." + fraction) + "Z";
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"2025-03-15T08:01:29.06Z", "2025-03-15T08:01:29Z", "0000-01-01T00:00:00Z",
            "2025-03-15T24:00:00Z", "2016-12-31T23:59:60Z", "2025-02-30T00:00:00Z", "2025-13-01T00:00:00Z",
            "2025-03-15T08:01:29.Z", "2025-03-15T08:01:29.1234567890Z", "2025-03-15T08:01:29+01:00",
            "+10000-01-01T00:00:00Z", "2025-03-15t08:01:29z", "2025-3-15T08:01:29Z", "2025-03-15T08:01:2xZ",
            "2025-03-15 08:01:29Z", "", "not a timestamp"})
    void anyOtherText_isReadOrRefusedAsInstantParseDoes(String text) {
        Throwable expected = catchThrowable(() -> Instant.parse(text));
        Throwable actual = catchThrowable(() -> UtcTimestamp.parse(text));
        if (expected == null) {
            assertThat(actual).isNull();
            assertThat(UtcTimestamp.parse(text)).isEqualTo(Instant.parse(text));
        } else {
            assertThat(actual).isExactlyInstanceOf(expected.getClass()).hasMessage(expected.getMessage());
        }
    }
}
