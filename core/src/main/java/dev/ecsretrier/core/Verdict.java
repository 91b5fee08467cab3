package dev.ecsretrier.core;

/**
 * What the classifier concluded about one stop, before the attempt budgets are applied.
 *
 * @param action the policy's answer
 * @param rule   the rule that decided: a user rule's name, or {@code default:<row>}
 * @param reason one human sentence: why
 * @param kind   whose failure it was, which decides the budget a retry spends
 */
public record Verdict(Action action, String rule, String reason, FailureKind kind) {
}
