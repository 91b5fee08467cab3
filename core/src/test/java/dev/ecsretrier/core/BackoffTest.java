package dev.ecsretrier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BackoffTest {

    private static final int DRAWS = 10_000;

    private static Backoff backoff(long initialSeconds, double multiplier, long maxSeconds, Jitter jitter) {
        return new Backoff(Duration.ofSeconds(initialSeconds), multiplier, Duration.ofSeconds(maxSeconds), jitter);
    }

    private static List<Duration> draws(Backoff backoff, int failedAttempt, long seed) {
        RandomGenerator random = new SplittableRandom(seed);
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < DRAWS; i++) {
            delays.add(backoff.delay(failedAttempt, random));
        }
        return delays;
    }

    @Test
    void baseDelay_growsExponentially() {
        Backoff b = backoff(10, 2, 3600, Jitter.NONE);
        assertThat(List.of(b.baseDelay(1), b.baseDelay(2), b.baseDelay(3), b.baseDelay(4)))
                .containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40),
                        Duration.ofSeconds(80));
    }

    @Test
    void baseDelay_fractionalMultiplier_roundsToTheMillisecond() {
        Backoff b = backoff(10, 1.5, 3600, Jitter.NONE);
        assertThat(b.baseDelay(2)).isEqualTo(Duration.ofMillis(15_000));
        assertThat(b.baseDelay(3)).isEqualTo(Duration.ofMillis(22_500));
        assertThat(b.baseDelay(4)).isEqualTo(Duration.ofMillis(33_750));
    }

    @Test
    void baseDelay_multiplierOne_isConstant() {
        Backoff b = backoff(30, 1, 30, Jitter.NONE);
        assertThat(b.baseDelay(1)).isEqualTo(b.baseDelay(9)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void baseDelay_isCappedAtMaxDelay() {
        Backoff b = backoff(60, 2, 900, Jitter.NONE);
        assertThat(b.baseDelay(4)).isEqualTo(Duration.ofSeconds(480));
        assertThat(b.baseDelay(5)).isEqualTo(Duration.ofSeconds(900));
        assertThat(b.baseDelay(6)).isEqualTo(Duration.ofSeconds(900));
        assertThat(b.baseDelay(10_000)).as("no overflow for huge attempts").isEqualTo(Duration.ofSeconds(900));
        assertThat(backoff(60, 100, 86_400, Jitter.NONE).baseDelay(Integer.MAX_VALUE)).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void baseDelay_attemptBelowOne_isRejected() {
        assertThatThrownBy(() -> backoff(10, 2, 100, Jitter.NONE).baseDelay(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attempt must be >= 1, got 0");
    }

    @Test
    void fullJitter_staysWithinZeroAndTheDelay_andSpreadsOverIt() {
        Backoff b = backoff(60, 2, 900, Jitter.FULL);
        for (int attempt = 1; attempt <= 6; attempt++) {
            Duration base = b.baseDelay(attempt);
            List<Duration> delays = draws(b, attempt, 7L * attempt);
            assertThat(delays).allSatisfy(d -> assertThat(d).isBetween(Duration.ZERO, base));
            assertThat(delays).anySatisfy(d -> assertThat(d).isLessThan(base.dividedBy(10)));
            assertThat(delays).anySatisfy(d -> assertThat(d).isGreaterThan(base.multipliedBy(9).dividedBy(10)));
        }
        assertThat(b.range(3)).isEqualTo(new Backoff.Range(Duration.ZERO, Duration.ofSeconds(240)));
    }

    @Test
    void equalJitter_staysWithinHalfTheDelayAndTheDelay_andSpreadsOverIt() {
        Backoff b = backoff(60, 2, 900, Jitter.EQUAL);
        for (int attempt = 1; attempt <= 6; attempt++) {
            Duration base = b.baseDelay(attempt);
            List<Duration> delays = draws(b, attempt, 11L * attempt);
            assertThat(delays).allSatisfy(d -> assertThat(d).isBetween(base.dividedBy(2), base));
            assertThat(delays).anySatisfy(d -> assertThat(d).isLessThan(base.multipliedBy(6).dividedBy(10)));
            assertThat(delays).anySatisfy(d -> assertThat(d).isGreaterThan(base.multipliedBy(9).dividedBy(10)));
        }
        assertThat(b.range(1)).isEqualTo(new Backoff.Range(Duration.ofSeconds(30), Duration.ofSeconds(60)));
    }

    @Test
    void noJitter_isExactlyTheDelay() {
        Backoff b = backoff(60, 2, 900, Jitter.NONE);
        for (int attempt = 1; attempt <= 6; attempt++) {
            Duration base = b.baseDelay(attempt);
            assertThat(draws(b, attempt, attempt)).containsOnly(base);
        }
    }

    @ParameterizedTest
    @EnumSource(Jitter.class)
    void zeroInitialDelay_isAlwaysZero(Jitter jitter) {
        assertThat(draws(backoff(0, 2, 0, jitter), 3, 1)).containsOnly(Duration.ZERO);
    }

    @ParameterizedTest
    @EnumSource(Jitter.class)
    void jitteredDelay_neverExceedsMaxDelay(Jitter jitter) {
        Backoff b = backoff(60, 3, 300, jitter);
        assertThat(draws(b, 8, 99)).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(300)));
    }

    @Test
    void seededRandomness_isReproducible() {
        Backoff b = backoff(60, 2, 900, Jitter.FULL);
        assertThat(draws(b, 3, 42)).isEqualTo(draws(b, 3, 42));
        assertThat(draws(b, 3, 42)).isNotEqualTo(draws(b, 3, 43));
    }

    @Test
    void multiplierBelowOne_isRejected() {
        assertThatThrownBy(() -> backoff(10, 0.5, 100, Jitter.FULL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("multiplier must be a number >= 1, got 0.5");
    }

    @Test
    void multiplierNotANumberOrInfinite_isRejected() {
        assertThatThrownBy(() -> backoff(10, Double.NaN, 100, Jitter.FULL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiplier");
        assertThatThrownBy(() -> backoff(10, Double.POSITIVE_INFINITY, 100, Jitter.FULL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiplier");
    }

    @Test
    void maxDelayBelowInitialDelay_isRejected() {
        assertThatThrownBy(() -> backoff(60, 2, 30, Jitter.FULL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxDelay PT30S is below initialDelay PT1M");
    }

    @Test
    void negativeInitialDelay_isRejected() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(-1), 2, Duration.ofSeconds(10), Jitter.FULL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialDelay must not be negative");
    }

    @Test
    void missingJitter_isRejected() {
        assertThatThrownBy(() -> backoff(1, 2, 10, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("jitter");
    }
}
