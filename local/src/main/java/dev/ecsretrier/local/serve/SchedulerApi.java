package dev.ecsretrier.local.serve;

import dev.ecsretrier.json.Json;
import dev.ecsretrier.local.scheduler.LocalScheduler;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.ScheduledAttempt;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EventBridge Scheduler {@code CreateSchedule} ({@code POST /schedules/{Name}}), {@code GetSchedule}
 * ({@code GET /schedules/{Name}}), {@code ListSchedules} ({@code GET /schedules}) and
 * {@code DeleteSchedule} ({@code DELETE /schedules/{Name}?groupName=}) over the local scheduler, in
 * Scheduler's REST-JSON protocol; errors as its modeled exceptions ({@code x-amzn-ErrorType}):
 * ConflictException 409, ResourceNotFoundException 404, ValidationException 400.
 *
 * <p>One-time {@code at(...)} schedules only, which is what the retrier creates; they are deleted
 * once they fired, as with {@code ActionAfterCompletion=DELETE}.
 */
final class SchedulerApi implements AwsApi {

    static final Pattern SCHEDULE = Pattern.compile("/schedules/([^/]+)/?");
    static final Pattern SCHEDULES = Pattern.compile("/schedules/?");
    /** https://docs.aws.amazon.com/scheduler/latest/APIReference/API_ListSchedules.html: MaxResults 1 to 100. */
    static final int MAX_LISTED = 100;
    static final DateTimeFormatter AT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    /** https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html: Name and GroupName. */
    static final Pattern NAME = Pattern.compile("[0-9a-zA-Z\\-_.]{1,64}");
    /** {@code at(yyyy-mm-ddThh:mm:ss)}, in ScheduleExpressionTimezone (UTC by default). */
    static final Pattern AT = Pattern.compile("at\\((\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})\\)");
    static final String DEFAULT_GROUP = "default";

    private final LocalScheduler scheduler;
    private final Set<String> groups;
    /** The retrier's group: where the handlers' own schedules are. */
    private final String retrierGroup;
    private final String region;
    private final String account;
    private final Consumer<String> log;

    /** @param group the retrier's schedule group; it and {@code default} exist */
    SchedulerApi(LocalScheduler scheduler, String group, String region, String account, Consumer<String> log) {
        this.scheduler = scheduler;
        this.groups = Set.copyOf(java.util.List.of(DEFAULT_GROUP, group));
        this.retrierGroup = group;
        this.region = region;
        this.account = account;
        this.log = log;
    }

    @Override
    public Optional<WireResponse> answer(WireRequest request) {
        if (request.header("X-Amz-Target").isPresent()) {
            return Optional.empty();
        }
        if (SCHEDULES.matcher(request.rawPath()).matches() && "GET".equals(request.method())) {
            return Optional.of(list(request.query()));
        }
        Matcher path = SCHEDULE.matcher(request.rawPath());
        if (!path.matches()) {
            return Optional.empty();
        }
        String name = URLDecoder.decode(path.group(1), StandardCharsets.UTF_8);
        return switch (request.method()) {
            case "POST" -> Optional.of(create(name, request));
            case "GET" -> Optional.of(get(name, request.query().getOrDefault("groupName", DEFAULT_GROUP)));
            case "DELETE" -> Optional.of(delete(name, request.query().getOrDefault("groupName", DEFAULT_GROUP)));
            default -> Optional.of(error(400, "ValidationException", "Scheduler " + request.method() + " " + request.rawPath()
                    + " is not served locally; only CreateSchedule, GetSchedule, ListSchedules and DeleteSchedule"));
        };
    }

    /**
     * CreateSchedule's body, the members the local scheduler reads
     * (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html); the others
     * (ActionAfterCompletion, ClientToken, Target.RetryPolicy, ...) are skipped.
     */
    record CreateScheduleBody(String GroupName, String ScheduleExpression, String ScheduleExpressionTimezone,
                              FlexibleTimeWindow FlexibleTimeWindow, Target Target, String State, String Description) {

        record FlexibleTimeWindow(String Mode, Integer MaximumWindowInMinutes) {
        }

        record Target(String Arn, String RoleArn, String Input) {
        }
    }

    // The answers, written by the functions' one writer: a null member is left out. REST-JSON
    // timestamps are epoch seconds.

    /** API_CreateSchedule.html */
    record CreateScheduleAnswer(String ScheduleArn) {
    }

    /** API_ScheduleSummary.html, API_TargetSummary.html */
    record ScheduleSummary(String Arn, double CreationDate, String GroupName, double LastModificationDate, String Name,
                           String State, TargetSummary Target) {
        record TargetSummary(String Arn) {
        }
    }

    /** API_ListSchedules.html */
    record ListSchedulesAnswer(java.util.List<ScheduleSummary> Schedules, String NextToken) {
    }

    /** API_GetSchedule.html */
    record GetScheduleAnswer(String ActionAfterCompletion, String Arn, double CreationDate,
                             CreateScheduleBody.FlexibleTimeWindow FlexibleTimeWindow, String GroupName,
                             double LastModificationDate, String Name, String ScheduleExpression,
                             String ScheduleExpressionTimezone, String State, String Description,
                             CreateScheduleBody.Target Target) {
    }

    /** REST-JSON's error body: the text in Message (the type is in {@code x-amzn-ErrorType}). */
    record ErrorAnswer(String Message) {
    }

    private WireResponse create(String name, WireRequest request) {
        CreateScheduleBody body;
        try {
            body = WireBody.read(request.body(), CreateScheduleBody.class);
        } catch (WireBody.Refused e) {
            return error(400, "ValidationException", e.getMessage());
        }
        String group = body.GroupName() == null ? DEFAULT_GROUP : body.GroupName();
        if (!NAME.matcher(name).matches()) {
            return error(400, "ValidationException", "Name '" + name + "' must be 1 to 64 characters of [0-9a-zA-Z-_.]");
        }
        if (!groups.contains(group)) {
            return groupNotFound("create-schedule", group);
        }
        CreateScheduleBody.Target target = body.Target();
        if (target == null || target.Arn() == null || target.RoleArn() == null) {
            return error(400, "ValidationException", "Target.Arn and Target.RoleArn are required");
        }
        if (body.FlexibleTimeWindow() == null || body.FlexibleTimeWindow().Mode() == null) {
            return error(400, "ValidationException", "FlexibleTimeWindow.Mode is required");
        }
        String expression = body.ScheduleExpression() == null ? "" : body.ScheduleExpression();
        Matcher at = AT.matcher(expression);
        if (!at.matches()) {
            return error(400, "ValidationException", "ScheduleExpression '" + expression
                    + "': only one-time at(yyyy-mm-ddThh:mm:ss) schedules are served locally");
        }
        java.time.Instant when;
        try {
            when = LocalDateTime.parse(at.group(1)).atZone(ZoneId.of(body.ScheduleExpressionTimezone() == null
                    ? "UTC" : body.ScheduleExpressionTimezone())).toInstant();
        } catch (DateTimeException e) {
            return error(400, "ValidationException", "ScheduleExpression '" + expression + "' or its time zone is not valid: "
                    + e.getMessage());
        }
        // A disabled schedule never fires (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-state.html):
        // retrier cancel's marker is one.
        ScheduledAttempt attempt = new ScheduledAttempt(name, when, target.Input() == null ? "" : target.Input(),
                target.Arn());
        AttemptScheduler.Result result = "DISABLED".equals(body.State())
                ? scheduler.createDisabled(attempt, group, body.Description() == null ? "" : body.Description())
                : scheduler.create(attempt, group);
        if (result == AttemptScheduler.Result.ALREADY_SCHEDULED) {
            log.accept("scheduler create-schedule " + name + ": ConflictException: it exists");
            return error(409, "ConflictException", "Schedule " + name + " already exists.");
        }
        log.accept("scheduler create-schedule " + name + ": " + expression + " -> " + target.Arn());
        return ok(new CreateScheduleAnswer(arn(group, name)));
    }

    /**
     * ListSchedules ({@code GET /schedules?ScheduleGroup=&NamePrefix=&State=&MaxResults=&NextToken=},
     * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_ListSchedules.html): the pending
     * schedules (ENABLED; a one-time schedule is deleted once it fired), by name.
     */
    private WireResponse list(Map<String, String> query) {
        String group = query.get("ScheduleGroup");
        String prefix = query.get("NamePrefix");
        String state = query.get("State");
        if (group != null && !NAME.matcher(group).matches()) {
            return error(400, "ValidationException", "ScheduleGroup '" + group + "' must be 1 to 64 characters of [0-9a-zA-Z-_.]");
        }
        if (prefix != null && !NAME.matcher(prefix).matches()) {
            return error(400, "ValidationException", "NamePrefix '" + prefix + "' must be 1 to 64 characters of [0-9a-zA-Z-_.]");
        }
        if (state != null && !state.equals("ENABLED") && !state.equals("DISABLED")) {
            return error(400, "ValidationException", "State must be ENABLED or DISABLED, got " + state);
        }
        int maxResults;
        try {
            maxResults = query.containsKey("MaxResults") ? Integer.parseInt(query.get("MaxResults")) : MAX_LISTED;
        } catch (NumberFormatException e) {
            maxResults = -1;
        }
        if (maxResults < 1 || maxResults > MAX_LISTED) {
            return error(400, "ValidationException", "MaxResults must be between 1 and " + MAX_LISTED + ", got "
                    + query.get("MaxResults"));
        }
        Optional<Integer> from = PageToken.offset(query.get("NextToken"));
        if (from.isEmpty()) {
            return error(400, "ValidationException", "NextToken is not one this endpoint returned");
        }
        java.util.List<Listed> matching = listed().stream()
                .filter(l -> group == null || group.equals(groupOf(l.schedule())))
                .filter(l -> prefix == null || l.schedule().attempt().name().startsWith(prefix))
                .filter(l -> state == null || state.equals(l.state()))
                .toList();
        java.util.List<ScheduleSummary> schedules = matching.stream().skip(from.get()).limit(maxResults).map(l -> {
            LocalScheduler.PendingSchedule s = l.schedule();
            return new ScheduleSummary(arn(groupOf(s), s.attempt().name()), epochSeconds(s.createdAt()), groupOf(s),
                    epochSeconds(s.createdAt()), s.attempt().name(), l.state(),
                    new ScheduleSummary.TargetSummary(s.attempt().target()));
        }).toList();
        String next = from.get() + maxResults < matching.size() ? PageToken.of(from.get() + maxResults) : null;
        log.accept("scheduler list-schedules: " + schedules.size() + " of " + matching.size()
                + (group == null ? "" : " in " + group) + (prefix == null ? "" : " named " + prefix + "*"));
        return ok(new ListSchedulesAnswer(schedules, next));
    }

    /**
     * GetSchedule ({@code GET /schedules/{Name}?groupName=},
     * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_GetSchedule.html): the schedule as
     * the retrier creates it (one-time, UTC, flexible window OFF, deleted after completion).
     */
    private WireResponse get(String name, String group) {
        if (!groups.contains(group)) {
            return groupNotFound("get-schedule", group);
        }
        Optional<Listed> found = listed().stream()
                .filter(l -> l.schedule().attempt().name().equals(name) && groupOf(l.schedule()).equals(group)).findFirst();
        if (found.isEmpty()) {
            log.accept("scheduler get-schedule " + name + ": ResourceNotFoundException");
            return error(404, "ResourceNotFoundException", "Schedule " + name + " does not exist.");
        }
        LocalScheduler.PendingSchedule schedule = found.get().schedule();
        String expression = "at(" + AT_TIME.format(schedule.attempt().at()) + ")";
        GetScheduleAnswer answer = new GetScheduleAnswer("DELETE", arn(group, name), epochSeconds(schedule.createdAt()),
                new CreateScheduleBody.FlexibleTimeWindow("OFF", null), group, epochSeconds(schedule.createdAt()), name,
                expression, "UTC", found.get().state(), found.get().description(),
                new CreateScheduleBody.Target(schedule.attempt().target(),
                        dev.ecsretrier.local.emulator.LocalSettings.SCHEDULER_ROLE_ARN, schedule.attempt().input()));
        log.accept("scheduler get-schedule " + name + ": " + expression);
        return ok(answer);
    }

    /** A schedule as ListSchedules and GetSchedule show it: ENABLED (pending) or DISABLED (a cancel marker). */
    private record Listed(LocalScheduler.PendingSchedule schedule, String state, String description) {
    }

    private java.util.List<Listed> listed() {
        java.util.List<Listed> all = new java.util.ArrayList<>();
        scheduler.pendingSchedules().forEach(s -> all.add(new Listed(s, "ENABLED", null)));
        scheduler.disabledSchedules().forEach(d -> all.add(new Listed(d.schedule(), "DISABLED", d.description())));
        all.sort(java.util.Comparator.comparing((Listed l) -> l.schedule().attempt().name()));
        return all;
    }

    private String groupOf(LocalScheduler.PendingSchedule schedule) {
        return schedule.group() == null ? retrierGroup : schedule.group();
    }

    private String arn(String group, String name) {
        return "arn:aws:scheduler:" + region + ":" + account + ":schedule/" + group + "/" + name;
    }

    /** REST-JSON timestamps are epoch seconds. */
    private static double epochSeconds(java.time.Instant time) {
        return time.toEpochMilli() / 1000.0;
    }

    private WireResponse delete(String name, String group) {
        if (!groups.contains(group)) {
            return groupNotFound("delete-schedule", group);
        }
        if (!scheduler.delete(name)) {
            log.accept("scheduler delete-schedule " + name + ": ResourceNotFoundException");
            return error(404, "ResourceNotFoundException", "Schedule " + name + " does not exist.");
        }
        log.accept("scheduler delete-schedule " + name + ": deleted");
        return WireResponse.of(200, "application/json", "{}");
    }

    private WireResponse groupNotFound(String operation, String group) {
        log.accept("scheduler " + operation + ": ResourceNotFoundException: group " + group);
        return error(404, "ResourceNotFoundException", "Schedule group " + group + " does not exist.");
    }

    /** REST-JSON's error shape: the modeled exception's name in {@code x-amzn-ErrorType}, the text in Message. */
    static WireResponse error(int status, String type, String message) {
        return new WireResponse(status, "application/json", Map.of("x-amzn-ErrorType", type),
                Json.writeBytes(new ErrorAnswer(message)));
    }

    private static WireResponse ok(Record answer) {
        return new WireResponse(200, "application/json", Map.of(), Json.writeBytes(answer));
    }
}
