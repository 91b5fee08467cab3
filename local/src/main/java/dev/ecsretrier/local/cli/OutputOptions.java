package dev.ecsretrier.local.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** What a command prints on stdout: its text, one JSON document (--json), or only the outcome (--quiet). */
final class OutputOptions {

    enum Mode { TEXT, JSON, QUIET }

    @ArgGroup(exclusive = true)
    Choice choice;

    static final class Choice {
        @Option(names = "--json", description = "Print one JSON document on stdout, nothing else.")
        boolean json;

        @Option(names = {"-q", "--quiet"}, description = "Print only the outcome (one word) on stdout.")
        boolean quiet;
    }

    Mode mode() {
        if (choice == null) {
            return Mode.TEXT;
        }
        return choice.json ? Mode.JSON : choice.quiet ? Mode.QUIET : Mode.TEXT;
    }

    boolean text() {
        return mode() == Mode.TEXT;
    }
}
