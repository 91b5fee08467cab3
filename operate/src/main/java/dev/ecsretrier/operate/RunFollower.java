package dev.ecsretrier.operate;

import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.history.HistoryRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * {@code retrier start --follow}: the run's timeline, read live until it ends — its tasks from ECS
 * ({@link RunTasks}), its waiting attempts from the schedule group ({@link RunSchedules}), its
 * decisions and outcome from the functions' history records ({@link RunHistory}).
 * Each fact is printed once, when it is first seen.
 */
public final class RunFollower {

    /** One line of the timeline. */
    public record Entry(Instant at, Integer attempt, String label, String text) {
    }

    /** How the run ended, as the deciding function logged it. */
    public record Outcome(String outcome, int attempts, String rule, String reason) {
    }

    private final RunTasks tasks;
    private final RunSchedules schedules;
    private final RunHistory history;
    private final Clock clock;

    public RunFollower(RunTasks tasks, RunSchedules schedules, RunHistory history, Clock clock) {
        this.tasks = tasks;
        this.schedules = schedules;
        this.history = history;
        this.clock = clock;
    }

    /**
     * Follows the run until its outcome is logged, or until {@code wait} is over (empty then).
     *
     * @param since when the run started (log lines before it are not read)
     */
    public Optional<Outcome> follow(String runId, Instant since, Duration poll, Duration wait, Consumer<Entry> timeline)
            throws InterruptedException {
        Instant deadline = clock.instant().plus(wait);
        Set<String> seen = new HashSet<>();
        while (true) {
            for (RunTasks.RunTask task : tasks.of(runId)) {
                Task t = task.task();
                if (seen.add("task " + t.taskArn())) {
                    timeline.accept(new Entry(orNow(t.createdAt()), task.attempt(), "task", "started task "
                            + taskId(t.taskArn())));
                }
                if ("STOPPED".equals(t.lastStatus()) && seen.add("stop " + t.taskArn())) {
                    timeline.accept(new Entry(orNow(t.stoppedAt()), task.attempt(), "stop", stop(t.stopCodeAsString(),
                            t.stoppedReason(), t.containers().stream().map(c -> new ContainerExit(c.name(), c.exitCode(),
                                    c.reason())).toList())));
                }
            }
            for (RunSchedules.RunSchedule pending : schedules.pending(runId)) {
                if (!pending.timeout() && seen.add("schedule " + pending.name())) {
                    String when = schedules.get(pending.name()).map(s -> " at " + s.scheduleExpression()).orElse("");
                    timeline.accept(new Entry(clock.instant(), pending.attempt(), "waiting", "schedule " + pending.name()
                            + when));
                }
            }
            Optional<Outcome> outcome = Optional.empty();
            for (HistoryRecord record : history.of(runId, since.minusSeconds(60))) {
                if (!(record instanceof HistoryRecord.Decided decided)) {
                    continue;
                }
                // The decision record holds the stop in full: it tells a stop that ECS no longer lists, or not yet.
                AttemptStop stop = decided.stop();
                if (stop != null && stop.taskArn() != null && seen.add("stop " + stop.taskArn())) {
                    timeline.accept(new Entry(orNow(stop.stoppedAt()), decided.attempt(), "stop",
                            stop(stop.stopCode(), stop.stoppedReason(), stop.containers())));
                }
                if (seen.add("decision " + decided.attempt() + " " + decided.decision())) {
                    timeline.accept(new Entry(decided.at(), decided.attempt(), "decision", decided.decision() + " by "
                            + decided.rule() + (decided.next() != null ? "; next attempt " + decided.next().attempt()
                            + " at " + decided.next().at() : "") + ": " + decided.reason()));
                }
                if (decided.decision().terminal()) {
                    // A start of a cancelled run decides after the attempts that ran: its attempt is the last of them.
                    outcome = Optional.of(new Outcome(decided.decision().name(), decided.attempt(), decided.rule(),
                            decided.reason()));
                }
            }
            if (outcome.isPresent() || !clock.instant().isBefore(deadline)) {
                return outcome;
            }
            Thread.sleep(poll.toMillis());
        }
    }

    private Instant orNow(Instant at) {
        return at == null ? clock.instant() : at;
    }

    /** The task id, the last part of its ARN. */
    public static String taskId(String taskArn) {
        return taskArn == null ? "-" : taskArn.substring(taskArn.lastIndexOf('/') + 1);
    }

    private static String stop(String stopCode, String stoppedReason, java.util.List<ContainerExit> containers) {
        StringBuilder text = new StringBuilder(stopCode == null ? "-" : stopCode);
        text.append(": ").append(stoppedReason == null ? "-" : stoppedReason);
        for (ContainerExit container : containers) {
            text.append("; ").append(container.name()).append(" exit ")
                    .append(container.exitCode() == null ? "-" : container.exitCode());
            if (container.reason() != null) {
                text.append(" (").append(container.reason()).append(')');
            }
        }
        return text.toString();
    }
}
