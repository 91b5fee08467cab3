package dev.ecsretrier.local.cli;

import dev.ecsretrier.config.ConfigurationException;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.AdaptationPolicy;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.local.LocalJson;
import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.sns.PublishedNotification;
import dev.ecsretrier.core.CapacityProviderItem;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;

/**
 * One run watched from the terminal, for {@code demo} and {@code run}: the policy, the timeline as it
 * happens, then the final notification. Exit 0 when the run ended, 1 when it did not in time, 2 when
 * the options make no valid configuration.
 */
final class WatchedRun {

    private WatchedRun() {
    }

    /**
     * @param title       what the first line calls this ("demo", "run")
     * @param environment the container's environment overrides for the run
     */
    static int watch(CommandSpec spec, String title, LocalRuntime.Builder builder, String runId,
                     List<EnvironmentVariable> environment, Duration wait, Path notificationsFile, Path deadLetters)
            throws InterruptedException, IOException {
        PrintWriter out = spec.commandLine().getOut();
        LocalRuntime built;
        try {
            built = builder.build();
        } catch (ConfigurationException e) {
            spec.commandLine().getErr().println(title + ": " + PolicyOptions.explain(e));
            spec.commandLine().getErr().flush();
            return 2;
        }
        try (LocalRuntime runtime = built) {
            header(out, title, runtime, runId, environment);
            runtime.onTimeline(new TimelinePrinter(out, Instant.now(), false));
            runtime.startRun(StartRequest.of(runId, null, environment.isEmpty() ? List.of()
                    : List.of(new ContainerOverride(runtime.config().containerName(), null, environment)), null));
            Optional<RunOutcome> outcome = awaitOutcomeOrRest(runtime, runId, wait);
            boolean atRest = runtime.awaitIdle(Duration.ofSeconds(5));
            out.println();
            if (outcome.isEmpty()) {
                out.println(atRest ? "run " + runId + " came to rest without an outcome"
                        : "no outcome for run " + runId + " within " + wait.toSeconds() + " s");
                runtime.deadLetters().forEach(letter -> out.println("  dead letter (" + letter.function() + "): "
                        + letter.errorMessage()));
                out.flush();
                return 1;
            }
            PublishedNotification notification = runtime.notifications().stream()
                    .filter(n -> runId.equals(n.attributes().get("runId"))).findFirst().orElseThrow();
            out.println("Notification (SNS): " + notification.subject());
            out.println("  " + notification.summary());
            out.println("  attributes " + LocalJson.write(new TreeMap<>(notification.attributes())));
            out.println(LocalJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(LocalJson.tree(notification.message()))
                    .indent(2).stripTrailing());
            out.println();
            out.println("notifications: " + notificationsFile.toAbsolutePath());
            if (!runtime.deadLetters().isEmpty() && deadLetters != null) {
                out.println("dead letters:  " + deadLetters.toAbsolutePath());
            }
            out.flush();
            return 0;
        }
    }

    /** The outcome; empty when the wait is over, or sooner when nothing is left in flight (a dead letter). */
    private static Optional<RunOutcome> awaitOutcomeOrRest(LocalRuntime runtime, String runId, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Optional<RunOutcome> outcome = runtime.awaitOutcome(runId, Duration.ofMillis(100));
            if (outcome.isPresent() || System.nanoTime() >= deadline) {
                return outcome;
            }
            if (runtime.awaitIdle(Duration.ZERO)) {
                return runtime.awaitOutcome(runId, Duration.ZERO);
            }
        }
    }

    private static void header(PrintWriter out, String title, LocalRuntime runtime, String runId,
                               List<EnvironmentVariable> environment) {
        RetrierConfig config = runtime.config();
        out.println("ecs-retrier " + title + ": the real starter and classifier; local ECS, event bus, scheduler and SNS");
        out.println("  run " + runId + ": " + (environment.isEmpty() ? "no overrides" : environment.stream()
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
