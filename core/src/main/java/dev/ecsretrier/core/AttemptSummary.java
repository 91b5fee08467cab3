package dev.ecsretrier.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One ended attempt, as notifications and the next start request report it.
 *
 * @param taskArn null when {@code RunTask} failed synchronously
 * @param kind    whose failure it was (null for a success, or when unknown)
 * @param launch  how this attempt's launch differed from the configured one, or null when it did
 *                not (in JSON and tags its text, {@link AttemptLaunch#toTagValue()})
 * @param causes  what the classifier recognised in the stop; null when nothing (or unknown)
 */
public record AttemptSummary(int attempt, String taskArn, String stopCode, String stoppedReason,
                             List<ContainerExit> containers, Decision decision, String rule,
                             Instant startedAt, Instant stoppedAt, FailureKind kind, AttemptLaunch launch,
                             Set<Cause> causes) {

    /** ECS tag values: at most 256 characters of letters, digits, spaces and {@code + - = . _ : / @}. */
    static final int TAG_VALUE_LIMIT = 256;
    private static final Pattern NOT_TAG_SAFE = Pattern.compile("[^A-Za-z0-9 +\\-=._:/@]");
    private static final Pattern TAG_FORMAT = Pattern.compile(
            "decision=(\\S+)(?: kind=(\\S+))? stop=(\\S+) rule=(\\S+) task=(\\S+) exits=(\\S+) reason=(.*)",
            Pattern.DOTALL);

    public AttemptSummary {
        containers = containers == null ? List.of() : NullTolerantLists.copy(containers);
        // None is left out of the JSON (null), as an unchanged launch is: the history stays as short as before.
        causes = causes == null || causes.isEmpty() ? null : Collections.unmodifiableSet(EnumSet.copyOf(causes));
    }

    /** An attempt's stop and its decision, without what the classifier recognised or the launch. */
    public static AttemptSummary of(int attempt, AttemptStop stop, Decision decision, String rule) {
        return new AttemptSummary(attempt, stop.taskArn(), stop.stopCode(), stop.stoppedReason(), stop.containers(),
                decision, rule, stop.startedAt(), stop.stoppedAt(), null, null, Set.of());
    }

    /** An attempt's stop and its decision with the verdict's kind and the launch tag, without causes. */
    public static AttemptSummary of(int attempt, AttemptStop stop, Decision decision, String rule, FailureKind kind,
                                    AttemptLaunch launch) {
        return new AttemptSummary(attempt, stop.taskArn(), stop.stopCode(), stop.stoppedReason(), stop.containers(),
                decision, rule, stop.startedAt(), stop.stoppedAt(), kind, launch, Set.of());
    }

    /**
     * The attempt as the run's history records it: the stop, the decision, and the verdict's rule,
     * kind (none for a success) and causes.
     */
    public static AttemptSummary recorded(int attempt, AttemptStop stop, Decision decision, Verdict verdict,
                                          LaunchAdjustment launch) {
        return new AttemptSummary(attempt, stop.taskArn(), stop.stopCode(), stop.stoppedReason(), stop.containers(),
                decision, verdict.rule(), stop.startedAt(), stop.stoppedAt(),
                decision == Decision.SUCCEEDED ? null : verdict.kind(), launch.launched(),
                verdict.causes());
    }

    /** The same summary with another stopped reason (a clipped one). */
    public AttemptSummary withStoppedReason(String reason) {
        return new AttemptSummary(attempt, taskArn, stopCode, reason, containers, decision, rule, startedAt, stoppedAt,
                kind, launch, causes);
    }

    /** The same summary with other containers (clipped texts). */
    public AttemptSummary withContainers(List<ContainerExit> exits) {
        return new AttemptSummary(attempt, taskArn, stopCode, stoppedReason, exits, decision, rule, startedAt, stoppedAt,
                kind, launch, causes);
    }

    /** Whether the classifier recognised {@code cause} in this attempt's stop. */
    public boolean recognised(Cause cause) {
        return causes != null && causes.contains(cause);
    }

    /** The causes as one ECS tag value ({@code SPOT_INTERRUPTION+NO_CAPACITY}); empty when none. */
    public String causesTagValue() {
        return causes == null ? "" : String.join("+", causes.stream().map(Cause::name).toList());
    }

    /** Reads {@link #causesTagValue()}; null or empty is none. */
    static Set<Cause> causesFromTagValue(String value) {
        if (value == null || value.isBlank()) {
            return Set.of();
        }
        EnumSet<Cause> causes = EnumSet.noneOf(Cause.class);
        for (String name : value.trim().split("\\+")) {
            try {
                causes.add(Cause.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + name + "' is not a cause");
            }
        }
        return causes;
    }

    /**
     * A compact, lossy form that fits one ECS tag value: the task id instead of its ARN, exit
     * codes without container reasons, the stopped reason cut to what fits, unsafe characters blanked.
     */
    public String toTagValue() {
        StringBuilder exits = new StringBuilder();
        for (ContainerExit c : containers) {
            // ECS container names are letters, digits, '_' and '-': '+' cannot occur in one.
            exits.append(exits.length() == 0 ? "" : "+").append(safe(c.name()).replace(' ', '_')).append(':')
                    .append(c.exitCode() == null ? "-" : c.exitCode());
        }
        String head = "decision=" + decision + (kind == null ? "" : " kind=" + kind) + " stop=" + clip(token(stopCode), 40)
                + " rule=" + clip(token(rule), 48) + " task=" + clip(token(taskId(taskArn)), 40)
                + " exits=" + clip(exits.length() == 0 ? "-" : exits.toString(), 48) + " reason=";
        // The head always fits (at most 222 characters): only the reason is cut.
        String value = head + safe(stoppedReason == null ? "-" : stoppedReason);
        return value.length() <= TAG_VALUE_LIMIT ? value : value.substring(0, TAG_VALUE_LIMIT);
    }

    /**
     * Reads {@link #toTagValue()} back; the task ARN becomes the task id, times are unknown, and the
     * launch comes from its own tag.
     */
    static AttemptSummary fromTagValue(int attempt, String value, AttemptLaunch launch, Set<Cause> causes) {
        Matcher m = TAG_FORMAT.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an attempt summary: '" + value + "'");
        }
        List<ContainerExit> containers = new ArrayList<>();
        if (!m.group(6).equals("-")) {
            for (String exit : m.group(6).split("[+,]")) {
                if (exit.isEmpty() || exit.endsWith("...")) {
                    continue;
                }
                int colon = exit.lastIndexOf(':');
                String code = colon < 0 ? "-" : exit.substring(colon + 1);
                containers.add(new ContainerExit(colon < 0 ? exit : exit.substring(0, colon),
                        code.equals("-") ? null : Integer.valueOf(code), null));
            }
        }
        return new AttemptSummary(attempt, nullIfDash(m.group(5)), nullIfDash(m.group(3)), nullIfDash(m.group(7)),
                containers, Decision.valueOf(m.group(1)), nullIfDash(m.group(4)), null, null,
                m.group(2) == null ? null : FailureKind.valueOf(m.group(2)), launch, causes);
    }

    static AttemptSummary fromTagValue(int attempt, String value) {
        return fromTagValue(attempt, value, null, Set.of());
    }

    private static String taskId(String taskArn) {
        return taskArn == null ? null : taskArn.substring(taskArn.lastIndexOf('/') + 1);
    }

    private static String token(String text) {
        return text == null || text.isBlank() ? "-" : safe(text).replace(' ', '_');
    }

    private static String clip(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    private static String safe(String text) {
        return NOT_TAG_SAFE.matcher(text).replaceAll(" ");
    }

    private static String nullIfDash(String text) {
        return text.equals("-") ? null : text;
    }
}
