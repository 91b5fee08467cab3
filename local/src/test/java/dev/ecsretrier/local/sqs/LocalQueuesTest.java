package dev.ecsretrier.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dead-letter queues' store: SQS's visibility rules, and what a data directory keeps across a restart. */
class LocalQueuesTest {

    static final String QUEUE = "StarterFailures";

    @Test
    void aReceivedMessageIsHiddenUntilItsVisibilityTimeoutEndsAndGoneOnceDeleted() throws Exception {
        LocalQueues queues = new LocalQueues(Clock.systemUTC(), List.of(QUEUE), null);
        queues.send(QUEUE, "{\"runId\":\"q-1\"}", Map.of(), Duration.ZERO);

        LocalQueues.Message received = queues.receive(QUEUE, 10, Duration.ofSeconds(30), Duration.ZERO).get(0);

        assertThat(queues.receive(QUEUE, 10, Duration.ofSeconds(30), Duration.ZERO)).isEmpty();
        assertThat(queues.visible(QUEUE)).isZero();
        assertThat(queues.notVisible(QUEUE)).isEqualTo(1);
        assertThat(queues.delete(QUEUE, received.receiptHandle())).isTrue();
        assertThat(queues.messages(QUEUE)).isEmpty();
    }

    @Test
    void theQueuesFileKeepsEveryMessageWithItsAttributesAndReceiveCountAcrossARestart(@TempDir Path data)
            throws Exception {
        Path file = data.resolve("queues.json");
        LocalQueues before = new LocalQueues(Clock.systemUTC(), List.of(QUEUE), file);
        String id = before.send(QUEUE, "{\"runId\":\"q-2\"}", Map.of("ERROR_CODE",
                new LocalQueues.Attribute("String", "ResourceNotFoundException")), Duration.ZERO);
        before.receive(QUEUE, 1, Duration.ZERO, Duration.ZERO);

        LocalQueues after = new LocalQueues(Clock.systemUTC(), List.of(QUEUE), file);

        assertThat(after.messages(QUEUE)).singleElement().satisfies(message -> {
            assertThat(message.messageId()).isEqualTo(id);
            assertThat(message.body()).isEqualTo("{\"runId\":\"q-2\"}");
            assertThat(message.attributes()).containsEntry("ERROR_CODE",
                    new LocalQueues.Attribute("String", "ResourceNotFoundException"));
            assertThat(message.receiveCount()).isEqualTo(1);
        });
    }
}
