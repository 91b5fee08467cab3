package dev.ecsretrier.local.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./retrier}: the local runtime's command line. */
@Command(name = "retrier", mixinStandardHelpOptions = true, version = "ecs-retrier local 0.1.0",
        description = "ecs-retrier on one machine: the real starter and classifier with a local ECS (tasks are"
                + " processes), event bus (Event Ruler), scheduler and SNS. No AWS, no Docker.",
        subcommands = {DemoCommand.class, ServeCommand.class, ClassifyCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./retrier demo                         watch one run fail twice and succeed",
            "  ./retrier serve --port 4566            the loop behind Lambda Invoke and EventBridge PutEvents",
            "  ./retrier classify event.json          what the policy decides for a STOPPED event",
            "  ./retrier help demo                    the options of a command"})
public final class RetrierCommand {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand, as {@code main} runs it. */
    public static CommandLine commandLine() {
        return new CommandLine(new RetrierCommand());
    }
}
