package dev.ecsretrier.local.cli;

import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.InvalidInputException;
import dev.ecsretrier.input.TaskStateChange;
import dev.ecsretrier.input.TaskStateChangeParser;
import dev.ecsretrier.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code retrier classify}: the policy's decision for one event file, offline. */
@Command(name = "classify", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        header = "Print what the policy decides for one STOPPED event, offline.",
        description = "Classify one ECS Task State Change (STOPPED) event, offline, with the same policy the"
                + " classifier Lambda runs. Prints one JSON object: decision (SUCCEEDED, RETRY, FAILED or"
                + " RETRIES_EXHAUSTED), rule, reason, failureKind; for RETRY the next delay's range and, when an"
                + " adaptive retry changes it, the next launch (capacity strategy, cpu/memory, subnets, changes);"
                + " for RETRIES_EXHAUSTED the budget that ran out (ATTEMPTS, INFRASTRUCTURE or APPLICATION)."
                + " Offline there are no earlier attempts: a budget counts this stop only. maxAttempts is the one run"
                + " would use when the options set it (--max-attempts, or the retry budgets), else the event's"
                + " RETRIER_MAX_ATTEMPTS. EVENT_FILE '-' reads standard input. Exit 0; exit 2 with one line on"
                + " stderr when the file is not a readable event.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  events=core/src/test/resources/events    # ECS's own example events, in this repository",
            "  ./retrier classify $events/succeeded.json",
            "  ./retrier classify $events/app-exit-2.json --retryable-exit-codes 2",
            "  ./retrier classify $events/app-exit-2.json --retryable-exit-codes 2 --attempt 3 --max-attempts 3",
            "  ./retrier classify $events/spot-interruption.json --backoff-initial 30 --jitter EQUAL",
            "  ./retrier classify $events/spot-interruption.json --fallback-capacity-provider-strategy FARGATE",
            "  ./retrier classify $events/out-of-memory.json --memory-escalation --memory-max-mib 8192",
            "  ./retrier classify $events/eni-timeout.json --subnets subnet-a,subnet-b --rotate-subnets",
            "  ./retrier classify $events/spot-interruption.json --infrastructure-retries 0 --application-retries 3",
            "  ./retrier classify --quiet $events/app-exit-1.json",
            "  ./retrier classify $events/app-exit-2.json --config local/examples/jobs.json --job nightly-etl",
            "  ./retrier classify - < $events/user-initiated.json | jq -r .decision"})
final class ClassifyCommand implements Callable<Integer> {

    static final int UNREADABLE = 2;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "EVENT_FILE",
            description = "An EventBridge event, as ECS emits it; '-' for standard input.")
    Path eventFile;

    @Mixin
    OutputOptions output;

    /** Where '-' reads from; the tests hand in their own. */
    static InputStream stdin = System.in;

    @Option(names = "--attempt", paramLabel = "N",
            description = "The attempt the event ended (default: its RETRIER_ATTEMPT override, else 1).")
    Integer attempt;

    @Mixin
    PolicyOptions policy;

    @Option(names = "--job", paramLabel = "NAME",
            description = "Decide by this job's policy (its attempt count too, over the event's), one of the --config"
                    + " file's (default: the only one).")
    String job;

    @Override
    public Integer call() {
        byte[] event;
        try {
            event = eventFile.toString().equals("-") ? stdin.readAllBytes() : Files.readAllBytes(eventFile);
        } catch (NoSuchFileException e) {
            return fail("cannot read " + eventFile + ": no such file");
        } catch (IOException e) {
            return fail("cannot read " + eventFile + ": " + e.getMessage());
        }
        Map<Setting, String> settings = policy.settings();
        RetrierConfig config = policy.job(settings, job).config();
        try {
            TaskStateChange change = TaskStateChangeParser.parse(event);
            // A job named on the command line brings its attempt count, over the one the event's task carries.
            Integer maxAttempts = PolicyOptions.setsAttemptCount(settings) || job != null ? config.maxAttempts() : null;
            EventClassification classification = EventClassification.of(config, change, attempt, maxAttempts);
            spec.commandLine().getOut().println(output.mode() == OutputOptions.Mode.QUIET
                    ? String.valueOf(classification.toJson().get("decision")) : Json.write(classification.toJson()));
            spec.commandLine().getOut().flush();
            return 0;
        } catch (InvalidInputException e) {
            return fail(eventFile + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage());
        }
    }

    /** An event that cannot be read is a mistake on the command line: the one rule for those. */
    private int fail(String problem) {
        throw new ParameterException(spec.commandLine(), problem);
    }
}
