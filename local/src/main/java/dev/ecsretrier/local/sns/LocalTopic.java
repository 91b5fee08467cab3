package dev.ecsretrier.local.sns;

import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.emulator.internal.EmulatorContext;
import dev.ecsretrier.local.emulator.internal.JsonLinesFile;
import dev.ecsretrier.local.emulator.internal.Timeline;
import dev.ecsretrier.port.Notification;
import dev.ecsretrier.port.Notifier;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The SNS topic for run outcomes: each notification is printed (subject and a compact summary)
 * and appended, body and attributes, to a JSON-lines file.
 */
public final class LocalTopic implements Notifier {

    private final String topicArn;
    private final Clock clock;
    private final JsonLinesFile file;
    private final Consumer<PublishedNotification> printer;
    private final Timeline timeline;
    private final List<PublishedNotification> published = new ArrayList<>();

    /**
     * @param file    null to keep notifications in memory only
     * @param printer where each notification is shown as it is published (the terminal)
     */
    public LocalTopic(EmulatorContext context, String topicArn, JsonLinesFile file,
                      Consumer<PublishedNotification> printer) {
        this.topicArn = topicArn;
        this.clock = context.clock();
        this.file = file;
        this.printer = printer;
        this.timeline = context.timeline();
    }

    @Override
    public void publish(Notification notification) {
        publishMessage(notification);
    }

    /** Publishes; returns the message as the topic keeps it (its id is what SNS Publish answers as MessageId). */
    public PublishedNotification publishMessage(Notification notification) {
        PublishedNotification message = new PublishedNotification(UUID.randomUUID().toString(), topicArn,
                notification.subject(), notification.body(), notification.attributes(), clock.instant());
        if (file != null) {
            file.append(message.toJsonLine());
        }
        synchronized (published) {
            published.add(message);
            published.notifyAll();
        }
        timeline.record(TimelineEntry.Kind.NOTIFIED, notification.attributes().get("runId"),
                message.outcome().map(o -> o.attempts()).orElse(null), null, notification.subject());
        printer.accept(message);
        return message;
    }

    public String topicArn() {
        return topicArn;
    }

    public List<PublishedNotification> published() {
        synchronized (published) {
            return List.copyOf(published);
        }
    }

    /** Waits for the first notification that matches. */
    public Optional<PublishedNotification> await(Predicate<PublishedNotification> wanted, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (published) {
            while (true) {
                Optional<PublishedNotification> found = published.stream().filter(wanted).findFirst();
                long left = deadline - System.nanoTime();
                if (found.isPresent() || left <= 0) {
                    return found;
                }
                published.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    public Optional<java.nio.file.Path> file() {
        return Optional.ofNullable(file).map(JsonLinesFile::path);
    }
}
