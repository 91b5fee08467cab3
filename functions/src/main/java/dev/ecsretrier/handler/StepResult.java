package dev.ecsretrier.handler;

import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.RunOutcome;
import java.time.Instant;

/**
 * What the loop did after an attempt ended: the handlers' JSON answer, and the local runtime's
 * timeline entry.
 *
 * @param nextAttemptAt    set for RETRY
 * @param alreadyScheduled RETRY whose schedule existed already (a duplicate delivery)
 * @param outcome          set for the terminal decisions
 * @param note             what to know about how the ended attempt was learned (e.g. its task was no
 *                         longer describable, so no overrides were carried), or null
 */
public record StepResult(String runId, int attempt, String taskArn, Decision decision, String rule, String reason,
                         RunOutcome.MetadataSource metadataSource, String scheduleName, Long delayMillis,
                         Instant nextAttemptAt, Boolean alreadyScheduled, RunOutcome outcome, String note) {
}
