package dev.ecsretrier.local.cli;

import dev.ecsretrier.core.RunCancellation;
import dev.ecsretrier.operate.RunCanceller;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code retrier cancel RUN}: no further attempt of the run starts; it ends CANCELLED with one notification. */
@Command(name = "cancel", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        header = "Cancel a run: stop its running attempt, delete its pending schedules; it ends CANCELLED.",
        description = "Mark the run cancelled (a disabled schedule <RUN>-cancelled in the retrier's group, which the"
                + " functions read before and after every launch), delete its pending schedules (handing each deleted"
                + " start to the starter, which ends the run), stop its running task with the reason 'ecs-retrier:"
                + " cancelled: REASON', then look again once every function invocation that began before the mark has"
                + " ended (the functions' timeout). Once this returns, no further attempt of the run starts; the run"
                + " ends CANCELLED with one notification. Cancelling a run twice is harmless.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./retrier cancel run-7f3a --endpoint-url http://localhost:4566 --reason 'wrong input file'",
            "  ./retrier cancel run-7f3a --stack EcsRetrierSample --reason 'wrong input file'"})
final class CancelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Mixin
    RunArgument run;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; in the stop reason and the notification.")
    String reason;

    Integer inFlightSeconds;

    @Option(names = "--in-flight", paramLabel = "SECONDS", description = "How long a function invocation can last"
            + " (default: the deployment's, 30 s; serve's: 1 s); the second look waits for it.")
    void inFlightSeconds(int seconds) {
        if (seconds < 0 || seconds > 900) {
            throw UsageErrorHandler.invalid(spec, "--in-flight", seconds, "is not 0-900 seconds (Lambda's longest timeout)");
        }
        inFlightSeconds = seconds;
    }

    @Override
    public Integer call() throws Exception {
        String runId = run.runId;
        if (reason != null && reason.length() > RunCancellation.MAX_REASON) {
            throw UsageErrorHandler.invalid(spec, "--reason", reason.substring(0, 20) + "...", "is over "
                    + RunCancellation.MAX_REASON + " characters");
        }
        PrintWriter out = spec.commandLine().getOut();
        return deployment.operate((access, target) -> {
            Duration inFlight = inFlightSeconds != null ? Duration.ofSeconds(inFlightSeconds) : target.functionTimeout();
            RunCanceller.Report report;
            try (var lambda = access.lambda(); var ecs = access.ecs(); var scheduler = access.scheduler()) {
                report = new RunCanceller(target, lambda, ecs, scheduler, Clock.systemUTC(), step -> { }, line -> {
                    out.println("  " + line);
                    out.flush();
                }).cancel(new RunCancellation(runId, reason), inFlight);
            }
            out.println("run " + runId + " cancelled: " + report.tasksStopped().size() + " task(s) stopped, "
                    + report.schedulesDeleted().size() + " schedule(s) deleted; no further attempt starts");
            out.flush();
            return 0;
        });
    }
}
