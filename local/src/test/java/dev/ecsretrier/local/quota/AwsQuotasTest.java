package dev.ecsretrier.local.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.local.emulator.TimeScale;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The documented default quotas, on a clock the test moves (planned time). */
class AwsQuotasTest {

    final AtomicLong now = new AtomicLong();
    final AwsQuotas quotas = AwsQuotas.onClock(now::get, AwsQuotas.ACCOUNT_CONCURRENCY, Map.of("classifier", 2));

    void advance(Duration planned) {
        now.addAndGet(planned.toNanos());
    }

    int callsGranted(AwsQuota quota, int tries) {
        int granted = 0;
        for (int i = 0; i < tries; i++) {
            if (quotas.tryCall(quota)) {
                granted++;
            }
        }
        return granted;
    }

    @Test
    void describeTasksHasABurstOf100ThenRefills20ASecond() {
        assertThat(callsGranted(AwsQuota.DESCRIBE_TASKS, 150)).isEqualTo(100);
        advance(Duration.ofSeconds(1));
        assertThat(callsGranted(AwsQuota.DESCRIBE_TASKS, 50)).isEqualTo(20);
        advance(Duration.ofSeconds(60));
        assertThat(callsGranted(AwsQuota.DESCRIBE_TASKS, 500)).as("refill stops at the bucket's capacity").isEqualTo(100);
        assertThat(quotas.throttles()).containsEntry("ecs:DescribeTasks", 50L + 30 + 400);
    }

    @Test
    void runTaskOnFargateIsHeldTo20ASecondBurstAndSustainedThoughEcsAloneAllows100() {
        assertThat(callsGranted(AwsQuota.RUN_TASK, 100)).isEqualTo(20);
        for (int second = 0; second < 10; second++) {
            advance(Duration.ofSeconds(1));
            assertThat(callsGranted(AwsQuota.RUN_TASK, 100)).as("second %d", second + 1).isEqualTo(20);
        }
    }

    @Test
    void aCallThrottledByOneBucketTakesNoTokenFromTheOthers() {
        // Fargate's RunTask bucket (20) empties first; ECS's own (100) must still hold 80, so after the
        // Fargate bucket refills, the ECS bucket does not bind either.
        callsGranted(AwsQuota.RUN_TASK, 1_000);
        advance(Duration.ofSeconds(1));
        assertThat(callsGranted(AwsQuota.RUN_TASK, 100)).isEqualTo(20);
    }

    @Test
    void createScheduleAllows5000InASecondAndPublish30000() {
        assertThat(callsGranted(AwsQuota.CREATE_SCHEDULE, 6_000)).isEqualTo(5_000);
        assertThat(callsGranted(AwsQuota.PUBLISH, 31_000)).isEqualTo(30_000);
        assertThat(quotas.throttles()).containsEntry("scheduler:CreateSchedule", 1_000L).containsEntry("sns:Publish", 1_000L);
    }

    @Test
    void aFunctionWithReservedConcurrencyRunsAtMostThatManyInvocationsAtOnce() {
        assertThat(quotas.tryBeginInvocation("classifier")).isTrue();
        assertThat(quotas.tryBeginInvocation("classifier")).isTrue();
        assertThat(quotas.tryBeginInvocation("classifier")).isFalse();
        quotas.invocationEnded("classifier");
        assertThat(quotas.tryBeginInvocation("classifier")).isTrue();
        assertThat(quotas.throttles()).containsEntry("lambda:Invoke classifier", 1L);
    }

    @Test
    void functionsWithoutReservedConcurrencyShareWhatTheAccountHasLeft() {
        AwsQuotas small = AwsQuotas.onClock(now::get, 5, Map.of("classifier", 2));
        for (int i = 0; i < 3; i++) {
            assertThat(small.tryBeginInvocation(i % 2 == 0 ? "starter" : "other")).isTrue();
        }
        assertThat(small.tryBeginInvocation("starter")).as("5 - 2 reserved = 3 unreserved").isFalse();
        assertThat(small.tryBeginInvocation("classifier")).as("the reserved ones stay free").isTrue();
    }

    @Test
    void aScaledDownStormShrinksTheAccountsConcurrencyWithTheRates() {
        assertThat(AwsQuotas.accountConcurrency(1)).isEqualTo(1_000);
        assertThat(AwsQuotas.accountConcurrency(0.02)).isEqualTo(20);
        assertThat(AwsQuotas.accountConcurrency(0.0001)).isEqualTo(1);
        AwsQuotas scaled = AwsQuotas.documentedDefaults(new TimeScale(0.01), 0.02, Map.of());
        for (int i = 0; i < 20; i++) {
            assertThat(scaled.tryBeginInvocation("classifier")).isTrue();
        }
        assertThat(scaled.tryBeginInvocation("classifier")).as("the 21st of 2 %% of 1,000").isFalse();
    }

    @Test
    void reservingMoreThanTheAccountHasIsRefused() {
        assertThatThrownBy(() -> AwsQuotas.onClock(now::get, 10, Map.of("starter", 6, "classifier", 6)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the account's 10");
    }

    @Test
    void theSdkTriesAThrottledCallSixTimesThenThrowsTheServicesThrottlingError() {
        SdkRetries sdk = new SdkRetries(quotas, new TimeScale(0), new Random(1));
        callsGranted(AwsQuota.DESCRIBE_TASKS, 100);
        long before = quotas.throttles().getOrDefault("ecs:DescribeTasks", 0L);
        assertThatThrownBy(() -> sdk.call(AwsQuota.DESCRIBE_TASKS)).isInstanceOf(ThrottlingException.class)
                .hasMessageContaining("Rate exceeded").hasMessageContaining("ThrottlingException")
                .hasMessageContaining("after 6 attempts");
        assertThat(quotas.throttles().get("ecs:DescribeTasks") - before).isEqualTo(6);
    }

    @Test
    void theSdkBacksOffAThrottledCallUpToOneThenTwoSecondsCappedAtFive() {
        SdkRetries sdk = new SdkRetries(quotas, new TimeScale(0), new Random(7));
        Duration longest = Duration.ZERO;
        for (int i = 0; i < 200; i++) {
            assertThat(sdk.backoff(1)).isLessThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(sdk.backoff(2)).isLessThanOrEqualTo(Duration.ofSeconds(2));
            Duration tenth = sdk.backoff(10);
            assertThat(tenth).isLessThanOrEqualTo(Duration.ofSeconds(5));
            longest = tenth.compareTo(longest) > 0 ? tenth : longest;
        }
        assertThat(longest).isGreaterThan(Duration.ofSeconds(4));
    }

    @Test
    void eachTryOfACall_takesTheCallsRoundTrip_soAnInvocationHoldsItsExecutionEnvironmentThatLong() {
        Duration latency = Duration.ofMillis(40);
        SdkRetries sdk = new SdkRetries(AwsQuotas.unlimitedTaking(latency), new TimeScale(1), new Random(1));

        long began = System.nanoTime();
        sdk.call(AwsQuota.RUN_TASK);
        sdk.roundTrip();
        Duration took = Duration.ofNanos(System.nanoTime() - began);

        assertThat(took).as("a RunTask and a GetSchedule, 40 ms each").isGreaterThanOrEqualTo(latency.multipliedBy(2));
    }

    @Test
    void theDocumentedModelsCallsTake15Milliseconds_anAssumption_andNoneWithoutTheModel() {
        assertThat(AwsQuotas.documentedDefaults(new TimeScale(0.05), 1, Map.of()).callLatency())
                .isEqualTo(AwsQuotas.DEFAULT_CALL_LATENCY).isEqualTo(Duration.ofMillis(15));
        assertThat(AwsQuotas.documentedDefaults(new TimeScale(0.05), 1, Map.of(), Duration.ofMillis(80)).callLatency())
                .isEqualTo(Duration.ofMillis(80));
        assertThat(AwsQuotas.unlimited().callLatency()).isZero();
        assertThatThrownBy(() -> AwsQuotas.documentedDefaults(new TimeScale(0.05), 1, Map.of(), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latency cannot be negative");
    }

    @Test
    void peakConcurrency_isTheMostInvocationsOfAFunctionThatRanAtOnce() {
        for (int i = 0; i < 3; i++) {
            quotas.tryBeginInvocation("starter");
        }
        quotas.invocationEnded("starter");
        quotas.invocationEnded("starter");
        quotas.tryBeginInvocation("starter");
        quotas.tryBeginInvocation("classifier");

        assertThat(quotas.peakConcurrency()).isEqualTo(Map.of("starter", 3, "classifier", 1));
    }
}
