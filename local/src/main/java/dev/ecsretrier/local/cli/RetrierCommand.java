package dev.ecsretrier.local.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./retrier}: the local runtime's command line. */
@Command(name = "retrier", mixinStandardHelpOptions = true, usageHelpWidth = 110, version = "ecs-retrier local 0.1.0",
        description = "ecs-retrier on one machine: the real starter and classifier with a local ECS (tasks are"
                + " processes), event bus (Event Ruler), scheduler and SNS. No AWS, no Docker.",
        subcommands = {DemoCommand.class, RunCommand.class, ServeCommand.class, ClassifyCommand.class, StartCommand.class,
            RunsCommand.class, ShowCommand.class, CancelCommand.class, RedriveCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./retrier demo",
            "  ./retrier demo --fault spot --fault oom",
            "  ./retrier run --memory-escalation --fault oom-below:4096",
            "  ./retrier serve --port 4566 --time-scale 0.01",
            "  ./retrier classify stopped-event.json --retryable-exit-codes 2",
            "  ./retrier start --stack EcsRetrierSample --follow",
            "  ./retrier cancel run-7f3a --stack EcsRetrierSample --reason 'wrong input file'",
            "  ./retrier help demo"})
public final class RetrierCommand {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand, as {@code main} runs it. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new RetrierCommand());
        // '--payload @FILE' is start's own: picocli would otherwise read FILE as more arguments (its @-files).
        commandLine.setExpandAtFiles(false);
        DeploymentOptions.addPieceOptions(commandLine);
        // The help's ${bundle:...} variables: each setting's default and range, as the settings state them.
        commandLine.setResourceBundle(new SettingFacts());
        UsageErrorHandler errors = new UsageErrorHandler();
        commandLine.setParameterExceptionHandler(errors);
        commandLine.setExecutionExceptionHandler(errors);
        Map<String, String> exitStatus = new LinkedHashMap<>();
        for (ExitStatus status : ExitStatus.values()) {
            exitStatus.put(String.valueOf(status.code()), status.meaning());
        }
        for (String watching : List.of("run", "demo", "start")) {
            commandLine.getSubcommands().get(watching).getCommandSpec().usageMessage()
                    .exitCodeListHeading("%nExit status:%n").exitCodeList(exitStatus);
        }
        return commandLine;
    }
}
