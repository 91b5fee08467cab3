package dev.ecsretrier.local.sqs;

import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.JsonRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Standard SQS queues on one machine (the dead-letter queues): send, receive with a visibility
 * timeout (a received message is hidden, then visible again unless deleted, its receive count one
 * higher), delete by receipt handle. Kept in memory, and written whole to a JSON file after each
 * change when there is one (read back on the next start).
 */
public final class LocalQueues {

    /** SQS's default visibility timeout (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html). */
    public static final Duration DEFAULT_VISIBILITY = Duration.ofSeconds(30);

    /** A message attribute: its data type (String, Number) and value. */
    public record Attribute(String dataType, String stringValue) {
    }

    /**
     * One message as SQS keeps it.
     *
     * @param visibleAt     epoch ms from which a receive may return it
     * @param receiptHandle the handle of its last receive; null before the first
     */
    public record Message(String messageId, String body, Map<String, Attribute> attributes, long sentTimestamp,
                          int receiveCount, Long firstReceiveTimestamp, long visibleAt, String receiptHandle) {
        public Message {
            attributes = Map.copyOf(attributes);
        }
    }

    /** A message as the queues' file keeps it: attributes as a list, which the one JSON binder reads back. */
    record SavedMessage(String messageId, String body, List<SavedAttribute> attributes, long sentTimestamp,
                        int receiveCount, Long firstReceiveTimestamp, long visibleAt, String receiptHandle) {

        static SavedMessage of(Message m) {
            return new SavedMessage(m.messageId(), m.body(), m.attributes().entrySet().stream()
                    .map(e -> new SavedAttribute(e.getKey(), e.getValue().dataType(), e.getValue().stringValue()))
                    .sorted(java.util.Comparator.comparing(SavedAttribute::name)).toList(),
                    m.sentTimestamp(), m.receiveCount(), m.firstReceiveTimestamp(), m.visibleAt(), m.receiptHandle());
        }

        Message message() {
            Map<String, Attribute> byName = new LinkedHashMap<>();
            attributes.forEach(a -> byName.put(a.name(), new Attribute(a.dataType(), a.stringValue())));
            return new Message(messageId, body, byName, sentTimestamp, receiveCount, firstReceiveTimestamp, visibleAt,
                    receiptHandle);
        }
    }

    record SavedAttribute(String name, String dataType, String stringValue) {
    }

    private final Clock clock;
    private final Path file;
    private final Map<String, List<Message>> queues = new LinkedHashMap<>();

    /**
     * @param names the queues that exist (the construct's dead-letter queues)
     * @param file  where the queues are kept; read now when it exists; null to keep them in memory only
     */
    public LocalQueues(Clock clock, List<String> names, Path file) {
        this.clock = clock;
        this.file = file;
        names.forEach(name -> queues.put(name, new ArrayList<>()));
        if (file != null && Files.exists(file)) {
            load();
        }
    }

    public synchronized List<String> names() {
        return List.copyOf(queues.keySet());
    }

    public synchronized boolean exists(String name) {
        return queues.containsKey(name);
    }

    /** SendMessage: the new message's id. */
    public synchronized String send(String queue, String body, Map<String, Attribute> attributes, Duration delay) {
        long now = clock.millis();
        Message message = new Message(UUID.randomUUID().toString(), body, attributes, now, 0, null,
                now + delay.toMillis(), null);
        queue(queue).add(message);
        save();
        notifyAll();
        return message.messageId();
    }

    /**
     * ReceiveMessage: up to {@code max} visible messages, oldest first, each hidden for {@code visibility}
     * and given a new receipt handle; waits up to {@code wait} for one when none is visible (long polling).
     */
    public synchronized List<Message> receive(String queue, int max, Duration visibility, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        List<Message> received = take(queue, max, visibility);
        while (received.isEmpty() && System.nanoTime() < deadline) {
            wait(Math.max(1, Math.min(200, (deadline - System.nanoTime()) / 1_000_000)));
            received = take(queue, max, visibility);
        }
        return received;
    }

    /** DeleteMessage: false when no message has that receipt handle (deleted already, or received since). */
    public synchronized boolean delete(String queue, String receiptHandle) {
        boolean removed = queue(queue).removeIf(m -> receiptHandle.equals(m.receiptHandle()));
        if (removed) {
            save();
        }
        return removed;
    }

    /** ChangeMessageVisibility: false when no message has that receipt handle. */
    public synchronized boolean changeVisibility(String queue, String receiptHandle, Duration visibility) {
        List<Message> messages = queue(queue);
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (receiptHandle.equals(m.receiptHandle())) {
                messages.set(i, new Message(m.messageId(), m.body(), m.attributes(), m.sentTimestamp(), m.receiveCount(),
                        m.firstReceiveTimestamp(), clock.millis() + visibility.toMillis(), m.receiptHandle()));
                save();
                notifyAll();
                return true;
            }
        }
        return false;
    }

    /** ApproximateNumberOfMessages: visible now. */
    public synchronized int visible(String queue) {
        long now = clock.millis();
        return (int) queue(queue).stream().filter(m -> m.visibleAt() <= now).count();
    }

    /** ApproximateNumberOfMessagesNotVisible: received and not yet deleted, or delayed. */
    public synchronized int notVisible(String queue) {
        return queue(queue).size() - visible(queue);
    }

    /** Every message of a queue, visible or not, oldest first. */
    public synchronized List<Message> messages(String queue) {
        return List.copyOf(queue(queue));
    }

    private List<Message> take(String queue, int max, Duration visibility) {
        long now = clock.millis();
        List<Message> messages = queue(queue);
        List<Message> received = new ArrayList<>();
        for (int i = 0; i < messages.size() && received.size() < max; i++) {
            Message m = messages.get(i);
            if (m.visibleAt() > now) {
                continue;
            }
            Message taken = new Message(m.messageId(), m.body(), m.attributes(), m.sentTimestamp(), m.receiveCount() + 1,
                    m.firstReceiveTimestamp() == null ? now : m.firstReceiveTimestamp(), now + visibility.toMillis(),
                    UUID.randomUUID() + "#" + m.messageId());
            messages.set(i, taken);
            received.add(taken);
        }
        if (!received.isEmpty()) {
            save();
        }
        return received;
    }

    private List<Message> queue(String name) {
        List<Message> queue = queues.get(name);
        if (queue == null) {
            throw new IllegalArgumentException("no queue named " + name + "; the queues are " + queues.keySet());
        }
        return queue;
    }

    /** The whole state to a new file, then moved over the old one: a crash leaves one or the other. */
    private void save() {
        if (file == null) {
            return;
        }
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Path next = file.resolveSibling(file.getFileName() + ".next");
            Map<String, List<SavedMessage>> saved = new LinkedHashMap<>();
            queues.forEach((name, messages) -> saved.put(name, messages.stream().map(SavedMessage::of).toList()));
            Files.writeString(next, Json.write(saved), StandardCharsets.UTF_8);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the queues to " + file, e);
        }
    }

    private void load() {
        try {
            Object saved = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            if (!(saved instanceof Map<?, ?> byName)) {
                throw new IOException("not a JSON object of queues");
            }
            byName.forEach((name, messages) -> queues.put(String.valueOf(name),
                    new ArrayList<>(JsonRecords.listFromPlain(messages, SavedMessage.class).stream()
                            .map(SavedMessage::message).toList())));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read the queues from " + file + ": " + e.getMessage(), e);
        }
    }
}
