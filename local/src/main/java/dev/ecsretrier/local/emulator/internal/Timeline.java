package dev.ecsretrier.local.emulator.internal;

import dev.ecsretrier.local.emulator.TimelineEntry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** What happened in the runtime, in order: kept for tests and streamed to listeners (the CLI's live lines). */
public final class Timeline {

    private final Clock clock;
    private final List<TimelineEntry> entries = new ArrayList<>();
    private final List<Consumer<TimelineEntry>> listeners = new CopyOnWriteArrayList<>();

    public Timeline(Clock clock) {
        this.clock = clock;
    }

    public void record(TimelineEntry.Kind kind, String runId, Integer attempt, String taskArn, String text) {
        TimelineEntry entry = new TimelineEntry(clock.instant(), kind, runId, attempt, taskArn, text);
        // One lock for the list and the listeners: printed lines keep the recorded order.
        synchronized (entries) {
            entries.add(entry);
            for (Consumer<TimelineEntry> listener : listeners) {
                listener.accept(entry);
            }
        }
    }

    public void subscribe(Consumer<TimelineEntry> listener) {
        listeners.add(listener);
    }

    public List<TimelineEntry> entries() {
        synchronized (entries) {
            return List.copyOf(entries);
        }
    }

    public List<TimelineEntry> entries(String runId) {
        return entries().stream().filter(e -> runId.equals(e.runId())).toList();
    }

    public List<TimelineEntry> entries(TimelineEntry.Kind kind) {
        return entries().stream().filter(e -> e.kind() == kind).toList();
    }
}
