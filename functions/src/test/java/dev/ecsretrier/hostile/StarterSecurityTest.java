package dev.ecsretrier.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.core.InvalidStartRequestException;
import dev.ecsretrier.handler.ClassifierHandler;
import dev.ecsretrier.handler.StarterHandler;
import dev.ecsretrier.port.DescribedTask;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.port.LaunchResult;
import java.io.IOException;
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

    @Test
    void anAcceptedRequestLaunchesOnlyTheConfiguredTaskDefinitionInTheConfiguredCluster() {
        starter.start("{\"containerOverrides\":[{\"name\":\"app\",\"command\":[\"java\",\"-jar\",\"job.jar\"]}]}"
                .getBytes(StandardCharsets.UTF_8), STARTER);

        assertThat(ports.launches).singleElement().satisfies(launch -> {
            assertThat(launch.taskDefinition()).isEqualTo("sample:3");
            assertThat(launch.cluster()).isEqualTo("arn:aws:ecs:us-east-1:111122223333:cluster/batch");
            assertThat(launch.containerName()).isEqualTo("app");
            assertThat(launch.cpu()).isNull();
            assertThat(launch.memory()).isNull();
        });
    }

    @Test
    void aClusterOverrideIsRefused() {
        assertThat(refused("{\"cluster\":\"arn:aws:ecs:us-east-1:111122223333:cluster/prod\"}").field()).isEqualTo("cluster");
    }
}
