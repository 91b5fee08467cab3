package dev.ecsretrier.local.sns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.core.Decision;
import dev.ecsretrier.local.JsonTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import java.time.Instant;
import java.util.Map;

class PublishedNotificationTest {

    private static PublishedNotification withMessage(String message) {
        return new PublishedNotification("m-1", "arn:aws:sns:us-east-1:111122223333:outcomes", "subject", message,
                Map.of("outcome", "SUCCEEDED"), Instant.parse("2026-11-25T15:00:00Z"));
    }

    @Test
    void aRunOutcomeBodyIsReadBack() {
        assertThat(withMessage("{\"runId\":\"run-1\",\"outcome\":\"SUCCEEDED\",\"attempts\":1,\"maxAttempts\":3,"
                + "\"attemptHistory\":[]}")
                .outcome()).hasValueSatisfying(outcome -> {
                    assertThat(outcome.runId()).isEqualTo("run-1");
                    assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "not json", "[]", "{\"hello\":\"world\"}"})
    void anyOtherBodyIsNoOutcome(String message) {
        assertThat(withMessage(message).outcome()).isEmpty();
    }

    @Test
    void theJsonLineCarriesAJsonBodyAsJson_andAnyOtherBodyAsText() throws Exception {
        assertThat(JsonTrees.tree(withMessage("{\"a\":1}").toJsonLine()).at("/message/a").asInt()).isEqualTo(1);
        assertThat(JsonTrees.tree(withMessage("plain words").toJsonLine()).get("message").asText())
                .isEqualTo("plain words");
        assertThat(JsonTrees.tree(withMessage("").toJsonLine()).get("message").asText()).isEmpty();
    }
}
