package dev.ecsretrier.core;

import java.util.Locale;

/** The rows of the default policy (docs/policy.md), in the order they are tried; each names its rule. */
public enum DefaultRule {
    SUCCEEDED, ATTEMPT_TIMEOUT, INFRASTRUCTURE_MAINTENANCE, USER_INITIATED, OUT_OF_MEMORY, PERMANENT_START_ERROR,
    TRANSIENT_ERROR, INFRASTRUCTURE_STOP, RETRYABLE_EXIT_CODE, FAILED;

    private final String ruleName = "default:" + name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** The rule's name in verdicts, outcomes and tags: {@code default:out-of-memory}. */
    public String ruleName() {
        return ruleName;
    }
}
