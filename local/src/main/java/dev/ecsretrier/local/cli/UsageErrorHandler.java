package dev.ecsretrier.local.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one rule for mistakes on the command line: one line on stderr naming the option and the bad
 * value, then where the help is, exit 2. Options are checked as they are parsed (typed options and
 * setters that throw {@link ParameterException}) or by the command before it starts anything (the
 * same exception); anything else that escapes a command is a bug: its trace, and a request to report it.
 */
final class UsageErrorHandler implements IParameterExceptionHandler, IExecutionExceptionHandler {

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(name(command) + ": " + oneLine(e.getMessage()) + suggestions(e));
        err.println("see '" + helpCommand(command) + "'");
        err.flush();
        return ExitStatus.USAGE_ERROR.code();
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        err.println(name(command) + ": unexpected error: " + e + " (a bug in ecs-retrier: please report it with this"
                + " trace and the command line)");
        e.printStackTrace(err);
        err.flush();
        return ExitStatus.UNEXPECTED_ERROR.code();
    }

    /** "retrier run", the command as typed. */
    static String name(CommandLine command) {
        return command.getCommandSpec().qualifiedName();
    }

    static String helpCommand(CommandLine command) {
        String name = name(command);
        return "./" + name + " --help";
    }

    /**
     * picocli's suggestions for a mistyped command or option; where it has none (it compares letter
     * pairs, so a swap such as 'dmeo' shares none with 'demo'), the names within two edits.
     */
    private static String suggestions(ParameterException e) {
        if (!(e instanceof UnmatchedArgumentException unmatched) || unmatched.getUnmatched().isEmpty()) {
            return "";
        }
        List<String> suggestions = unmatched.getSuggestions();
        if (!suggestions.isEmpty()) {
            return "; did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))) + "?";
        }
        String typed = unmatched.getUnmatched().get(0);
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        List<String> names = new ArrayList<>();
        if (typed.startsWith("-")) {
            typed = typed.split("=", 2)[0];
            spec.options().stream().filter(o -> !o.hidden()).forEach(o -> names.addAll(List.of(o.names())));
        } else {
            names.addAll(spec.subcommands().keySet());
        }
        return didYouMean(typed, names);
    }

    /** "; did you mean X?" for the names within two edits of {@code typed} (the closest first), else "". */
    static String didYouMean(String typed, Collection<String> names) {
        List<String> close = names.stream()
                .filter(name -> distance(typed, name) <= Math.min(2, Math.max(1, name.length() / 3)))
                .sorted(Comparator.comparingInt(name -> distance(typed, name)))
                .limit(3).toList();
        return close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close) + "?";
    }

    /** Edits (insert, delete, substitute, swap two neighbours) from {@code a} to {@code b}. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** A value the option's type accepts but the command does not: picocli's words for it. */
    static ParameterException invalid(CommandSpec spec, String option, Object value, String why) {
        return new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': '" + value + "' "
                + why);
    }

    private static String oneLine(String message) {
        return message == null ? "invalid command line" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
