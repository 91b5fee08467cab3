package dev.ecsretrier.local.cli;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.local.LocalRuntime;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
                + " The exit status says the outcome (below).",
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./retrier demo",
            "  ./retrier demo --time-scale 0.2 --seed 42",
            "  ./retrier demo --fault spot --fault oom",
            "  ./retrier demo --fault run-task-memory --fail-on-attempts 0",
            "  ./retrier demo --fault 'reason=CannotPullContainerError: 403 Forbidden'",
            "  ./retrier demo --duplicate-events 1 --handler-crashes 0.3 --scheduler-double-fires 0.5",
            "  ./retrier demo --max-attempts 2 --fail-on-attempts 2,3",
            "  ./retrier demo --config local/examples/jobs.json --job reports"})
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions policy;

    @Mixin
    RuntimeOptions runtimeOptions;

    @Option(names = "--fail-on-attempts", paramLabel = "N[,N...]", defaultValue = "2",
            description = "Attempts where sample-task exits with code 2 (its FAIL_ON_ATTEMPTS; default ${DEFAULT-VALUE}).")
    String failOnAttempts;

    @Mixin
    OutputOptions output;

    int timeoutSeconds = 60;

    @Option(names = "--job", paramLabel = "NAME",
            description = "The job to run, one of the --config file's (default: the only one).")
    String job;

    @Option(names = {"--wait", "--timeout"}, paramLabel = "SECONDS", defaultValue = "60",
            description = "Give up waiting for the outcome after this long (default ${DEFAULT-VALUE}).")
    void timeoutSeconds(int seconds) {
        timeoutSeconds = RuntimeOptions.positiveSeconds(spec, "--wait", seconds);
    }

    @Override
    public Integer call() throws Exception {
        Map<Setting, String> settings = policy.settings();
        settings.putIfAbsent(Setting.RETRYABLE_EXIT_CODES, "2");
        PolicyOptions.Job chosen = policy.job(settings, job);
        LocalRuntime.Builder builder = runtimeOptions.builder("demo", RunCommand.DEFAULT_TIME_SCALE, List.of("cannot-pull"))
                .settings(settings);
        String runId = "demo-" + HexFormat.of().formatHex(randomBytes(3));
        return WatchedRun.watch(spec, "demo", builder, chosen.name(), chosen.config(), runId,
                List.of(new EnvironmentVariable("FAIL_ON_ATTEMPTS", failOnAttempts)), Duration.ofSeconds(timeoutSeconds),
                runtimeOptions, output);
    }

    static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        new Random().nextBytes(bytes);
        return bytes;
    }
}
