package dev.ecsretrier.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

import dev.ecsretrier.local.emulator.LocalSettings;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, the storm in small ({@link StormBenchmark} runs it at full size): 200 runs whose first
 * attempts all stop within one minute, against 2 % of AWS's quotas and of Lambda's account concurrency
 * (so 3.3 stops a second are eight times DescribeTasks' sustained 0.4, as 10,000 a minute are against
 * the real 20, and 20 concurrent executions stand for 1,000), with the fault
 * test's duplicates, crashes and double fires; then {@code retrier redrive} against {@code serve} until
 * the dead-letter queues are empty. What is asserted holds whatever the machine's load; how many
 * invocations end dead-lettered depends on it, and is printed.
 */
class StormTest {

    static final int RUNS = 200;
    /** The quotas' share: 200 runs against 2 % of them overload them as 10,000 runs overload all of them. */
    static final double QUOTA_SCALE = RUNS / 10_000.0;

    static StormRun.Result storm(Map<String, Integer> reserved) throws InterruptedException {
        StormRun storm = new StormRun(RUNS, Duration.ofSeconds(60), 15 * QUOTA_SCALE,
                Double.parseDouble(System.getProperty("storm.timeScale", "0.01")), FaultAndLoadTest.SEED, reserved, 32,
                Duration.ofMinutes(4), QUOTA_SCALE, true);
        StormRun.Result result = storm.run(Duration.ofSeconds(120));
        System.out.println(result.summary(storm));
        return result;
    }

    @Test
    void aStormBeyondTheQuotasIsThrottledYetEveryRunEndsOnceWithNothingLostOrLaunchedTwice_andRedriveEndsEveryDeadLetteredRunOnce() throws Exception {
        StormRun.Result result = storm(Map.of());
        assertThat(result.idle()).as("every run came to rest").isTrue();
        assertSoftly(soft -> {
            nothingLostOrDoubled(soft, result, "storm");
            soft.assertThat(result.throttles().getOrDefault("ecs:DescribeTasks", 0L))
                    .as("DescribeTasks calls throttled: the storm went past the quota").isPositive();
            soft.assertThat(result.figures().deadLetteredOnly).as("runs the storm left in a dead-letter queue")
                    .isNotEmpty();
            soft.assertThat(result.peakConcurrency()).as("concurrent executions counted for both functions")
                    .containsOnlyKeys(LocalSettings.STARTER_FUNCTION, LocalSettings.CLASSIFIER_FUNCTION)
                    .allSatisfy((function, peak) -> assertThat(peak).isPositive());
        });
        StormRun.Redriven redriven = result.redriven();
        assertThat(redriven.idle()).as("every redriven run came to rest").isTrue();
        assertSoftly(soft -> {
            soft.assertThat(redriven.left()).as("messages still in the dead-letter queues after redrive").isZero();
            soft.assertThat(redriven.replayed()).as("dead letters replayed").isPositive();
            FaultAndLoadTest.LoadFigures after = redriven.after();
            soft.assertThat(after.deadLetteredOnly).as("runs ended only by a dead letter after redrive").isEmpty();
            soft.assertThat(redriven.notifiedOnce()).as("runs notified exactly once after redrive").isEqualTo(RUNS);
            soft.assertThat(after.twoOutcomes).as("runs notified with two outcomes after redrive").isEmpty();
            soft.assertThat(after.doubleLaunches).as("attempts that started two tasks after redrive").isEmpty();
            soft.assertThat(after.offScriptOutcomes).as("runs not ending as scripted after redrive").isEmpty();
            soft.assertThat(after.lost()).as("events neither processed nor dead-lettered after redrive").isZero();
        });
    }

    static void nothingLostOrDoubled(SoftAssertions soft, StormRun.Result result, String storm) {
        FaultAndLoadTest.LoadFigures f = result.figures();
        soft.assertThat(f.notEnded).as("%s: runs with neither a notification nor a dead letter", storm).isEmpty();
        soft.assertThat(f.twoOutcomes).as("%s: runs notified with two outcomes", storm).isEmpty();
        soft.assertThat(f.doubleLaunches).as("%s: attempts that started two tasks", storm).isEmpty();
        soft.assertThat(f.offScriptOutcomes).as("%s: runs not ending as scripted", storm).isEmpty();
        soft.assertThat(f.lost()).as("%s: events neither processed nor dead-lettered", storm).isZero();
    }
}
