package dev.ecsretrier.core;

import java.util.Optional;

/**
 * A person's request to end a run: no further attempt starts, the running one is stopped, and the
 * run ends {@link Decision#CANCELLED}. Its marker is a disabled schedule named {@link #markerName}
 * in the retrier's schedule group, which the functions read before and after they launch and before
 * they schedule; the argument that no attempt starts once {@code retrier cancel} returned is in
 * docs/reliability.md.
 *
 * @param runId  the cancelled run
 * @param reason what the person said, or a default; never null
 */
public record RunCancellation(String runId, String reason) {

    /** The stopped reason of a task that ecs-retrier stopped because its run was cancelled. */
    public static final String STOP_REASON_PREFIX = StopClassifier.OWN_STOP_REASON_PREFIX + " cancelled";
    /** The rule a cancelled run's outcome names. */
    public static final String RULE = "cancelled";
    /** The marker schedule's suffix: an attempt's schedule ends in digits, a timeout in {@code -timeout}. */
    public static final String MARKER_SUFFIX = "-cancelled";
    /** The suffix of the schedule that claims a cancelled run's one notification ({@link #endClaimName}). */
    public static final String END_CLAIM_SUFFIX = "-cancel-ended";
    /**
     * ECS StopTask: "Up to 255 characters are allowed in this message"
     * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html).
     */
    public static final int MAX_STOP_REASON = 255;
    /** Scheduler's Description: at most 512 characters (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html). */
    public static final int MAX_REASON = 200;

    public RunCancellation {
        if (runId == null || !AttemptMetadata.RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("not a run id: " + runId);
        }
        reason = reason == null || reason.isBlank() ? "no reason given" : reason.strip();
        if (reason.length() > MAX_REASON) {
            reason = reason.substring(0, MAX_REASON);
        }
    }

    /** {@code <runId>-cancelled}: at most 58 characters of {@code [0-9a-zA-Z-_.]}, as Scheduler names are. */
    public static String markerName(String runId) {
        return runId + MARKER_SUFFIX;
    }

    public String markerName() {
        return markerName(runId);
    }

    /**
     * {@code <runId>-cancel-ended}: a disabled schedule that the one function ending the cancelled run
     * creates before it notifies (at most 61 characters). Several may end it — the classifier on the stop
     * of a task that cancel stopped, a start that found the marker (a schedule that fired, or the start
     * request cancel handed over after deleting its schedule), the loop that found the marker instead of
     * scheduling — and a standard SNS topic does not deduplicate; the first to create this name notifies.
     */
    public static String endClaimName(String runId) {
        return runId + END_CLAIM_SUFFIX;
    }

    /** The StopTask reason: {@code ecs-retrier: cancelled: <reason>}, cut to what ECS keeps. */
    public String stopReason() {
        String text = STOP_REASON_PREFIX + ": " + reason;
        return text.length() <= MAX_STOP_REASON ? text : text.substring(0, MAX_STOP_REASON);
    }

    /** What the outcome says. */
    public String outcomeReason() {
        return "the run was cancelled: " + reason;
    }

    /** The person's reason when this stop is ecs-retrier's cancel stop ({@code UserInitiated}, our prefix). */
    public static Optional<String> reasonOf(AttemptStop stop) {
        String reason = stop.stoppedReason();
        if (!"UserInitiated".equals(stop.stopCode()) || reason == null || !reason.startsWith(STOP_REASON_PREFIX)) {
            return Optional.empty();
        }
        String rest = reason.substring(STOP_REASON_PREFIX.length());
        return Optional.of(rest.startsWith(": ") ? rest.substring(2) : rest);
    }
}
