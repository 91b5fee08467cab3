package dev.ecsretrier.local.cli;

import dev.ecsretrier.config.ConfigurationException;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.operate.RunHistory;
import dev.ecsretrier.operate.RunSchedules;
import dev.ecsretrier.operate.RunTasks;
import dev.ecsretrier.operate.RunsOverview;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code retrier runs}: the runs in flight and those that ended lately, read live. */
@Command(name = "runs", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        header = "List runs: running (ECS), waiting for a retry (schedules), ended (the functions' decision lines).",
        description = "Running runs come from ECS ListTasks by the retrier's startedBy, waiting ones from the enabled"
                + " schedules <run>-<attempt> of its schedule group, ended ones from the 'attempt ended' lines the"
                + " functions logged since --since. A table, or --json.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./retrier runs --endpoint-url http://localhost:4566",
            "  ./retrier runs --stack EcsRetrierSample --since 7d --status failed --json",
            "  ./retrier runs --endpoint-url http://localhost:4566 --config local/examples/jobs.json --job reports"})
final class RunsCommand implements Callable<Integer> {

    /** What --status selects. */
    enum Selection { running, waiting, ended, failed }

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    Duration since = Duration.ofHours(24);

    @Option(names = "--since", paramLabel = "AGE", defaultValue = "24h",
            description = "Ended runs of this age or younger: a number and s, m, h or d (default ${DEFAULT-VALUE}).")
    void since(String age) {
        since = age(spec, "--since", age);
    }

    @Option(names = "--status", paramLabel = "STATUS", description = "Only these: ${COMPLETION-CANDIDATES}"
            + " (failed: ended FAILED or RETRIES_EXHAUSTED).")
    Selection status;

    @Option(names = "--json", description = "One JSON array instead of the table.")
    boolean json;

    @Option(names = "--job", paramLabel = "NAME", description = "Only this job's runs (its tasks' ecs-retrier:job tag,"
            + " its next start request's job, its records' job). Checked against the deployment's jobs when they are"
            + " known: the stack's Jobs output, or --config.")
    String job;

    @Option(names = "--config", paramLabel = "FILE", description = "The deployment's jobs file (as serve --config and"
            + " the construct's layer have it): --job must name one of its jobs.")
    Path configFile;

    static final Pattern AGE = Pattern.compile("(\\d{1,6})([smhd])");

    static Duration age(CommandSpec spec, String option, String text) {
        Matcher age = AGE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!age.matches()) {
            throw UsageErrorHandler.invalid(spec, option, text, "is not an age such as 30m, 24h or 7d");
        }
        long amount = Long.parseLong(age.group(1));
        return switch (age.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        return deployment.operate((access, target) -> {
            checkJob();
            List<RunsOverview.Run> runs;
            try (var ecs = access.ecs(); var scheduler = access.scheduler(); var logs = access.logs()) {
                runs = new RunsOverview(new RunTasks(ecs, target), new RunSchedules(scheduler, target),
                        new RunHistory(logs, target)).list(Instant.now().minus(since));
            }
            runs = runs.stream().filter(this::selected).filter(run -> job == null || job.equals(run.job())).toList();
            if (json) {
                out.println(Json.write(runs));
            } else {
                out.println(String.format(Locale.ROOT, TABLE, "RUN", "JOB", "STATUS", "ATTEMPT", "OUTCOME", "AT",
                        "DETAIL"));
                for (RunsOverview.Run run : runs) {
                    out.println(String.format(Locale.ROOT, TABLE, run.runId(), run.job() == null ? "-" : run.job(),
                            run.status().name().toLowerCase(Locale.ROOT), run.attempt() == null ? "-" : run.attempt(),
                            run.outcome() == null ? "-" : run.outcome(), run.at(), run.detail()));
                }
            }
            out.flush();
            return 0;
        });
    }

    private static final String TABLE = "%-24s %-16s %-8s %-7s %-17s %-27s %s";

    /** A --job that the deployment's known jobs do not hold is a usage error, not an empty list. */
    private void checkJob() {
        List<String> known = configFile != null ? configJobs() : deployment.stackJobs();
        if (job != null && !known.isEmpty() && !known.contains(job)) {
            throw UsageErrorHandler.invalid(spec, "--job", job, "is not a job of "
                    + (configFile != null ? "the --config file" : "stack " + deployment.stack) + " (jobs: "
                    + String.join(", ", known) + ")" + UsageErrorHandler.didYouMean(job, known));
        }
    }

    private List<String> configJobs() {
        try {
            return List.copyOf(LocalSettings.deployment(Map.of(Setting.CONFIG_FILE, configFile.toString())).names());
        } catch (ConfigurationException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--config': '" + configFile
                    + "': " + String.join("; ", e.problems()));
        }
    }

    private boolean selected(RunsOverview.Run run) {
        if (status == null) {
            return true;
        }
        return switch (status) {
            case running -> run.status() == RunsOverview.Status.RUNNING;
            case waiting -> run.status() == RunsOverview.Status.WAITING;
            case ended -> run.status() == RunsOverview.Status.ENDED;
            case failed -> run.status() == RunsOverview.Status.ENDED
                    && ("FAILED".equals(run.outcome()) || "RETRIES_EXHAUSTED".equals(run.outcome()));
        };
    }
}
