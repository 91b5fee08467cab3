package dev.ecsretrier.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.sns.PublishedNotification;
import org.junit.jupiter.api.Test;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;

/** serve's output shows a notification after the decision that published it, as it arrives in that order. */
class ServeOutputTest {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void aNotificationWaitsForTheDecisionOfItsRun() {
        StringWriter text = new StringWriter();
        ServeOutput output = new ServeOutput(new PrintWriter(text), NOW);

        // As the classifier does it: publish inside the invocation, the decision recorded when it returns.
        output.notification(new PublishedNotification("m-1", "arn:aws:sns:local:000000000000:t",
                "ecs-retrier run r-1 FAILED after 1 attempt", "{}", Map.of("runId", "r-1", "outcome", "FAILED"), NOW));
        output.timeline(new TimelineEntry(NOW, TimelineEntry.Kind.NOTIFIED, "r-1", 1, null, "published"));
        output.timeline(new TimelineEntry(NOW, TimelineEntry.Kind.TASK_STOPPED, "r-2", 1, null, "another run's stop"));
        output.timeline(new TimelineEntry(NOW, TimelineEntry.Kind.DECISION, "r-1", 1, null, "FAILED by default:failed"));

        assertThat(text.toString()).containsSubsequence("another run's stop", "FAILED by default:failed",
                "NOTIFICATION ecs-retrier run r-1 FAILED after 1 attempt");
    }
}
