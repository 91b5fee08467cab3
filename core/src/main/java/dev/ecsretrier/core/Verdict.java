package dev.ecsretrier.core;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What the classifier concluded about one stop, before the attempt budgets are applied.
 *
 * @param action      the policy's answer
 * @param rule        the rule that decided: a user rule's name, or {@code default:<row>}
 * @param reason      one human sentence: why
 * @param kind        whose failure it was, which decides the budget a retry spends
 * @param defaultRule the row of the default policy that decided, or null when a user rule did
 * @param causes      what the classifier recognised in the stop, whichever rule decided
 */
public record Verdict(Action action, String rule, String reason, FailureKind kind, DefaultRule defaultRule,
                      Set<Cause> causes) {

    public Verdict {
        causes = causes == null || causes.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(causes));
    }

    /** A verdict of the default policy's row {@code row}. */
    public static Verdict byDefault(DefaultRule row, Action action, String reason, FailureKind kind,
                                    Set<Cause> causes) {
        return new Verdict(action, row.ruleName(), reason, kind, row, causes);
    }

    /** A verdict of the user rule named {@code name}. */
    public static Verdict byUserRule(String name, Action action, String reason, FailureKind kind,
                                     Set<Cause> causes) {
        return new Verdict(action, name, reason, kind, null, causes);
    }

    /** The same verdict with another answer and reason (an adaptation's doing). */
    public Verdict with(Action newAction, String newReason) {
        return new Verdict(newAction, rule, newReason, kind, defaultRule, causes);
    }

    /** Whether the default policy's row {@code row} decided. */
    public boolean decidedBy(DefaultRule row) {
        return defaultRule == row;
    }

    public boolean recognised(Cause cause) {
        return causes.contains(cause);
    }
}
