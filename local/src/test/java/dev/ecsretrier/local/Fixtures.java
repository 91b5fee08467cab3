package dev.ecsretrier.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.local.emulator.LocalSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The ECS event fixtures of core/ and small builders the tests share. */
public final class Fixtures {

    /** Maven runs the tests in the module's folder. */
    public static final Path EVENTS = Path.of("..", "core", "src", "test", "resources", "events");

    private Fixtures() {
    }

    public static Path event(String name) {
        return EVENTS.resolve(name);
    }

    public static ObjectNode eventJson(String name) {
        try {
            return (ObjectNode) JsonTrees.tree(Files.readString(event(name)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture event as if the local ECS had emitted it: the local cluster, the given run. */
    public static ObjectNode localEvent(String name, String runId) {
        ObjectNode event = eventJson(name);
        ObjectNode detail = (ObjectNode) event.get("detail");
        detail.put("clusterArn", LocalSettings.CLUSTER_ARN);
        for (JsonNode override : detail.path("overrides").path("containerOverrides")) {
            for (JsonNode variable : override.path("environment")) {
                if (variable.path("name").asText().equals("RETRIER_RUN_ID")) {
                    ((ObjectNode) variable).put("value", runId);
                }
            }
        }
        return event;
    }

    /** A start request for sample-task with these environment variables (name, value, name, value...). */
    public static StartRequest sampleTask(String runId, String... nameValues) {
        List<EnvironmentVariable> environment = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            environment.add(new EnvironmentVariable(nameValues[i], nameValues[i + 1]));
        }
        return StartRequest.of(runId, null, environment.isEmpty() ? List.of()
                : List.of(new ContainerOverride(LocalSettings.CONTAINER_NAME, null, environment)), null);
    }

    /** The lines of a JSON-lines file, parsed. */
    public static List<JsonNode> jsonLines(Path file) {
        try {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                lines.add(JsonTrees.tree(line));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
