package dev.ecsretrier.operate;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.RunCancellation;
import dev.ecsretrier.history.HistoryRecord;
import dev.ecsretrier.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;

/**
 * {@code retrier runs} and {@code retrier show}: runs read live — in flight from ECS and the schedule
 * group, ended from the functions' decision lines ({@link RunHistory}). No store of its own.
 */
public final class RunsOverview {

    /** Where a run is. */
    public enum Status { RUNNING, WAITING, ENDED }

    /**
     * One run in the list.
     *
     * @param job     the run's job: its task's tag, its next start request's, its records'; null when
     *                none says (a run from before jobs were recorded)
     * @param attempt the running or waiting attempt, or the number of attempts an ended run had
     * @param outcome an ended run's outcome, else null
     * @param at      a running task's creation, a waiting attempt's schedule expression, an ended run's end
     * @param detail  the task id, the schedule name, or the outcome's reason
     */
    public record Run(String runId, String job, Status status, Integer attempt, String outcome, String at, String detail) {
    }

    /** One run in full: its attempts, its outcome (null while in flight), what is pending; status null when nothing is known. */
    public record Details(String runId, Status status, Map<String, Object> outcome, List<Map<String, Object>> attempts,
                          List<String> pending, String cancelledBecause) {
    }

    private final RunTasks tasks;
    private final RunSchedules schedules;
    private final RunHistory history;

    public RunsOverview(RunTasks tasks, RunSchedules schedules, RunHistory history) {
        this.tasks = tasks;
        this.schedules = schedules;
        this.history = history;
    }

    /** Every run in flight now, and every run that ended since {@code since}; an ended run is listed as ended only. */
    public List<Run> list(Instant since) {
        Map<String, Run> runs = new LinkedHashMap<>();
        for (HistoryRecord.Decided decided : history.decisions(since)) {
            if (decided.decision().terminal()) {
                runs.putIfAbsent(decided.runId(), new Run(decided.runId(), decided.job(), Status.ENDED, decided.attempt(),
                        decided.decision().name(), decided.at().toString(), decided.reason()));
            }
        }
        for (RunTasks.RunTask task : tasks.all(DesiredStatus.RUNNING)) {
            runs.putIfAbsent(task.runId(), new Run(task.runId(), task.job(), Status.RUNNING, task.attempt(), null,
                    String.valueOf(task.task().createdAt()), "task " + RunFollower.taskId(task.task().taskArn())));
        }
        for (RunSchedules.Waiting waiting : schedules.waiting()) {
            if (runs.containsKey(waiting.runId())) {
                continue;
            }
            Optional<GetScheduleResponse> schedule = schedules.get(waiting.name());
            runs.put(waiting.runId(), new Run(waiting.runId(), schedule.map(RunsOverview::job).orElse(null),
                    Status.WAITING, waiting.attempt(), null,
                    schedule.map(GetScheduleResponse::scheduleExpression).orElse("-"), "schedule " + waiting.name()));
        }
        List<Run> list = new ArrayList<>(runs.values());
        list.sort(Comparator.comparing(Run::status).thenComparing(Run::runId));
        return list;
    }

    /**
     * One run: every attempt — as its decision record tells it (task, times, stop, containers, decision,
     * rule, the next attempt), or as ECS tells it while it runs — its outcome when it ended, what is
     * pending, and its cancel marker's reason.
     */
    public Details show(String runId, Instant since) {
        List<HistoryRecord> records = history.of(runId, since);
        Map<Integer, Map<String, Object>> attempts = new TreeMap<>();
        for (HistoryRecord record : records) {
            if (record instanceof HistoryRecord.Launched launched && launched.taskArn() != null) {
                attempts.computeIfAbsent(launched.attempt(), a -> entry(a)).put("taskArn", launched.taskArn());
            } else if (record instanceof HistoryRecord.Decided decided && decided.stop() != null
                    && !attempts.getOrDefault(decided.attempt(), Map.of()).containsKey("decision")) {
                Map<String, Object> entry = attempts.computeIfAbsent(decided.attempt(), a -> entry(a));
                AttemptStop stop = decided.stop();
                entry.put("taskArn", stop.taskArn());
                entry.put("startedAt", text(stop.startedAt()));
                entry.put("stoppedAt", text(stop.stoppedAt()));
                entry.put("stopCode", stop.stopCode());
                entry.put("stoppedReason", stop.stoppedReason());
                entry.put("containers", stop.containers().stream().map(c -> {
                    Map<String, Object> container = new LinkedHashMap<>();
                    container.put("name", c.name());
                    container.put("exitCode", c.exitCode());
                    container.put("reason", c.reason());
                    return container;
                }).toList());
                entry.put("decision", decided.decision().name());
                entry.put("rule", decided.rule());
                entry.put("reason", decided.reason());
                if (decided.next() != null) {
                    entry.put("nextAttempt", decided.next().attempt());
                    entry.put("nextAttemptAt", decided.next().at().toString());
                }
            }
        }
        for (RunTasks.RunTask task : tasks.of(runId)) {
            if (task.attempt() == null) {
                continue;
            }
            Map<String, Object> entry = attempts.computeIfAbsent(task.attempt(), a -> entry(a));
            entry.putIfAbsent("taskArn", task.task().taskArn());
            entry.put("lastStatus", task.task().lastStatus());
            entry.putIfAbsent("startedAt", text(task.task().startedAt()));
            if (!entry.containsKey("decision") && task.task().stoppedAt() != null) {
                entry.put("stoppedAt", text(task.task().stoppedAt()));
                entry.put("stopCode", task.task().stopCodeAsString());
                entry.put("stoppedReason", task.task().stoppedReason());
            }
        }
        Optional<HistoryRecord.Decided> end = RunHistory.end(records);
        List<String> pending = schedules.pending(runId).stream().filter(s -> !s.timeout())
                .map(RunSchedules.RunSchedule::name).toList();
        Status status = end.isPresent() ? Status.ENDED
                : tasks.running(runId).stream().anyMatch(t -> !t.stopping()) ? Status.RUNNING
                : !pending.isEmpty() ? Status.WAITING : null;
        Map<String, Object> outcome = end.map(d -> {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("outcome", d.decision().name());
            o.put("attempts", d.attempt());
            o.put("rule", d.rule());
            o.put("reason", d.reason());
            o.put("at", d.at().toString());
            return o;
        }).orElse(null);
        return new Details(runId, status, outcome, new ArrayList<>(attempts.values()), pending,
                schedules.cancellation(runId).map(RunCancellation::reason).orElse(null));
    }

    /** A waiting attempt's job: its schedule's input is the next start request, which names the job. */
    static String job(GetScheduleResponse schedule) {
        if (schedule.target() == null || schedule.target().input() == null) {
            return null;
        }
        try {
            return Json.parse(schedule.target().input()) instanceof Map<?, ?> request
                    && request.get("job") instanceof String job ? job : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static Map<String, Object> entry(int attempt) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("attempt", attempt);
        return entry;
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }
}
