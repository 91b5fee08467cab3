package dev.ecsretrier.local.sns;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsretrier.core.AttemptSummary;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.JsonBindingException;
import dev.ecsretrier.json.JsonRecords;
import dev.ecsretrier.local.emulator.internal.JsonLinesFile;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** One message the local topic received: what an SNS subscriber would get. */
public record PublishedNotification(String messageId, String topicArn, String subject, String message,
                                    Map<String, String> attributes, Instant timestamp) {

    public PublishedNotification {
        attributes = Map.copyOf(attributes);
    }

    /** The run outcome in the body; empty when the body is something else. */
    public Optional<RunOutcome> outcome() {
        try {
            return Optional.ofNullable(JsonRecords.fromPlain(Json.parse(message), RunOutcome.class));
        } catch (JsonProcessingException | JsonBindingException e) {
            return Optional.empty();
        }
    }

    /** The body as a subscriber reads it: its plain JSON value when it is JSON, the text otherwise. */
    public Object messageValue() {
        return JsonLinesFile.valueOrText(message);
    }

    /** The line in the notifications file: the body as JSON, with the message attributes. */
    public String toJsonLine() {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("messageId", messageId);
        line.put("topicArn", topicArn);
        line.put("timestamp", timestamp);
        line.put("subject", subject);
        line.put("attributes", new java.util.TreeMap<>(attributes));
        line.put("message", messageValue());
        return Json.write(line);
    }

    /** One line for people: the outcome and what each attempt did. */
    public String summary() {
        return outcome().map(PublishedNotification::summary).orElse(subject);
    }

    private static String summary(RunOutcome outcome) {
        String attempts = outcome.attemptHistory().stream()
                .map(PublishedNotification::attempt)
                .collect(Collectors.joining("; "));
        String budget = outcome.exhaustedBudget() == null ? "" : " (" + outcome.exhaustedBudget() + " budget)";
        return outcome.outcome() + budget + " after " + outcome.attempts() + " of " + outcome.maxAttempts()
                + " attempts (" + outcome.rule() + "): " + attempts;
    }

    /** "#2 [capacity=FARGATE:1:-] EssentialContainerExited app exit 0 -> SUCCEEDED": the launch when adjusted. */
    private static String attempt(AttemptSummary a) {
        String exits = a.containers().stream()
                .filter(c -> c.exitCode() != null)
                .map(PublishedNotification::exit)
                .collect(Collectors.joining(","));
        return "#" + a.attempt() + (a.launch() == null ? "" : " [" + a.launch().toTagValue() + "]") + " "
                + (a.stopCode() == null ? "-" : a.stopCode()) + (exits.isEmpty() ? "" : " " + exits) + " -> "
                + a.decision();
    }

    private static String exit(ContainerExit c) {
        return c.name() + " exit " + c.exitCode();
    }
}
