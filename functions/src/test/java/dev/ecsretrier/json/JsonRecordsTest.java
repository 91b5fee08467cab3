package dev.ecsretrier.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.ecsretrier.core.Action;
import dev.ecsretrier.core.Budget;
import dev.ecsretrier.core.Verdict;
import dev.ecsretrier.core.Step;
import dev.ecsretrier.core.EndedAttempt;
import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.Cause;
import dev.ecsretrier.core.AttemptLaunch;
import dev.ecsretrier.core.AttemptSummary;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.FailureKind;
import dev.ecsretrier.core.LaunchAdjustment;
import dev.ecsretrier.core.TaskSize;
import dev.ecsretrier.core.RetryRule;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.handler.StartResponse;
import dev.ecsretrier.handler.StepResult;
import dev.ecsretrier.core.CapacityProviderItem;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonRecordsTest {

    static final Instant STARTED = Instant.parse("2026-11-25T15:00:00Z");
    static final Instant STOPPED = Instant.parse("2026-11-25T15:04:30.250Z");

    static final AttemptSummary FIRST = new AttemptSummary(1, "arn:aws:ecs:us-east-1:111122223333:task/batch/abc",
            "SpotInterruption", "Your Spot Task was interrupted.",
            List.of(new ContainerExit("app", null, null), new ContainerExit("sidecar", 137, "killed")),
            Decision.RETRY, "default:spot-interruption", STARTED, STOPPED, FailureKind.INFRASTRUCTURE,
            AttemptLaunch.fromTagValue("capacity=FARGATE:1:0"),
            Set.of(Cause.SPOT_INTERRUPTION));

    static final StartRequest FULL_REQUEST = new StartRequest("run-7f3a", 2,
            List.of(new ContainerOverride("app", List.of("python", "job.py"),
                    List.of(new EnvironmentVariable("MODE", "full"), new EnvironmentVariable("EMPTY", "")))),
            List.of(FIRST),
            new LaunchAdjustment(List.of(new CapacityProviderItem("FARGATE", 1, 0)), new TaskSize(1024, 4096), 1,
                    List.of("capacity: FARGATE_SPOT -> FARGATE", "subnets: rotated by 1")), "nightly-etl");

    static final RunOutcome OUTCOME = new RunOutcome("run-7f3a", Decision.RETRIES_EXHAUSTED, "run-7f3a:final", "rule-a",
            "exit 2 is retryable", 3, 3, "arn:aws:ecs:us-east-1:111122223333:cluster/batch", "sample:3",
            List.of(FIRST), RunOutcome.MetadataSource.TAGS, null, STOPPED, Budget.ATTEMPTS, "nightly-etl",
            new dev.ecsretrier.core.HistorySource(false, List.of(), List.of(1), "ThrottlingException: Rate exceeded"));

    /**
     * jackson-databind as the functions used it before jackson-jr: the contract the JSON keeps. A
     * typed value with a wire form ({@link JsonForm}: a task size as ECS's strings, a launch as its
     * tag text) is written as that form, as a {@code @JsonValue} would.
     */
    static final ObjectMapper DATABIND = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new SimpleModule().addSerializer(JsonForm.class, new StdSerializer<>(JsonForm.class) {
                @Override
                public void serialize(JsonForm value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                    provider.defaultSerializeValue(value.toJson(), gen);
                }
            }))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    @Nested
    class Writing {

        @Test
        void everyRecordTheFunctionsWrite_isWrittenAsDatabindWroteIt() throws IOException {
            StepResult step = finished();
            StartResponse response = new StartResponse("run-7f3a", 2, null,
                    new StartResponse.LaunchFailure("RunTask failed", "MISSING (arn:x)"), step);
            // The handlers' answer is the step's JSON form (a selection of it), which databind writes as a map.
            Map<String, Object> responseForm = new LinkedHashMap<>();
            responseForm.put("runId", "run-7f3a");
            responseForm.put("attempt", 2);
            responseForm.put("launchFailure", response.launchFailure());
            responseForm.put("step", step.toJson());
            RetryRule rule = new RetryRule("r", "TaskFailedToStart", "*pull*", null, "app", List.of(1, 2), Action.RETRY);
            for (Object[] value : List.of(new Object[] {FULL_REQUEST, FULL_REQUEST}, new Object[] {OUTCOME, OUTCOME},
                    new Object[] {step, step.toJson()}, new Object[] {response, responseForm},
                    new Object[] {FIRST, FIRST},
                    new Object[] {rule, rule},
                    new Object[] {Map.of("message", "attempt ended", "step", step),
                            Map.of("message", "attempt ended", "step", step.toJson())})) {
                assertThat(TestJson.tree(Json.write(value[0]))).as(value[0].getClass().getSimpleName())
                        .isEqualTo(TestJson.tree(DATABIND.writeValueAsString(value[1])));
            }
        }

        @Test
        void aFinishedStepIsAnsweredWithItsFields_andNeverTheOverrides() throws IOException {
            var answer = TestJson.tree(Json.write(finished()));
            assertThat(answer.fieldNames()).toIterable().containsExactly("runId", "attempt", "taskArn", "decision",
                    "rule", "reason", "metadataSource", "outcome", "note");
            assertThat(answer.get("reason").asText()).isEqualTo("exit 2 is retryable");
            assertThat(Json.write(finished())).doesNotContain("s3cr3t");
        }

        /** A run that ended after its third attempt, from a task whose overrides held a secret. */
        private StepResult finished() {
            AttemptStop stop = new AttemptStop("arn:task", "EssentialContainerExited", "Essential container in task exited",
                    List.of(new ContainerExit("app", 2, null)), STARTED, STARTED, STOPPED);
            EndedAttempt ended = new EndedAttempt(AttemptMetadata.of("run-7f3a", 3, 3, List.of(FIRST)), stop,
                    List.of(new ContainerOverride("app", null, List.of(new EnvironmentVariable("TOKEN", "s3cr3t")))),
                    "arn:aws:ecs:us-east-1:111122223333:cluster/batch", "sample:3", RunOutcome.MetadataSource.EVENT,
                    "a note", null);
            Verdict verdict = Verdict.byUserRule("rule-a", Action.RETRY, "exit 2 is retryable", FailureKind.APPLICATION,
                    Set.of());
            return new StepResult(new Step.Finish(ended, verdict, OUTCOME), false);
        }

        @Test
        void nullFieldsAreLeftOut_emptyListsAreKept_andFieldsKeepTheirDeclarationOrder() {
            assertThat(Json.write(StartRequest.of("run-1", null, null, List.of())))
                    .isEqualTo("{\"runId\":\"run-1\",\"containerOverrides\":[],\"history\":[]}");
        }

        @Test
        void aLaunchAdjustmentIsWrittenByItsComponentsOnly() {
            assertThat(TestJson.tree(Json.write(LaunchAdjustment.NONE)).fieldNames()).toIterable()
                    .containsExactly("changes");
        }

        @Test
        void instantsAreIsoText_andEnumsTheirNames() {
            assertThat(Json.write(List.of(STOPPED, Decision.RETRY))).isEqualTo("[\"2026-11-25T15:04:30.250Z\",\"RETRY\"]");
        }

        @Test
        void aValueThatIsNotARecordCollectionMapOrScalar_isRefused() {
            assertThatThrownBy(() -> Json.write(new Object()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
        }
    }

    @Nested
    class Reading {

        @Test
        void whatIsWritten_readsBackEqual() throws IOException {
            assertThat(JsonRecords.fromPlain(Json.parse(Json.write(FULL_REQUEST)), StartRequest.class))
                    .isEqualTo(FULL_REQUEST);
            assertThat(JsonRecords.fromPlain(Json.parse(Json.write(OUTCOME)), RunOutcome.class)).isEqualTo(OUTCOME);
        }

        /**
         * The start request the previous version (cpu and memory as strings, each attempt's launch as
         * its tag text) wrote for {@link #FULL_REQUEST}: the typed version writes the same bytes and
         * reads them to the same value, so schedules created before an upgrade still start.
         */
        static final String PREVIOUS_FULL_REQUEST = "{\"runId\":\"run-7f3a\",\"attempt\":2,\"containerOverrides\":["
                + "{\"name\":\"app\",\"command\":[\"python\",\"job.py\"],\"environment\":[{\"name\":\"MODE\",\"value\":"
                + "\"full\"},{\"name\":\"EMPTY\",\"value\":\"\"}]}],\"history\":[{\"attempt\":1,\"taskArn\":"
                + "\"arn:aws:ecs:us-east-1:111122223333:task/batch/abc\",\"stopCode\":\"SpotInterruption\",\"stoppedReason\":"
                + "\"Your Spot Task was interrupted.\",\"containers\":[{\"name\":\"app\"},{\"name\":\"sidecar\",\"exitCode\":137,"
                + "\"reason\":\"killed\"}],\"decision\":\"RETRY\",\"rule\":\"default:spot-interruption\",\"startedAt\":"
                + "\"2026-11-25T15:00:00Z\",\"stoppedAt\":\"2026-11-25T15:04:30.250Z\",\"kind\":\"INFRASTRUCTURE\",\"launch\":"
                + "\"capacity=FARGATE:1:0\",\"causes\":[\"SPOT_INTERRUPTION\"]}],\"launch\":{\"capacityProviderStrategy\":"
                + "[{\"capacityProvider\":\"FARGATE\",\"weight\":1,\"base\":0}],\"cpu\":\"1024\",\"memory\":\"4096\","
                + "\"subnetOffset\":1,\"changes\":[\"capacity: FARGATE_SPOT -> FARGATE\",\"subnets: rotated by 1\"]},"
                + "\"job\":\"nightly-etl\"}";

        @Test
        void aRequestThePreviousVersionWrote_readsToTheSameTypedValue_andIsWrittenByteForByte() throws IOException {
            StartRequest read = JsonRecords.fromPlain(Json.parse(PREVIOUS_FULL_REQUEST), StartRequest.class);

            assertThat(read).isEqualTo(FULL_REQUEST);
            assertThat(read.launch().size()).isEqualTo(new TaskSize(1024, 4096));
            assertThat(read.history().get(0).launch().capacityProviderStrategy())
                    .containsExactly(new CapacityProviderItem("FARGATE", 1, 0));
            assertThat(Json.write(read)).isEqualTo(PREVIOUS_FULL_REQUEST);
        }

        @Test
        void anEmptyLaunchText_isAnAttemptLaunchedAsConfigured() throws IOException {
            AttemptSummary summary = JsonRecords.fromPlain(Json.parse("{\"attempt\":1,\"launch\":\"\"}"),
                    AttemptSummary.class);
            assertThat(summary.launch()).isNull();
        }

        @ParameterizedTest(name = "{0} -> {1}: {2}")
        @CsvSource(delimiter = '|', value = {
                "{\"launch\":{\"cpu\":\"abc\",\"memory\":\"4096\"}}|launch.cpu|must be a positive whole number as a string (\"1024\"), got 'abc'",
                "{\"launch\":{\"cpu\":\"1024\",\"memory\":\"4 GB\"}}|launch.memory|must be a positive whole number as a string (\"1024\"), got '4 GB'",
                "{\"launch\":{\"cpu\":\"1024\"}}|launch.memory|is missing: cpu and memory are set together",
                "{\"launch\":{\"memory\":\"4096\"}}|launch.cpu|is missing: memory and cpu are set together",
                "{\"launch\":{\"cpu\":\"-1\",\"memory\":\"4096\"}}|launch.cpu|must be a positive whole number as a string (\"1024\"), got '-1'",
                "{\"launch\":{\"cpu\":1024,\"memory\":\"4096\"}}|launch.cpu|must be a string, got number 1024",
                "{\"history\":[{\"launch\":\"capacity=FARGATE\"}]}|history[0].launch|is not a valid AttemptLaunch: capacity item 'FARGATE' is not provider:weight:base",
                "{\"history\":[{\"launch\":\"cpu=1024 memory=x\"}]}|history[0].launch|is not a valid AttemptLaunch: memory must be a positive whole number as a string (\"1024\"), got 'x'"})
        void aBadTaskSizeOrLaunch_isNamedWithItsField(String json, String path, String problem) throws IOException {
            JsonBindingException e = refused(json, StartRequest.class);
            assertThat(e.path()).isEqualTo(path);
            assertThat(e.problem()).isEqualTo(problem);
        }

        @Test
        void aFieldALaunchDoesNotHave_isNamedAsTheLaunchAdjustments() throws IOException {
            JsonBindingException e = refused("{\"launch\":{\"subnets\":[\"subnet-a\"]}}", StartRequest.class);
            assertThat(e.path()).isEqualTo("launch.subnets");
            assertThat(e.problem()).isEqualTo("is not a field of LaunchAdjustment");
            assertThat(e.knownFields()).containsExactly("capacityProviderStrategy", "cpu", "memory", "subnetOffset", "changes");
        }

        @Test
        void whatDatabindWrites_readsBackEqual() throws IOException {
            assertThat(JsonRecords.fromPlain(Json.parse(DATABIND.writeValueAsString(FULL_REQUEST)), StartRequest.class))
                    .isEqualTo(FULL_REQUEST);
        }

        @Test
        void anAbsentFieldIsNull_andAnAbsentPrimitiveIsZero() throws IOException {
            AttemptSummary summary = JsonRecords.fromPlain(Json.parse("{\"taskArn\":\"t\"}"), AttemptSummary.class);
            assertThat(summary.attempt()).isZero();
            assertThat(summary.decision()).isNull();
            assertThat(summary.taskArn()).isEqualTo("t");
        }

        @Test
        void nullElementsOfAListAreKept_forTheCallerToNameThem() throws IOException {
            ContainerOverride override = JsonRecords.fromPlain(
                    Json.parse("{\"name\":\"app\",\"command\":[\"a\",null]}"), ContainerOverride.class);
            assertThat(override.command()).containsExactly("a", null);
        }

        @Test
        void anUnknownField_isNamedWithThePathAndTheKnownFields() throws IOException {
            JsonBindingException e = refused("{\"containerOverrides\":[{\"name\":\"app\",\"cpu\":512}]}",
                    StartRequest.class);
            assertThat(e.path()).isEqualTo("containerOverrides[0].cpu");
            assertThat(e.unknownField()).isTrue();
            assertThat(e.knownFields()).containsExactly("name", "command", "environment");
        }

        /** AWS's events gain fields: read with SKIPPED, a field the record lacks is passed over at any depth. */
        @Test
        void withUnknownFieldsSkipped_aFieldTheRecordLacksIsPassedOverAtAnyDepth() throws IOException {
            Object plain = Json.parse("{\"runId\":\"run-1\",\"addedByAws\":{\"x\":[1]},"
                    + "\"containerOverrides\":[{\"name\":\"app\",\"cpu\":512,"
                    + "\"environment\":[{\"name\":\"A\",\"value\":\"1\",\"type\":\"plain\"}]}]}");

            assertThat(JsonRecords.fromPlain(plain, StartRequest.class, JsonRecords.UnknownFields.SKIPPED))
                    .isEqualTo(StartRequest.of("run-1", null, List.of(new ContainerOverride("app", null,
                            List.of(new EnvironmentVariable("A", "1")))), List.of()));
            assertThat(refused(Json.write(plain), StartRequest.class).path()).as("the default refuses it")
                    .isEqualTo("addedByAws");
        }

        @Test
        void withUnknownFieldsSkipped_theFieldsTheRecordHasAreStillChecked() throws IOException {
            JsonBindingException e = assertThrowsBinding(() -> JsonRecords.fromPlain(
                    Json.parse("{\"new\":1,\"containerOverrides\":[{\"name\":\"app\",\"command\":[\"a\",2]}]}"),
                    StartRequest.class, JsonRecords.UnknownFields.SKIPPED));
            assertThat(e.path()).isEqualTo("containerOverrides[0].command[1]");
            assertThat(e.problem()).isEqualTo("must be a string, got number 2");
        }

        @ParameterizedTest(name = "{0} -> {1}: {2}")
        @CsvSource(delimiter = '|', value = {
                "{\"attempt\":\"2\"}|attempt|must be an integer, got string '2'",
                "{\"attempt\":2.0}|attempt|must be an integer, got number 2.0",
                "{\"attempt\":2.7}|attempt|must be an integer, got number 2.7",
                "{\"attempt\":3000000000}|attempt|must be an integer, got number 3000000000",
                "{\"attempt\":true}|attempt|must be an integer, got boolean true",
                "{\"runId\":7}|runId|must be a string, got number 7",
                "{\"history\":{}}|history|must be an array, got an object",
                "{\"history\":[{\"attempt\":null}]}|history[0].attempt|must be an integer, got null",
                "{\"history\":[{\"decision\":\"retry\"}]}|history[0].decision|must be one of [SUCCEEDED, RETRY, FAILED, RETRIES_EXHAUSTED, CANCELLED], got string 'retry'",
                "{\"history\":[{\"stoppedAt\":\"yesterday\"}]}|history[0].stoppedAt|must be an ISO-8601 UTC timestamp, got string 'yesterday'",
                "{\"history\":[{\"stoppedAt\":1764082800}]}|history[0].stoppedAt|must be an ISO-8601 UTC timestamp, got number 1764082800",
                "{\"launch\":[]}|launch|must be an object, got an array",
                "{\"launch\":{\"subnetOffset\":\"1\"}}|launch.subnetOffset|must be an integer, got string '1'",
                "{\"containerOverrides\":[{\"environment\":[{\"name\":1}]}]}|containerOverrides[0].environment[0].name|must be a string, got number 1"})
        void aWrongType_isNamedWithItsPath_andNeverCoerced(String json, String path, String problem) throws IOException {
            JsonBindingException e = refused(json, StartRequest.class);
            assertThat(e.path()).isEqualTo(path);
            assertThat(e.problem()).isEqualTo(problem);
            assertThat(e.unknownField()).isFalse();
        }

        @Test
        void aConstructorThatRefusesItsArguments_isNamedWithThePath() throws IOException {
            JsonBindingException e = assertThrowsBinding(() ->
                    JsonRecords.listFromPlain(Json.parse("[{\"exitCodes\":[2]}]"), RetryRule.class));
            assertThat(e.path()).isEqualTo("[0]");
            assertThat(e.problem()).isEqualTo("is not a valid RetryRule: action is missing");
        }

        /** An object keyed by names the record does not fix, as SQS's MessageAttributes. */
        record ByName(Map<String, CapacityProviderItem> items) {
        }

        @Test
        void aMapOfRecords_readsEachValueAtItsKey_inTheOrderGiven() throws IOException {
            assertThat(JsonRecords.fromPlain(Json.parse("{\"items\":{\"b\":{\"capacityProvider\":\"FARGATE\"},"
                    + "\"a\":{\"capacityProvider\":\"FARGATE_SPOT\",\"weight\":2}}}"), ByName.class).items())
                    .containsExactly(Map.entry("b", new CapacityProviderItem("FARGATE", null, null)),
                            Map.entry("a", new CapacityProviderItem("FARGATE_SPOT", 2, null)));
            JsonBindingException e = refused("{\"items\":{\"a\":{\"weight\":\"2\"}}}", ByName.class);
            assertThat(e.path()).isEqualTo("items.a.weight");
            assertThat(e.problem()).isEqualTo("must be an integer, got string '2'");
            assertThat(refused("{\"items\":[]}", ByName.class).problem()).isEqualTo("must be an object, got an array");
        }

        @Test
        void aListOfRecords_readsEachElementAtItsIndex() throws IOException {
            assertThat(JsonRecords.listFromPlain(Json.parse("[{\"capacityProvider\":\"FARGATE\",\"weight\":1}]"),
                    CapacityProviderItem.class)).containsExactly(new CapacityProviderItem("FARGATE", 1, null));
            JsonBindingException e = assertThrowsBinding(() -> JsonRecords.listFromPlain(
                    Json.parse("[{\"capacityProvider\":\"FARGATE\"},{\"provider\":\"X\"}]"), CapacityProviderItem.class));
            assertThat(e.path()).isEqualTo("[1].provider");
        }
    }

    @Nested
    class Text {

        @Test
        void aDuplicateKey_isNotJson() {
            assertThatThrownBy(() -> Json.parse("{\"attempt\":1,\"attempt\":2}"))
                    .isInstanceOf(IOException.class).hasMessageContaining("Duplicate key");
        }

        @Test
        void objectsKeepTheirOrder_andNumbersTheirExactValue() throws IOException {
            Object plain = Json.parse("{\"b\":2.70,\"a\":12345678901,\"c\":[1,\"x\",null,false]}");
            assertThat(List.<Object>copyOf(((Map<?, ?>) plain).keySet())).containsExactly("b", "a", "c");
            assertThat(Json.write(plain)).isEqualTo("{\"b\":2.70,\"a\":12345678901,\"c\":[1,\"x\",null,false]}");
        }

        @Test
        void describingAValue_namesItsKindForErrors() {
            assertThat(Arrays.asList(null, "x".repeat(50), 2.5, true, List.of(), Map.of()))
                    .extracting(JsonRecords::describe)
                    .containsExactly("null", "string '" + "x".repeat(40) + "...'", "number 2.5", "boolean true",
                            "an array", "an object");
        }
    }

    private static JsonBindingException refused(String json, Class<?> type) throws IOException {
        Object plain = Json.parse(json);
        return assertThrowsBinding(() -> JsonRecords.fromPlain(plain, type));
    }

    private static JsonBindingException assertThrowsBinding(ThrowingCall call) {
        try {
            call.run();
        } catch (JsonBindingException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected a JsonBindingException, got " + e, e);
        }
        throw new AssertionError("expected a JsonBindingException, nothing was thrown");
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }
}
