package dev.ecsretrier.local;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.local.cli.RetrierCommand;
import dev.ecsretrier.local.ecs.TaskProgram;
import dev.ecsretrier.local.quota.AwsQuota;
import dev.ecsretrier.local.quota.AwsQuotas;
import dev.ecsretrier.local.serve.AwsEndpoint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import dev.ecsretrier.local.emulator.TimeScale;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LocalSettings;

/**
 * Issue 17's failure storm: {@code runs} runs started at a pace RunTask allows, all running when an
 * AZ or a registry fails, so that every first attempt stops with a retryable exit within one
 * {@code window}; the second attempt succeeds. AWS's quotas on, and the fault test's duplicates,
 * crashes and double fires. Shared by {@link StormBenchmark} (10,000 runs, printed) and
 * {@link StormTest} (a few hundred, asserted).
 *
 * @param startsPerSecond     how fast the caller starts runs (planned time); below RunTask's 20 a second
 * @param reservedConcurrency Lambda reserved concurrency per function; empty for the account's defaults
 * @param calmBeforeStorm     from the last start to the storm at the latest (it begins sooner once every first
 *                            task runs): time for Lambda's retries of a crashed start
 * @param quotaScale          the quotas' share: 1 for 10,000 runs, runs / 10,000 for a smaller storm alike
 * @param threads             the runtime's threads; above Lambda's 1,000 concurrent executions for a storm at
 *                            full size, so that the account's concurrency binds before the machine does
 * @param redrive             once the storm is over, {@code retrier redrive} against {@code serve} until the
 *                            dead-letter queues are empty (at most {@link #REDRIVE_PASSES} passes)
 * @param callLatency         each AWS call's round trip, planned time ({@link AwsQuotas#DEFAULT_CALL_LATENCY}, an
 *                            assumption, by default): how long an invocation holds its execution environment
 */
record StormRun(int runs, Duration window, double startsPerSecond, double timeScale, long seed,
                Map<String, Integer> reservedConcurrency, int threads, Duration calmBeforeStorm, double quotaScale,
                boolean redrive, Duration callLatency) {

    StormRun(int runs, Duration window, double startsPerSecond, double timeScale, long seed,
             Map<String, Integer> reservedConcurrency, int threads, Duration calmBeforeStorm, double quotaScale,
             boolean redrive) {
        this(runs, window, startsPerSecond, timeScale, seed, reservedConcurrency, threads, calmBeforeStorm, quotaScale,
                redrive, AwsQuotas.DEFAULT_CALL_LATENCY);
    }

    /** Redrive passes at most: a replay the quotas throttle stays in its queue for the next pass. */
    static final int REDRIVE_PASSES = 10;

    static final int MAX_ATTEMPTS = FaultAndLoadTest.MAX_ATTEMPTS;

    /**
     * What a storm did, once the runtime was idle.
     *
     * @param plannedUntilLastEnd from the storm's first stop to the last run's notification, in planned time
     * @param wallUntilLastEnd    the same, as this machine took it
     * @param redriven            what redrive did afterwards; null when the storm was not redriven
     * @param timerLag            how late this JVM's timers ran during the storm: small against the time scale's
     *                            second (50 ms at 0.05) when the machine kept up with the storm
     * @param peakConcurrency     the most invocations of each function that ran at once (Lambda's concurrent
     *                            executions), during the storm (redrive's replays not counted)
     */
    record Result(FaultAndLoadTest.LoadFigures figures, Map<String, Long> throttles, long throttledDeadLetters,
                  Duration plannedUntilLastEnd, Duration wallUntilLastEnd, Duration wall, boolean idle,
                  Redriven redriven, TimerLag.Figures timerLag, Map<String, Integer> peakConcurrency) {

        String summary(StormRun storm) {
            FaultAndLoadTest.LoadFigures f = figures;
            return String.format(Locale.ROOT, "storm: runs=%d window=%ds quotas x%s reserved=%s ended=%d exactly-once=%d"
                            + " two-outcomes=%d double-launches=%d lost=%d dead-lettered: runs=%d classifier=%d"
                            + " starter=%d throttled=%d%n  throttles=%s%n  AWS calls take %d ms each (assumed);"
                            + " peak concurrent executions=%s (at quotas x%s)%n  faults: duplicated=%d crashes=%d"
                            + " double-fires=%d; last run ended %.0fs planned (%.1fs wall) after the storm began;"
                            + " wall=%.1fs idle=%s%n  timers late: p99 %d ms, max %d ms (wall; %.1f s, %.1f s planned)%s",
                    storm.runs, storm.window.toSeconds(), storm.quotaScale, storm.reservedConcurrency, f.ended.size(), f.exactlyOneOutcome,
                    f.twoOutcomes.size(), f.doubleLaunches.size(), f.lost(), f.deadLetteredOnly.size(),
                    f.classifier.deadLettered(), f.starter.deadLettered(), throttledDeadLetters, throttles,
                    storm.callLatency.toMillis(), peakConcurrency, storm.quotaScale,
                    f.eventsDuplicated, f.crashes, f.doubleFires, plannedUntilLastEnd.toMillis() / 1000.0,
                    wallUntilLastEnd.toMillis() / 1000.0, wall.toMillis() / 1000.0, idle,
                    timerLag.p99().toMillis(), timerLag.max().toMillis(),
                    storm.timeScale == 0 ? 0 : timerLag.p99().toMillis() / 1000.0 / storm.timeScale,
                    storm.timeScale == 0 ? 0 : timerLag.max().toMillis() / 1000.0 / storm.timeScale,
                    redriven == null ? "" : "\n  " + redriven.summary());
        }
    }

    /**
     * What {@code retrier redrive} did to the storm's dead letters, and the runs once it was done.
     *
     * @param passes   redrive commands run (each replays every queue once)
     * @param replayed messages replayed and deleted, over all passes
     * @param failed   replays that failed (left in their queue for the next pass), over all passes
     * @param left     messages still in the dead-letter queues at the end
     * @param after    the runs once the runtime was idle again
     */
    record Redriven(int passes, int replayed, int failed, int left, FaultAndLoadTest.LoadFigures after,
                    Map<String, Long> throttlesAfter, Duration wall, boolean idle) {

        /** Runs whose one outcome is a notification (none only dead-lettered any more). */
        int notifiedOnce() {
            return after.exactlyOneOutcome - after.deadLetteredOnly.size();
        }

        String summary() {
            return String.format(Locale.ROOT, "redrive: passes=%d replayed=%d failed=%d left=%d; then notified-once=%d"
                            + " dead-lettered-only=%d two-outcomes=%d double-launches=%d off-script=%d lost=%d"
                            + " throttles=%s wall=%.1fs idle=%s",
                    passes, replayed, failed, left, notifiedOnce(), after.deadLetteredOnly.size(),
                    after.twoOutcomes.size(), after.doubleLaunches.size(), after.offScriptOutcomes.size(), after.lost(),
                    throttlesAfter, wall.toMillis() / 1000.0, idle);
        }
    }

    Result run(Duration bound) throws InterruptedException {
        Map<String, ScriptedRun> scripts = new LinkedHashMap<>();
        for (int i = 0; i < runs; i++) {
            String runId = String.format(Locale.ROOT, "storm-%05d", i);
            scripts.put(runId, new ScriptedRun(runId, 2,
                    List.of(ScriptedRun.Attempt.APP_FAILS, ScriptedRun.Attempt.SUCCEEDS, ScriptedRun.Attempt.SUCCEEDS)));
        }
        TimeScale scale = new TimeScale(timeScale);
        Duration launching = Duration.ofMillis((long) (runs / startsPerSecond * 1000));
        Duration stormAt = launching.plus(calmBeforeStorm);
        StormProgram program = new StormProgram(scale, runs, stormAt, window, new Random(seed));
        LocalRuntime.Builder builder = LocalRuntime.builder()
                .setting(Setting.RETRYABLE_EXIT_CODES, "2")
                .setting(Setting.MAX_ATTEMPTS, Integer.toString(MAX_ATTEMPTS))
                .timeScale(timeScale).seed(seed).minutePrecision(true).threads(threads)
                .faults(Faults.builder().duplicateDelivery(FaultAndLoadTest.DUPLICATE_DELIVERY)
                        .handlerCrash(FaultAndLoadTest.HANDLER_CRASH)
                        .schedulerDoubleFire(FaultAndLoadTest.SCHEDULER_DOUBLE_FIRE).build())
                .taskProgram(program).maxRunningTasks(runs * 2 + 16)
                .awsQuotas(true).quotaScale(quotaScale).awsCallLatency(callLatency);
        reservedConcurrency.forEach(builder::reservedConcurrency);
        long began = System.nanoTime();
        TimerLag lag = TimerLag.start();
        try (LocalRuntime runtime = builder.build()) {
            program.begin();
            int i = 0;
            for (ScriptedRun script : scripts.values()) {
                long dueNanos = scale.nanos(Duration.ofNanos((long) (i++ / startsPerSecond * 1e9)));
                long sleep = dueNanos - (System.nanoTime() - began);
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
                runtime.submitRun(script.startRequest());
            }
            boolean idle = runtime.awaitIdle(bound);
            Duration wall = Duration.ofNanos(System.nanoTime() - began);
            TimerLag.Figures timerLag = lag.stop();
            FaultAndLoadTest.LoadFigures figures = FaultAndLoadTest.LoadFigures.of(runtime, scripts);
            long throttledLetters = runtime.deadLetters().stream()
                    .filter(letter -> letter.errorMessage().contains("Rate exceeded")
                            || letter.errorMessage().contains("ThrottlingException")
                            || letter.errorType().contains("TooManyRequests"))
                    .count();
            java.time.Instant stormBegan = program.stormBegan();
            java.time.Instant lastEnd = runtime.notifications().stream().map(n -> n.timestamp())
                    .max(java.util.Comparator.naturalOrder()).orElse(stormBegan);
            Duration wallUntilLast = Duration.between(stormBegan, lastEnd);
            Duration untilLast = timeScale == 0 ? Duration.ZERO
                    : Duration.ofNanos((long) (wallUntilLast.toNanos() / timeScale));
            Map<String, Long> throttles = runtime.throttles();
            Map<String, Integer> peak = runtime.quotas().peakConcurrency();
            Redriven redriven = redrive ? redrive(runtime, scripts, bound) : null;
            program.close();
            return new Result(figures, throttles, throttledLetters, untilLast, wallUntilLast, wall, idle, redriven,
                    timerLag, peak);
        }
    }

    /**
     * The user's way out of a storm: {@code retrier redrive} (operate/'s DeadLetterRedriver, over SDK v2)
     * against {@code serve}'s endpoint in front of this runtime, pass after pass while a dead-letter queue
     * holds messages; the replays run under the same quotas.
     */
    private static Redriven redrive(LocalRuntime runtime, Map<String, ScriptedRun> scripts, Duration bound)
            throws InterruptedException {
        System.setProperty("aws.accessKeyId", "local");
        System.setProperty("aws.secretAccessKey", "local");
        long began = System.nanoTime();
        int passes = 0;
        int replayed = 0;
        int failed = 0;
        boolean idle = true;
        Pattern count = Pattern.compile("^(\\w+): replayed (\\d+), failed (\\d+), left (\\d+)$", Pattern.MULTILINE);
        try (AwsEndpoint endpoint = AwsEndpoint.start(runtime, "127.0.0.1", 0, line -> { })) {
            while (passes < REDRIVE_PASSES && queued(runtime) > 0) {
                passes++;
                StringWriter out = new StringWriter();
                CommandLine command = RetrierCommand.commandLine();
                command.setOut(new PrintWriter(out, true));
                command.setErr(new PrintWriter(new StringWriter(), true));
                command.execute("redrive", "--endpoint-url", endpoint.uri().toString());
                Matcher counted = count.matcher(out.toString());
                while (counted.find()) {
                    replayed += Integer.parseInt(counted.group(2));
                    failed += Integer.parseInt(counted.group(3));
                }
                // What the replays started (next attempts, their stops) runs to its end before the next pass.
                idle = runtime.awaitIdle(bound) && idle;
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot start serve's endpoint for redrive", e);
        }
        return new Redriven(passes, replayed, failed, queued(runtime), FaultAndLoadTest.LoadFigures.of(runtime, scripts),
                runtime.throttles(), Duration.ofNanos(System.nanoTime() - began), idle);
    }

    /**
     * The runtime's planned time is the wall clock times the time scale, so a machine that cannot keep up
     * shows only as lateness: a thread that asks to wake every 10 ms and records how late it woke.
     */
    static final class TimerLag {
        private static final long PERIOD_NANOS = 10_000_000;

        /** How late the wake-ups were, at the 99th percentile and at most. */
        record Figures(Duration p99, Duration max) {
        }

        private final List<Long> lateNanos = new java.util.ArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;

        private TimerLag() {
            thread = new Thread(() -> {
                while (running) {
                    long due = System.nanoTime() + PERIOD_NANOS;
                    java.util.concurrent.locks.LockSupport.parkNanos(PERIOD_NANOS);
                    long late = Math.max(0, System.nanoTime() - due);
                    synchronized (lateNanos) {
                        lateNanos.add(late);
                    }
                }
            }, "storm-timer-lag");
            thread.setDaemon(true);
        }

        static TimerLag start() {
            TimerLag lag = new TimerLag();
            lag.thread.start();
            return lag;
        }

        Figures stop() throws InterruptedException {
            running = false;
            thread.join();
            List<Long> sorted;
            synchronized (lateNanos) {
                sorted = lateNanos.stream().sorted().toList();
            }
            if (sorted.isEmpty()) {
                return new Figures(Duration.ZERO, Duration.ZERO);
            }
            return new Figures(Duration.ofNanos(sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99)))),
                    Duration.ofNanos(sorted.get(sorted.size() - 1)));
        }
    }

    private static int queued(LocalRuntime runtime) {
        return LocalSettings.DEAD_LETTER_QUEUES.stream().mapToInt(queue -> runtime.queues().messages(queue).size()).sum();
    }

    /** Quota names, for readers of the summary. */
    static List<String> modelledApis() {
        return java.util.Arrays.stream(AwsQuota.values()).map(AwsQuota::api).toList();
    }

    /**
     * Containers without processes. First attempts (those in FAIL_ON_ATTEMPTS) run until the storm:
     * once every run's first task is running, or at {@code stormAt} (planned, from {@link #begin()})
     * if some are still missing, each exits FAIL_EXIT_CODE at a random moment of the next
     * {@code window}; a first task that starts later exits at once. Other attempts exit 0 after a minute.
     */
    static final class StormProgram implements TaskProgram, AutoCloseable {
        private final TimeScale scale;
        private final int runs;
        private final Duration stormAt;
        private final Duration window;
        private final Random random;
        private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "storm-program");
            t.setDaemon(true);
            return t;
        });
        private final List<Runnable> held = new java.util.ArrayList<>();
        private volatile java.time.Instant stormBegan;

        StormProgram(TimeScale scale, int runs, Duration stormAt, Duration window, Random random) {
            this.scale = scale;
            this.runs = runs;
            this.stormAt = stormAt;
            this.window = window;
            this.random = random;
        }

        void begin() {
            timers.schedule(this::storm, scale.nanos(stormAt), TimeUnit.NANOSECONDS);
        }

        /** When the first exits were released (the storm's first minute begins). */
        java.time.Instant stormBegan() {
            return stormBegan == null ? java.time.Instant.now() : stormBegan;
        }

        private void storm() {
            List<Runnable> release;
            synchronized (held) {
                if (stormBegan != null) {
                    return;
                }
                stormBegan = java.time.Instant.now();
                release = List.copyOf(held);
                held.clear();
            }
            release.forEach(Runnable::run);
        }

        private Duration randomMomentOfWindow() {
            synchronized (random) {
                return Duration.ofNanos((long) (random.nextDouble() * window.toNanos()));
            }
        }

        @Override
        public Execution start(Container container) {
            Map<String, String> env = container.environment();
            String attempt = env.getOrDefault("RETRIER_ATTEMPT", "1");
            boolean fails = ("," + env.getOrDefault("FAIL_ON_ATTEMPTS", "") + ",").contains("," + attempt + ",");
            int exit = fails ? Integer.parseInt(env.getOrDefault("FAIL_EXIT_CODE", "2")) : 0;
            CompletableFuture<Integer> exitCode = new CompletableFuture<>();
            Runnable exitInWindow = () -> timers.schedule(() -> exitCode.complete(exit),
                    scale.nanos(randomMomentOfWindow()), TimeUnit.NANOSECONDS);
            if (!fails) {
                timers.schedule(() -> exitCode.complete(exit), scale.nanos(Duration.ofMinutes(1)), TimeUnit.NANOSECONDS);
            } else {
                boolean everyoneRunning;
                synchronized (held) {
                    if (stormBegan != null) {
                        exitCode.complete(exit);
                        everyoneRunning = false;
                    } else {
                        held.add(exitInWindow);
                        everyoneRunning = held.size() == runs;
                    }
                }
                if (everyoneRunning) {
                    timers.execute(this::storm);
                }
            }
            return new Execution() {
                @Override
                public CompletableFuture<Integer> exitCode() {
                    return exitCode;
                }

                @Override
                public void stop() {
                    exitCode.complete(143);
                }
            };
        }

        @Override
        public String image() {
            return "storm-task:latest";
        }

        @Override
        public void close() {
            timers.shutdownNow();
        }
    }
}
