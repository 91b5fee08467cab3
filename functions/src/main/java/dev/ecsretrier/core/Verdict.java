package dev.ecsretrier.core;

/**
 * What the classifier concluded about one stop, before the attempt budget is applied.
 *
 * @param action the policy's answer
 * @param rule   the rule that decided: a user rule's name, or {@code default:<row>}
 * @param reason one human sentence: why
 */
public record Verdict(Action action, String rule, String reason) {
}
