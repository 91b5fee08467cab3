package dev.ecsretrier.core;

import java.util.Locale;

/**
 * One reason ECS gave for a stop (the task's stopped reason or a container's reason), prepared for
 * matching: every pattern of the default policy is compared here, case-insensitively, and nowhere else.
 *
 * @param text       the reason as ECS wrote it, stripped
 * @param normalized lower case, typographic apostrophes as {@code '} (the agent writes "can’t")
 */
record StopText(String text, String normalized) {

    /**
     * ECS keeps at most 255 characters of a stopped reason (the limit StopTask documents for its
     * reason: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html); a
     * reason that long has probably lost its end, where the agent puts the innermost cause.
     */
    static final int ECS_REASON_LIMIT = 255;

    /** The shortest tail of a cut reason that counts as the start of a cut-off marker. */
    static final int SHORTEST_CUT_MARKER = 4;

    static StopText of(String reason) {
        String text = reason.strip();
        return new StopText(text, normalize(text));
    }

    static String normalize(String text) {
        return text.toLowerCase(Locale.ROOT).replace('\u2019', '\'').replace('\u2018', '\'');
    }

    /** Whether ECS probably cut this reason at its limit. */
    boolean cut() {
        return text.length() >= ECS_REASON_LIMIT;
    }

    /** @param marker a pattern's text as {@link #normalize} gives it */
    boolean startsWith(String marker) {
        return normalized.startsWith(marker);
    }

    /** @param marker a pattern's text as {@link #normalize} gives it */
    boolean contains(String marker) {
        return normalized.contains(marker);
    }

    /**
     * Whether a cut reason ends with the beginning of this pattern (at least {@link #SHORTEST_CUT_MARKER}
     * characters of it, starting a word): "…: 403 Forb" is a 403 Forbidden that ECS cut in half.
     */
    boolean endsWithStartOf(String marker) {
        if (!cut()) {
            return false;
        }
        for (int length = Math.min(marker.length() - 1, normalized.length()); length >= SHORTEST_CUT_MARKER; length--) {
            if (normalized.endsWith(marker.substring(0, length))) {
                int start = normalized.length() - length;
                if (start == 0 || !Character.isLetterOrDigit(normalized.charAt(start - 1))) {
                    return true;
                }
            }
        }
        return false;
    }
}
