package dev.ecsretrier.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One ended attempt, as notifications and the next start request report it.
 *
 * @param taskArn null when {@code RunTask} failed synchronously
 * @param kind    whose failure it was (null for a success, or when unknown)
 * @param launch  how this attempt's launch differed from the configured one
 *                ({@link LaunchAdjustment#toTagValue()}), or null when it did not
 */
public record AttemptSummary(int attempt, String taskArn, String stopCode, String stoppedReason,
                             List<ContainerExit> containers, Decision decision, String rule,
                             Instant startedAt, Instant stoppedAt, FailureKind kind, String launch) {

    /** ECS tag values: at most 256 characters of letters, digits, spaces and {@code + - = . _ : / @}. */
    static final int TAG_VALUE_LIMIT = 256;
    private static final Pattern NOT_TAG_SAFE = Pattern.compile("[^A-Za-z0-9 +\\-=._:/@]");
    private static final Pattern TAG_FORMAT = Pattern.compile(
            "decision=(\\S+)(?: kind=(\\S+))? stop=(\\S+) rule=(\\S+) task=(\\S+) exits=(\\S+) reason=(.*)",
            Pattern.DOTALL);

    public AttemptSummary {
        containers = containers == null ? List.of() : NullTolerantLists.copy(containers);
    }

    public static AttemptSummary of(int attempt, AttemptStop stop, Decision decision, String rule) {
        return of(attempt, stop, decision, rule, null, null);
    }

    public static AttemptSummary of(int attempt, AttemptStop stop, Decision decision, String rule, FailureKind kind,
                                    String launch) {
        return new AttemptSummary(attempt, stop.taskArn(), stop.stopCode(), stop.stoppedReason(), stop.containers(),
                decision, rule, stop.startedAt(), stop.stoppedAt(), kind, launch);
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
    public static AttemptSummary fromTagValue(int attempt, String value, String launch) {
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
                m.group(2) == null ? null : FailureKind.valueOf(m.group(2)), launch);
    }

    public static AttemptSummary fromTagValue(int attempt, String value) {
        return fromTagValue(attempt, value, null);
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
