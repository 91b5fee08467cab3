package dev.ecsretrier.local;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 17's storm: runs whose first attempts all stop, retryably, within one minute, under AWS's
 * quotas, with duplicate deliveries, crashes and double fires. Prints what happened, first with the
 * functions' defaults, then with reserved concurrency on both functions. A benchmark, not a timed
 * test: its name is outside Surefire's default includes, so {@code mvn verify} skips it;
 * {@code bench/storm.sh} runs it ({@link StormTest} asserts a smaller storm in CI).
 *
 * <p>10,000 runs stopping within a minute is 167 events a second; this 2-core machine handles a few
 * hundred invocations a second, so at a time scale that ends in minutes it would stretch the storm
 * and never reach the quotas. By default the storm is therefore {@code storm.runs} runs against the
 * same share of the quotas ({@code runs / 10,000}): the same overload, eight times DescribeTasks'
 * sustained rate. {@code -Dstorm.runs=10000 -Dstorm.timeScale=1} is the storm at full size, in real
 * time (hours).
 *
 * <p>System properties: {@code storm.runs} (1000), {@code storm.quotaScale} (runs / 10,000),
 * {@code storm.window} (60 seconds), {@code storm.timeScale} (0.01), {@code storm.seed},
 * {@code storm.reserved} (reserved concurrency of each function in the second storm, at full size:
 * 100, scaled like the quotas), {@code storm.threads} (64).
 */
class StormBenchmark {

    @Test
    void stormUnderAwsQuotas() throws Exception {
        int runs = Integer.getInteger("storm.runs", 1_000);
        double quotaScale = Double.parseDouble(System.getProperty("storm.quotaScale", Double.toString(runs / 10_000.0)));
        Duration window = Duration.ofSeconds(Long.getLong("storm.window", 60));
        double timeScale = Double.parseDouble(System.getProperty("storm.timeScale", "0.01"));
        long seed = Long.getLong("storm.seed", FaultAndLoadTest.SEED);
        int reserved = Math.max(1, (int) Math.round(Integer.getInteger("storm.reserved", 100) * quotaScale));
        int threads = Integer.getInteger("storm.threads", 64);
        System.out.println("storm: " + runs + " runs, first attempts stop within " + window.toSeconds()
                + "s, time scale " + timeScale + ", quotas x" + quotaScale + " on " + StormRun.modelledApis()
                + " and Lambda concurrency; machine: " + Runtime.getRuntime().availableProcessors() + " cpus");
        Map<String, Integer> recommended = new LinkedHashMap<>();
        recommended.put(LocalSettings.STARTER_FUNCTION, reserved);
        recommended.put(LocalSettings.CLASSIFIER_FUNCTION, reserved);
        for (Map<String, Integer> reservedConcurrency : List.of(Map.<String, Integer>of(), recommended)) {
            StormRun storm = new StormRun(runs, window, 15 * quotaScale, timeScale, seed, reservedConcurrency, threads,
                    Duration.ofMinutes(4), quotaScale);
            StormRun.Result result = storm.run(Duration.ofMinutes(30));
            System.out.println(result.summary(storm));
        }
    }
}
