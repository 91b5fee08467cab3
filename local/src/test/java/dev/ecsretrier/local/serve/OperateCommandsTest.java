package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.RunCancellation;
import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.cli.RetrierCommand;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LaunchFault;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.lambda.LocalLambda;
import dev.ecsretrier.local.sns.PublishedNotification;
import dev.ecsretrier.operate.AwsAccess;
import dev.ecsretrier.operate.Deployment;
import dev.ecsretrier.operate.RunCanceller;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The operate commands end to end against {@code serve}: the same SDK v2 calls as against AWS, on
 * the wire, with the real handlers behind the endpoint.
 */
class OperateCommandsTest {

    /** A retry waits 10 h: 36 s at the time scale, long enough to cancel it while it waits. */
    static final String LONG_BACKOFF = "36000";

    static final String RACE_BEFORE = "op-race-before";

    static ServedRuntime served;
    static String endpoint;

    @BeforeAll
    static void start() throws Exception {
        // The SDK's default credential chain, as a user's: any credentials do for serve.
        System.setProperty("aws.accessKeyId", "local");
        System.setProperty("aws.secretAccessKey", "local");
        served = new ServedRuntime(LocalRuntime.builder()
                .setting(Setting.RETRYABLE_EXIT_CODES, "2")
                .setting(Setting.BACKOFF_INITIAL_SECONDS, LONG_BACKOFF)
                .setting(Setting.BACKOFF_MAX_SECONDS, LONG_BACKOFF)
                .setting(Setting.BACKOFF_JITTER, "NONE")
                .timeScale(0.001)
                .seed(41)
                // The race-before run's first attempt fails at once, retryably; its second runs until stopped.
                .faults(Faults.builder().when(request -> RACE_BEFORE.equals(request.tags().get(AttemptMetadata.RUN_ID_TAG))
                        && "1".equals(request.tags().get(AttemptMetadata.ATTEMPT_TAG)), LaunchFault.cannotPullContainer())
                        .build())
                .build());
        endpoint = served.endpoint.uri().toString();
    }

    @AfterAll
    static void stop() {
        served.close();
    }

    record Ran(int exitCode, String out, String err) {
    }

    static Ran retrier(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = RetrierCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new Ran(exit, out.toString(), err.toString());
    }

    static String startRequest(String runId, String... environment) {
        StringBuilder variables = new StringBuilder();
        for (int i = 0; i < environment.length; i += 2) {
            variables.append(variables.length() == 0 ? "" : ",").append("{\"name\":\"").append(environment[i])
                    .append("\",\"value\":\"").append(environment[i + 1]).append("\"}");
        }
        return "{\"runId\":\"" + runId + "\",\"containerOverrides\":[{\"name\":\"app\",\"environment\":[" + variables
                + "]}]}";
    }

    static List<PublishedNotification> notifications(String runId) {
        return served.runtime.notifications().stream().filter(n -> runId.equals(n.attributes().get("runId"))).toList();
    }

    static List<TimelineEntry> launches(String runId) {
        return served.runtime.timeline(runId).stream().filter(e -> e.kind() == TimelineEntry.Kind.TASK_LAUNCHED).toList();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** The run ends CANCELLED, with one notification, after this many attempts launched. */
    static void endsCancelledOnce(String runId, int launched) throws InterruptedException {
        assertThat(served.runtime.awaitOutcome(runId, Duration.ofSeconds(30)).orElseThrow().outcome())
                .isEqualTo(Decision.CANCELLED);
        served.runtime.awaitIdle(Duration.ofSeconds(5));
        assertThat(notifications(runId)).singleElement().satisfies(n -> {
            assertThat(n.attributes()).containsEntry("outcome", "CANCELLED").containsEntry("dedupKey", runId + ":CANCELLED");
        });
        assertThat(launches(runId)).hasSize(launched);
    }

    @Test
    void start_invokesTheStarter_andPrintsItsAnswer() throws Exception {
        Ran ran = retrier("start", "--endpoint-url", endpoint, "--payload", startRequest("op-start"));

        assertThat(ran.exitCode()).as(ran.err()).isZero();
        assertThat(ran.out()).contains("\"runId\":\"op-start\"").contains("\"taskArn\":\"arn:aws:ecs:");
        assertThat(served.runtime.awaitOutcome("op-start", Duration.ofSeconds(30)).orElseThrow().outcome())
                .isEqualTo(Decision.SUCCEEDED);
    }

    @Test
    void start_readsThePayloadFromAFile_withAtFile() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("start-request", ".json");
        try {
            java.nio.file.Files.writeString(file, startRequest("op-start-file"));

            Ran ran = retrier("start", "--endpoint-url", endpoint, "--payload", "@" + file);

            assertThat(ran.exitCode()).as(ran.err()).isZero();
            assertThat(ran.out()).contains("\"runId\":\"op-start-file\"");
            assertThat(served.runtime.awaitOutcome("op-start-file", Duration.ofSeconds(30)).orElseThrow().outcome())
                    .isEqualTo(Decision.SUCCEEDED);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void cancel_duringARunningAttempt_stopsItsTaskWithOurReason_andTheRunEndsCancelledOnce() throws Exception {
        retrier("start", "--endpoint-url", endpoint, "--payload", startRequest("op-running", "WORK_SECONDS", "60"));
        await("the task to run", () -> !launches("op-running").isEmpty());

        Ran ran = retrier("cancel", "op-running", "--endpoint-url", endpoint, "--reason", "wrong input file",
                "--in-flight", "0");

        assertThat(ran.exitCode()).as(ran.err()).isZero();
        assertThat(ran.out()).contains("stopped task").contains("run op-running cancelled: 1 task(s) stopped");
        endsCancelledOnce("op-running", 1);
        assertThat(served.runtime.timeline("op-running")).anySatisfy(e -> assertThat(e.text())
                .contains("ecs-retrier: cancelled: wrong input file"));
    }

    @Test
    void cancel_duringAPendingRetry_deletesItsSchedule_andTheRunEndsCancelledOnce_withoutAnotherAttempt()
            throws Exception {
        retrier("start", "--endpoint-url", endpoint, "--payload", startRequest("op-waiting", "FAIL_ON_ATTEMPTS", "1"));
        await("the retry's schedule", () -> served.runtime.scheduler().pending().contains("op-waiting-2"));

        Ran ran = retrier("cancel", "op-waiting", "--endpoint-url", endpoint, "--in-flight", "0");

        assertThat(ran.exitCode()).as(ran.err()).isZero();
        assertThat(ran.out()).contains("deleted schedule op-waiting-2");
        assertThat(served.runtime.scheduler().pending()).doesNotContain("op-waiting-2");
        endsCancelledOnce("op-waiting", 1);
        assertThat(notifications("op-waiting").get(0).message()).contains("the run was cancelled: no reason given");
    }

    /** The deployment {@code --endpoint-url} names: serve's, with no function timeout to wait for. */
    static Deployment deployment(ServedRuntime served) {
        return new Deployment(LocalSettings.STARTER_ARN, served.runtime.config().cluster(),
                served.runtime.config().startedBy(), served.runtime.config().scheduleGroup(),
                LocalSettings.SCHEDULER_ROLE_ARN, "/aws/lambda/starter", "/aws/lambda/classifier", Duration.ZERO);
    }

    /** The canceller as the command builds it, with a hook at each of its steps. */
    static RunCanceller.Report cancelWithHook(String runId, Consumer<RunCanceller.Step> hook) throws Exception {
        try (AwsAccess access = new AwsAccess("us-east-1", null, served.endpoint.uri());
             var lambda = access.lambda(); var ecs = access.ecs(); var scheduler = access.scheduler()) {
            return new RunCanceller(deployment(served), lambda, ecs, scheduler, Clock.systemUTC(), hook, line -> { })
                    .cancel(new RunCancellation(runId, "race"), Duration.ZERO);
        }
    }

    @Test
    void aScheduleThatFiresJustAfterTheMarker_launchesNothing_andCancelDoesNotEndTheRunASecondTime() throws Exception {
        retrier("start", "--endpoint-url", endpoint, "--payload", startRequest("op-race-after", "FAIL_ON_ATTEMPTS", "1"));
        await("the retry's schedule", () -> served.runtime.scheduler().pending().contains("op-race-after-2"));
        List<Boolean> fired = new ArrayList<>();

        RunCanceller.Report report = cancelWithHook("op-race-after", step -> {
            if (step == RunCanceller.Step.MARKED) {
                fired.add(served.runtime.scheduler().fireNow("op-race-after-2"));
            }
        });

        assertThat(fired).containsExactly(true);
        assertThat(report.handedToStarter()).as("the fired start ended the run itself").isEmpty();
        endsCancelledOnce("op-race-after", 1);
    }

    @Test
    void aScheduleThatFiresJustBeforeTheMarker_startsAnAttempt_thatCancelStops_andTheRunEndsCancelledOnce()
            throws Exception {
        // Attempt 1 fails to start (an injected transient pull error, retried); attempt 2 works until stopped.
        retrier("start", "--endpoint-url", endpoint, "--payload", startRequest(RACE_BEFORE, "WORK_SECONDS", "600"));
        await("the retry's schedule", () -> served.runtime.scheduler().pending().contains(RACE_BEFORE + "-2"));
        List<Boolean> fired = new ArrayList<>();

        RunCanceller.Report report = cancelWithHook(RACE_BEFORE, step -> {
            if (step == RunCanceller.Step.BEFORE_MARKER) {
                fired.add(served.runtime.scheduler().fireNow(RACE_BEFORE + "-2"));
                // The schedule invoked the starter asynchronously: the marker comes only once that start has
                // launched attempt 2 and returned (its look after RunTask found no marker yet).
                awaitUnchecked("the fired start to return", () -> {
                    LocalLambda.Counts starts = served.runtime.lambda().counts(LocalSettings.STARTER_FUNCTION);
                    return starts.accepted() == starts.succeeded() + starts.deadLettered();
                });
            }
        });

        assertThat(fired).containsExactly(true);
        assertThat(launches(RACE_BEFORE)).hasSize(2);
        assertThat(report.tasksStopped()).as("cancel stopped the attempt the fired start launched").hasSize(1);
        assertThat(report.handedToStarter()).isEmpty();
        endsCancelledOnce(RACE_BEFORE, 2);
        assertThat(served.runtime.scheduler().pending()).noneMatch(name -> name.startsWith(RACE_BEFORE + "-"));
    }

    static void awaitUnchecked(String what, BooleanSupplier condition) {
        try {
            await(what, condition);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aBadCommandLine_isOneLineOnStderr_andExit2() {
        for (String[] args : List.of(
                new String[] {"cancel", "not a run id", "--endpoint-url", endpoint},
                new String[] {"start", "--endpoint-url", endpoint, "--payload", "{not json"},
                new String[] {"start", "--endpoint-url", endpoint, "--payload", "@/no/such/file.json"},
                new String[] {"start", "--payload", "{}"},
                new String[] {"cancel", "run-1", "--endpoint-url", endpoint, "--in-flight", "-1"},
                new String[] {"start", "--endpoint-url", endpoint, "--payload", "{\"attempt\": 0}"})) {
            Ran ran = retrier(args);
            assertThat(ran.exitCode()).as(String.join(" ", args) + ": " + ran.err()).isEqualTo(2);
            assertThat(ran.err().lines().filter(l -> !l.startsWith("see '"))).as(ran.err()).hasSize(1);
            assertThat(ran.err()).doesNotContain("Exception\n\tat ");
        }
    }

    @Test
    void runs_listsRunningWaitingAndEndedRuns_andStatusSelectsOne() throws Exception {
        retrier("start", "--endpoint-url", endpoint, "--payload", startRequest("runs-running", "WORK_SECONDS", "60"));
        retrier("start", "--endpoint-url", endpoint, "--payload", startRequest("runs-waiting", "FAIL_ON_ATTEMPTS", "1"));
        retrier("start", "--endpoint-url", endpoint, "--payload", startRequest("runs-ended"));
        served.runtime.awaitOutcome("runs-ended", Duration.ofSeconds(30)).orElseThrow();
        await("the waiting run's schedule", () -> served.runtime.scheduler().pending().contains("runs-waiting-2"));

        Ran all = retrier("runs", "--endpoint-url", endpoint, "--json");

        assertThat(all.exitCode()).as(all.err()).isZero();
        com.fasterxml.jackson.databind.JsonNode runs = dev.ecsretrier.local.JsonTrees.tree(all.out());
        java.util.Map<String, String> statusOf = new java.util.HashMap<>();
        runs.forEach(run -> statusOf.put(run.path("runId").asText(), run.path("status").asText()));
        assertThat(statusOf).containsEntry("runs-running", "RUNNING").containsEntry("runs-waiting", "WAITING")
                .containsEntry("runs-ended", "ENDED");
        Ran waiting = retrier("runs", "--endpoint-url", endpoint, "--status", "waiting");
        assertThat(waiting.out()).contains("runs-waiting").doesNotContain("runs-running").doesNotContain("runs-ended");
        assertThat(waiting.out().lines().findFirst().orElseThrow()).startsWith("RUN ").contains("STATUS");
        retrier("cancel", "runs-running", "--endpoint-url", endpoint, "--in-flight", "0");
        retrier("cancel", "runs-waiting", "--endpoint-url", endpoint, "--in-flight", "0");
    }
}
