package dev.ecsretrier.local.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.emulator.TimeScale;
import dev.ecsretrier.local.emulator.internal.EmulatorContext;
import dev.ecsretrier.local.emulator.internal.PendingWork;
import dev.ecsretrier.local.emulator.internal.Timeline;
import dev.ecsretrier.port.AttemptScheduler.Result;
import dev.ecsretrier.port.ScheduledAttempt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

class LocalSchedulerTest {

    static final String STARTER = "arn:aws:lambda:local:000000000000:function:starter:live";

    final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2);
    final PendingWork work = new PendingWork();
    final List<String> fired = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void close() {
        executor.shutdownNow();
    }

    LocalScheduler scheduler(double timeScale, boolean minutePrecision, double doubleFires) {
        EmulatorContext context = new EmulatorContext(LocalSettings.REGION, LocalSettings.ACCOUNT, Clock.systemUTC(),
                new TimeScale(timeScale), executor, Faults.builder().schedulerDoubleFire(doubleFires).build(),
                new Timeline(Clock.systemUTC()), work);
        return new LocalScheduler(context, minutePrecision, new Random(7), (target, input) -> fired.add(target + " " + input));
    }

    static ScheduledAttempt attempt(String name, Duration in) {
        return new ScheduledAttempt(name, Instant.now().plus(in), "{\"runId\":\"run\",\"attempt\":2}", STARTER);
    }

    @Test
    void aScheduleFiresItsTargetWithItsInputThenIsDeleted() throws Exception {
        LocalScheduler scheduler = scheduler(0.001, false, 0);

        assertThat(scheduler.schedule(attempt("run-2", Duration.ofSeconds(30)))).isEqualTo(Result.CREATED);
        assertThat(scheduler.pending()).containsExactly("run-2");
        assertThat(work.awaitNone(Duration.ofSeconds(5))).isTrue();

        assertThat(fired).containsExactly(STARTER + " {\"runId\":\"run\",\"attempt\":2}");
        assertThat(scheduler.pending()).isEmpty();
        assertThat(scheduler.schedule(attempt("run-2", Duration.ZERO))).as("a deleted name is free again")
                .isEqualTo(Result.CREATED);
    }

    @Test
    void aNameThatIsScheduledAlreadyConflicts() {
        LocalScheduler scheduler = scheduler(1.0, false, 0);

        assertThat(scheduler.schedule(attempt("run-2", Duration.ofMinutes(5)))).isEqualTo(Result.CREATED);
        assertThat(scheduler.schedule(attempt("run-2", Duration.ofMinutes(1)))).isEqualTo(Result.ALREADY_SCHEDULED);
        assertThat(scheduler.delete("run-2")).isTrue();
        assertThat(work.pending()).isZero();
    }

    /**
     * On the runtime's clock, a schedule 20 s away at scale 0.01 asks the executor for a 200 ms wait,
     * exactly; the wall clock only shows it never fires early (an upper bound on the wall clock
     * would measure the machine's load, not the scheduler).
     */
    @Test
    void theTimeScaleShrinksTheWaitNotTheTime() throws Exception {
        Instant now = Instant.parse("2026-12-01T09:00:00Z");
        List<Long> waitsNanos = Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService recording = new ScheduledThreadPoolExecutor(1) {
            @Override
            public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
                waitsNanos.add(unit.toNanos(delay));
                return super.schedule(command, delay, unit);
            }
        };
        try {
            EmulatorContext context = new EmulatorContext(LocalSettings.REGION, LocalSettings.ACCOUNT,
                    Clock.fixed(now, ZoneOffset.UTC), new TimeScale(0.01), recording, Faults.NONE,
                    new Timeline(Clock.systemUTC()), work);
            LocalScheduler scheduler = new LocalScheduler(context, false, new Random(7),
                    (target, input) -> fired.add(target + " " + input));
            long start = System.nanoTime();

            scheduler.schedule(new ScheduledAttempt("run-2", now.plusSeconds(20), "{\"runId\":\"run\",\"attempt\":2}",
                    STARTER));
            assertThat(work.awaitNone(Duration.ofSeconds(30))).isTrue();

            assertThat(waitsNanos).containsExactly(Duration.ofMillis(200).toNanos());
            assertThat(fired).hasSize(1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        } finally {
            recording.shutdownNow();
        }
    }

    /** As EventBridge Scheduler is asked (the whole minute after), then somewhere in that minute: never early. */
    @Test
    void withMinutePrecisionAScheduleFiresInTheWholeMinuteAfterItsTime_neverBeforeIt() {
        LocalScheduler scheduler = scheduler(1.0, true, 0);
        Instant at = Instant.now().plus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.MINUTES).plusSeconds(42);
        Instant minute = at.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));

        for (int i = 0; i < 100; i++) {
            assertThat(scheduler.fireTime(at)).isAfter(at).isBetween(minute, minute.plusMillis(59_999));
        }
        assertThat(scheduler(1.0, false, 0).fireTime(at)).isEqualTo(at);
    }

    @Test
    void withDoubleFiresTheTargetIsInvokedTwice() throws Exception {
        LocalScheduler scheduler = scheduler(0.001, false, 1.0);

        scheduler.schedule(attempt("run-2", Duration.ZERO));

        assertThat(work.awaitNone(Duration.ofSeconds(5))).isTrue();
        assertThat(fired).hasSize(2);
    }

    @Test
    void aScheduleCreatedDuringAnInvocationFiresOnlyAfterItReturned() throws Exception {
        LocalScheduler scheduler = scheduler(0.001, false, 0);

        String answer = scheduler.holdingFiresUntilReturn(() -> {
            scheduler.schedule(attempt("run-2", Duration.ZERO));
            Thread.sleep(200);
            assertThat(fired).as("due, but the invocation has not returned").isEmpty();
            return "returned";
        });

        assertThat(answer).isEqualTo("returned");
        assertThat(work.awaitNone(Duration.ofSeconds(5))).isTrue();
        assertThat(fired).hasSize(1);
    }

    @Test
    void aDataDirectoryKeepsPendingAndDisabledSchedulesButNotFiredOrDeletedOnes(@org.junit.jupiter.api.io.TempDir
                                                                                 java.nio.file.Path data) {
        java.nio.file.Path file = data.resolve("schedules.jsonl");
        LocalScheduler before = scheduler(1.0, false, 0);
        before.keepSchedulesIn(file);
        before.schedule(attempt("kept-2", Duration.ofMinutes(5)));
        before.schedule(attempt("deleted-2", Duration.ofMinutes(5)));
        before.delete("deleted-2");
        before.createDisabled(attempt("run-cancelled", Duration.ofDays(365)), "default", "cancelled by test");

        LocalScheduler after = scheduler(1.0, false, 0);
        after.keepSchedulesIn(file);

        assertThat(after.pending()).containsExactly("kept-2");
        assertThat(after.pendingSchedule("kept-2")).hasValueSatisfying(s ->
                assertThat(s.at()).isEqualTo(before.pendingSchedules().get(0).attempt().at()));
        assertThat(after.disabledSchedules()).extracting(d -> d.schedule().attempt().name())
                .containsExactly("run-cancelled");
        assertThat(after.schedule(attempt("kept-2", Duration.ZERO))).isEqualTo(Result.ALREADY_SCHEDULED);
    }
}
