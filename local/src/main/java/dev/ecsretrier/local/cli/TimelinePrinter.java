package dev.ecsretrier.local.cli;

import dev.ecsretrier.local.emulator.TimelineEntry;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;

/** Prints the runtime's timeline as it happens, one short line per entry. */
final class TimelinePrinter implements Consumer<TimelineEntry> {

    static final int WIDTH = 200;

    private final PrintWriter out;
    private final Instant start;
    private final boolean showRunId;

    TimelinePrinter(PrintWriter out, Instant start, boolean showRunId) {
        this.out = out;
        this.start = start;
        this.showRunId = showRunId;
    }

    @Override
    public void accept(TimelineEntry entry) {
        if (entry.kind() == TimelineEntry.Kind.NOTIFIED) {
            return; // the notification itself is printed in full
        }
        double seconds = Duration.between(start, entry.at()).toMillis() / 1000.0;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %+7.2fs  ", seconds));
        if (showRunId) {
            line.append(String.format("%-16s ", entry.runId() == null ? "-" : entry.runId()));
        }
        line.append(String.format("%-10s %-13s ", entry.attempt() == null ? "" : "attempt " + entry.attempt(),
                label(entry)));
        line.append(text(entry));
        out.println(clip(line.toString()));
        out.flush();
    }

    private static String label(TimelineEntry entry) {
        return switch (entry.kind()) {
            case TASK_LAUNCHED -> "task";
            case TASK_REUSED -> "same task";
            case RUN_TASK_FAILED -> "RunTask";
            case TASK_STOP_REQUESTED -> "stop task";
            case TASK_STOPPED -> "stop";
            case DECISION -> "decision";
            case SCHEDULE_FIRED -> "schedule";
            case NOTIFIED -> "notified";
            case EVENT_DUPLICATED -> "duplicate";
            case SCHEDULE_FIRED_TWICE -> "fires twice";
            case HANDLER_CRASHED -> "crash";
            case INVOCATION_RETRIED -> "Lambda retry";
            case DEAD_LETTERED -> "dead letter";
            case EVENT_UNMATCHED -> "unmatched";
        };
    }

    private static String text(TimelineEntry entry) {
        return entry.text();
    }

    private static String clip(String line) {
        return line.length() <= WIDTH ? line : line.substring(0, WIDTH - 1) + "…";
    }
}
