package dev.ecsretrier.local.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.local.LocalJson;
import dev.ecsretrier.local.scheduler.LocalScheduler;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.ScheduledAttempt;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EventBridge Scheduler {@code CreateSchedule} ({@code POST /schedules/{Name}}) and
 * {@code DeleteSchedule} ({@code DELETE /schedules/{Name}?groupName=}) over the local scheduler, in
 * Scheduler's REST-JSON protocol; errors as its modeled exceptions ({@code x-amzn-ErrorType}):
 * ConflictException 409, ResourceNotFoundException 404, ValidationException 400.
 *
 * <p>One-time {@code at(...)} schedules only, which is what the retrier creates; they are deleted
 * once they fired, as with {@code ActionAfterCompletion=DELETE}.
 */
final class SchedulerApi implements AwsApi {

    static final Pattern SCHEDULE = Pattern.compile("/schedules/([^/]+)/?");
    /** https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html: Name and GroupName. */
    static final Pattern NAME = Pattern.compile("[0-9a-zA-Z\\-_.]{1,64}");
    /** {@code at(yyyy-mm-ddThh:mm:ss)}, in ScheduleExpressionTimezone (UTC by default). */
    static final Pattern AT = Pattern.compile("at\\((\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2})\\)");
    static final String DEFAULT_GROUP = "default";

    private final LocalScheduler scheduler;
    private final Set<String> groups;
    private final String region;
    private final String account;
    private final Consumer<String> log;

    /** @param group the retrier's schedule group; it and {@code default} exist */
    SchedulerApi(LocalScheduler scheduler, String group, String region, String account, Consumer<String> log) {
        this.scheduler = scheduler;
        this.groups = Set.copyOf(java.util.List.of(DEFAULT_GROUP, group));
        this.region = region;
        this.account = account;
        this.log = log;
    }

    @Override
    public Optional<WireResponse> answer(WireRequest request) {
        Matcher path = SCHEDULE.matcher(request.rawPath());
        if (!path.matches() || request.header("X-Amz-Target").isPresent()) {
            return Optional.empty();
        }
        String name = URLDecoder.decode(path.group(1), StandardCharsets.UTF_8);
        return switch (request.method()) {
            case "POST" -> Optional.of(create(name, request));
            case "DELETE" -> Optional.of(delete(name, request.query().getOrDefault("groupName", DEFAULT_GROUP)));
            default -> Optional.of(error(400, "ValidationException", "Scheduler " + request.method() + " " + request.rawPath()
                    + " is not served locally; only CreateSchedule and DeleteSchedule"));
        };
    }

    private WireResponse create(String name, WireRequest request) {
        JsonNode body;
        try {
            body = LocalJson.tree(request.body());
        } catch (IOException e) {
            return error(400, "ValidationException", RequestLimits.describe(e));
        }
        if (body == null || !body.isObject()) {
            return error(400, "ValidationException", "request body must be a JSON object");
        }
        String group = body.path("GroupName").asText(DEFAULT_GROUP);
        if (!NAME.matcher(name).matches()) {
            return error(400, "ValidationException", "Name '" + name + "' must be 1 to 64 characters of [0-9a-zA-Z-_.]");
        }
        if (!groups.contains(group)) {
            return groupNotFound("create-schedule", group);
        }
        JsonNode target = body.path("Target");
        if (!target.path("Arn").isTextual() || !target.path("RoleArn").isTextual()) {
            return error(400, "ValidationException", "Target.Arn and Target.RoleArn are required");
        }
        if (!body.path("FlexibleTimeWindow").path("Mode").isTextual()) {
            return error(400, "ValidationException", "FlexibleTimeWindow.Mode is required");
        }
        String expression = body.path("ScheduleExpression").asText("");
        Matcher at = AT.matcher(expression);
        if (!at.matches()) {
            return error(400, "ValidationException", "ScheduleExpression '" + expression
                    + "': only one-time at(yyyy-mm-ddThh:mm:ss) schedules are served locally");
        }
        java.time.Instant when;
        try {
            when = LocalDateTime.parse(at.group(1))
                    .atZone(ZoneId.of(body.path("ScheduleExpressionTimezone").asText("UTC"))).toInstant();
        } catch (DateTimeException e) {
            return error(400, "ValidationException", "ScheduleExpression '" + expression + "' or its time zone is not valid: "
                    + e.getMessage());
        }
        // A disabled schedule never fires (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-state.html):
        // retrier cancel's marker is one.
        AttemptScheduler.Result result = "DISABLED".equals(body.path("State").asText("ENABLED"))
                ? scheduler.createDisabled(name, body.path("Description").asText(""))
                : scheduler.schedule(new ScheduledAttempt(name, when, target.path("Input").asText(""),
                        target.path("Arn").asText()));
        if (result == AttemptScheduler.Result.ALREADY_SCHEDULED) {
            log.accept("scheduler create-schedule " + name + ": ConflictException: it exists");
            return error(409, "ConflictException", "Schedule " + name + " already exists.");
        }
        log.accept("scheduler create-schedule " + name + ": " + expression + " -> " + target.path("Arn").asText());
        ObjectNode response = LocalJson.MAPPER.createObjectNode();
        response.put("ScheduleArn", "arn:aws:scheduler:" + region + ":" + account + ":schedule/" + group + "/" + name);
        return new WireResponse(200, "application/json", Map.of(), LocalJson.writeBytes(response));
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
        ObjectNode error = LocalJson.MAPPER.createObjectNode();
        error.put("Message", message);
        return new WireResponse(status, "application/json", Map.of("x-amzn-ErrorType", type), LocalJson.writeBytes(error));
    }
}
