package dev.ecsretrier.local.cli;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.local.LocalRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code retrier run}: one run with the given policy, launch settings, overrides and faults, watched to its end. */
@Command(name = "run", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        header = "Start one run in the local runtime and watch it to its end.",
        description = "Start the local runtime and one run of the task (sample-task unless --task-command says"
                + " otherwise) with the container environment given by --env. Shows the policy and the launch"
                + " settings, the timeline as it happens (each launch's capacity, size and subnet, each decision and"
                + " the change it makes to the next launch) and the final notification. No fault unless --fault"
                + " asks. The exit status says the outcome (below).",
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./retrier run --env FAIL_ON_ATTEMPTS=1 --retryable-exit-codes 2",
            "  ./retrier run --capacity-provider-strategy FARGATE_SPOT --fallback-capacity-provider-strategy FARGATE \\",
            "      --fault spot-while-on-spot",
            "  ./retrier run --memory-escalation --fault oom-below:4096",
            "  ./retrier run --subnets subnet-a,subnet-b --rotate-subnets --fault eni-in:subnet-a",
            "  ./retrier run --infrastructure-retries 1 --application-retries 3 --fault cannot-pull:3",
            "  ./retrier run --attempt-timeout 300 --max-attempts 2 --env WORK_SECONDS=600",
            "  ./retrier run --config local/examples/jobs.json --job nightly-etl --env FAIL_ON_ATTEMPTS=1"})
final class RunCommand implements Callable<Integer> {

    static final double DEFAULT_TIME_SCALE = 0.05;

    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions policy;

    @Mixin
    RuntimeOptions runtimeOptions;

    @Option(names = "--env", paramLabel = "NAME=VALUE",
            description = "An environment variable for the container (repeatable); sample-task reads FAIL_ON_ATTEMPTS,"
                    + " FAIL_EXIT_CODE, WORK_SECONDS.")
    Map<String, String> environment = new LinkedHashMap<>();

    @Option(names = "--run-id", paramLabel = "ID", description = "The run's id (default: run-<random>).")
    String runId;

    @Option(names = "--job", paramLabel = "NAME",
            description = "The job to run, one of the --config file's (default: the only one).")
    String job;

    @Mixin
    OutputOptions output;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "60", converter = WaitSeconds.class,
            description = "Give up waiting for the outcome after this long (default ${DEFAULT-VALUE}).")
    int waitSeconds;

    @Override
    public Integer call() throws Exception {
        String id = runId != null ? runId : "run-" + HexFormat.of().formatHex(DemoCommand.randomBytes(3));
        if (!AttemptMetadata.RUN_ID.matcher(id).matches()) {
            throw UsageErrorHandler.invalid(spec, "--run-id", id, "is not 1-48 letters, digits, '.', '_' or '-'"
                    + " starting with a letter or digit");
        }
        List<EnvironmentVariable> variables = new ArrayList<>();
        environment.forEach((name, value) -> variables.add(new EnvironmentVariable(name, value)));
        Map<Setting, String> settings = policy.settings();
        PolicyOptions.Job chosen = policy.job(settings, job);
        LocalRuntime.Builder builder = runtimeOptions.builder("run", DEFAULT_TIME_SCALE, List.of()).settings(settings);
        return WatchedRun.watch(spec, "run", builder, chosen.name(), chosen.config(), id, variables,
                Duration.ofSeconds(waitSeconds), runtimeOptions, output);
    }
}
