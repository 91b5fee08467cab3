package dev.ecsretrier.local;

import dev.ecsretrier.local.quota.AwsQuotas;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import dev.ecsretrier.local.emulator.LocalSettings;

/**
 * Issue 17's storm at full size: 10,000 runs whose first attempts all stop, retryably, within one
 * minute, under AWS's default quotas at their documented rates (not scaled), with duplicate
 * deliveries, crashes and double fires; then {@code retrier redrive} against {@code serve} until the
 * dead-letter queues are empty. Prints what happened. A benchmark, not a timed test: its name is
 * outside Surefire's default includes, so {@code mvn verify} skips it; {@code bench/storm.sh} runs it
 * ({@link StormTest} asserts a smaller storm in CI).
 *
 * <p>At time scale 0.05 a planned minute takes 3 s: the quotas (in planned time) let through 20
 * {@code DescribeTasks} a second, 400 a second of this machine's time, which it keeps up with, so
 * the quotas bind rather than the machine (the summary's "timers late" shows it: a few milliseconds
 * against the 50 ms a planned second takes). 1,100 threads, so that Lambda's 1,000 concurrent
 * executions bind before the runtime's threads do.
 *
 * <p>System properties: {@code storm.runs} (10,000), {@code storm.quotaScale} (runs / 10,000: the
 * same overload with fewer runs), {@code storm.window} (60 seconds), {@code storm.timeScale} (0.05),
 * {@code storm.seed}, {@code storm.threads} (1,100), {@code storm.redrive} (true), {@code storm.reserved}
 * (unset: the functions' defaults; N: reserved concurrency N on both functions, at full size, scaled like
 * the quotas; its storm drains for hours of planned time, as Lambda holds throttled events up to 6 hours),
 * {@code storm.latencyMs} (each AWS call's round trip, planned: {@link AwsQuotas#DEFAULT_CALL_LATENCY}, 15 ms, an
 * assumption).
 */
class StormBenchmark {

    @Test
    void stormUnderAwsQuotas() throws Exception {
        int runs = Integer.getInteger("storm.runs", 10_000);
        double quotaScale = Double.parseDouble(System.getProperty("storm.quotaScale", Double.toString(runs / 10_000.0)));
        Duration window = Duration.ofSeconds(Long.getLong("storm.window", 60));
        double timeScale = Double.parseDouble(System.getProperty("storm.timeScale", "0.05"));
        long seed = Long.getLong("storm.seed", FaultAndLoadTest.SEED);
        int threads = Integer.getInteger("storm.threads", 1_100);
        boolean redrive = Boolean.parseBoolean(System.getProperty("storm.redrive", "true"));
        Duration latency = Duration.ofMillis(Long.getLong("storm.latencyMs", AwsQuotas.DEFAULT_CALL_LATENCY.toMillis()));
        Map<String, Integer> reserved = new LinkedHashMap<>();
        if (System.getProperty("storm.reserved") != null) {
            int each = Math.max(1, (int) Math.round(Integer.getInteger("storm.reserved") * quotaScale));
            reserved.put(LocalSettings.STARTER_FUNCTION, each);
            reserved.put(LocalSettings.CLASSIFIER_FUNCTION, each);
        }
        System.out.println("storm: " + runs + " runs, first attempts stop within " + window.toSeconds()
                + "s, time scale " + timeScale + ", quotas x" + quotaScale + " on " + StormRun.modelledApis()
                + " and Lambda concurrency, " + threads + " threads; machine: "
                + Runtime.getRuntime().availableProcessors() + " cpus");
        StormRun storm = new StormRun(runs, window, 15 * quotaScale, timeScale, seed, reserved, threads,
                Duration.ofMinutes(4), quotaScale, redrive, latency);
        StormRun.Result result = storm.run(Duration.ofMinutes(30));
        System.out.println(result.summary(storm));
        Runtime memory = Runtime.getRuntime();
        System.out.printf("heap used at the end: %d MiB of %d MiB%n",
                (memory.totalMemory() - memory.freeMemory()) >> 20, memory.maxMemory() >> 20);
    }
}
