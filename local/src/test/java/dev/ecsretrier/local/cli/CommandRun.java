package dev.ecsretrier.local.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.ToIntFunction;
import picocli.CommandLine;

/** One run of {@code ./retrier} in this JVM: exit code, standard output, standard error. */
record CommandRun(int exitCode, String out, String err) {

    static CommandRun of(String... args) {
        return with(commandLine -> commandLine.execute(args));
    }

    /** Runs {@code action} on the command line as {@code main} builds it, capturing its output. */
    static CommandRun with(ToIntFunction<CommandLine> action) {
        CommandLine commandLine = RetrierCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = action.applyAsInt(commandLine);
        return new CommandRun(exitCode, out.toString(), err.toString());
    }
}
