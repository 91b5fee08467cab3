package dev.ecsretrier.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ecsretrier.core.InvalidStartRequestException;
import dev.ecsretrier.handler.ClassifierHandler;
import dev.ecsretrier.handler.StarterHandler;
import dev.ecsretrier.port.DescribedTask;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.port.LaunchResult;
import dev.ecsretrier.core.InvalidEventException;
import dev.ecsretrier.handler.RunTaskUnavailableException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.TestJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The starter must not become a way to run arbitrary work, and secrets must not leak into logs. */
class StarterSecurityTest {

    private static final String STARTER = "arn:aws:lambda:us-east-1:111122223333:function:starter:live";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);
    private final InMemoryPorts ports = new InMemoryPorts();
    private final StarterHandler starter = new StarterHandler(InMemoryPorts.config(Map.of()), ports, ports, ports,
            CLOCK, new SplittableRandom(1), ports.log::add);

    private InvalidStartRequestException refused(String json) {
        try {
            starter.start(json.getBytes(StandardCharsets.UTF_8), STARTER);
        } catch (InvalidStartRequestException e) {
            assertThat(ports.launches).as("a refused request launches nothing").isEmpty();
            return e;
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void overridesForAnotherContainerAreRefused() {
        assertThat(refused("{\"containerOverrides\":[{\"name\":\"sidecar\",\"command\":[\"sh\",\"-c\",\"curl evil\"]}]}")
                .field()).isEqualTo("containerOverrides[0].name");
    }

    @Test
    void reservedVariableNamesAreRefusedInAnyCase() {
        assertThat(refused("{\"containerOverrides\":[{\"name\":\"app\",\"environment\":[{\"name\":\"Retrier_Attempt\",\"value\":\"9\"}]}]}")
                .getMessage()).contains("containerOverrides[0].environment[0].name", "reserved");
    }

    @Test
    void aTaskRoleOverrideIsRefused() {
        assertThat(refused("{\"taskRoleArn\":\"arn:aws:iam::111122223333:role/admin\"}").field()).isEqualTo("taskRoleArn");
        assertThat(refused("{\"overrides\":{\"taskRoleArn\":\"arn:aws:iam::111122223333:role/admin\"}}").field())
                .isEqualTo("overrides");
    }

    @Test
    void aTaskDefinitionOverrideIsRefused() {
        assertThat(refused("{\"taskDefinition\":\"crypto-miner:1\"}").field()).isEqualTo("taskDefinition");
    }

    @Test
    void containerLevelResourceOverridesAreRefused() {
        assertThat(refused("{\"containerOverrides\":[{\"name\":\"app\",\"memory\":65536}]}").field())
                .isEqualTo("containerOverrides[0].memory");
    }

    @Test
    void aLaunchThatAsksForMoreThanTheRetrierWouldIsRefused() {
        // memory escalation is off in this configuration: no request may choose a size
        assertThat(refused("{\"launch\":{\"cpu\":\"16384\",\"memory\":\"122880\"}}").field()).isEqualTo("launch.memory");
        assertThat(refused("{\"launch\":{\"subnets\":[\"subnet-attacker\",\"subnet-a\"]}}").field()).isEqualTo("launch.subnets");
        assertThat(refused("{\"launch\":{\"capacityProviderStrategy\":[{\"capacityProvider\":\"GPU\",\"weight\":1,\"base\":0}]}}")
                .field()).isEqualTo("launch.capacityProviderStrategy");
    }

    @Test
    void aTaskSizeThatIsNotANumber_isRefusedNamingItsField() {
        InvalidStartRequestException cpu = refused("{\"launch\":{\"cpu\":\"1 vCPU\",\"memory\":\"4096\"}}");
        assertThat(cpu.field()).isEqualTo("launch.cpu");
        assertThat(cpu.getMessage()).contains("positive whole number").contains("'1 vCPU'");
        assertThat(refused("{\"launch\":{\"cpu\":\"1024\"}}").field()).isEqualTo("launch.memory");
    }

    @Test
    void sizesAreBounded() {
        String big = "x".repeat(9000);
        assertThat(refused("{\"containerOverrides\":[{\"name\":\"app\",\"environment\":[{\"name\":\"A\",\"value\":\"" + big + "\"}]}]}")
                .getMessage()).contains("over ECS's limit of 8192");
        assertThat(refused("{\"runId\":\"" + "r".repeat(40_000) + "\"}").getMessage()).contains("over the limit of 32768");
    }

    @Test
    void environmentValuesNeverReachLogsNotificationsOrAnswers() throws IOException {
        String secret = "s3cr3t-" + "9f2c4e1ab7d3c58e";
        ports.nextLaunch = new LaunchResult.Failed("ClientException", "task definition does not exist");
        String answer = starter.start(("{\"containerOverrides\":[{\"name\":\"app\",\"environment\":"
                + "[{\"name\":\"DB_PASSWORD\",\"value\":\"" + secret + "\"}]}]}").getBytes(StandardCharsets.UTF_8), STARTER)
                .toString();

        assertThat(ports.notifications).hasSize(1);
        assertThat(ports.notifications.get(0).body()).doesNotContain(secret);
        assertThat(ports.notifications.get(0).subject()).doesNotContain(secret);
        assertThat(ports.log).noneMatch(line -> line.contains(secret));
        assertThat(answer).doesNotContain(secret);

        // the classifier too: a stopped task whose overrides carry the secret
        byte[] event;
        try (InputStream in = getClass().getResourceAsStream("/events/app-exit-1.json")) {
            event = in.readAllBytes();
        }
        String arn = "arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec316893a47cdb02dcf74a5fc77";
        InMemoryPorts classifierPorts = new InMemoryPorts();
        classifierPorts.tasks.put(arn, new DescribedTask(arn,
                Map.of("ecs-retrier:run-id", "run-1", "ecs-retrier:attempt", "1", "ecs-retrier:max-attempts", "3"),
                List.of(new ContainerOverride("app", null, List.of(new EnvironmentVariable("DB_PASSWORD", secret))))));
        new ClassifierHandler(InMemoryPorts.config(Map.of()), classifierPorts, classifierPorts, classifierPorts, CLOCK,
                new SplittableRandom(1), classifierPorts.log::add).handle(event);
        assertThat(classifierPorts.notifications).hasSize(1);
        assertThat(classifierPorts.notifications.get(0).body()).doesNotContain(secret);
        assertThat(classifierPorts.log).noneMatch(line -> line.contains(secret));
    }

    // Secrets on every path ---------------------------------------------------------------------
    // What a handler writes anywhere but to ECS: its log lines (Lambda sends standard output to
    // CloudWatch Logs), its answer, its notifications, and the message and stack trace of any
    // exception it throws (Lambda logs those too). Environment values go to ECS, and to the
    // schedule of the next attempt, which must start with them.

    private static final String SECRET = "s3cr3t-" + "5be1c0ffee42d00d";

    private static String requestWithSecret() {
        return "{\"runId\":\"run-7f3a\",\"containerOverrides\":[{\"name\":\"app\",\"environment\":"
                + "[{\"name\":\"DB_PASSWORD\",\"value\":\"" + SECRET + "\"}]}]}";
    }

    @Test
    void aSuccessfulStartSendsTheSecretToEcsOnly() {
        String answer = Json.write(starter.start(requestWithSecret().getBytes(StandardCharsets.UTF_8), STARTER));

        assertThat(ports.launches).singleElement().satisfies(launch -> assertThat(launch.containers().get(0).environment())
                .contains(new EnvironmentVariable("DB_PASSWORD", SECRET)));
        assertThat(answer).contains("run-7f3a").doesNotContain(SECRET);
        assertThat(ports.log).noneMatch(line -> line.contains(SECRET));
        assertThat(ports.notifications).isEmpty();
    }

    @Test
    void aRetryCarriesTheSecretOnlyInTheNextAttemptsSchedule_andTheRunsEndDoesNotShowIt() throws IOException {
        InMemoryPorts classifierPorts = new InMemoryPorts();
        ClassifierHandler classifier = new ClassifierHandler(InMemoryPorts.config(Map.of()), classifierPorts,
                classifierPorts, classifierPorts, CLOCK, new SplittableRandom(1), classifierPorts.log::add);
        describableWithSecret(classifierPorts, "app-exit-2.json", 1);

        // Attempt 1 exits 2 (retryable): RETRY.
        String retry = Json.write(classifier.handle(event("app-exit-2.json")));
        assertThat(retry).contains("\"decision\":\"RETRY\"").doesNotContain(SECRET);
        assertThat(classifierPorts.schedules).singleElement()
                .satisfies(schedule -> assertThat(schedule.input()).contains(SECRET));
        assertThat(classifierPorts.log).isNotEmpty().noneMatch(line -> line.contains(SECRET));

        // The schedule starts attempt 2 with the secret, logging none of it.
        String started = Json.write(starter.start(classifierPorts.schedules.get(0).input()
                .getBytes(StandardCharsets.UTF_8), STARTER));
        assertThat(ports.launches).singleElement().satisfies(launch -> assertThat(launch.containers().get(0).environment())
                .contains(new EnvironmentVariable("DB_PASSWORD", SECRET)));
        assertThat(started).doesNotContain(SECRET);
        assertThat(ports.log).noneMatch(line -> line.contains(SECRET));

        // Attempt 2 exits 1: FAILED, notified with its history, without the secret.
        describableWithSecret(classifierPorts, "app-exit-1.json", 2);
        String failed = Json.write(classifier.handle(event("app-exit-1.json")));
        assertThat(failed).contains("\"decision\":\"FAILED\"").doesNotContain(SECRET);
        assertThat(classifierPorts.notifications).singleElement().satisfies(notification -> {
            assertThat(notification.body()).contains("run-7f3a").doesNotContain(SECRET);
            assertThat(notification.subject()).doesNotContain(SECRET);
            assertThat(notification.attributes().values()).isNotEmpty().noneMatch(value -> value.contains(SECRET));
        });
        assertThat(classifierPorts.log).noneMatch(line -> line.contains(SECRET));
    }

    @Test
    void aRunTaskWithoutAnswerThrowsWithoutTheSecret() {
        ports.nextLaunch = new LaunchResult.Unavailable("ThrottlingException", "Rate exceeded");

        RunTaskUnavailableException thrown = catchThrowableOfType(RunTaskUnavailableException.class,
                () -> starter.start(requestWithSecret().getBytes(StandardCharsets.UTF_8), STARTER));

        assertThat(thrown).isNotNull();
        assertThat(stackTrace(thrown)).contains("run-7f3a").doesNotContain(SECRET);
        assertThat(ports.log).noneMatch(line -> line.contains(SECRET));
    }

    @Test
    void aRefusedRequestIsRefusedWithoutTheSecretInTheMessage() {
        List<String> refusedRequests = List.of(
                // a reserved name
                "{\"containerOverrides\":[{\"name\":\"app\",\"environment\":[{\"name\":\"RETRIER_ATTEMPT\",\"value\":\""
                        + SECRET + "\"}]}]}",
                // another container
                "{\"containerOverrides\":[{\"name\":\"sidecar\",\"environment\":[{\"name\":\"DB_PASSWORD\",\"value\":\""
                        + SECRET + "\"}]}]}",
                // over ECS's size of overrides
                "{\"containerOverrides\":[{\"name\":\"app\",\"environment\":[{\"name\":\"DB_PASSWORD\",\"value\":\""
                        + SECRET + "x".repeat(9000) + "\"}]}]}",
                // a field nobody may set, next to the secret
                "{\"taskRoleArn\":\"arn:aws:iam::111122223333:role/admin\",\"containerOverrides\":[{\"name\":\"app\","
                        + "\"environment\":[{\"name\":\"DB_PASSWORD\",\"value\":\"" + SECRET + "\"}]}]}",
                // a variable without a name
                "{\"containerOverrides\":[{\"name\":\"app\",\"environment\":[{\"value\":\"" + SECRET + "\"}]}]}");
        for (String request : refusedRequests) {
            assertThat(stackTrace(refused(request))).as(request.substring(0, 60)).doesNotContain(SECRET);
        }
        assertThat(ports.log).noneMatch(line -> line.contains(SECRET));
    }

    @Test
    void anUnreadableEventIsRefusedWithoutTheSecretInTheMessage() throws IOException {
        InMemoryPorts classifierPorts = new InMemoryPorts();
        ClassifierHandler classifier = new ClassifierHandler(InMemoryPorts.config(Map.of()), classifierPorts,
                classifierPorts, classifierPorts, CLOCK, new SplittableRandom(1), classifierPorts.log::add);
        ObjectNode event = (ObjectNode) TestJson.MAPPER.readTree(event("app-exit-1.json"));
        ((ArrayNode) event.at("/detail/overrides/containerOverrides/0/environment")).addObject()
                .put("name", "DB_PASSWORD").put("value", SECRET);
        String withSecret = TestJson.MAPPER.writeValueAsString(event);
        String taskArn = event.at("/detail/taskArn").asText();
        assertThat(withSecret).contains(SECRET).contains("\"exitCode\":1").contains("\"startedBy\":\"ecs-retrier\"");
        List<String> unreadable = List.of(
                withSecret.replace("\"exitCode\":1", "\"exitCode\":\"one\""),
                withSecret.replace("\"startedBy\":\"ecs-retrier\"", "\"startedBy\":\"someone-else\""),
                withSecret.replace("\"taskArn\":\"" + taskArn + "\"", "\"taskArn\":7"),
                withSecret.substring(0, withSecret.indexOf(SECRET) + SECRET.length() + 5));
        for (String unreadableEvent : unreadable) {
            InvalidEventException thrown = catchThrowableOfType(InvalidEventException.class,
                    () -> classifier.handle(unreadableEvent.getBytes(StandardCharsets.UTF_8)));
            assertThat(thrown).as(unreadableEvent).isNotNull();
            assertThat(stackTrace(thrown)).doesNotContain(SECRET);
        }
        assertThat(classifierPorts.log).noneMatch(line -> line.contains(SECRET));
        assertThat(classifierPorts.notifications).isEmpty();
    }

    /** The fixture's task, described with the secret in its overrides, as attempt {@code attempt} of run-7f3a. */
    private static void describableWithSecret(InMemoryPorts ports, String fixture, int attempt) throws IOException {
        String arn = TestJson.MAPPER.readTree(event(fixture)).at("/detail/taskArn").asText();
        ports.tasks.put(arn, new DescribedTask(arn,
                Map.of("ecs-retrier:run-id", "run-7f3a", "ecs-retrier:attempt", Integer.toString(attempt),
                        "ecs-retrier:max-attempts", "3"),
                List.of(new ContainerOverride("app", null, List.of(new EnvironmentVariable("DB_PASSWORD", SECRET))))));
    }

    private static byte[] event(String fixture) throws IOException {
        try (InputStream in = StarterSecurityTest.class.getResourceAsStream("/events/" + fixture)) {
            return in.readAllBytes();
        }
    }

    /** What Lambda logs for an exception a handler throws: its type, message, causes and stack trace. */
    private static String stackTrace(Throwable thrown) {
        StringWriter text = new StringWriter();
        thrown.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    @Test
    void anAcceptedRequestLaunchesOnlyTheConfiguredTaskDefinitionInTheConfiguredCluster() {
        starter.start("{\"containerOverrides\":[{\"name\":\"app\",\"command\":[\"java\",\"-jar\",\"job.jar\"]}]}"
                .getBytes(StandardCharsets.UTF_8), STARTER);

        assertThat(ports.launches).singleElement().satisfies(launch -> {
            assertThat(launch.taskDefinition()).isEqualTo("sample:3");
            assertThat(launch.cluster()).isEqualTo("arn:aws:ecs:us-east-1:111122223333:cluster/batch");
            assertThat(launch.containers()).singleElement().satisfies(c -> assertThat(c.name()).isEqualTo("app"));
            assertThat(launch.size()).isNull();
        });
    }

    @Test
    void aClusterOverrideIsRefused() {
        assertThat(refused("{\"cluster\":\"arn:aws:ecs:us-east-1:111122223333:cluster/prod\"}").field()).isEqualTo("cluster");
    }
}
