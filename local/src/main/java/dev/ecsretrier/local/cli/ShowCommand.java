package dev.ecsretrier.local.cli;

import dev.ecsretrier.json.Json;
import dev.ecsretrier.operate.RunHistory;
import dev.ecsretrier.operate.RunSchedules;
import dev.ecsretrier.operate.RunTasks;
import dev.ecsretrier.operate.RunsOverview;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code retrier show RUN}: every attempt of one run, as its notification tells them, and what is pending. */
@Command(name = "show", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        header = "Show one run: every attempt with its times, stop, decision and next attempt.",
        description = "An ended run's attempts are those of its outcome as the deciding function logged it (the body"
                + " of its notification), each with when its next attempt was due; a run in flight is read from its"
                + " tasks (ECS) and decision lines. Also its pending schedules and its cancel marker. Text, or --json.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./retrier show tour-1 --endpoint-url http://localhost:4566",
            "  ./retrier show run-7f3a --stack EcsRetrierSample --since 7d --json"})
final class ShowCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Mixin
    RunArgument run;

    Duration since = Duration.ofHours(24);

    @Option(names = "--since", paramLabel = "AGE", defaultValue = "24h",
            description = "How far back to read its decision lines (default ${DEFAULT-VALUE}).")
    void since(String age) {
        since = RunsCommand.age(spec, "--since", age);
    }

    @Option(names = "--json", description = "One JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        String runId = run.runId;
        PrintWriter out = spec.commandLine().getOut();
        return deployment.operate((access, target) -> {
            RunsOverview.Details details;
            try (var ecs = access.ecs(); var scheduler = access.scheduler(); var logs = access.logs()) {
                details = new RunsOverview(new RunTasks(ecs, target), new RunSchedules(scheduler, target),
                        new RunHistory(logs, target)).show(runId, Instant.now().minus(since));
            }
            if (details.status() == null && details.attempts().isEmpty()) {
                spec.commandLine().getErr().println("retrier show: no run " + runId + " in ECS, the schedule group or"
                        + " the decision lines of the last " + since.toHours() + " h");
                return ExitStatus.UNEXPECTED_ERROR.code();
            }
            if (json) {
                out.println(Json.write(details));
            } else {
                text(out, details);
            }
            out.flush();
            return 0;
        });
    }

    private static void text(PrintWriter out, RunsOverview.Details run) {
        Map<String, Object> outcome = run.outcome();
        out.println("run " + run.runId() + ": " + (outcome == null ? String.valueOf(run.status()).toLowerCase(Locale.ROOT)
                : outcome.get("outcome") + " after " + outcome.get("attempts") + " attempt(s), by " + outcome.get("rule")
                + ": " + outcome.get("reason")));
        for (Map<String, Object> attempt : run.attempts()) {
            out.println("  attempt " + attempt.get("attempt") + "  task " + attempt.get("taskArn"));
            out.println("    " + attempt.getOrDefault("startedAt", "-") + " -> " + attempt.getOrDefault("stoppedAt", "-")
                    + "  " + attempt.getOrDefault("stopCode", "-") + ": " + attempt.getOrDefault("stoppedReason", "-"));
            if (attempt.get("containers") != null) {
                out.println("    containers " + Json.write(attempt.get("containers")));
            }
            out.println("    " + attempt.getOrDefault("decision", "-") + " by " + attempt.getOrDefault("rule", "-")
                    + (attempt.get("reason") == null ? "" : ": " + attempt.get("reason"))
                    + (attempt.get("nextAttemptAt") == null ? "" : "; next attempt at " + attempt.get("nextAttemptAt")));
        }
        run.pending().forEach(name -> out.println("  pending schedule " + name));
        if (run.cancelledBecause() != null) {
            out.println("  cancelled: " + run.cancelledBecause());
        }
    }
}
