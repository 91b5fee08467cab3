package dev.ecsretrier.local.cli;

import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.sns.PublishedNotification;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code serve}'s standard output, in the order things were caused: the endpoint's request lines,
 * the timeline, and each notification after the decision that published it. (The classifier
 * publishes inside its invocation, the decision is recorded when the invocation returns: a
 * notification waits for the next timeline line of its run.)
 */
final class ServeOutput {

    private final PrintWriter out;
    private final TimelinePrinter timeline;
    private final Map<String, List<PublishedNotification>> waiting = new LinkedHashMap<>();

    ServeOutput(PrintWriter out, Instant start) {
        this.out = out;
        this.timeline = new TimelinePrinter(out, start, true);
    }

    /** Prints this runtime's timeline and notifications here. */
    LocalRuntime.Builder wire(LocalRuntime.Builder builder) {
        return builder.notificationPrinter(this::notification).onTimeline(this::timeline);
    }

    synchronized void request(String line) {
        out.println("  " + line);
        out.flush();
    }

    synchronized void notification(PublishedNotification notification) {
        waiting.computeIfAbsent(String.valueOf(notification.attributes().get("runId")), run -> new ArrayList<>())
                .add(notification);
    }

    synchronized void timeline(TimelineEntry entry) {
        if (entry.kind() == TimelineEntry.Kind.NOTIFIED) {
            return; // recorded as it is published, before the decision: the notification itself follows that
        }
        timeline.accept(entry);
        List<PublishedNotification> caused = waiting.remove(String.valueOf(entry.runId()));
        if (caused != null) {
            caused.forEach(this::print);
        }
    }

    /** Whatever is still waiting (the command ends). */
    synchronized void flush() {
        waiting.values().forEach(list -> list.forEach(this::print));
        waiting.clear();
        out.flush();
    }

    private void print(PublishedNotification notification) {
        out.println("NOTIFICATION " + notification.subject());
        out.println("  " + notification.summary());
        out.flush();
    }
}
