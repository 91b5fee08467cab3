package dev.ecsretrier.local.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.AdaptationPolicy;
import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.InvalidStartRequestException;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.input.StartRequestReader;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.sns.PublishedNotification;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One run watched from the terminal, for {@code demo} and {@code run}: the policy, the timeline as it
 * happens, then the final notification (or one JSON document, or only the outcome). The exit status
 * is the outcome's ({@link ExitStatus}).
 */
final class WatchedRun {

    /** The notification's body for people, indented as jackson prints it ({@code DefaultPrettyPrinter}). */
    private static final JSON PRETTY = JSON.builder().enable(JSON.Feature.PRETTY_PRINT_OUTPUT).build();

    /** After the outcome, duplicates and retries still in flight get this long to come to rest. */
    static final Duration SETTLE = Duration.ofSeconds(5);

    private WatchedRun() {
    }

    /**
     * @param title       what the first line calls this ("demo", "run")
     * @param environment the container's environment overrides for the run
     * @throws ParameterException for a start request the starter would refuse, before anything runs
     */
    static int watch(CommandSpec spec, String title, LocalRuntime.Builder builder, String job, RetrierConfig config,
                     String runId,
                     List<EnvironmentVariable> environment, Duration wait, RuntimeOptions options, OutputOptions output)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        PrintWriter out = spec.commandLine().getOut();
        StartRequest request = StartRequest.of(runId, null, environment.isEmpty() ? List.of()
                : List.of(new ContainerOverride(config.firstContainer(), null, environment)), null).forJob(job);
        try {
            new StartRequestReader(config.containerNames(), config.maxAttempts(), config.adaptation()).check(request);
        } catch (InvalidStartRequestException e) {
            options.closeState();
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--env': " + e.getMessage());
        }
        try (LocalRuntime runtime = builder.build()) {
            if (output.text()) {
                header(out, title, runtime, job, config, runId, environment);
                runtime.onTimeline(new TimelinePrinter(out, Instant.now(), false));
            }
            // Asynchronous, as a caller with InvocationType=Event: a throttled first RunTask is retried by Lambda.
            runtime.submitRun(request);
            Optional<RunOutcome> outcome = awaitOutcomeOrRest(runtime, runId, deadline);
            if (outcome.isPresent()) {
                long left = Math.max(0, deadline - System.nanoTime());
                runtime.awaitIdle(Duration.ofNanos(Math.min(left, SETTLE.toNanos())));
            }
            Optional<PublishedNotification> notification = runtime.notifications().stream()
                    .filter(n -> runId.equals(n.attributes().get("runId"))).findFirst();
            ExitStatus status = outcome.map(o -> ExitStatus.ofOutcome(o.outcome().name()))
                    .orElse(ExitStatus.UNEXPECTED_ERROR);
            switch (output.mode()) {
                case JSON -> out.println(Json.write(document(runtime, runId, outcome, notification, status)));
                case QUIET -> out.println(outcome.map(o -> o.outcome().name()).orElse("NO_OUTCOME"));
                case TEXT -> text(out, runtime, runId, wait, outcome, notification, options);
            }
            if (outcome.isEmpty() && !output.text()) {
                spec.commandLine().getErr().println("retrier " + title + ": no outcome for run " + runId + " within "
                        + wait.toSeconds() + " s");
            }
            out.flush();
            return status.code();
        } finally {
            options.closeState();
        }
    }

    private static void text(PrintWriter out, LocalRuntime runtime, String runId, Duration wait,
                             Optional<RunOutcome> outcome, Optional<PublishedNotification> published,
                             RuntimeOptions options) throws IOException, InterruptedException {
        out.println();
        if (outcome.isEmpty() || published.isEmpty()) {
            out.println(runtime.awaitIdle(Duration.ZERO) ? "run " + runId + " came to rest without an outcome"
                    : "no outcome for run " + runId + " within " + wait.toSeconds() + " s");
            runtime.deadLetters().forEach(letter -> out.println("  dead letter (" + letter.function() + "): "
                    + letter.errorMessage()));
            return;
        }
        PublishedNotification notification = published.get();
        out.println("Notification (SNS): " + notification.subject());
        out.println("  " + notification.summary());
        out.println("  attributes " + Json.write(new TreeMap<>(notification.attributes())));
        Object message = notification.messageValue();
        out.println((message instanceof String text ? text : PRETTY.asString(message)).indent(2).stripTrailing());
        out.println();
        if (options.outlives(options.notifications)) {
            out.println("notifications: " + options.notifications.toAbsolutePath());
        }
        if (!runtime.deadLetters().isEmpty() && options.deadLetters != null && options.outlives(options.deadLetters)) {
            out.println("dead letters:  " + options.deadLetters.toAbsolutePath());
        }
    }

    /**
     * The --json document: the outcome, the timeline, the notification and any dead letters, in one object,
     * written as the functions write JSON (a member without a value is left out).
     */
    private static Map<String, Object> document(LocalRuntime runtime, String runId, Optional<RunOutcome> outcome,
                                                Optional<PublishedNotification> notification, ExitStatus status) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("runId", runId);
        document.put("outcome", outcome.map(o -> o.outcome().name()).orElse(null));
        document.put("exitStatus", status.code());
        outcome.ifPresent(o -> {
            document.put("attempts", o.attempts());
            document.put("rule", o.rule());
            document.put("reason", o.reason());
        });
        List<Map<String, Object>> timeline = new ArrayList<>();
        for (TimelineEntry entry : runtime.timeline(runId)) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("at", entry.at().toString());
            line.put("kind", entry.kind().name());
            line.put("attempt", entry.attempt());
            line.put("taskArn", entry.taskArn());
            line.put("text", entry.text());
            timeline.add(line);
        }
        document.put("timeline", timeline);
        notification.ifPresent(n -> {
            Map<String, Object> published = new LinkedHashMap<>();
            published.put("subject", n.subject());
            published.put("attributes", new TreeMap<>(n.attributes()));
            published.put("message", n.messageValue());
            document.put("notification", published);
        });
        List<Map<String, Object>> deadLetters = new ArrayList<>();
        runtime.deadLetters().forEach(letter -> {
            Map<String, Object> dead = new LinkedHashMap<>();
            dead.put("function", letter.function());
            dead.put("errorType", letter.errorType());
            dead.put("errorMessage", letter.errorMessage());
            deadLetters.add(dead);
        });
        document.put("deadLetters", deadLetters);
        return document;
    }

    /** The outcome; empty when the wait is over, or sooner when nothing is left in flight (a dead letter). */
    private static Optional<RunOutcome> awaitOutcomeOrRest(LocalRuntime runtime, String runId, long deadline)
            throws InterruptedException {
        while (true) {
            long left = deadline - System.nanoTime();
            Optional<RunOutcome> outcome = runtime.awaitOutcome(runId,
                    Duration.ofNanos(Math.max(0, Math.min(left, Duration.ofMillis(100).toNanos()))));
            if (outcome.isPresent() || System.nanoTime() >= deadline) {
                return outcome;
            }
            if (runtime.awaitIdle(Duration.ZERO)) {
                return runtime.awaitOutcome(runId, Duration.ZERO);
            }
        }
    }

    private static void header(PrintWriter out, String title, LocalRuntime runtime, String job, RetrierConfig config,
                               String runId, List<EnvironmentVariable> environment) {
        out.println("ecs-retrier " + title + ": the real starter and classifier; local ECS, event bus, scheduler and SNS");
        out.println("  run " + runId + (job == null || runtime.deployment().names().size() == 1 ? "" : " of job " + job)
                + ": " + (environment.isEmpty() ? "no overrides" : environment.stream()
                .map(v -> v.name() + "=" + v.value()).collect(Collectors.joining(" ")))
                + (config.retryableExitCodes().isEmpty() ? "" : ", retryable exit codes " + config.retryableExitCodes()));
        out.println("  policy: " + config.maxAttempts() + " attempts" + budgets(config) + ", backoff "
                + config.backoff().initialDelay().toSeconds() + "s x" + plain(config.backoff().multiplier()) + " up to "
                + config.backoff().maxDelay().toSeconds() + "s, " + config.backoff().jitter() + " jitter; waits at time"
                + " scale " + runtime.timeScale() + "; seed " + runtime.seed());
        out.println("  launch: " + launch(config));
        out.println();
    }

    private static String budgets(RetrierConfig config) {
        Integer infrastructure = config.budgets().infrastructureRetries();
        Integer application = config.budgets().applicationRetries();
        if (infrastructure == null && application == null) {
            return "";
        }
        return " (retries: infrastructure " + (infrastructure == null ? "any" : infrastructure) + ", application "
                + (application == null ? "any" : application) + ")";
    }

    /** Where tasks go and what adapts: "capacity FARGATE_SPOT, then FARGATE after 1 Spot failure; ...". */
    static String launch(RetrierConfig config) {
        AdaptationPolicy adaptation = config.adaptation();
        List<String> parts = new ArrayList<>();
        String capacity = config.launchType() != null ? "launch type " + config.launchType()
                : "capacity " + providers(config.capacityProviderStrategy());
        if (!adaptation.fallbackStrategy().isEmpty()) {
            int after = adaptation.fallbackAfterSpotFailures();
            capacity += ", then " + providers(adaptation.fallbackStrategy()) + " after " + after + " Spot failure"
                    + (after == 1 ? "" : "s");
        }
        parts.add(capacity);
        parts.add("task size from the task definition"
                + (adaptation.memoryEscalation() ? ", memory x" + plain(adaptation.memoryFactor()) + " after an OOM up to "
                + adaptation.memoryCapMiB() + " MiB" : ""));
        if (!config.network().subnets().isEmpty()) {
            parts.add("subnets " + String.join(",", config.network().subnets())
                    + (adaptation.rotateSubnets() ? ", next one first after an ENI or capacity failure" : ""));
        }
        if (config.hasAttemptTimeout()) {
            parts.add("attempt timeout " + config.attemptTimeout().toSeconds() + "s"
                    + (config.retryOnTimeout() ? "" : ", not retried"));
        }
        return String.join("; ", parts);
    }

    private static String providers(List<CapacityProviderItem> strategy) {
        return strategy.stream().map(CapacityProviderItem::capacityProvider).collect(Collectors.joining("+"));
    }

    private static String plain(double number) {
        return new BigDecimal(Double.toString(number)).stripTrailingZeros().toPlainString();
    }
}
