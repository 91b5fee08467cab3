package dev.ecsretrier.local.lambda;

import dev.ecsretrier.json.Json;
import dev.ecsretrier.local.emulator.DeadLetter;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LaunchKey;
import dev.ecsretrier.local.emulator.TimeScale;
import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.emulator.internal.EmulatorContext;
import dev.ecsretrier.local.emulator.internal.JsonLinesFile;
import dev.ecsretrier.local.emulator.internal.PendingWork;
import dev.ecsretrier.local.emulator.internal.Timeline;
import dev.ecsretrier.local.quota.AwsQuotas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The functions of the local runtime, invoked the way Lambda invokes them: request-response
 * (the caller sees the error) or asynchronously ({@code Event}: at-least-once, two retries on an
 * error after one and two minutes, then the dead-letter file), as EventBridge and the Scheduler do.
 * Every invocation has a request id, and Lambda's retries of an asynchronous one keep it
 * (https://repost.aws/knowledge-center/lambda-function-duplicate-invocations).
 */
public final class LocalLambda {

    /** Lambda's asynchronous retries: the waits before the second and the third try. */
    static final List<Duration> ASYNC_RETRY_DELAYS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(2));
    /**
     * An asynchronous event Lambda had no concurrency for goes back to its queue and is tried again
     * "for up to 6 hours by default. The retry interval increases exponentially from 1 second after the
     * first attempt to a maximum of 5 minutes" (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html);
     * such a throttle is not one of the function's two retries.
     */
    static final Duration THROTTLED_FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration THROTTLED_MAX_RETRY = Duration.ofMinutes(5);
    static final Duration MAXIMUM_EVENT_AGE = Duration.ofHours(6);

    /** A function's code: takes the payload, returns what is written back as JSON. */
    @FunctionalInterface
    public interface Handler {
        Object handle(byte[] payload) throws Exception;
    }

    /** A function's code that also reads its invocation's request id (Lambda's {@code Context.getAwsRequestId()}). */
    @FunctionalInterface
    public interface RequestHandler {
        Object handle(byte[] payload, String requestId) throws Exception;
    }

    /** The result of a request-response invocation. */
    public sealed interface Invocation {
        /** @param result the handler's return value */
        record Succeeded(Object result) implements Invocation {
            /** The answer as the function writes it (Lambda's response payload). */
            public byte[] payload() {
                return Json.writeBytes(result);
            }
        }

        /**
         * Lambda had no concurrency for it: {@code TooManyRequestsException} (HTTP 429, reason
         * {@code ReservedFunctionConcurrentInvocationLimitExceeded} or {@code ConcurrentInvocationLimitExceeded});
         * the handler did not run (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors).
         */
        record Throttled(String function) implements Invocation {
        }

        /** The handler threw: Lambda's {@code X-Amz-Function-Error: Unhandled}. */
        record Failed(Throwable error) implements Invocation {
            public String errorType() {
                return error.getClass().getName();
            }
        }
    }

    /**
     * Asynchronous invocations of one function so far. Once the runtime is idle, every accepted
     * invocation either succeeded (on some try) or was dead-lettered: {@code accepted == succeeded + deadLettered}.
     */
    public record Counts(long accepted, long succeeded, long deadLettered, long failedTries) {
    }

    /** Thrown for a function name this runtime does not have (Lambda's ResourceNotFoundException). */
    public static final class UnknownFunctionException extends RuntimeException {
        public UnknownFunctionException(String function) {
            super("Function not found: " + function);
        }
    }

    /** The fault "a handler invocation crashes": thrown before the handler runs, like a dying runtime. */
    public static final class SimulatedCrashException extends RuntimeException {
        SimulatedCrashException(String function) {
            super("simulated crash of " + function + " before its handler ran (fault injection)");
        }
    }

    private final String region;
    private final String account;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final TimeScale timeScale;
    private final double crashProbability;
    private final Random crashRandom;
    private final JsonLinesFile deadLetterFile;
    /** Where accepted asynchronous invocations are kept until done (a data directory's journal); null: memory only. */
    private volatile JsonLinesFile journal;
    private final Timeline timeline;
    private final PendingWork work;
    private final Map<String, RequestHandler> functions = new ConcurrentHashMap<>();
    private final List<DeadLetter> deadLetters = new ArrayList<>();
    private final List<java.util.function.Consumer<DeadLetter>> deadLetterListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, long[]> counts = new ConcurrentHashMap<>();
    private final AwsQuotas quotas;

    /**
     * @param crashRandom    decides, with the context's {@link Faults#handlerCrash()} probability, whether an
     *                       asynchronous invocation crashes before its handler runs
     * @param quotas         Lambda's concurrency (and the account's other quotas) with {@code --aws-quotas},
     *                       else {@link AwsQuotas#unlimited()}
     * @param deadLetterFile where failed asynchronous invocations go; null to keep them in memory only
     */
    public LocalLambda(EmulatorContext context, AwsQuotas quotas, Random crashRandom, JsonLinesFile deadLetterFile) {
        this.region = context.region();
        this.account = context.account();
        this.clock = context.clock();
        this.executor = context.executor();
        this.timeScale = context.timeScale();
        this.crashProbability = context.faults().handlerCrash();
        this.crashRandom = crashRandom;
        this.deadLetterFile = deadLetterFile;
        this.timeline = context.timeline();
        this.work = context.work();
        this.quotas = quotas;
    }

    public void register(String name, Handler handler) {
        functions.put(name, (payload, requestId) -> handler.handle(payload));
    }

    public void register(String name, RequestHandler handler) {
        functions.put(name, handler);
    }

    /** The function's unqualified ARN. */
    public String arn(String name) {
        return "arn:aws:lambda:" + region + ":" + account + ":function:" + name;
    }

    /**
     * The function a name refers to: {@code starter}, {@code starter:live}, or its ARN, qualified
     * or not. Empty when there is no such function.
     */
    public Optional<String> resolve(String nameOrArn) {
        String name = nameOrArn;
        int function = name.indexOf(":function:");
        if (function >= 0) {
            name = name.substring(function + ":function:".length());
        }
        int qualifier = name.indexOf(':');
        if (qualifier >= 0) {
            name = name.substring(0, qualifier);
        }
        return functions.containsKey(name) ? Optional.of(name) : Optional.empty();
    }

    /** {@code InvocationType=RequestResponse}: runs now, on the caller's thread; no fault is injected. */
    public Invocation invoke(String nameOrArn, byte[] payload) {
        String name = name(nameOrArn);
        RequestHandler handler = functions.get(name);
        if (!quotas.tryBeginInvocation(name)) {
            return new Invocation.Throttled(name);
        }
        try {
            return new Invocation.Succeeded(handler.handle(payload, newRequestId()));
        } catch (Exception | Error e) {
            return new Invocation.Failed(e);
        } finally {
            quotas.invocationEnded(name);
        }
    }

    /**
     * {@code InvocationType=Event}: queued; tried up to three times with the same request id, then
     * dead-lettered.
     *
     * @return the invocation's request id (Lambda answers it in {@code x-amzn-RequestId})
     */
    public String invokeAsync(String nameOrArn, byte[] payload) {
        String name = name(nameOrArn);
        String requestId = newRequestId();
        save(new SavedInvocation(requestId, name, new String(payload, StandardCharsets.UTF_8), false));
        queue(name, payload, requestId);
        return requestId;
    }

    private void queue(String name, byte[] payload, String requestId) {
        count(name, 0);
        work.begin();
        Instant queued = clock.instant();
        try {
            executor.execute(() -> tryAsync(name, payload, requestId, 1, queued, 0));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            work.end();
            if (journal == null) {
                throw closing;
            }
            // The runtime is closing: accepted all the same, the data directory's journal keeps it for the next start.
        }
    }

    /** One line of the invocations' journal: an asynchronous invocation accepted, or one done (succeeded or dead-lettered). */
    record SavedInvocation(String requestId, String function, String payload, boolean done) {
    }

    /**
     * Keeps each asynchronous invocation in {@code file} from acceptance until it succeeded or was
     * dead-lettered, after queueing again the ones it holds that were neither (a data directory's
     * {@code invocations.jsonl}), with their request ids: Lambda's queue survives a restart.
     */
    public void keepInvocationsIn(java.nio.file.Path file) {
        JsonLinesFile saved = new JsonLinesFile(file);
        Map<String, SavedInvocation> live = new java.util.LinkedHashMap<>();
        for (String line : saved.lines()) {
            SavedInvocation invocation;
            try {
                invocation = dev.ecsretrier.json.JsonRecords.fromPlain(dev.ecsretrier.json.Json.parse(line),
                        SavedInvocation.class);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalStateException("cannot read an invocation from " + file + ": " + e.getMessage(), e);
            }
            if (invocation.done()) {
                live.remove(invocation.requestId());
            } else {
                live.put(invocation.requestId(), invocation);
            }
        }
        saved.rewrite(live.values().stream().map(dev.ecsretrier.json.Json::write).toList());
        journal = saved;
        live.values().stream().filter(i -> functions.containsKey(i.function()))
                .forEach(i -> queue(i.function(), i.payload().getBytes(StandardCharsets.UTF_8), i.requestId()));
    }

    private void save(SavedInvocation invocation) {
        JsonLinesFile file = journal;
        if (file != null) {
            file.append(dev.ecsretrier.json.Json.write(invocation));
        }
    }

    private static String newRequestId() {
        return UUID.randomUUID().toString();
    }

    /** Also sends each dead letter there (the on-failure destination: a dead-letter queue). */
    public void onDeadLetter(java.util.function.Consumer<DeadLetter> listener) {
        deadLetterListeners.add(listener);
    }

    public List<DeadLetter> deadLetters() {
        synchronized (deadLetters) {
            return List.copyOf(deadLetters);
        }
    }

    /** The asynchronous invocations of {@code function} so far. */
    public Counts counts(String function) {
        long[] c = counts.getOrDefault(function, new long[4]);
        synchronized (c) {
            return new Counts(c[0], c[1], c[2], c[3]);
        }
    }

    private void count(String function, int index) {
        long[] c = counts.computeIfAbsent(function, f -> new long[4]);
        synchronized (c) {
            c[index]++;
        }
    }

    private String name(String nameOrArn) {
        return resolve(nameOrArn).orElseThrow(() -> new UnknownFunctionException(nameOrArn));
    }

    /**
     * @param queued    when the event entered Lambda's queue, for its maximum age
     * @param throttled how many times it found no concurrency so far
     */
    private void tryAsync(String name, byte[] payload, String requestId, int attempt, Instant queued, int throttled) {
        if (!quotas.tryBeginInvocation(name)) {
            try {
                throttled(name, payload, requestId, attempt, queued, throttled);
            } finally {
                work.end();
            }
            return;
        }
        try {
            try {
                if (crashProbability > 0 && nextCrash()) {
                    timeline.record(TimelineEntry.Kind.HANDLER_CRASHED, runId(payload), attemptOf(payload), null,
                            name + " crashed before its handler ran (try " + attempt + " of 3)");
                    throw new SimulatedCrashException(name);
                }
                functions.get(name).handle(payload, requestId);
                count(name, 1);
                save(new SavedInvocation(requestId, name, null, true));
            } catch (Exception | Error e) {
                count(name, 3);
                failed(name, payload, requestId, attempt, e, queued);
            }
        } finally {
            quotas.invocationEnded(name);
            work.end();
        }
    }

    /** No concurrency: back to the queue, with Lambda's growing interval, until the event is too old. */
    private void throttled(String name, byte[] payload, String requestId, int attempt, Instant queued, int throttled) {
        Duration wait = THROTTLED_FIRST_RETRY.multipliedBy(1L << Math.min(throttled, 20));
        if (wait.compareTo(THROTTLED_MAX_RETRY) > 0) {
            wait = THROTTLED_MAX_RETRY;
        }
        Duration age = Duration.between(queued, clock.instant());
        if (timeScale.factor() > 0) {
            age = Duration.ofNanos((long) (age.toNanos() / timeScale.factor()));
        }
        if (age.plus(wait).compareTo(MAXIMUM_EVENT_AGE) > 0) {
            count(name, 2);
            deadLetter(name, payload, requestId, "TooManyRequestsException", "throttled for " + MAXIMUM_EVENT_AGE.toHours()
                    + " hours (the event's maximum age)", attempt - 1);
            return;
        }
        work.begin();
        Duration delay = wait;
        executor.schedule(() -> tryAsync(name, payload, requestId, attempt, queued, throttled + 1),
                timeScale.millis(delay), TimeUnit.MILLISECONDS);
    }

    private boolean nextCrash() {
        synchronized (crashRandom) {
            return crashRandom.nextDouble() < crashProbability;
        }
    }

    private void failed(String name, byte[] payload, String requestId, int attempt, Throwable error, Instant queued) {
        if (attempt <= ASYNC_RETRY_DELAYS.size()) {
            Duration delay = ASYNC_RETRY_DELAYS.get(attempt - 1);
            timeline.record(TimelineEntry.Kind.INVOCATION_RETRIED, runId(payload), attemptOf(payload), null,
                    name + " failed (" + error.getClass().getSimpleName() + ": " + error.getMessage() + "); Lambda retries in "
                            + delay.toSeconds() + "s");
            work.begin();
            executor.schedule(() -> tryAsync(name, payload, requestId, attempt + 1, queued, 0), timeScale.millis(delay),
                    TimeUnit.MILLISECONDS);
            return;
        }
        count(name, 2);
        deadLetter(name, payload, requestId, error.getClass().getName(), String.valueOf(error.getMessage()), attempt);
    }

    private void deadLetter(String name, byte[] payload, String requestId, String errorType, String message,
                            int attempt) {
        save(new SavedInvocation(requestId, name, null, true));
        DeadLetter letter = new DeadLetter(name, new String(payload, StandardCharsets.UTF_8), errorType, message,
                attempt, clock.instant(), requestId);
        synchronized (deadLetters) {
            deadLetters.add(letter);
        }
        if (deadLetterFile != null) {
            deadLetterFile.append(deadLetterLine(letter));
        }
        deadLetterListeners.forEach(listener -> listener.accept(letter));
        timeline.record(TimelineEntry.Kind.DEAD_LETTERED, runId(payload), attemptOf(payload), null,
                name + " failed " + attempt + " times; dead-lettered: " + message);
    }

    /** The dead-letter file's line: the letter's fields, the event nested as JSON when it is JSON. */
    private static String deadLetterLine(DeadLetter letter) {
        Map<String, Object> line = new java.util.LinkedHashMap<>();
        line.put("function", letter.function());
        line.put("errorType", letter.errorType());
        line.put("errorMessage", letter.errorMessage());
        line.put("attempts", letter.attempts());
        line.put("at", letter.at());
        line.put("requestId", letter.requestId());
        line.put("event", JsonLinesFile.valueOrText(letter.event()));
        return Json.write(line);
    }

    private static Optional<LaunchKey> key(byte[] payload) {
        return LaunchKey.of(payload);
    }

    private static String runId(byte[] payload) {
        return key(payload).map(LaunchKey::runId).orElse(null);
    }

    private static Integer attemptOf(byte[] payload) {
        return key(payload).map(LaunchKey::attempt).filter(a -> a > 0).orElse(null);
    }
}
