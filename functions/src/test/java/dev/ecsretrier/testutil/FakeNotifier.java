package dev.ecsretrier.testutil;

import dev.ecsretrier.port.Notification;
import dev.ecsretrier.port.Notifier;
import java.util.ArrayList;
import java.util.List;

/** SNS in memory: keeps every published message. */
public final class FakeNotifier implements Notifier {

    private final List<Notification> published = new ArrayList<>();

    @Override
    public void publish(Notification notification) {
        published.add(notification);
    }

    public List<Notification> published() {
        return published;
    }

    public Notification only() {
        if (published.size() != 1) {
            throw new AssertionError("expected exactly one notification, got " + published.size());
        }
        return published.get(0);
    }
}
