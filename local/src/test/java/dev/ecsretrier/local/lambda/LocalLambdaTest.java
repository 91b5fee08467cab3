package dev.ecsretrier.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.local.Fixtures;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.TimeScale;
import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.emulator.internal.EmulatorContext;
import dev.ecsretrier.local.emulator.internal.JsonLinesFile;
import dev.ecsretrier.local.emulator.internal.PendingWork;
import dev.ecsretrier.local.emulator.internal.Timeline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

class LocalLambdaTest {

    @TempDir
    Path files;

    final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2);
    final Timeline timeline = new Timeline(Clock.systemUTC());
    final PendingWork work = new PendingWork();

    @AfterEach
    void close() {
        executor.shutdownNow();
    }

    LocalLambda lambda(double crashes) {
        EmulatorContext context = new EmulatorContext("local", "000000000000", Clock.systemUTC(), new TimeScale(0.001),
                executor, Faults.builder().handlerCrash(crashes).build(), timeline, work);
        return new LocalLambda(context, dev.ecsretrier.local.quota.AwsQuotas.unlimited(), new Random(1), new JsonLinesFile(files.resolve("dlq.jsonl")));
    }

    @Test
    void functionsAreFoundByNameQualifiedNameOrArn() {
        LocalLambda lambda = lambda(0);
        lambda.register("starter", payload -> "ok");

        assertThat(lambda.resolve("starter")).contains("starter");
        assertThat(lambda.resolve("starter:live")).contains("starter");
        assertThat(lambda.resolve("arn:aws:lambda:local:000000000000:function:starter")).contains("starter");
        assertThat(lambda.resolve("arn:aws:lambda:us-east-1:123456789012:function:starter:live")).contains("starter");
        assertThat(lambda.resolve("classifier")).isEmpty();
        assertThatThrownBy(() -> lambda.invokeAsync("classifier", new byte[0]))
                .isInstanceOf(LocalLambda.UnknownFunctionException.class).hasMessage("Function not found: classifier");
    }

    @Test
    void aRequestResponseInvocationHandsTheErrorToTheCaller() {
        LocalLambda lambda = lambda(1.0);
        lambda.register("starter", payload -> {
            throw new IllegalStateException("no");
        });

        LocalLambda.Invocation invocation = lambda.invoke("starter", "{}".getBytes());

        assertThat(invocation).isInstanceOfSatisfying(LocalLambda.Invocation.Failed.class,
                failed -> assertThat(failed.errorType()).isEqualTo("java.lang.IllegalStateException"));
    }

    @Test
    void anAsynchronousInvocationThatFailsIsRetriedTwiceThenDeadLettered() throws Exception {
        LocalLambda lambda = lambda(0);
        AtomicInteger tries = new AtomicInteger();
        lambda.register("classifier", payload -> {
            tries.incrementAndGet();
            throw new IllegalArgumentException("cannot read it");
        });

        lambda.invokeAsync("classifier", "{\"runId\":\"r\",\"attempt\":2}".getBytes(StandardCharsets.UTF_8));

        assertThat(work.awaitNone(Duration.ofSeconds(5))).isTrue();
        assertThat(tries).hasValue(3);
        assertThat(timeline.entries(TimelineEntry.Kind.INVOCATION_RETRIED)).hasSize(2);
        assertThat(lambda.deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.function()).isEqualTo("classifier");
            assertThat(letter.attempts()).isEqualTo(3);
            assertThat(letter.errorMessage()).isEqualTo("cannot read it");
        });
        assertThat(lambda.counts("classifier")).isEqualTo(new LocalLambda.Counts(1, 0, 1, 3));
        assertThat(Fixtures.jsonLines(files.resolve("dlq.jsonl"))).singleElement()
                .satisfies(line -> assertThat(line.path("event").path("runId").asText()).isEqualTo("r"));
    }

    @Test
    void anInvocationThatSucceedsOnARetryIsNotDeadLettered() throws Exception {
        LocalLambda lambda = lambda(0);
        AtomicInteger tries = new AtomicInteger();
        lambda.register("classifier", payload -> {
            if (tries.incrementAndGet() < 3) {
                throw new IllegalStateException("flaky");
            }
            return "ok";
        });

        lambda.invokeAsync("classifier", "{}".getBytes());

        assertThat(work.awaitNone(Duration.ofSeconds(5))).isTrue();
        assertThat(tries).hasValue(3);
        assertThat(lambda.deadLetters()).isEmpty();
        assertThat(lambda.counts("classifier")).isEqualTo(new LocalLambda.Counts(1, 1, 0, 2));
    }

    /** As Lambda does: a retried asynchronous invocation has the request id of its first try. */
    @Test
    void anAsynchronousInvocationKeepsItsRequestIdAcrossLambdasRetries() throws Exception {
        LocalLambda lambda = lambda(0);
        List<String> requestIds = new java.util.concurrent.CopyOnWriteArrayList<>();
        lambda.register("starter", (payload, requestId) -> {
            requestIds.add(requestId);
            if (new String(payload, StandardCharsets.UTF_8).equals("flaky")
                    && requestIds.stream().filter(requestId::equals).count() < 3) {
                throw new IllegalStateException("RunTask did not answer");
            }
            return "ok";
        });

        String requestId = lambda.invokeAsync("starter", "flaky".getBytes(StandardCharsets.UTF_8));
        String other = lambda.invokeAsync("starter", "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(work.awaitNone(Duration.ofSeconds(5))).isTrue();
        assertThat(requestId).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").isNotEqualTo(other);
        assertThat(requestIds).filteredOn(requestId::equals).hasSize(3);
        assertThat(requestIds).filteredOn(other::equals).hasSize(1);
    }

    @Test
    void eachRequestResponseInvocationHasItsOwnRequestId() {
        LocalLambda lambda = lambda(0);
        lambda.register("starter", (payload, requestId) -> requestId);

        Object first = ((LocalLambda.Invocation.Succeeded) lambda.invoke("starter", "{}".getBytes())).result();
        Object second = ((LocalLambda.Invocation.Succeeded) lambda.invoke("starter", "{}".getBytes())).result();

        assertThat(first).isNotNull().isNotEqualTo(second);
    }

    @Test
    void aCrashHappensBeforeTheHandlerRuns() throws Exception {
        LocalLambda lambda = lambda(1.0);
        AtomicInteger tries = new AtomicInteger();
        lambda.register("classifier", payload -> tries.incrementAndGet());

        lambda.invokeAsync("classifier", "{}".getBytes());

        assertThat(work.awaitNone(Duration.ofSeconds(5))).isTrue();
        assertThat(tries).hasValue(0);
        assertThat(timeline.entries(TimelineEntry.Kind.HANDLER_CRASHED)).hasSize(3);
        assertThat(lambda.deadLetters()).singleElement()
                .satisfies(letter -> assertThat(letter.errorType()).endsWith("SimulatedCrashException"));
    }
}
