package dev.ecsretrier.input;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.InvalidEventException;
import dev.ecsretrier.core.TaskSize;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.JsonBindingException;
import dev.ecsretrier.json.JsonRecords;
import dev.ecsretrier.rule.StoppedTaskPattern;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an EventBridge {@code ECS Task State Change} event for a STOPPED task: bound by the JSON
 * binder into {@link EcsTaskEvent}, skipping the fields it does not read, then checked. Every
 * problem is an {@link InvalidEventException} naming the field; nothing else escapes.
 */
public final class TaskStateChangeParser {

    /** Long texts are cut: ECS's own reasons are at most 255 characters. */
    static final int MAX_TEXT = 1024;

    private static final String DETAIL_TYPE = "detail-type";

    private TaskStateChangeParser() {
    }

    public static TaskStateChange parse(byte[] json) {
        Object root;
        try {
            // Only the fields EcsTaskEvent has (and the envelope's detail-type) become maps: the warm path.
            root = Json.parseReadBy(json, EcsTaskEvent.class, Set.of(DETAIL_TYPE));
        } catch (JsonProcessingException e) {
            if (new String(json, StandardCharsets.UTF_8).isBlank()) {
                throw new InvalidEventException("event", "must be a JSON object, got nothing", e);
            }
            throw new InvalidEventException("event", "is not JSON: " + e.getOriginalMessage(), e);
        }
        if (!(root instanceof Map<?, ?> event)) {
            throw new InvalidEventException("event", "must be a JSON object, got " + JsonRecords.describe(root));
        }
        return parse(event);
    }

    /** Reads an event already parsed to plain values ({@link Json#parse}). */
    public static TaskStateChange parse(Map<?, ?> root) {
        if (root == null) {
            throw new InvalidEventException("event", "must be a JSON object, got nothing");
        }
        String detailType = required(root.get(DETAIL_TYPE), DETAIL_TYPE);
        if (!StoppedTaskPattern.DETAIL_TYPE.equals(detailType)) {
            throw new InvalidEventException(DETAIL_TYPE, "is '" + detailType + "', expected '"
                    + StoppedTaskPattern.DETAIL_TYPE + "'");
        }
        EcsTaskEvent event;
        try {
            event = JsonRecords.fromPlain(root, EcsTaskEvent.class, JsonRecords.UnknownFields.SKIPPED);
        } catch (JsonBindingException e) {
            throw new InvalidEventException(e.path().isEmpty() ? "event" : e.path(), e.problem(), e);
        }
        EcsTaskEvent.Detail detail = event.detail();
        if (detail == null) {
            throw new InvalidEventException("detail", "is missing");
        }
        String lastStatus = required(detail.lastStatus(), "detail.lastStatus");
        if (!"STOPPED".equals(lastStatus)) {
            throw new InvalidEventException("detail.lastStatus", "is '" + lastStatus + "', expected 'STOPPED'");
        }
        String taskArn = required(detail.taskArn(), "detail.taskArn");
        String clusterArn = required(detail.clusterArn(), "detail.clusterArn");

        AttemptStop stop = new AttemptStop(taskArn, reported(detail.stopCode()), reported(detail.stoppedReason()),
                containers(detail.containers()), detail.createdAt(), detail.startedAt(), detail.stoppedAt());
        return new TaskStateChange(reported(event.source()), clusterArn, reported(detail.taskDefinitionArn()),
                reported(detail.startedBy()), overrides(detail.overrides()), stop,
                TaskSize.parse(reported(detail.cpu()), reported(detail.memory())));
    }

    private static List<ContainerExit> containers(List<EcsTaskEvent.Container> containers) {
        List<ContainerExit> exits = new ArrayList<>();
        for (int i = 0; containers != null && i < containers.size(); i++) {
            String path = "detail.containers[" + i + "]";
            EcsTaskEvent.Container container = present(containers.get(i), path);
            exits.add(new ContainerExit(required(container.name(), path + ".name"), container.exitCode(),
                    reported(container.reason())));
        }
        return exits;
    }

    private static List<ContainerOverride> overrides(EcsTaskEvent.Overrides overrides) {
        if (overrides == null || overrides.containerOverrides() == null) {
            return List.of();
        }
        List<ContainerOverride> checked = new ArrayList<>();
        for (int i = 0; i < overrides.containerOverrides().size(); i++) {
            String path = "detail.overrides.containerOverrides[" + i + "]";
            ContainerOverride override = present(overrides.containerOverrides().get(i), path);
            required(override.name(), path + ".name");
            for (int c = 0; override.command() != null && c < override.command().size(); c++) {
                if (override.command().get(c) == null) {
                    throw new InvalidEventException(path + ".command[" + c + "]", "must be a string, got null");
                }
            }
            for (int e = 0; override.environment() != null && e < override.environment().size(); e++) {
                String itemPath = path + ".environment[" + e + "]";
                // The value is carried on unchanged (never cut): it is the next attempt's environment.
                required(present(override.environment().get(e), itemPath).name(), itemPath + ".name");
            }
            checked.add(override);
        }
        return checked;
    }

    /** A text that must be there and not blank. */
    private static String required(Object value, String path) {
        if (value != null && !(value instanceof String)) {
            throw new InvalidEventException(path, "must be a string, got " + JsonRecords.describe(value));
        }
        String text = reported((String) value);
        if (text == null || text.isBlank()) {
            throw new InvalidEventException(path, text == null ? "is missing" : "is empty");
        }
        return text;
    }

    /** A list element that must not be null. */
    private static <T> T present(T element, String path) {
        if (element == null) {
            throw new InvalidEventException(path, "must be an object, got null");
        }
        return element;
    }

    /** A text that is reported, not carried: cut to {@link #MAX_TEXT}. */
    private static String reported(String text) {
        return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "...";
    }
}
