package dev.ecsretrier.port;

import java.time.Instant;

/**
 * A one-time schedule that invokes the starter with the next attempt's request.
 *
 * @param name  deterministic, {@code <runId>-<attempt>}: a second create of the same attempt conflicts
 * @param at    when to fire, UTC
 * @param input  the next start request as JSON
 * @param target the starter alias ARN the schedule invokes
 */
public record ScheduledAttempt(String name, Instant at, String input, String target) {
}
