package dev.ecsretrier.local.cli;

import dev.ecsretrier.config.ConfigurationException;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.handler.StartResponse;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.sns.PublishedNotification;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code retrier demo}: one run of sample-task whose attempts fail in different ways, then succeed. */
@Command(name = "demo", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        header = "Watch one run of sample-task fail in two ways, then succeed.",
        description = "Start the local runtime and one run of sample-task: attempt 1 gets an injected transient ECS"
                + " failure (CannotPullContainerError), attempt 2 exits with code 2 (FAIL_ON_ATTEMPTS=2, a retryable"
                + " exit code), attempt 3 succeeds. Shows the timeline as it happens and the final notification."
                + " Exit 0 when the run ended with a notification, 1 when it did not in time.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./retrier demo",
            "  ./retrier demo --time-scale 0.2 --seed 42",
            "  ./retrier demo --fault spot --fault oom",
            "  ./retrier demo --fault run-task-memory --fail-on-attempts 0",
            "  ./retrier demo --fault 'reason=CannotPullContainerError: 403 Forbidden'",
            "  ./retrier demo --duplicate-events 1 --handler-crashes 0.3 --scheduler-double-fires 0.5",
            "  ./retrier demo --max-attempts 2 --fail-on-attempts 2,3"})
final class DemoCommand implements Callable<Integer> {

    static final double DEFAULT_TIME_SCALE = 0.05;

    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions policy;

    @Mixin
    RuntimeOptions runtimeOptions;

    @Option(names = "--fail-on-attempts", paramLabel = "N[,N...]", defaultValue = "2",
            description = "Attempts where sample-task exits with code 2 (its FAIL_ON_ATTEMPTS; default ${DEFAULT-VALUE}).")
    String failOnAttempts;

    @Option(names = "--notifications", paramLabel = "FILE",
            description = "The topic's JSON-lines file (default: notifications.jsonl in a new temporary folder).")
    Path notifications;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Give up waiting for the outcome after this long (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Map<Setting, String> settings = policy.settings();
        settings.putIfAbsent(Setting.RETRYABLE_EXIT_CODES, "2");
        Path folder = Files.createTempDirectory("ecs-retrier-demo-");
        Path notificationsFile = notifications != null ? notifications : folder.resolve("notifications.jsonl");
        if (runtimeOptions.deadLetters == null) {
            runtimeOptions.deadLetters = folder.resolve("dead-letters.jsonl");
        }
        LocalRuntime.Builder builder = runtimeOptions.builder(DEFAULT_TIME_SCALE, List.of("cannot-pull"))
                .settings(settings)
                .notificationsFile(notificationsFile);
        String runId = "demo-" + HexFormat.of().formatHex(randomBytes(3));
        try (LocalRuntime runtime = build(builder)) {
            if (runtime == null) {
                return 2;
            }
            header(out, runtime, runId);
            runtime.onTimeline(new TimelinePrinter(out, Instant.now(), false));
            StartResponse started = runtime.startRun(new StartRequest(runId, null, List.of(new ContainerOverride(
                    runtime.config().containerName(), null,
                    List.of(new EnvironmentVariable("FAIL_ON_ATTEMPTS", failOnAttempts)))), null));
            Optional<RunOutcome> outcome = runtime.awaitOutcome(started.runId(), Duration.ofSeconds(timeoutSeconds));
            runtime.awaitIdle(Duration.ofSeconds(5));
            out.println();
            if (outcome.isEmpty()) {
                out.println("no outcome for run " + runId + " within " + timeoutSeconds + " s");
                return 1;
            }
            PublishedNotification notification = runtime.notifications().stream()
                    .filter(n -> runId.equals(n.attributes().get("runId"))).findFirst().orElseThrow();
            out.println("Notification (SNS): " + notification.subject());
            out.println("  " + notification.summary());
            out.println("  attributes " + Json.write(new java.util.TreeMap<>(notification.attributes())));
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(Json.tree(notification.message()))
                    .indent(2).stripTrailing());
            out.println();
            out.println("notifications: " + notificationsFile.toAbsolutePath());
            if (!runtime.deadLetters().isEmpty()) {
                out.println("dead letters:  " + runtimeOptions.deadLetters.toAbsolutePath());
            }
            out.flush();
            return 0;
        }
    }

    private LocalRuntime build(LocalRuntime.Builder builder) {
        try {
            return builder.build();
        } catch (ConfigurationException e) {
            spec.commandLine().getErr().println("demo: " + PolicyOptions.explain(e));
            return null;
        }
    }

    private void header(PrintWriter out, LocalRuntime runtime, String runId) {
        RetrierConfig config = runtime.config();
        out.println("ecs-retrier demo: the real starter and classifier; local ECS, event bus, scheduler and SNS");
        out.println("  run " + runId + ": sample-task with FAIL_ON_ATTEMPTS=" + failOnAttempts
                + ", retryable exit codes " + config.retryableExitCodes());
        out.println("  policy: " + config.maxAttempts() + " attempts, backoff " + config.backoff().initialDelay().toSeconds()
                + "s x" + new java.math.BigDecimal(Double.toString(config.backoff().multiplier())).stripTrailingZeros().toPlainString() + " up to " + config.backoff().maxDelay().toSeconds() + "s, "
                + config.backoff().jitter() + " jitter; waits at time scale " + runtime.timeScale()
                + "; seed " + runtime.seed());
        out.println();
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        new Random().nextBytes(bytes);
        return bytes;
    }
}
