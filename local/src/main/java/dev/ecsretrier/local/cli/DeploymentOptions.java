package dev.ecsretrier.local.cli;

import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.config.StackOutput;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.operate.AwsAccess;
import dev.ecsretrier.operate.Deployment;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.profiles.ProfileFile;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which retrier the operate commands talk to: a deployed stack ({@code --stack}, read from its
 * CloudFormation outputs), the local runtime ({@code --endpoint-url} of {@code ./retrier serve}, with
 * its known names), or the pieces given one by one; and how (region, profile, endpoint).
 */
final class DeploymentOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--stack", paramLabel = "NAME", description = "The CloudFormation stack of the deployment (its"
            + " outputs name the starter, cluster, startedBy, schedule group and scheduler role).")
    String stack;

    @Option(names = "--endpoint-url", paramLabel = "URL", description = "An endpoint instead of AWS's, e.g."
            + " http://localhost:4566 for ./retrier serve (its names are the defaults then).")
    URI endpoint;

    @Option(names = "--region", paramLabel = "REGION", description = "AWS region (default: the SDK's chain:"
            + " AWS_REGION, the profile's).")
    String region;

    @Option(names = "--profile", paramLabel = "NAME", description = "A named profile of ~/.aws (default: the SDK's"
            + " default credential chain).")
    String profile;

    /**
     * The deployment's pieces, one option each, for a stack of one's own without the sample's outputs:
     * each names the stack output it stands for, and wins over it.
     */
    enum Piece {
        STARTER("--starter", "ARN", "The starter alias ARN", StackOutput.STARTER_ALIAS_ARN),
        CLUSTER("--cluster", "ARN", "The cluster ARN", StackOutput.CLUSTER_ARN),
        STARTED_BY("--started-by", "VALUE", "The retrier's startedBy", StackOutput.STARTED_BY),
        SCHEDULE_GROUP("--schedule-group", "NAME", "The retrier's schedule group", StackOutput.SCHEDULE_GROUP_NAME),
        SCHEDULER_ROLE("--scheduler-role-arn", "ARN", "The role its schedules run as", StackOutput.SCHEDULER_ROLE_ARN),
        STARTER_LOG_GROUP("--starter-log-group", "NAME", "The starter's log group", StackOutput.STARTER_LOG_GROUP_NAME),
        CLASSIFIER_LOG_GROUP("--classifier-log-group", "NAME", "The classifier's log group",
                StackOutput.CLASSIFIER_LOG_GROUP_NAME);

        private final String option;
        private final String label;
        private final String what;
        private final StackOutput output;

        Piece(String option, String label, String what, StackOutput output) {
            this.option = option;
            this.label = label;
            this.what = what;
            this.output = output;
        }
    }

    /** The pieces given, by the stack output each stands for. */
    final Map<String, String> pieces = new HashMap<>();

    /**
     * Adds the {@link Piece} options to each command of {@code root} that mixes these options in (picocli
     * builds annotated options one field each; these are one table).
     */
    static void addPieceOptions(CommandLine root) {
        for (CommandLine command : root.getSubcommands().values()) {
            CommandSpec spec = command.getCommandSpec();
            for (CommandSpec mixin : spec.mixins().values()) {
                if (mixin.userObject() instanceof DeploymentOptions options) {
                    addPieceOptions(spec, options);
                }
            }
        }
    }

    private static void addPieceOptions(CommandSpec spec, DeploymentOptions options) {
        for (Piece piece : Piece.values()) {
            spec.addOption(OptionSpec.builder(piece.option).paramLabel(piece.label).type(String.class)
                    .description(piece.what + " (output " + piece.output.key() + ").")
                    .setter(new CommandLine.Model.ISetter() {
                        @Override
                        public <T> T set(T value) {
                            // Picocli sets every option to its initial value (null) before it parses.
                            if (value == null) {
                                options.pieces.remove(piece.output.key());
                            } else {
                                options.pieces.put(piece.output.key(), (String) value);
                            }
                            return null;
                        }
                    })
                    .build());
        }
    }

    /** What an operate command does with the deployment, through SDK clients of {@code access}. */
    @FunctionalInterface
    interface Operation {
        /** @return the exit status */
        int on(AwsAccess access, Deployment deployment) throws Exception;
    }

    /**
     * Does {@code operation} on the deployment these options name. An AWS error (an SDK exception: no
     * credentials, access denied, the endpoint down) is one line on stderr, {@code retrier <command>: ...},
     * and exit status 1.
     */
    int operate(Operation operation) throws Exception {
        try (AwsAccess access = access()) {
            return operation.on(access, deployment(access));
        } catch (SdkException e) {
            spec.commandLine().getErr().println("retrier " + spec.name() + ": " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitStatus.UNEXPECTED_ERROR.code();
        }
    }

    /**
     * The SDK access these options describe; a region is needed (the local endpoint's default is us-east-1,
     * unless a --profile names its own region). A --profile must be one of the shared config or credentials
     * files (https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/credentials-profiles.html):
     * else the SDK would only fail at the first call, or look for a region elsewhere.
     */
    AwsAccess access() {
        if (profile != null) {
            Set<String> profiles =
                    new TreeSet<>(ProfileFile.defaultProfileFile().profiles().keySet());
            if (!profiles.contains(profile)) {
                String known = profiles.isEmpty() ? "there are none" : "profiles: " + String.join(", ", profiles);
                throw UsageErrorHandler.invalid(spec, "--profile", profile, "is not a profile of the AWS config or"
                        + " credentials file (" + known + ")"
                        + UsageErrorHandler.didYouMean(profile, profiles));
            }
        }
        String chosen = region;
        boolean localDefault = chosen == null && endpoint != null && System.getenv("AWS_REGION") == null
                && System.getenv("AWS_DEFAULT_REGION") == null;
        if (localDefault && profile == null) {
            chosen = "us-east-1";
        }
        if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null)) {
            throw UsageErrorHandler.invalid(spec, "--endpoint-url", endpoint, "is not a URL such as http://localhost:4566");
        }
        try {
            return new AwsAccess(chosen, profile, endpoint);
        } catch (IllegalArgumentException e) {
            if (localDefault) {
                return new AwsAccess("us-east-1", profile, endpoint);
            }
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * The deployment: the stack's outputs with the pieces given over them; or, against an endpoint,
     * the local runtime's names with the pieces over them; or the pieces alone (all five).
     */
    Deployment deployment(AwsAccess access) {
        Map<String, String> base;
        String source;
        Duration timeout = null;
        if (stack != null) {
            base = access.stackOutputs(stack);
            stackOutputs = base;
            source = stack;
        } else if (endpoint != null) {
            base = localNames();
            source = "the local runtime";
            // serve runs the handlers in its own process, without Lambda's timeout: its invocations end in moments.
            timeout = LOCAL_FUNCTION_TIMEOUT;
        } else {
            base = Map.of();
            source = "the options";
        }
        try {
            Deployment found = Deployment.fromStackOutputs(source, base, pieces);
            return timeout == null ? found : found.withFunctionTimeout(timeout);
        } catch (IllegalArgumentException e) {
            if (stack == null && endpoint == null && pieces.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "name the deployment: --stack NAME (AWS), --endpoint-url"
                        + " URL (./retrier serve), or --starter, --cluster, --started-by, --schedule-group and"
                        + " --scheduler-role-arn, --starter-log-group, --classifier-log-group");
            }
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The stack's outputs, once {@link #deployment} read them. */
    private Map<String, String> stackOutputs = Map.of();

    /**
     * The jobs the stack says it serves (its {@code Jobs} output, comma-separated); empty when it does
     * not say, or when there is no stack. Call after {@link #deployment}.
     */
    List<String> stackJobs() {
        String jobs = stackOutputs.getOrDefault(dev.ecsretrier.config.StackOutput.JOBS.key(), "");
        return Arrays.stream(jobs.split(",")).map(String::trim).filter(job -> !job.isEmpty()).toList();
    }

    /** How long one of serve's in-process invocations may take at most (cancel's second sweep waits this long). */
    static final Duration LOCAL_FUNCTION_TIMEOUT = Duration.ofSeconds(1);

    private static Map<String, String> localNames() {
        RetrierConfig config = RetrierConfig.fromEnvironment(LocalSettings.environment(Map.of()));
        Map<String, String> names = new HashMap<>();
        names.put(Deployment.STARTER_OUTPUT, LocalSettings.STARTER_ARN);
        names.put(Deployment.CLUSTER_OUTPUT, config.cluster());
        names.put(Deployment.STARTED_BY_OUTPUT, config.startedBy());
        names.put(Deployment.SCHEDULE_GROUP_OUTPUT, config.scheduleGroup());
        names.put(Deployment.SCHEDULER_ROLE_OUTPUT, LocalSettings.SCHEDULER_ROLE_ARN);
        // Lambda's log group of a function: /aws/lambda/<function name>, as serve keeps them.
        names.put(Deployment.STARTER_LOG_GROUP_OUTPUT, "/aws/lambda/" + LocalSettings.STARTER_FUNCTION);
        names.put(Deployment.CLASSIFIER_LOG_GROUP_OUTPUT, "/aws/lambda/" + LocalSettings.CLASSIFIER_FUNCTION);
        return names;
    }
}
