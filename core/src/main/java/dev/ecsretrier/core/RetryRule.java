package dev.ecsretrier.core;

import java.util.List;
import java.util.Objects;

/**
 * A user rule, evaluated before the default policy in the order given (like AWS Batch
 * {@code evaluateOnExit}). Every condition that is set must hold; unset conditions match
 * anything. Globs use {@code *} for any run of characters and {@code ?} for one character.
 *
 * @param name            how the rule is reported; {@code rules[i]} when absent
 * @param stopCode        exact ECS stop code, e.g. {@code TaskFailedToStart}
 * @param stoppedReason   glob on the task's stopped reason
 * @param containerReason glob on any container's reason
 * @param containerName   the container the container conditions look at; any container when absent
 * @param exitCodes       the container's exit code is one of these
 * @param action          what to do on a match
 */
public record RetryRule(String name, String stopCode, String stoppedReason, String containerReason,
                        String containerName, List<Integer> exitCodes, Action action) {

    public RetryRule {
        Objects.requireNonNull(action, "action");
        exitCodes = exitCodes == null ? null : NullTolerantLists.copy(exitCodes);
    }
}
