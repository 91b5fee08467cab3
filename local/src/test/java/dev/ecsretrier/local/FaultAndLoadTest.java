package dev.ecsretrier.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.local.ecs.LocalEcs;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LaunchFault;
import dev.ecsretrier.local.emulator.LaunchKey;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.lambda.LocalLambda;
import dev.ecsretrier.local.sns.PublishedNotification;
import dev.ecsretrier.port.LaunchRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Issue 5, "Fault and load test": 600 runs at once through the local runtime, every attempt
 * scripted (success, transient ECS failures, exit codes 2 and 1, an image that does not exist,
 * synchronous RunTask failures), while the bus delivers each event twice with probability 0.3,
 * invocations crash with 0.1 and schedules fire twice with 0.1. Every run must end once, as its
 * script says; no attempt may start twice; no event may be lost. One summary line is printed.
 *
 * <p>Seeded: the scripts and the runtime's random choices come from {@link #SEED}. Threads still
 * interleave freely, so a rerun draws the same faults, not always for the same deliveries.
 */
class FaultAndLoadTest {

    /** Fixed, so a failure reproduces; {@code -Dfault-load.seed=N} tries another. */
    static final long SEED = Long.getLong("fault-load.seed", 20_240_605L);
    static final int RUNS = 600;
    static final int MAX_ATTEMPTS = 3;
    static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path files;

    @Test
    void concurrentRunsUnderFaultsEachEndOnceAsScriptedWithNothingLostOrLaunchedTwice() throws Exception {
        Random random = new Random(SEED);
        Map<String, ScriptedRun> scripts = new LinkedHashMap<>();
        for (int i = 0; i < RUNS; i++) {
            String runId = String.format(Locale.ROOT, "load-%04d", i);
            scripts.put(runId, ScriptedRun.random(runId, MAX_ATTEMPTS, random));
        }
        Map<LaunchKey, AtomicInteger> runTaskCalls = new ConcurrentHashMap<>();
        Faults faults = Faults.builder()
                .launchPolicy(request -> scriptedFault(request, scripts, runTaskCalls))
                .duplicateDelivery(DUPLICATE_DELIVERY).handlerCrash(HANDLER_CRASH)
                .schedulerDoubleFire(SCHEDULER_DOUBLE_FIRE)
                .build();

        long began = System.nanoTime();
        try (LocalRuntime runtime = LocalRuntime.builder()
                .setting(Setting.RETRYABLE_EXIT_CODES, "2")
                .setting(Setting.MAX_ATTEMPTS, Integer.toString(MAX_ATTEMPTS))
                .timeScale(0.001).seed(SEED).faults(faults)
                .taskProgram(ScriptedRun.shellSampleTask()).maxRunningTasks(64)
                .notificationsFile(files.resolve("notifications.jsonl"))
                .deadLetterFile(files.resolve("dead-letters.jsonl"))
                .build()) {
            scripts.values().forEach(run -> runtime.submitRun(run.startRequest()));
            boolean idle = runtime.awaitIdle(BOUND);
            Duration wall = Duration.ofNanos(System.nanoTime() - began);

            LoadFigures figures = LoadFigures.of(runtime, scripts);
            System.out.println(figures.summary(SEED, wall));

            assertThat(idle).as("every run came to rest within %s", BOUND).isTrue();
            assertSoftly(soft -> {
                soft.assertThat(runtime.eventBus().unmatched()).as("events the rule did not match").isEmpty();
                soft.assertThat(figures.notEnded).as("runs with neither a notification nor a dead letter").isEmpty();
                soft.assertThat(figures.twoOutcomes).as("runs notified with two different outcomes (dedup keys)")
                        .isEmpty();
                soft.assertThat(figures.doubleLaunches).as("run attempts that started two tasks").isEmpty();
                soft.assertThat(figures.overMaxAttempts).as("runs that went past %d attempts", MAX_ATTEMPTS).isEmpty();
                soft.assertThat(figures.offScriptOutcomes).as("runs whose outcome is not the one their script leads to")
                        .isEmpty();
                soft.assertThat(figures.offScriptLaunches)
                        .as("runs whose tasks are not one per scripted attempt up to the run's end").isEmpty();
                soft.assertThat(figures.classifier.accepted()).as("classifier invocations: one per event delivered")
                        .isEqualTo(figures.eventsEmitted + figures.eventsDuplicated);
                soft.assertThat(figures.lost()).as("events neither processed nor dead-lettered").isZero();
                soft.assertThat(linesOf(files.resolve("dead-letters.jsonl")))
                        .as("the dead-letter file holds every dead letter").hasSize(runtime.deadLetters().size());

                // The zeros above mean something only if the faults happened: each kind, as often as its
                // probability makes plausible for the number of chances it had.
                soft.assertThat(figures.eventsDuplicated).as("duplicate deliveries of %d events at p=%s",
                        figures.eventsEmitted, DUPLICATE_DELIVERY)
                        .isBetween(atLeast(figures.eventsEmitted, DUPLICATE_DELIVERY),
                                atMost(figures.eventsEmitted, DUPLICATE_DELIVERY));
                soft.assertThat(figures.crashes).as("crashes in %d invocation tries at p=%s", figures.invocationTries(),
                        HANDLER_CRASH)
                        .isBetween(atLeast(figures.invocationTries(), HANDLER_CRASH),
                                atMost(figures.invocationTries(), HANDLER_CRASH));
                soft.assertThat(figures.doubleFires).as("double fires of %d schedule fires at p=%s",
                        figures.scheduleFires, SCHEDULER_DOUBLE_FIRE)
                        .isBetween(atLeast(figures.scheduleFires, SCHEDULER_DOUBLE_FIRE),
                                atMost(figures.scheduleFires, SCHEDULER_DOUBLE_FIRE));

                // "No attempt ran twice", without relying on the local ECS's de-duplication: every RunTask
                // of one attempt carried one and the same client token, and ECS answers a repeated token
                // (same parameters, within 24 hours) with the original request's result:
                // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html
                // And the token was needed: the same start reached ECS again.
                soft.assertThat(figures.callsWithoutToken).as("RunTask calls without a client token").isZero();
                soft.assertThat(figures.attemptsWithTwoTokens).as("run attempts whose RunTask calls carried different"
                        + " client tokens").isEmpty();
                soft.assertThat(figures.repeatedStartsBeforeTaskStopped + figures.repeatedStartsAfterTaskStopped)
                        .as("RunTask calls repeating the start of an attempt that has a task").isPositive();
            });
        }
    }

    static final double DUPLICATE_DELIVERY = 0.3;
    static final double HANDLER_CRASH = 0.1;
    static final double SCHEDULER_DOUBLE_FIRE = 0.1;
    /**
     * How far a fault count may stray from its mean n·p, n being the chances it had: four standard
     * deviations of the binomial distribution, sqrt(n·p·(1-p)). With the injection working as
     * configured a count falls outside with a chance of about 3e-5 per bound (and the seed is fixed,
     * so it barely moves between runs); a fault that does not fire, or fires at a quarter of its rate
     * (double fires, with about 340 chances) or at two thirds of it (crashes and duplicates, with
     * about 2 400 and 850 chances), falls outside.
     */
    static final double SIGMAS = 4;

    static long atLeast(long trials, double p) {
        return Math.max(1, (long) Math.floor(trials * p - SIGMAS * Math.sqrt(trials * p * (1 - p))));
    }

    static long atMost(long trials, double p) {
        return (long) Math.ceil(trials * p + SIGMAS * Math.sqrt(trials * p * (1 - p)));
    }

    /**
     * The smallest case behind runs that once ended twice: the first RunTask of attempt 1 is
     * throttled, and the same start is delivered again (Lambda's asynchronous invocations and the
     * Scheduler are at-least-once). A throttle does not end the attempt: the starter's invocation
     * fails and is retried with the same client token, so attempt 1 runs once and there is no
     * attempt 2 beside it: one task, one outcome.
     */
    @Test
    void aStartDeliveredAgainAfterAThrottledRunTaskStillRunsOneTaskAndEndsOnce() throws Exception {
        ScriptedRun script = new ScriptedRun("throttled-then-again", 1,
                List.of(ScriptedRun.Attempt.THROTTLED, ScriptedRun.Attempt.APP_FAILS));
        Map<LaunchKey, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (LocalRuntime runtime = LocalRuntime.builder()
                .setting(Setting.RETRYABLE_EXIT_CODES, "2").setting(Setting.MAX_ATTEMPTS, "2")
                .timeScale(0.001).seed(SEED)
                .faults(Faults.builder()
                        .launchPolicy(request -> scriptedFault(request, Map.of(script.runId(), script), calls)).build())
                .taskProgram(ScriptedRun.shellSampleTask())
                .build()) {
            runtime.submitRun(script.startRequest());
            runtime.submitRun(script.startRequest());
            assertThat(runtime.awaitIdle(BOUND)).isTrue();

            assertThat(calls.get(new LaunchKey(script.runId(), 1)).get()).as("RunTask calls for attempt 1")
                    .isGreaterThanOrEqualTo(2);
            assertSoftly(soft -> {
                soft.assertThat(runtime.launchCounts()).as("tasks of the run, by attempt")
                        .containsOnly(Map.entry(new LaunchKey(script.runId(), 1), 1));
                soft.assertThat(runtime.outcomes()).extracting(o -> o.outcome()).containsOnly(Decision.SUCCEEDED);
                soft.assertThat(runtime.launchCounts().keySet()).as("tasks of the run, by attempt").hasSize(1);
                soft.assertThat(runtime.notifications()).extracting(n -> n.attributes().get("dedupKey"))
                        .as("the run's outcomes").isNotEmpty().containsOnly(runtime.notifications().get(0)
                                .attributes().get("dedupKey"));
            });
        }
    }

    /**
     * The same start delivered eight times at once, and once more after its task stopped (the
     * Scheduler and Lambda's asynchronous invocations are at-least-once, and a duplicate may come
     * late): every one of them reaches ECS with the attempt's one client token, so ECS runs one task.
     * Checked on the calls as they reached ECS, not only on the tasks the local ECS started.
     */
    @Test
    void aStartDeliveredManyTimesAtOnceAndAgainAfterItsTaskStoppedReachesEcsWithOneTokenAndRunsOneTask()
            throws Exception {
        ScriptedRun script = new ScriptedRun("repeated-start", 1, List.of(ScriptedRun.Attempt.SUCCEEDS));
        LaunchKey attempt1 = new LaunchKey(script.runId(), 1);
        try (LocalRuntime runtime = LocalRuntime.builder().timeScale(0.001).seed(SEED)
                .taskProgram(ScriptedRun.shellSampleTask()).build()) {
            for (int i = 0; i < 8; i++) {
                runtime.submitRun(script.startRequest());
            }
            assertThat(runtime.awaitIdle(BOUND)).isTrue();
            assertThat(runtime.ecs().lastStatus(runtime.ecs().launched(script.runId()).get(0).taskArn()))
                    .contains("STOPPED");
            runtime.submitRun(script.startRequest());
            assertThat(runtime.awaitIdle(BOUND)).isTrue();

            List<LocalEcs.RunTaskCall> calls = runtime.ecs().runTaskCallLog().stream()
                    .filter(call -> call.key().equals(attempt1)).toList();
            assertSoftly(soft -> {
                soft.assertThat(calls).as("RunTask calls of attempt 1").hasSize(9);
                soft.assertThat(calls).extracting(LocalEcs.RunTaskCall::clientToken).as("their client tokens")
                        .containsOnly("repeated-start-1");
                soft.assertThat(runtime.launchCounts()).as("tasks of the run, by attempt")
                        .containsOnly(Map.entry(attempt1, 1));
                soft.assertThat(runtime.notifications()).extracting(n -> n.attributes().get("dedupKey"))
                        .as("the run's outcomes").isNotEmpty().containsOnly("repeated-start:SUCCEEDED");
            });
        }
    }

    /**
     * The script's fault for this launch. A throttle is ECS refusing the call for now, not an answer
     * it keeps for the client token: only the first RunTask of the attempt is throttled, and the
     * same start, delivered again (a schedule that fires twice), gets its task.
     */
    static Optional<LaunchFault> scriptedFault(LaunchRequest request, Map<String, ScriptedRun> scripts,
                                               Map<LaunchKey, AtomicInteger> runTaskCalls) {
        LaunchKey key = new LaunchKey(request.tags().get(AttemptMetadata.RUN_ID_TAG),
                Integer.parseInt(request.tags().get(AttemptMetadata.ATTEMPT_TAG)));
        int call = runTaskCalls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        ScriptedRun.Attempt attempt = scripts.get(key.runId()).attempts().get(key.attempt() - 1);
        if (attempt == ScriptedRun.Attempt.THROTTLED && call > 1) {
            return Optional.empty();
        }
        return attempt.fault();
    }

    static List<com.fasterxml.jackson.databind.JsonNode> linesOf(Path file) {
        return Files.exists(file) ? Fixtures.jsonLines(file) : List.of();
    }

    /** What the load did, counted from the runtime once it is idle. */
    static final class LoadFigures {
        final int runs;
        final Set<String> ended = new LinkedHashSet<>();
        final Set<String> deadLetteredOnly = new LinkedHashSet<>();
        final List<String> notEnded = new ArrayList<>();
        final Map<String, Set<String>> twoOutcomes = new LinkedHashMap<>();
        final Map<LaunchKey, Integer> doubleLaunches = new LinkedHashMap<>();
        final Set<String> overMaxAttempts = new TreeSet<>();
        final List<String> offScriptOutcomes = new ArrayList<>();
        final List<String> offScriptLaunches = new ArrayList<>();
        final Map<Decision, Integer> outcomes = new EnumMap<>(Decision.class);
        int exactlyOneOutcome;
        int notifications;
        int duplicateNotifications;
        long eventsEmitted;
        long eventsDuplicated;
        LocalLambda.Counts classifier;
        LocalLambda.Counts starter;
        long crashes;
        long doubleFires;
        long scheduleFires;
        long callsWithoutToken;
        final Map<LaunchKey, Set<String>> attemptsWithTwoTokens = new LinkedHashMap<>();
        long repeatedStartsBeforeTaskStopped;
        long repeatedStartsAfterTaskStopped;
        long repeatedStartsWithoutTask;

        private LoadFigures(int runs) {
            this.runs = runs;
        }

        static LoadFigures of(LocalRuntime runtime, Map<String, ScriptedRun> scripts) {
            LoadFigures f = new LoadFigures(scripts.size());
            List<PublishedNotification> published = runtime.notifications();
            Map<String, Set<String>> dedupKeys = new LinkedHashMap<>();
            Map<String, List<RunOutcome>> outcomesByRun = new LinkedHashMap<>();
            for (PublishedNotification n : published) {
                String runId = n.attributes().get("runId");
                dedupKeys.computeIfAbsent(runId, r -> new LinkedHashSet<>()).add(n.attributes().get("dedupKey"));
                n.outcome().ifPresent(o -> outcomesByRun.computeIfAbsent(runId, r -> new ArrayList<>()).add(o));
            }
            f.notifications = published.size();
            f.duplicateNotifications = published.size() - dedupKeys.values().stream().mapToInt(Set::size).sum();
            Set<String> deadLettered = runtime.deadLetters().stream()
                    .flatMap(letter -> letter.launchKey().stream()).map(LaunchKey::runId)
                    .collect(Collectors.toSet());

            Map<String, Set<Integer>> launched = new LinkedHashMap<>();
            runtime.launchCounts().forEach((key, count) -> {
                launched.computeIfAbsent(key.runId(), r -> new TreeSet<>()).add(key.attempt());
                if (count > 1) {
                    f.doubleLaunches.put(key, count);
                }
            });
            runtime.ecs().runTaskCalls().keySet().stream().filter(key -> key.attempt() > MAX_ATTEMPTS)
                    .forEach(key -> f.overMaxAttempts.add(key.runId()));

            for (ScriptedRun script : scripts.values()) {
                String runId = script.runId();
                Set<String> keys = dedupKeys.getOrDefault(runId, Set.of());
                boolean letter = deadLettered.contains(runId);
                if (!keys.isEmpty() || letter) {
                    f.ended.add(runId);
                } else {
                    f.notEnded.add(script.toString());
                }
                if (keys.isEmpty() && letter) {
                    f.deadLetteredOnly.add(runId);
                }
                if (keys.size() == 1 || (keys.isEmpty() && letter)) {
                    f.exactlyOneOutcome++;
                }
                if (keys.size() > 1) {
                    f.twoOutcomes.put(script.toString(), keys);
                }
                for (RunOutcome outcome : outcomesByRun.getOrDefault(runId, List.of())) {
                    if (outcome.attempts() > MAX_ATTEMPTS) {
                        f.overMaxAttempts.add(runId);
                    }
                    if (outcome.outcome() != script.expectedOutcome() || outcome.attempts() != script.expectedAttempts()) {
                        f.offScriptOutcomes.add(script + ": expected " + script.expectedOutcome() + " after "
                                + script.expectedAttempts() + ", notified " + outcome.outcome() + " after "
                                + outcome.attempts());
                    }
                }
                outcomesByRun.getOrDefault(runId, List.of()).stream().findFirst()
                        .ifPresent(o -> f.outcomes.merge(o.outcome(), 1, Integer::sum));
                // A run that was dead-lettered stopped early: it may have launched fewer, never others.
                Set<Integer> tasks = launched.getOrDefault(runId, Set.of());
                Set<Integer> expected = new TreeSet<>(script.expectedLaunches());
                if (letter && keys.isEmpty() ? !expected.containsAll(tasks) : !tasks.equals(expected)) {
                    f.offScriptLaunches.add(script + ": tasks for attempts " + tasks + ", expected " + expected);
                }
            }

            f.eventsEmitted = runtime.ecs().eventsEmitted();
            f.eventsDuplicated = runtime.timeline().stream()
                    .filter(e -> e.kind() == TimelineEntry.Kind.EVENT_DUPLICATED).count();
            f.crashes = runtime.timeline().stream()
                    .filter(e -> e.kind() == TimelineEntry.Kind.HANDLER_CRASHED).count();
            f.doubleFires = runtime.timeline().stream()
                    .filter(e -> e.kind() == TimelineEntry.Kind.SCHEDULE_FIRED_TWICE).count();
            f.scheduleFires = runtime.timeline().stream()
                    .filter(e -> e.kind() == TimelineEntry.Kind.SCHEDULE_FIRED).count();
            f.classifier = runtime.lambda().counts(LocalSettings.CLASSIFIER_FUNCTION);
            f.starter = runtime.lambda().counts(LocalSettings.STARTER_FUNCTION);
            f.countClientTokens(runtime);
            return f;
        }

        /**
         * From the RunTask calls as they reached ECS (before its token lookup): attempts whose calls
         * carried different tokens, and the calls that repeated an attempt's start, by whether the
         * attempt's task had stopped by then.
         */
        private void countClientTokens(LocalRuntime runtime) {
            Map<LaunchKey, Instant> stoppedAt = new LinkedHashMap<>();
            for (TimelineEntry entry : runtime.timeline()) {
                if (entry.kind() == TimelineEntry.Kind.TASK_STOPPED && entry.runId() != null && entry.attempt() != null) {
                    stoppedAt.putIfAbsent(new LaunchKey(entry.runId(), entry.attempt()), entry.at());
                }
            }
            Map<LaunchKey, Set<String>> tokens = new LinkedHashMap<>();
            for (LocalEcs.RunTaskCall call : runtime.ecs().runTaskCallLog()) {
                if (call.clientToken() == null) {
                    callsWithoutToken++;
                    continue;
                }
                boolean repeated = !tokens.computeIfAbsent(call.key(), k -> new LinkedHashSet<>()).add(call.clientToken());
                if (repeated) {
                    Instant stopped = stoppedAt.get(call.key());
                    if (stopped == null) {
                        repeatedStartsWithoutTask++;
                    } else if (call.at().isBefore(stopped)) {
                        repeatedStartsBeforeTaskStopped++;
                    } else {
                        repeatedStartsAfterTaskStopped++;
                    }
                }
            }
            tokens.forEach((key, set) -> {
                if (set.size() > 1) {
                    attemptsWithTwoTokens.put(key, set);
                }
            });
        }

        /** Asynchronous invocation tries of both functions: each one a chance to crash. */
        long invocationTries() {
            return classifier.succeeded() + classifier.failedTries() + starter.succeeded() + starter.failedTries();
        }

        /** Deliveries to the classifier that were neither processed nor dead-lettered. */
        long lost() {
            return eventsEmitted + eventsDuplicated - classifier.succeeded() - classifier.deadLettered();
        }

        String summary(long seed, Duration wall) {
            return String.format(Locale.ROOT, "fault+load: seed=%d runs=%d ended=%d (dead-lettered=%d)"
                            + " exactly-one-outcome=%d two-outcomes=%d notifications=%d duplicate-notifications=%d"
                            + " double-launches=%d over-max-attempts=%d off-script=%d outcomes=%s"
                            + " events emitted=%d duplicated=%d processed=%d dead-lettered=%d lost=%d"
                            + " faults: crashes=%d of %d tries, double-fires=%d of %d fires,"
                            + " starter-dead-lettered=%d repeated-starts: before-stop=%d after-stop=%d"
                            + " without-task=%d distinct-tokens-per-attempt>1: %d wall=%.1fs",
                    seed, runs, ended.size(), deadLetteredOnly.size(), exactlyOneOutcome, twoOutcomes.size(),
                    notifications, duplicateNotifications, doubleLaunches.size(), overMaxAttempts.size(),
                    offScriptOutcomes.size() + offScriptLaunches.size(), outcomes,
                    eventsEmitted, eventsDuplicated, classifier.succeeded(), classifier.deadLettered(), lost(),
                    crashes, invocationTries(), doubleFires, scheduleFires, starter.deadLettered(),
                    repeatedStartsBeforeTaskStopped, repeatedStartsAfterTaskStopped, repeatedStartsWithoutTask,
                    attemptsWithTwoTokens.size(), wall.toMillis() / 1000.0);
        }
    }
}
