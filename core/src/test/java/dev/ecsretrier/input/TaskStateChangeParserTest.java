package dev.ecsretrier.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.InvalidEventException;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.testutil.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TaskStateChangeParserTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The field each malformed fixture must be blamed on, and a phrase of the message; a new file needs a line. */
    private static final Map<String, List<String>> MALFORMED = Map.of(
            "not-json.txt", List.of("event", "is not JSON"),
            "missing-detail.json", List.of("detail", "detail is missing"),
            "wrong-detail-type.json", List.of("detail-type", "is 'ECS Container Instance State Change', expected 'ECS Task State Change'"),
            "detail-not-object.json", List.of("detail", "must be an object, got string 'Essential container in task exited'"),
            "missing-task-arn.json", List.of("detail.taskArn", "detail.taskArn is missing"),
            "exit-code-string.json", List.of("detail.containers[0].exitCode", "must be an integer, got string 'two'"),
            "containers-not-array.json", List.of("detail.containers", "detail.containers must be an array, got an object"),
            "empty-object.json", List.of("detail-type", "detail-type is missing"));

    static Stream<String> malformedEvents() {
        return Fixtures.malformedEvents().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedEvents")
    void malformedFixture_isAnInvalidEventNamingTheField(String file) {
        List<String> expected = MALFORMED.get(file);
        if (expected == null) {
            fail("events/malformed/" + file + " has no expectation in TaskStateChangeParserTest.MALFORMED");
        }
        InvalidEventException error = invalid(Fixtures.event("malformed/" + file));
        assertThat(error.field()).isEqualTo(expected.get(0));
        assertThat(error.getMessage()).startsWith("cannot read ECS task event: " + expected.get(0) + " ")
                .contains(expected.get(1));
    }

    @Test
    void everyMalformedExpectation_hasItsFixture() {
        assertThat(Fixtures.malformedEvents()).containsExactlyInAnyOrderElementsOf(MALFORMED.keySet());
    }

    private static InvalidEventException invalid(byte[] json) {
        Throwable thrown = null;
        try {
            TaskStateChangeParser.parse(json);
        } catch (Throwable t) {
            thrown = t;
        }
        assertThat(thrown).as("parse must fail").isNotNull();
        assertThat(thrown).as("exception type").isExactlyInstanceOf(InvalidEventException.class);
        return (InvalidEventException) thrown;
    }

    private static InvalidEventException invalid(String json) {
        return invalid(json.getBytes(StandardCharsets.UTF_8));
    }

    /** A fixture with one change to its JSON. */
    private static byte[] edited(String fixture, Consumer<ObjectNode> edit) {
        ObjectNode event = (ObjectNode) TestJson.tree(Fixtures.eventText(fixture));
        edit.accept(event);
        return TestJson.bytes(event);
    }

    private static ObjectNode detail(ObjectNode event) {
        return (ObjectNode) event.get("detail");
    }

    private static ObjectNode container(ObjectNode event, int i) {
        return (ObjectNode) detail(event).get("containers").get(i);
    }

    @Test
    void succeededFixture_isReadCompletely() {
        TaskStateChange change = Fixtures.parsed("succeeded.json");
        assertThat(change.source()).isEqualTo("aws.ecs");
        assertThat(change.clusterArn()).isEqualTo("arn:aws:ecs:us-east-1:111122223333:cluster/batch");
        assertThat(change.taskDefinitionArn()).isEqualTo("arn:aws:ecs:us-east-1:111122223333:task-definition/sample:3");
        assertThat(change.startedBy()).isEqualTo("ecs-retrier");
        assertThat(change.taskArn())
                .isEqualTo("arn:aws:ecs:us-east-1:111122223333:task/batch/fc4fbc017959a299ccede23afc8b7d2c");
        AttemptStop stop = change.stop();
        assertThat(stop.stopCode()).isEqualTo("EssentialContainerExited");
        assertThat(stop.stoppedReason()).isEqualTo("Essential container in task exited");
        assertThat(stop.containers()).containsExactly(new ContainerExit("app", 0, null));
        assertThat(stop.createdAt()).isEqualTo(Instant.parse("2025-03-14T09:10:04.318Z"));
        assertThat(stop.startedAt()).isEqualTo(Instant.parse("2025-03-14T09:10:41.127Z"));
        assertThat(stop.stoppedAt()).isEqualTo(Instant.parse("2025-03-14T09:17:36.889Z"));
        assertThat(stop.synchronous()).isFalse();
        assertThat(change.containerOverrides()).containsExactly(new ContainerOverride("app", null, List.of(
                new EnvironmentVariable("RETRIER_RUN_ID", "run-7f3a"),
                new EnvironmentVariable("RETRIER_ATTEMPT", "1"),
                new EnvironmentVariable("RETRIER_MAX_ATTEMPTS", "3"),
                new EnvironmentVariable("JOB_INPUT", "s3://example-bucket/input/2025-03-14.csv"))));
    }

    @Test
    void taskThatNeverStarted_hasNoStartTimeAndNoExitCode() {
        AttemptStop stop = Fixtures.parsed("cannot-pull-transient.json").stop();
        assertThat(stop.startedAt()).isNull();
        assertThat(stop.containers()).singleElement().satisfies(c -> {
            assertThat(c.exitCode()).isNull();
            assertThat(c.reason()).startsWith("CannotPullContainerError: pull image manifest has been retried");
        });
    }

    @Test
    void overrideWithOnlyAName_hasNoCommandAndNoEnvironment() {
        assertThat(Fixtures.parsed("multi-container-sidecar-failed.json").containerOverrides().get(0))
                .isEqualTo(new ContainerOverride("envoy", null, null));
    }

    @Test
    void exitCodeAsFloat_isRejected() {
        InvalidEventException e = invalid(edited("app-exit-1.json", ev -> container(ev, 0).put("exitCode", 1.0)));
        assertThat(e.field()).isEqualTo("detail.containers[0].exitCode");
        assertThat(e.getMessage()).contains("must be an integer, got number 1.0");
    }

    @Test
    void exitCodeBeyondAnInt_isRejected() {
        InvalidEventException e = invalid(edited("app-exit-1.json",
                ev -> container(ev, 0).put("exitCode", 4_294_967_296L)));
        assertThat(e.field()).isEqualTo("detail.containers[0].exitCode");
    }

    @Test
    void nullDetail_isMissing() {
        InvalidEventException e = invalid(edited("succeeded.json", ev -> ev.putNull("detail")));
        assertThat(e.field()).isEqualTo("detail");
        assertThat(e.getMessage()).isEqualTo("cannot read ECS task event: detail is missing");
    }

    @Test
    void runningTask_isRejected() {
        InvalidEventException e = invalid(edited("succeeded.json", ev -> detail(ev).put("lastStatus", "RUNNING")));
        assertThat(e.field()).isEqualTo("detail.lastStatus");
        assertThat(e.getMessage()).contains("is 'RUNNING', expected 'STOPPED'");
    }

    @Test
    void missingClusterArn_isRejected() {
        assertThat(invalid(edited("succeeded.json", ev -> detail(ev).remove("clusterArn"))).field())
                .isEqualTo("detail.clusterArn");
    }

    @Test
    void blankTaskArn_isRejected() {
        InvalidEventException e = invalid(edited("succeeded.json", ev -> detail(ev).put("taskArn", "  ")));
        assertThat(e.field()).isEqualTo("detail.taskArn");
        assertThat(e.getMessage()).endsWith("is empty");
    }

    @Test
    void containerWithoutName_isRejected() {
        assertThat(invalid(edited("succeeded-with-sidecar.json", ev -> container(ev, 1).remove("name"))).field())
                .isEqualTo("detail.containers[1].name");
    }

    @Test
    void containerThatIsNotAnObject_isRejected() {
        InvalidEventException e = invalid(edited("succeeded.json",
                ev -> ((ArrayNode) detail(ev).get("containers")).add("app")));
        assertThat(e.field()).isEqualTo("detail.containers[1]");
        assertThat(e.getMessage()).contains("must be an object, got string 'app'");
    }

    @Test
    void timestampThatIsNotIso_isRejected() {
        InvalidEventException e = invalid(edited("succeeded.json",
                ev -> detail(ev).put("stoppedAt", "14/03/2025 09:17")));
        assertThat(e.field()).isEqualTo("detail.stoppedAt");
        assertThat(e.getMessage()).contains("ISO-8601").contains("'14/03/2025 09:17'");
    }

    /** AWS adds and reshapes fields; one the classifier does not read (here detail.version) is not checked. */
    @Test
    void aFieldTheClassifierDoesNotRead_isNotChecked() {
        TaskStateChange change = TaskStateChangeParser.parse(
                edited("succeeded.json", ev -> detail(ev).put("version", "five")));
        assertThat(change).isEqualTo(Fixtures.parsed("succeeded.json"));
    }

    /**
     * ECS "might add other event types, sources, and details in the future" and asks readers to
     * handle unknown properties (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_cwe_events.html):
     * a field added at any depth of what the classifier reads changes nothing.
     */
    @Test
    void fieldsEcsAddsAtAnyDepth_areSkipped() {
        TaskStateChange change = TaskStateChangeParser.parse(edited("succeeded.json", ev -> {
            ev.put("new-envelope-field", "x");
            detail(ev).putObject("newDetailField").put("nested", 1);
            container(ev, 0).put("newContainerField", true);
            ((ObjectNode) detail(ev).at("/overrides")).put("newOverridesField", 1);
            ((ObjectNode) detail(ev).at("/overrides/containerOverrides/0")).put("cpu", 512);
            ((ObjectNode) detail(ev).at("/overrides/containerOverrides/0/environment/0")).put("type", "PLAIN");
        }));
        assertThat(change).isEqualTo(Fixtures.parsed("succeeded.json"));
    }

    @Test
    void environmentVariableWithoutName_isRejected() {
        assertThat(invalid(edited("succeeded.json", ev -> ((ObjectNode) detail(ev).at("/overrides/containerOverrides/0")
                .get("environment").get(3)).remove("name"))).field())
                .isEqualTo("detail.overrides.containerOverrides[0].environment[3].name");
    }

    @Test
    void commandWithANumber_isRejected() {
        InvalidEventException e = invalid(edited("succeeded.json", ev -> ((ObjectNode) detail(ev)
                .at("/overrides/containerOverrides/0")).set("command", NODES.arrayNode().add("sleep").add(5))));
        assertThat(e.field()).isEqualTo("detail.overrides.containerOverrides[0].command[1]");
    }

    @Test
    void optionalFieldsMissing_stillParse() {
        TaskStateChange change = TaskStateChangeParser.parse(edited("app-exit-1.json", ev -> {
            ObjectNode d = detail(ev);
            for (String field : List.of("stopCode", "stoppedReason", "containers", "overrides", "startedAt",
                    "createdAt", "stoppedAt", "version", "taskDefinitionArn", "startedBy")) {
                d.remove(field);
            }
            ev.remove("source");
        }));
        assertThat(change.stop().stopCode()).isNull();
        assertThat(change.stop().containers()).isEmpty();
        assertThat(change.containerOverrides()).isEmpty();
        assertThat(change.startedBy()).isNull();
    }

    @Test
    void hugeStoppedReason_isCut() {
        String huge = "CannotPullContainerError: " + "x".repeat(100_000);
        TaskStateChange change = TaskStateChangeParser.parse(edited("cannot-pull-transient.json", ev -> {
            detail(ev).put("stoppedReason", huge);
            container(ev, 0).put("reason", huge);
        }));
        assertThat(change.stop().stoppedReason()).hasSize(1027).startsWith("CannotPullContainerError: xxx").endsWith("...");
        assertThat(change.stop().containers().get(0).reason()).hasSize(1027);
    }

    @Test
    void environmentValues_areCarriedUnchanged() {
        String big = "line1\nline2 \"quoted\" ü 🚀 " + "v".repeat(5000);
        TaskStateChange change = TaskStateChangeParser.parse(edited("succeeded.json", ev -> ((ObjectNode) detail(ev)
                .at("/overrides/containerOverrides/0/environment/3")).put("value", big)));
        assertThat(change.containerOverrides().get(0).environment().get(3))
                .isEqualTo(new EnvironmentVariable("JOB_INPUT", big));
    }

    @Test
    void rootsThatAreNotObjects_areRejected() {
        for (String json : List.of("[]", "null", "42", "\"event\"", "", "   ")) {
            InvalidEventException e = invalid(json);
            assertThat(e.field()).as(json).isEqualTo("event");
            assertThat(e.getMessage()).as(json).contains("must be a JSON object");
        }
    }

    /**
     * Replaces every field of a realistic event, one at a time, by a value of every other JSON type:
     * the parser either reads the event or throws {@link InvalidEventException}; nothing else escapes.
     */
    @Test
    void everyFieldWithEveryWrongType_givesAnInvalidEventOrAParse_neverAnotherException() throws IOException {
        List<JsonNode> wrongValues = List.of(NODES.nullNode(), NODES.booleanNode(true), NODES.numberNode(-1),
                NODES.numberNode(1.5), NODES.textNode(""), NODES.textNode("x"), NODES.arrayNode(),
                NODES.arrayNode().add(1), NODES.objectNode(), NODES.numberNode(new java.math.BigInteger("9".repeat(30))));
        List<String> escaped = new ArrayList<>();
        int cases = 0;
        for (String fixture : List.of("succeeded-with-sidecar.json", "cannot-pull-not-found.json", "succeeded.json")) {
            JsonNode original = TestJson.tree(Fixtures.eventText(fixture));
            for (String pointer : pointers(original, "")) {
                for (JsonNode wrong : wrongValues) {
                    ObjectNode event = original.deepCopy();
                    replace(event, pointer, wrong);
                    cases++;
                    try {
                        TaskStateChangeParser.parse(TestJson.bytes(event));
                    } catch (InvalidEventException expected) {
                        assertThat(expected.field()).isNotBlank();
                    } catch (RuntimeException other) {
                        escaped.add(fixture + " " + pointer + " = " + wrong + ": " + other);
                    }
                }
            }
        }
        assertThat(cases).isGreaterThan(1000);
        assertThat(escaped).isEmpty();
    }

    private static List<String> pointers(JsonNode node, String at) {
        List<String> pointers = new ArrayList<>();
        if (node.isObject()) {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                String child = at + "/" + name.replace("~", "~0").replace("/", "~1");
                pointers.add(child);
                pointers.addAll(pointers(node.get(name), child));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                pointers.add(at + "/" + i);
                pointers.addAll(pointers(node.get(i), at + "/" + i));
            }
        }
        return pointers;
    }

    private static void replace(ObjectNode root, String pointer, JsonNode value) {
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = slash == 0 ? root : root.at(pointer.substring(0, slash));
        String last = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
        if (parent instanceof ObjectNode object) {
            object.set(last, value);
        } else if (parent instanceof ArrayNode array) {
            array.set(Integer.parseInt(last), value);
        }
    }

    @Test
    void errorMessages_neverEchoAHugeValue() {
        InvalidEventException e = invalid(edited("succeeded.json", ev -> container(ev, 0).put("exitCode",
                "9".repeat(10_000) + "x")));
        assertThat(e.getMessage()).hasSizeLessThan(300);
    }

    @Test
    void parsingPlainValues_isTheSameAsParsingBytes() throws IOException {
        assertThat(TaskStateChangeParser.parse((Map<?, ?>) Json.parse(Fixtures.eventText("spot-interruption.json"))))
                .isEqualTo(Fixtures.parsed("spot-interruption.json"));
        assertThatThrownBy(() -> TaskStateChangeParser.parse((Map<?, ?>) null))
                .isExactlyInstanceOf(InvalidEventException.class).hasMessageContaining("got nothing");
    }

    /** The bytes are parsed only as far as the classifier reads them: that must read what parsing everything reads. */
    @ParameterizedTest
    @MethodSource("validEvents")
    void everyEvent_readsTheSameAsWhenEveryFieldIsParsed(String file) throws IOException {
        assertThat(TaskStateChangeParser.parse(Fixtures.event(file)))
                .isEqualTo(TaskStateChangeParser.parse((Map<?, ?>) Json.parse(Fixtures.event(file))));
    }

    static Stream<String> validEvents() {
        return Fixtures.validEvents().stream();
    }
}
