package dev.ecsretrier.local;

import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.handler.StepResult;
import dev.ecsretrier.local.sns.PublishedNotification;
import dev.ecsretrier.port.Notifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The run outcomes the topic was told, as the core decided them: what {@link LocalRuntime#awaitOutcome}
 * and {@link LocalRuntime#outcomes} answer, so that nothing reads the notification's text back to learn
 * what the classifier knew. The text stays what a subscriber sees.
 *
 * <p>The runtime's own handlers publish, then return their {@link StepResult} on the same thread: a
 * terminal step counts once its invocation has published (a CANCELLED end that another invocation claimed
 * publishes nothing, and counts nothing). A message that reaches the topic otherwise (serve's SNS API: a
 * function running elsewhere, such as the Lambda jar under the runtime client) leaves the runtime only
 * its text, as any subscriber: its outcome is read from the body, when the body is one.
 */
final class DecidedOutcomes {

    private final ThreadLocal<Boolean> handlerPublishing = ThreadLocal.withInitial(() -> false);
    private final ThreadLocal<Boolean> handlerPublished = ThreadLocal.withInitial(() -> false);
    private final List<RunOutcome> outcomes = new ArrayList<>();

    /** The topic as the runtime's handlers publish to it. */
    Notifier forHandlers(Notifier topic) {
        return notification -> {
            handlerPublishing.set(true);
            try {
                topic.publish(notification);
            } finally {
                handlerPublishing.set(false);
            }
            handlerPublished.set(true);
        };
    }

    /** One handler invocation: what it published before it failed does not count for the next. */
    <T> T invocation(Callable<T> handler) throws Exception {
        handlerPublished.set(false);
        try {
            return handler.call();
        } finally {
            handlerPublished.set(false);
        }
    }

    /** A handler's decision, on the thread that made it; a terminal one counts when it was published. */
    void decided(StepResult result) {
        if (handlerPublished.get() && result.outcome() != null) {
            add(result.outcome());
        }
        handlerPublished.set(false);
    }

    /** Every message the topic received, as it receives it; only one from elsewhere is read (see above). */
    void received(PublishedNotification message) {
        if (!handlerPublishing.get()) {
            message.outcome().ifPresent(this::add);
        }
    }

    Optional<RunOutcome> await(String runId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (outcomes) {
            while (true) {
                Optional<RunOutcome> found = outcomes.stream().filter(o -> runId.equals(o.runId())).findFirst();
                long left = deadline - System.nanoTime();
                if (found.isPresent() || left <= 0) {
                    return found;
                }
                outcomes.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    List<RunOutcome> all() {
        synchronized (outcomes) {
            return List.copyOf(outcomes);
        }
    }

    private void add(RunOutcome outcome) {
        synchronized (outcomes) {
            outcomes.add(outcome);
            outcomes.notifyAll();
        }
    }
}
