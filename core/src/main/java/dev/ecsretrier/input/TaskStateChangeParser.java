package dev.ecsretrier.input;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.InvalidEventException;
import dev.ecsretrier.core.TaskSize;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.rule.StoppedTaskPattern;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Reads an EventBridge {@code ECS Task State Change} event for a STOPPED task. Every problem is an
 * {@link InvalidEventException} naming the field; nothing else escapes.
 */
public final class TaskStateChangeParser {

    private static final JsonFields FIELDS = new JsonFields(InvalidEventException::new);

    private TaskStateChangeParser() {
    }

    public static TaskStateChange parse(byte[] json) {
        Object root;
        try {
            root = Json.parse(json);
        } catch (JsonProcessingException e) {
            if (new String(json, StandardCharsets.UTF_8).isBlank()) {
                throw new InvalidEventException("event", "must be a JSON object, got nothing", e);
            }
            throw new InvalidEventException("event", "is not JSON: " + e.getOriginalMessage(), e);
        }
        if (!(root instanceof Map<?, ?> event)) {
            throw new InvalidEventException("event", "must be a JSON object, got " + JsonFields.kind(root));
        }
        return parse(event);
    }

    /** Reads an event already parsed to plain values ({@link Json#parse}). */
    public static TaskStateChange parse(Map<?, ?> root) {
        if (root == null) {
            throw new InvalidEventException("event", "must be a JSON object, got nothing");
        }
        String detailType = FIELDS.text(root, "detail-type", "detail-type");
        if (!StoppedTaskPattern.DETAIL_TYPE.equals(detailType)) {
            throw new InvalidEventException("detail-type", "is '" + detailType + "', expected '"
                    + StoppedTaskPattern.DETAIL_TYPE + "'");
        }
        String source = FIELDS.optionalText(root, "source", "source");
        Map<?, ?> detail = FIELDS.object(root, "detail", "detail");
        String lastStatus = FIELDS.text(detail, "lastStatus", "detail.lastStatus");
        if (!"STOPPED".equals(lastStatus)) {
            throw new InvalidEventException("detail.lastStatus", "is '" + lastStatus + "', expected 'STOPPED'");
        }
        String taskArn = FIELDS.text(detail, "taskArn", "detail.taskArn");
        String clusterArn = FIELDS.text(detail, "clusterArn", "detail.clusterArn");

        List<ContainerExit> containers = FIELDS.objects(detail, "containers", "detail.containers",
                (c, path) -> new ContainerExit(FIELDS.text(c, "name", path + ".name"),
                        FIELDS.optionalInt(c, "exitCode", path + ".exitCode"),
                        FIELDS.optionalText(c, "reason", path + ".reason")));

        AttemptStop stop = new AttemptStop(taskArn,
                FIELDS.optionalText(detail, "stopCode", "detail.stopCode"),
                FIELDS.optionalText(detail, "stoppedReason", "detail.stoppedReason"),
                containers,
                FIELDS.optionalInstant(detail, "createdAt", "detail.createdAt"),
                FIELDS.optionalInstant(detail, "startedAt", "detail.startedAt"),
                FIELDS.optionalInstant(detail, "stoppedAt", "detail.stoppedAt"));

        return new TaskStateChange(source, clusterArn,
                FIELDS.optionalText(detail, "taskDefinitionArn", "detail.taskDefinitionArn"),
                FIELDS.optionalText(detail, "startedBy", "detail.startedBy"),
                overrides(detail), stop,
                TaskSize.parse(FIELDS.optionalText(detail, "cpu", "detail.cpu"),
                        FIELDS.optionalText(detail, "memory", "detail.memory")));
    }

    private static List<ContainerOverride> overrides(Map<?, ?> detail) {
        Map<?, ?> overrides = FIELDS.optionalObject(detail, "overrides", "detail.overrides");
        if (overrides == null) {
            return List.of();
        }
        return FIELDS.objects(overrides, "containerOverrides", "detail.overrides.containerOverrides",
                (o, path) -> new ContainerOverride(FIELDS.text(o, "name", path + ".name"),
                        FIELDS.optionalStrings(o, "command", path + ".command"),
                        environment(o, path)));
    }

    private static List<EnvironmentVariable> environment(Map<?, ?> override, String path) {
        if (override.get("environment") == null) {
            return null;
        }
        return FIELDS.objects(override, "environment", path + ".environment",
                (v, itemPath) -> new EnvironmentVariable(FIELDS.text(v, "name", itemPath + ".name"),
                        FIELDS.exactText(v, "value", itemPath + ".value")));
    }
}
