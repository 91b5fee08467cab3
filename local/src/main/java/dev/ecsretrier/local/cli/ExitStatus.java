package dev.ecsretrier.local.cli;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The exit status of a command that watches a run ({@code run}, {@code demo}; later {@code start --follow}):
 * by the run's outcome, so a script can branch on it without reading the output.
 */
enum ExitStatus {
    SUCCEEDED(0, "the run SUCCEEDED"),
    UNEXPECTED_ERROR(1, "an unexpected error (a bug: please report it), or no outcome within --wait"),
    USAGE_ERROR(2, "a mistake on the command line (one line on stderr says which)"),
    FAILED(3, "the run FAILED"),
    RETRIES_EXHAUSTED(4, "the run ended RETRIES_EXHAUSTED"),
    CANCELLED(5, "the run was CANCELLED");

    private final int code;
    private final String meaning;

    ExitStatus(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }

    /** The status of a terminal outcome by its name (SUCCEEDED, FAILED, RETRIES_EXHAUSTED, CANCELLED). */
    public static ExitStatus ofOutcome(String outcome) {
        return switch (outcome) {
            case "SUCCEEDED" -> SUCCEEDED;
            case "FAILED" -> FAILED;
            case "RETRIES_EXHAUSTED" -> RETRIES_EXHAUSTED;
            case "CANCELLED" -> CANCELLED;
            default -> throw new IllegalArgumentException("not a terminal outcome: " + outcome);
        };
    }

    /** The table for --help: "0 SUCCEEDED, 3 FAILED, ...". */
    public static String summary() {
        return Arrays.stream(values()).sorted(java.util.Comparator.comparingInt(ExitStatus::code))
                .map(s -> s.code + " " + s.meaning).collect(Collectors.joining("; "));
    }
}
