package dev.ecsretrier.input;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.AttemptSummary;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.InvalidStartRequestException;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.testutil.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StartRequestReaderTest {

    private final StartRequestReader reader = new StartRequestReader(List.of("app"), 3);

    private StartRequest read(String json) {
        return reader.read(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a request that must be refused; checks the exception type and returns it. */
    private InvalidStartRequestException refused(String json) {
        Throwable thrown = null;
        try {
            read(json);
        } catch (Throwable t) {
            thrown = t;
        }
        assertThat(thrown).as("request must be refused: %s", json).isNotNull();
        assertThat(thrown).isExactlyInstanceOf(InvalidStartRequestException.class);
        InvalidStartRequestException e = (InvalidStartRequestException) thrown;
        assertThat(e.getMessage()).startsWith("invalid start request: " + e.field() + " ");
        return e;
    }

    private static String env(String name, String value) {
        return "{\"name\":\"" + name + "\",\"value\":\"" + value + "\"}";
    }

    private static String overrides(String... env) {
        return "{\"containerOverrides\":[{\"name\":\"app\",\"environment\":[" + String.join(",", env) + "]}]}";
    }

    @Test
    void emptyRequest_isTheFirstAttemptOfANewRun() {
        StartRequest request = read("{}");
        assertThat(request.runId()).isNull();
        assertThat(request.attempt()).isNull();
        assertThat(request.attemptNumber()).isEqualTo(1);
        assertThat(request.containerOverrides()).isEmpty();
        assertThat(request.history()).isEmpty();
    }

    @Test
    void fullRequest_isReadAsWritten() {
        AttemptSummary first = AttemptSummary.of(1, Fixtures.parsed("spot-interruption.json").stop(), Decision.RETRY,
                "default:infrastructure-stop");
        StartRequest written = StartRequest.of("run-7f3a", 2, List.of(new ContainerOverride("app",
                List.of("python", "job.py"), List.of(new EnvironmentVariable("JOB_INPUT", "s3://b/k.csv")))),
                List.of(first));
        assertThat(reader.read(Json.writeBytes(written))).isEqualTo(written);
    }

    @ParameterizedTest
    @ValueSource(strings = {"run-7f3a", "a", "A.b_c-9", "0123456789abcdef0123456789abcdef0123456789abcdef"})
    void validRunIds_areAccepted(String runId) {
        assertThat(read("{\"runId\":\"" + runId + "\"}").runId()).isEqualTo(runId);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-leading-dash", ".dot", "has space", "slash/in", "colon:in", "ünïcode",
            "0123456789abcdef0123456789abcdef0123456789abcdef0"})
    void invalidRunIds_areRefused(String runId) {
        InvalidStartRequestException e = refused("{\"runId\":\"" + runId + "\"}");
        assertThat(e.field()).isEqualTo("runId");
        assertThat(e.getMessage()).contains("1-48 characters");
    }

    @Test
    void overridesForAnotherContainer_areRefused() {
        InvalidStartRequestException e = refused("{\"containerOverrides\":[{\"name\":\"envoy\",\"command\":[\"sh\"]}]}");
        assertThat(e.field()).isEqualTo("containerOverrides[0].name");
        assertThat(e.getMessage()).contains("'envoy' is not the configured container 'app'");
    }

    @Test
    void overrideWithoutName_isRefused() {
        InvalidStartRequestException e = refused("{\"containerOverrides\":[{\"command\":[\"sh\"]}]}");
        assertThat(e.field()).isEqualTo("containerOverrides[0].name");
        assertThat(e.getMessage()).contains("is missing");
    }

    @Test
    void twoOverridesForOneContainer_areRefused() {
        InvalidStartRequestException e = refused("{\"containerOverrides\":[{\"name\":\"app\"},{\"name\":\"app\"}]}");
        assertThat(e.field()).isEqualTo("containerOverrides[1].name");
        assertThat(e.getMessage()).contains("'app' is overridden twice: one entry per container");
    }

    @ParameterizedTest
    @ValueSource(strings = {"RETRIER_ATTEMPT", "RETRIER_RUN_ID", "RETRIER_ANYTHING", "retrier_attempt", "Retrier_Run_Id"})
    void reservedVariableNames_inAnyCase_areRefused(String name) {
        InvalidStartRequestException e = refused(overrides(env("JOB_INPUT", "x"), env(name, "5")));
        assertThat(e.field()).isEqualTo("containerOverrides[0].environment[1].name");
        assertThat(e.getMessage()).contains("'" + name + "' is reserved");
    }

    @Test
    void duplicateVariableNames_areRefused() {
        InvalidStartRequestException e = refused(overrides(env("JOB_INPUT", "a"), env("JOB_INPUT", "b")));
        assertThat(e.field()).isEqualTo("containerOverrides[0].environment[1].name");
        assertThat(e.getMessage()).contains("'JOB_INPUT' is set twice");
    }

    @Test
    void variableWithoutValue_isRefused() {
        assertThat(refused(overrides("{\"name\":\"JOB_INPUT\"}")).field())
                .isEqualTo("containerOverrides[0].environment[0].value");
    }

    @Test
    void variableWithoutName_isRefused() {
        assertThat(refused(overrides("{\"value\":\"x\"}")).field()).isEqualTo("containerOverrides[0].environment[0].name");
    }

    @Test
    void nullCommandElement_isRefused() {
        assertThat(refused("{\"containerOverrides\":[{\"name\":\"app\",\"command\":[\"sh\",null]}]}").field())
                .isEqualTo("containerOverrides[0].command[1]");
    }

    @Test
    void oversizedRequest_isRefusedBeforeParsing() {
        String padding = "x".repeat(StartRequestReader.MAX_REQUEST_BYTES);
        InvalidStartRequestException e = refused("{\"runId\":\"" + padding + "\"}");
        assertThat(e.field()).isEqualTo("request");
        assertThat(e.getMessage()).contains("over the limit of " + StartRequestReader.MAX_REQUEST_BYTES);
        assertThat(e.getMessage()).doesNotContain("xxxxxxxxxx");
    }

    @Test
    void oversizedOverrides_areRefused() {
        InvalidStartRequestException e = refused(overrides(env("BIG", "v".repeat(StartRequestReader.MAX_OVERRIDES_CHARS))));
        assertThat(e.field()).isEqualTo("containerOverrides");
        assertThat(e.getMessage()).contains("over ECS's limit of 8192");
    }

    @Test
    void overridesJustUnderTheLimit_areAccepted() {
        String json = overrides(env("BIG", "v".repeat(8000)));
        assertThat(read(json).containerOverrides().get(0).environment().get(0).value()).hasSize(8000);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"taskRoleArn\":\"arn:aws:iam::111122223333:role/admin\"}|taskRoleArn",
            "{\"taskDefinition\":\"evil:1\"}|taskDefinition",
            "{\"overrides\":{\"taskRoleArn\":\"x\"}}|overrides",
            "{\"cluster\":\"other\"}|cluster",
            "{\"containerOverrides\":[{\"name\":\"app\",\"cpu\":4096}]}|containerOverrides[0].cpu",
            "{\"containerOverrides\":[{\"name\":\"app\",\"image\":\"evil\"}]}|containerOverrides[0].image",
            "{\"containerOverrides\":[{\"name\":\"app\",\"environment\":[{\"name\":\"A\",\"value\":\"b\",\"type\":\"x\"}]}]}"
                    + "|containerOverrides[0].environment[0].type"})
    void unknownFields_areRefusedNamingTheField(String json, String field) {
        InvalidStartRequestException e = refused(json);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).contains("is not a field a start request may set");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"attempt\":\"two\"}|attempt",
            "{\"attempt\":[2]}|attempt",
            "{\"runId\":{\"id\":1}}|runId",
            "{\"containerOverrides\":{\"name\":\"app\"}}|containerOverrides",
            "{\"containerOverrides\":[{\"name\":\"app\",\"command\":\"python job.py\"}]}|containerOverrides[0].command",
            "{\"containerOverrides\":[{\"name\":\"app\",\"environment\":[\"A=b\"]}]}|containerOverrides[0].environment[0]",
            "{\"history\":\"none\"}|history"})
    void wrongTypes_areRefusedNamingTheField(String json, String field) {
        InvalidStartRequestException e = refused(json);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).contains(field + " must be");
    }

    @Test
    void attemptAsBoolean_isRefused() {
        assertThat(refused("{\"attempt\":true}").field()).isEqualTo("attempt");
    }

    /** A float is not an attempt number; silently truncating 2.7 to 2 would launch attempt 2 again. */
    @Test
    void attemptAsFloat_isRefused() {
        assertThat(refused("{\"attempt\":2.7}").field()).isEqualTo("attempt");
    }

    @Test
    void notJson_isRefused() {
        InvalidStartRequestException e = refused("{\"runId\":");
        assertThat(e.field()).isEqualTo("request");
        assertThat(e.getMessage()).contains("is not JSON");
    }

    @Test
    void jsonNull_isRefused() {
        assertThat(refused("null").getMessage()).isEqualTo("invalid start request: request must be a JSON object, got null");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 4, 100})
    void attemptOutsideOneToMaxAttempts_isRefused(int attempt) {
        InvalidStartRequestException e = refused("{\"runId\":\"run-7f3a\",\"attempt\":" + attempt + "}");
        assertThat(e.field()).isEqualTo("attempt");
        assertThat(e.getMessage()).contains("between 1 and maxAttempts 3, got " + attempt);
    }

    @Test
    void lastAllowedAttempt_isAccepted() {
        assertThat(read("{\"runId\":\"run-7f3a\",\"attempt\":3}").attemptNumber()).isEqualTo(3);
    }

    @Test
    void historyLongerThanTheEarlierAttempts_isRefused() {
        AttemptSummary s = AttemptSummary.of(1, AttemptStop.synchronousFailure("RESOURCE:MEMORY", null,
                java.time.Instant.EPOCH), Decision.RETRY, "default:infrastructure-stop");
        InvalidStartRequestException e = refused(Json.write(StartRequest.of("run-7f3a", 2, null, List.of(s, s))));
        assertThat(e.field()).isEqualTo("history");
        assertThat(e.getMessage()).contains("has 2 entries, more than the 1 earlier attempts of attempt 2");
        assertThat(refused(Json.write(StartRequest.of("run-7f3a", null, null, List.of(s)))).field())
                .isEqualTo("history");
    }

    @Test
    void historyOfNineAttemptsWithLongReasons_fitsTheRequestLimit() {
        // The classifier writes this request into the schedule; the starter must accept it back.
        String reason = "CannotPullContainerError: " + "r".repeat(1000) + "...";
        AttemptStop stop = new AttemptStop("arn:aws:ecs:us-east-1:111122223333:task/batch/0123456789abcdef0123456789abcdef",
                "TaskFailedToStart", reason, List.of(new dev.ecsretrier.core.ContainerExit("app", null, reason)),
                java.time.Instant.EPOCH, null, java.time.Instant.EPOCH);
        List<AttemptSummary> history = java.util.stream.IntStream.rangeClosed(1, 9)
                .mapToObj(n -> AttemptSummary.of(n, stop, Decision.RETRY, "default:transient-error")).toList();
        StartRequest request = StartRequest.of("run-7f3a", 10, null, history);
        assertThat(new StartRequestReader(List.of("app"), 10).read(Json.writeBytes(request))).isEqualTo(request);
    }

    @Test
    void aLaunchSizeFargateDoesNotAccept_isRefused_evenUnderTheMemoryCap() {
        // Fargate's table pairs 256 CPU units with at most 2048 MiB; escalation only ever writes sizes from it
        StartRequestReader escalating = new StartRequestReader(List.of("app"), 3,
                new dev.ecsretrier.core.AdaptationPolicy(List.of(), 1, true, 2.0, 30720, false, List.of()));
        InvalidStartRequestException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                InvalidStartRequestException.class, () -> escalating.read(
                        "{\"launch\":{\"cpu\":\"256\",\"memory\":\"4096\"}}".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.field()).isEqualTo("launch.memory");
        assertThat(e.getMessage()).contains("cpu '256' and memory '4096' are not a task size Fargate accepts");
        assertThat(escalating.read("{\"launch\":{\"cpu\":\"512\",\"memory\":\"4096\"}}"
                .getBytes(StandardCharsets.UTF_8)).launch().size()).isEqualTo(new dev.ecsretrier.core.TaskSize(512, 4096));
    }

    /** A job whose task runs an app container and a report container, both of which a request may override. */
    @org.junit.jupiter.api.Nested
    class AJobWithTwoOverridableContainers {

        private final StartRequestReader twoContainers = new StartRequestReader(List.of("app", "report"), 3,
                dev.ecsretrier.core.AdaptationPolicy.NONE, "nightly-etl");

        private InvalidStartRequestException refusedByJob(String json) {
            InvalidStartRequestException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                    InvalidStartRequestException.class, () -> twoContainers.read(json.getBytes(StandardCharsets.UTF_8)));
            assertThat(e).as("request must be refused: %s", json).isNotNull();
            return e;
        }

        @Test
        void overridesOfEachContainer_areReadAsWritten() {
            StartRequest written = StartRequest.of("run-7f3a", 1, List.of(
                    new ContainerOverride("app", List.of("java", "-jar", "etl.jar"),
                            List.of(new EnvironmentVariable("JOB_INPUT", "s3://b/k.csv"))),
                    new ContainerOverride("report", null, List.of(new EnvironmentVariable("FORMAT", "pdf")))), null);

            assertThat(twoContainers.read(Json.writeBytes(written))).isEqualTo(written);
        }

        @Test
        void oneOfTheContainersAlone_mayBeOverridden() {
            assertThat(twoContainers.read("{\"containerOverrides\":[{\"name\":\"report\",\"command\":[\"render\"]}]}"
                    .getBytes(StandardCharsets.UTF_8)).containerOverrides()).extracting(ContainerOverride::name)
                    .containsExactly("report");
        }

        @Test
        void aContainerNotListed_isRefusedNamingTheJobTheContainerAndTheAllowedOnes() {
            InvalidStartRequestException e = refusedByJob(
                    "{\"containerOverrides\":[{\"name\":\"app\"},{\"name\":\"envoy\",\"command\":[\"sh\"]}]}");

            assertThat(e.field()).isEqualTo("containerOverrides[1].name");
            assertThat(e.getMessage()).contains("'envoy' is not one of the containers of job 'nightly-etl' that a request"
                    + " may override (app, report)");
        }

        @Test
        void anOverrideWithoutName_isRefusedNamingTheAllowedOnes() {
            assertThat(refusedByJob("{\"containerOverrides\":[{\"command\":[\"sh\"]}]}").getMessage())
                    .contains("containerOverrides[0].name is missing; it must be one of the configured containers (app, report)");
        }

        @Test
        void theSecondContainersReservedVariable_isRefusedThere() {
            InvalidStartRequestException e = refusedByJob("{\"containerOverrides\":[{\"name\":\"app\"},"
                    + "{\"name\":\"report\",\"environment\":[" + env("RETRIER_ATTEMPT", "9") + "]}]}");

            assertThat(e.field()).isEqualTo("containerOverrides[1].environment[0].name");
        }

        @Test
        void overridesOverEcssLimitTogether_areRefused_thoughEachFitsAlone() {
            String half = "v".repeat(StartRequestReader.MAX_OVERRIDES_CHARS / 2);
            InvalidStartRequestException e = refusedByJob("{\"containerOverrides\":["
                    + "{\"name\":\"app\",\"environment\":[" + env("A", half) + "]},"
                    + "{\"name\":\"report\",\"environment\":[" + env("B", half) + "]}]}");

            assertThat(e.field()).isEqualTo("containerOverrides");
            assertThat(e.getMessage()).contains("over ECS's limit of 8192");
        }
    }

    @Test
    void checkingARequestBuiltInCode_appliesTheSameRules() {
        InvalidStartRequestException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                InvalidStartRequestException.class,
                () -> reader.check(StartRequest.of("run 1", 1, null, null)));
        assertThat(e.field()).isEqualTo("runId");
    }
}
