package dev.ecsretrier.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.history.HistoryRecord;
import dev.ecsretrier.history.HistoryRecords;
import dev.ecsretrier.local.ecs.TaskProgram;
import dev.ecsretrier.local.emulator.LaunchKey;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.emulator.TimelineEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Issue 6, "Retry overhead in the local runtime": how long after a task's exit the next attempt is
 * launched, beyond the backoff the classifier scheduled. A benchmark that prints numbers, not a
 * timed test: its name is outside Surefire's default includes, so {@code mvn verify} skips it;
 * {@code bench/retry-overhead.sh} runs it.
 *
 * <p>Real time (time scale 1.0), backoff 1 s, multiplier 1, jitter NONE: every scheduled delay is
 * exactly 1000 ms, so what is left is the runtime's own work — the exit seen, the STOPPED event
 * built and matched, the classifier (DescribeTasks, classify, CreateSchedule), the scheduler's
 * lateness, the starter and RunTask. Runs start staggered across the backoff so their retries do
 * not contend; each run retries {@code maxAttempts - 1} times (exit 2), then succeeds.
 *
 * <p>System properties: {@code bench.runs} (7), {@code bench.maxAttempts} (10, at most 10),
 * {@code bench.backoffSeconds} (1).
 */
class RetryOverheadBenchmark {

    /** Prints the task's own clock, in nanoseconds, right before it exits like sample-task. */
    static final String STAMPING_SAMPLE_TASK_SH = "/bin/date +%s%N; " + ScriptedRun.SAMPLE_TASK_SH;

    @TempDir
    Path taskLogs;

    @Test
    void retryOverhead() throws Exception {
        int runs = Integer.getInteger("bench.runs", 7);
        int maxAttempts = Integer.getInteger("bench.maxAttempts", 10);
        int backoffSeconds = Integer.getInteger("bench.backoffSeconds", 1);
        warmUp();

        TaskClock tasks = new TaskClock(TaskProgram.process(List.of("/bin/sh", "-c", STAMPING_SAMPLE_TASK_SH), taskLogs));
        Map<LaunchKey, HistoryRecord.NextAttempt> steps = new ConcurrentHashMap<>();
        long began = System.nanoTime();
        try (LocalRuntime runtime = LocalRuntime.builder()
                .setting(Setting.RETRYABLE_EXIT_CODES, "2")
                .setting(Setting.MAX_ATTEMPTS, Integer.toString(maxAttempts))
                .setting(Setting.BACKOFF_INITIAL_SECONDS, Integer.toString(backoffSeconds))
                .setting(Setting.BACKOFF_MULTIPLIER, "1")
                .setting(Setting.BACKOFF_JITTER, "NONE")
                .timeScale(1.0).seed(6)
                .taskProgram(tasks)
                .handlerLog(line -> recordStep(line, steps))
                .build()) {
            for (int r = 0; r < runs; r++) {
                runtime.submitRun(failingUntilLastAttempt("bench-" + r, maxAttempts));
                Thread.sleep(backoffSeconds * 1000L / runs);
            }
            assertThat(runtime.awaitIdle(Duration.ofSeconds(60L + 2L * maxAttempts * backoffSeconds))).isTrue();
            assertThat(runtime.outcomes()).hasSize(runs).allMatch(o -> o.outcome() == Decision.SUCCEEDED);
            Duration wall = Duration.ofNanos(System.nanoTime() - began);

            Map<LaunchKey, Instant> launched = at(runtime, TimelineEntry.Kind.TASK_LAUNCHED);
            Map<LaunchKey, Instant> stopped = at(runtime, TimelineEntry.Kind.TASK_STOPPED);
            Map<LaunchKey, Instant> fired = at(runtime, TimelineEntry.Kind.SCHEDULE_FIRED);
            List<Double> overhead = new ArrayList<>();
            List<Double> fromTaskClock = new ArrayList<>();
            List<Double> exitToPlanned = new ArrayList<>();
            List<Double> exitToStopped = new ArrayList<>();
            List<Double> lateness = new ArrayList<>();
            List<Double> firedToLaunched = new ArrayList<>();
            List<Double> launchedToSpawned = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                for (int n = 1; n < maxAttempts; n++) {
                    LaunchKey ended = new LaunchKey("bench-" + r, n);
                    LaunchKey next = new LaunchKey("bench-" + r, n + 1);
                    HistoryRecord.NextAttempt step = steps.get(ended);
                    long delayMillis = step.delayMillis();
                    Instant at = step.at();
                    Instant exit = tasks.exitSeen.get(ended);
                    overhead.add(millis(exit, launched.get(next)) - delayMillis);
                    fromTaskClock.add(millis(tasks.lastStamp(ended), launched.get(next)) - delayMillis);
                    exitToPlanned.add(millis(exit, at.minusMillis(delayMillis)));
                    exitToStopped.add(millis(exit, stopped.get(ended)));
                    lateness.add(millis(at, fired.get(next)));
                    firedToLaunched.add(millis(fired.get(next), launched.get(next)));
                    launchedToSpawned.add(millis(launched.get(next), tasks.spawned.get(next)));
                }
            }

            System.out.printf(Locale.ROOT, "retry overhead: %d retries (%d runs x %d), backoff %d s jitter NONE,"
                            + " time scale 1.0; %d cpus, %s %s; wall %.1f s%n", overhead.size(), runs,
                    maxAttempts - 1, backoffSeconds, Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.vm.name"), System.getProperty("java.version"), wall.toMillis() / 1000.0);
            print("exit seen -> next RunTask - backoff", overhead, " (goal: median < 50 ms)");
            print("task's last clock -> next RunTask - backoff", fromTaskClock, " (upper bound: + date, sh exit)");
            print("  exit seen -> STOPPED event emitted", exitToStopped, "");
            print("  exit seen -> backoff planned (classifier)", exitToPlanned, "");
            print("  scheduled time -> schedule fired", lateness, "");
            print("  schedule fired -> RunTask (starter)", firedToLaunched, "");
            print("  (after) RunTask -> process spawned", launchedToSpawned, " (not in the overhead)");
            assertThat(overhead).hasSize(runs * (maxAttempts - 1));
        }
    }

    /** JIT and class loading first: the numbers are for a runtime that has been running. */
    static void warmUp() throws InterruptedException {
        try (LocalRuntime runtime = LocalRuntime.builder()
                .setting(Setting.RETRYABLE_EXIT_CODES, "2").setting(Setting.MAX_ATTEMPTS, "4")
                .timeScale(0.001).seed(1).taskProgram(ScriptedRun.shellSampleTask()).build()) {
            for (int r = 0; r < 30; r++) {
                runtime.submitRun(failingUntilLastAttempt("warm-up-" + r, 4));
            }
            assertThat(runtime.awaitIdle(Duration.ofSeconds(60))).isTrue();
        }
    }

    static StartRequest failingUntilLastAttempt(String runId, int maxAttempts) {
        StringJoiner failOn = new StringJoiner(",");
        for (int n = 1; n < maxAttempts; n++) {
            failOn.add(Integer.toString(n));
        }
        return StartRequest.of(runId, null, List.of(new ContainerOverride(LocalSettings.CONTAINER_NAME, null,
                List.of(new EnvironmentVariable("FAIL_ON_ATTEMPTS", failOn.toString())))), null);
    }

    /** The handlers' history records: a RETRY's delay and the time its schedule fires at. */
    static void recordStep(String line, Map<LaunchKey, HistoryRecord.NextAttempt> steps) {
        HistoryRecords.read(line).ifPresent(record -> {
            if (record instanceof HistoryRecord.Decided decided && decided.next() != null
                    && !decided.next().alreadyScheduled()) {
                steps.put(new LaunchKey(decided.runId(), decided.attempt()), decided.next());
            }
        });
    }

    static Map<LaunchKey, Instant> at(LocalRuntime runtime, TimelineEntry.Kind kind) {
        Map<LaunchKey, Instant> first = new ConcurrentHashMap<>();
        for (TimelineEntry entry : runtime.timeline()) {
            if (entry.kind() == kind && entry.runId() != null && entry.attempt() != null) {
                first.putIfAbsent(new LaunchKey(entry.runId(), entry.attempt()), entry.at());
            }
        }
        return first;
    }

    static double millis(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    static void print(String what, List<Double> millis, String note) {
        List<Double> sorted = millis.stream().sorted().toList();
        Function<Double, Double> rank = p -> sorted.get((int) Math.ceil(p * sorted.size()) - 1);
        System.out.printf(Locale.ROOT, "  %-46s median %6.1f ms  p90 %6.1f ms  max %6.1f ms%s%n", what,
                rank.apply(0.5), rank.apply(0.9), sorted.get(sorted.size() - 1), note);
    }

    /** The task program, timed: when each attempt's process was spawned and when its exit was seen. */
    final class TaskClock implements TaskProgram {
        final TaskProgram program;
        final Map<LaunchKey, Instant> spawned = new ConcurrentHashMap<>();
        final Map<LaunchKey, Instant> exitSeen = new ConcurrentHashMap<>();
        final Map<LaunchKey, String> taskIds = new ConcurrentHashMap<>();

        TaskClock(TaskProgram program) {
            this.program = program;
        }

        @Override
        public Execution start(Container container) throws IOException {
            LaunchKey key = new LaunchKey(container.environment().get(AttemptMetadata.RUN_ID_ENV),
                    Integer.parseInt(container.environment().get(AttemptMetadata.ATTEMPT_ENV)));
            taskIds.put(key, container.taskId());
            Execution execution = program.start(container);
            spawned.put(key, Instant.now());
            // Recorded before the runtime's own callback runs: it is chained after this one.
            var exit = execution.exitCode().whenComplete((code, error) -> exitSeen.put(key, Instant.now()));
            return new Execution() {
                @Override
                public java.util.concurrent.CompletableFuture<Integer> exitCode() {
                    return exit;
                }

                @Override
                public void stop() {
                    execution.stop();
                }
            };
        }

        @Override
        public String image() {
            return program.image();
        }

        /** What {@code date +%s%N} printed in the task, just before it exited. */
        Instant lastStamp(LaunchKey key) throws IOException {
            String nanos = Files.readString(taskLogs.resolve(taskIds.get(key) + ".log")).trim();
            long value = Long.parseLong(nanos);
            return Instant.ofEpochSecond(value / 1_000_000_000L, value % 1_000_000_000L);
        }
    }
}
