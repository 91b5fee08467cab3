package dev.ecsretrier.local.cli;

import dev.ecsretrier.operate.RunFollower;
import dev.ecsretrier.operate.RunHistory;
import dev.ecsretrier.operate.RunSchedules;
import dev.ecsretrier.operate.RunStarter;
import dev.ecsretrier.operate.RunTasks;
import dev.ecsretrier.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code retrier start}: invoke a deployment's starter, and with --follow watch the run to its end. */
@Command(name = "start", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        header = "Start a run of a deployed retrier (or of ./retrier serve), and follow it to its end.",
        description = "Invoke the starter with a start request (every field optional: runId, containerOverrides,"
                + " ...; see docs/configuration.md) and print its answer. With --follow, print the run's timeline as it"
                + " happens (tasks from ECS, waiting attempts from the schedule group, decisions from the functions'"
                + " logs) until the run ends; the exit status is then the outcome's (below).",
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./retrier start --endpoint-url http://localhost:4566 --follow",
            "  ./retrier start --stack EcsRetrierSample --payload @start-request.json --follow",
            "  ./retrier start --stack EcsRetrierSample --region eu-west-1 --profile ops \\",
            "      --payload '{\"containerOverrides\":[{\"name\":\"app\",\"environment\":[{\"name\":\"FAIL_ON_ATTEMPTS\",\"value\":\"1\"}]}]}'"})
final class StartCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    @Option(names = "--payload", paramLabel = "JSON|@FILE", defaultValue = "{}",
            description = "The start request, as JSON or @ a file of it (default: ${DEFAULT-VALUE}).")
    String payload;

    @Option(names = "--follow", description = "Print the run's timeline until it ends; exit with its outcome.")
    boolean follow;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "10800", converter = WaitSeconds.class,
            description = "With --follow: give up after this long (default ${DEFAULT-VALUE}), exit 1.")
    int waitSeconds;

    double pollSeconds = 2;

    @Option(names = "--poll", paramLabel = "SECONDS", defaultValue = "2",
            description = "With --follow: how often to look (default ${DEFAULT-VALUE}).")
    void pollSeconds(double seconds) {
        if (!(seconds > 0 && seconds <= 60)) {
            throw UsageErrorHandler.invalid(spec, "--poll", seconds, "is not between 0 and 60 seconds");
        }
        pollSeconds = seconds;
    }

    @Override
    public Integer call() throws Exception {
        String request = request();
        PrintWriter out = spec.commandLine().getOut();
        return deployment.operate((access, target) -> {
            Instant startedAt = Instant.now();
            RunStarter.Started started;
            try (var lambda = access.lambda()) {
                started = new RunStarter(lambda, target).start(request);
            } catch (RunStarter.StartRefusedException e) {
                // The starter refused the request itself (its error type, qualified or not): the caller's mistake.
                if (e.getMessage().matches("(?s)^(\\S+\\.)?InvalidStartRequestException: .*")) {
                    throw UsageErrorHandler.invalid(spec, "--payload", abbreviated(payload), "was refused by the starter: "
                            + e.getMessage());
                }
                return failed("the starter failed: " + e.getMessage());
            }
            if (!follow) {
                out.println(started.answer());
                out.flush();
                return 0;
            }
            out.println("run " + started.runId() + ": attempt " + started.attempt() + (started.taskArn() == null ? ""
                    : ", task " + RunFollower.taskId(started.taskArn())));
            out.flush();
            Optional<RunFollower.Outcome> outcome;
            try (var ecs = access.ecs(); var scheduler = access.scheduler(); var logs = access.logs()) {
                RunFollower follower = new RunFollower(new RunTasks(ecs, target), new RunSchedules(scheduler, target),
                        new RunHistory(logs, target), Clock.systemUTC());
                outcome = follower.follow(started.runId(), startedAt, Duration.ofMillis((long) (pollSeconds * 1000)),
                        Duration.ofSeconds(waitSeconds), entry -> {
                            out.println(line(startedAt, entry));
                            out.flush();
                        });
            }
            if (outcome.isEmpty()) {
                return failed("no outcome for run " + started.runId() + " within " + waitSeconds + " s");
            }
            out.println("run " + started.runId() + " " + outcome.get().outcome() + " after " + outcome.get().attempts()
                    + (outcome.get().attempts() == 1 ? " attempt" : " attempts") + ": " + outcome.get().reason());
            out.flush();
            return ExitStatus.ofOutcome(outcome.get().outcome()).code();
        });
    }

    /** One timeline line, as ./retrier run prints its own. */
    static String line(Instant start, RunFollower.Entry entry) {
        double seconds = Duration.between(start, entry.at()).toMillis() / 1000.0;
        return String.format(Locale.ROOT, "  %+7.2fs  %-10s %-9s %s", seconds,
                entry.attempt() == null ? "" : "attempt " + entry.attempt(), entry.label(), entry.text());
    }

    private int failed(String why) {
        spec.commandLine().getErr().println("retrier start: " + why);
        spec.commandLine().getErr().flush();
        return ExitStatus.UNEXPECTED_ERROR.code();
    }

    /** --payload as JSON text: inline, or the file after '@'; a usage error when it is neither. */
    private String request() {
        String text = payload;
        if (payload.startsWith("@")) {
            Path file = Path.of(payload.substring(1));
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw UsageErrorHandler.invalid(spec, "--payload", payload, "cannot be read: " + e.getMessage());
            }
        }
        try {
            if (!(Json.parse(text) instanceof java.util.Map)) {
                throw UsageErrorHandler.invalid(spec, "--payload", abbreviated(payload), "is not a JSON object");
            }
        } catch (IOException e) {
            throw UsageErrorHandler.invalid(spec, "--payload", abbreviated(payload), "is not JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        return text;
    }

    private static String abbreviated(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
