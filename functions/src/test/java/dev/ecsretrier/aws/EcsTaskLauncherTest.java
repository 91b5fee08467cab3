package dev.ecsretrier.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.TaskSize;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.port.LaunchRequest;
import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.port.LaunchRequest.NetworkSettings;
import dev.ecsretrier.port.LaunchResult;
import dev.ecsretrier.testutil.RecordingAwsEndpoint;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Request;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Response;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link EcsTaskLauncher}: the exact {@code RunTask} the SDK sends, and what each answer becomes. */
class EcsTaskLauncherTest {

    static final String RUN_TASK = "AmazonEC2ContainerServiceV20141113.RunTask";
    static final String CLUSTER = "arn:aws:ecs:us-east-1:111122223333:cluster/batch";
    static final String TASK_ARN = "arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec316893a47cdb02dcf74a5fc77";

    private final RecordingAwsEndpoint aws = new RecordingAwsEndpoint();
    private final EcsTaskLauncher launcher = new EcsTaskLauncher(aws.ecs());

    @AfterEach
    void stop() {
        aws.close();
    }

    @Test
    void sendsRunTaskWithTokenTagsEnvironmentLaunchTypeAndNetwork() throws IOException {
        aws.answer(RUN_TASK, Response.json(200, RecordingAwsEndpoint.fixture("aws/ecs/run-task-started.json")));

        LaunchResult result = launcher.launch(fargateRequest());

        assertThat(result).isEqualTo(new LaunchResult.Started(TASK_ARN));
        Request sent = aws.only(RUN_TASK);
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/");
        assertThat(sent.header("Content-Type")).isEqualTo("application/x-amz-json-1.1");
        assertThat(sent.header("Authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                .contains("/us-east-1/ecs/aws4_request");
        assertThat(TestJson.tree(sent.body())).isEqualTo(TestJson.tree("""
                {
                  "cluster": "arn:aws:ecs:us-east-1:111122223333:cluster/batch",
                  "taskDefinition": "arn:aws:ecs:us-east-1:111122223333:task-definition/sample:3",
                  "startedBy": "ecs-retrier",
                  "clientToken": "run-7f3a-2",
                  "count": 1,
                  "overrides": {"containerOverrides": [{
                    "name": "app",
                    "command": ["python", "job.py", "--day", "2025-03-14"],
                    "environment": [
                      {"name": "MODE", "value": "full"},
                      {"name": "RETRIER_RUN_ID", "value": "run-7f3a"},
                      {"name": "RETRIER_ATTEMPT", "value": "2"},
                      {"name": "RETRIER_MAX_ATTEMPTS", "value": "3"}
                    ]
                  }]},
                  "tags": [
                    {"key": "ecs-retrier:run-id", "value": "run-7f3a"},
                    {"key": "ecs-retrier:attempt", "value": "2"},
                    {"key": "ecs-retrier:max-attempts", "value": "3"},
                    {"key": "ecs-retrier:history-1", "value": "decision=RETRY stop=EssentialContainerExited rule=default:exit-code task=0ea07ec3 exits=app:2 reason=Essential container in task exited"}
                  ],
                  "launchType": "FARGATE",
                  "networkConfiguration": {"awsvpcConfiguration": {
                    "subnets": ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"],
                    "securityGroups": ["sg-0123456789abcdef0"],
                    "assignPublicIp": "DISABLED"
                  }}
                }
                """));
    }

    @Test
    void sendsCapacityProviderStrategyInsteadOfLaunchTypeAndNoNetworkWhenNoneIsConfigured() throws IOException {
        aws.answer(RUN_TASK, Response.json(200, RecordingAwsEndpoint.fixture("aws/ecs/run-task-started.json")));
        LaunchRequest spot = new LaunchRequest(CLUSTER, "sample:3", "ecs-retrier", "run-7f3a-1",
                List.of(new ContainerOverride("app", null, List.of(new EnvironmentVariable("RETRIER_RUN_ID", "run-7f3a")))),
                Map.of("ecs-retrier:run-id", "run-7f3a"),
                null, List.of(new CapacityProviderItem("FARGATE_SPOT", 3, 0), new CapacityProviderItem("FARGATE", 1, 1)),
                new NetworkSettings(List.of(), List.of(), false), null);

        launcher.launch(spot);

        JsonNode body = TestJson.tree(aws.only(RUN_TASK).body());
        assertThat(body.get("capacityProviderStrategy")).isEqualTo(TestJson.tree("""
                [{"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0},
                 {"capacityProvider": "FARGATE", "weight": 1, "base": 1}]
                """));
        assertThat(body.has("launchType")).isFalse();
        assertThat(body.has("networkConfiguration")).isFalse();
        // No command override: the image's own command runs.
        assertThat(body.at("/overrides/containerOverrides/0").has("command")).isFalse();
    }

    @Test
    void sendsAssignPublicIpEnabledWhenConfigured() throws IOException {
        aws.answer(RUN_TASK, Response.json(200, RecordingAwsEndpoint.fixture("aws/ecs/run-task-started.json")));
        LaunchRequest request = fargateRequest();
        LaunchRequest publicIp = new LaunchRequest(request.cluster(), request.taskDefinition(), request.startedBy(),
                request.clientToken(), request.containers(), request.tags(), request.launchType(),
                request.capacityProviderStrategy(), new NetworkSettings(List.of("subnet-1"), List.of(), true), null);

        launcher.launch(publicIp);

        assertThat(TestJson.tree(aws.only(RUN_TASK).body()).at("/networkConfiguration/awsvpcConfiguration"))
                .isEqualTo(TestJson.tree("{\"subnets\": [\"subnet-1\"], \"securityGroups\": [], \"assignPublicIp\": \"ENABLED\"}"));
    }

    @Test
    void escalatedSizeIsSentAsTaskLevelCpuAndMemoryOverrides() throws IOException {
        aws.answer(RUN_TASK, Response.json(200, RecordingAwsEndpoint.fixture("aws/ecs/run-task-started.json")));
        LaunchRequest request = fargateRequest();
        LaunchRequest bigger = new LaunchRequest(request.cluster(), request.taskDefinition(), request.startedBy(),
                request.clientToken(), request.containers(), request.tags(), request.launchType(),
                request.capacityProviderStrategy(), request.network(), new TaskSize(1024, 4096));

        launcher.launch(bigger);

        JsonNode overrides = TestJson.tree(aws.only(RUN_TASK).body()).get("overrides");
        assertThat(overrides.get("cpu").asText()).isEqualTo("1024");
        assertThat(overrides.get("memory").asText()).isEqualTo("4096");
    }

    @Test
    void eachContainersOverride_isOneEntryOfContainerOverrides_inOrder() throws IOException {
        aws.answer(RUN_TASK, Response.json(200, RecordingAwsEndpoint.fixture("aws/ecs/run-task-started.json")));
        LaunchRequest request = fargateRequest();
        List<EnvironmentVariable> retrier = List.of(new EnvironmentVariable("RETRIER_RUN_ID", "run-7f3a"),
                new EnvironmentVariable("RETRIER_ATTEMPT", "2"));
        LaunchRequest twoContainers = new LaunchRequest(request.cluster(), request.taskDefinition(), request.startedBy(),
                request.clientToken(), List.of(new ContainerOverride("app", List.of("java", "-jar", "etl.jar"), retrier),
                        new ContainerOverride("report", null, List.of(new EnvironmentVariable("FORMAT", "pdf"),
                                retrier.get(0), retrier.get(1)))),
                request.tags(), request.launchType(), request.capacityProviderStrategy(), request.network(), null);

        launcher.launch(twoContainers);

        assertThat(TestJson.tree(aws.only(RUN_TASK).body()).get("overrides")).isEqualTo(TestJson.tree("""
                {"containerOverrides": [
                  {"name": "app", "command": ["java", "-jar", "etl.jar"], "environment": [
                    {"name": "RETRIER_RUN_ID", "value": "run-7f3a"}, {"name": "RETRIER_ATTEMPT", "value": "2"}]},
                  {"name": "report", "environment": [{"name": "FORMAT", "value": "pdf"},
                    {"name": "RETRIER_RUN_ID", "value": "run-7f3a"}, {"name": "RETRIER_ATTEMPT", "value": "2"}]}
                ]}
                """));
    }

    /** ECS counts the JSON characters of {@code overrides}: the measure must be the text the SDK puts on the wire. */
    @Test
    void overridesJson_isExactlyTheOverridesTheSdkSends() throws IOException {
        LaunchRequest request = fargateRequest();
        List<EnvironmentVariable> tricky = new java.util.ArrayList<>(request.containers().get(0).environment());
        tricky.add(new EnvironmentVariable("QUOTED", "say \"hi\" \\ back\\slash, tab\t, newline\n, bell\u0007"));
        tricky.add(new EnvironmentVariable("UNICODE", "läuft – 日本 🚀 </script>"));
        for (LaunchRequest sent : List.of(request,
                new LaunchRequest(request.cluster(), request.taskDefinition(), request.startedBy(), request.clientToken(),
                        List.of(new ContainerOverride("app", null, tricky), new ContainerOverride("report",
                                List.of("render", "--to", "s3://b/\u00e9t\u00e9.pdf"), tricky)), request.tags(),
                        request.launchType(), request.capacityProviderStrategy(), request.network(),
                        new TaskSize(16384, 122880)))) {
            aws.clear();
            aws.answer(RUN_TASK, Response.json(200, RecordingAwsEndpoint.fixture("aws/ecs/run-task-started.json")));

            launcher.launch(sent);

            assertThat(sent.overridesJson()).isEqualTo(rawMember(aws.only(RUN_TASK).body(), "overrides"))
                    .hasSize(rawMember(aws.only(RUN_TASK).body(), "overrides").length());
        }
    }

    /** The exact text of a top-level object member's value in a compact JSON body. */
    private static String rawMember(String body, String name) {
        int start = body.indexOf("\"" + name + "\":") + name.length() + 3;
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < body.length(); i++) {
            char c = body.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return body.substring(start, i + 1);
            }
        }
        throw new AssertionError("no member " + name + " in " + body);
    }

    @Test
    void capacityProviderWithoutWeightOrBaseSendsNeither() throws IOException {
        aws.answer(RUN_TASK, Response.json(200, RecordingAwsEndpoint.fixture("aws/ecs/run-task-started.json")));
        LaunchRequest request = fargateRequest();
        LaunchRequest onDemand = new LaunchRequest(request.cluster(), request.taskDefinition(), request.startedBy(),
                request.clientToken(), request.containers(), request.tags(), null,
                List.of(new CapacityProviderItem("FARGATE", null, null)), request.network(), null);

        launcher.launch(onDemand);

        JsonNode body = TestJson.tree(aws.only(RUN_TASK).body());
        assertThat(body.get("capacityProviderStrategy")).isEqualTo(TestJson.tree("[{\"capacityProvider\": \"FARGATE\"}]"));
        assertThat(body.has("launchType")).isFalse();
        assertThat(body.get("overrides").has("cpu")).isFalse();
    }

    @Test
    void sameRequestTwiceSendsTheSameClientToken() throws IOException {
        aws.answer(RUN_TASK, Response.json(200, RecordingAwsEndpoint.fixture("aws/ecs/run-task-started.json")));

        launcher.launch(fargateRequest());
        launcher.launch(fargateRequest());

        assertThat(aws.requests(RUN_TASK)).hasSize(2)
                .extracting(r -> TestJson.tree(r.body()).get("clientToken").asText())
                .containsExactly("run-7f3a-2", "run-7f3a-2");
    }

    @Test
    void failuresEntryIsAFailedLaunch() {
        aws.answer(RUN_TASK, Response.json(200, RecordingAwsEndpoint.fixture("aws/ecs/run-task-resource-memory.json")));

        assertThat(launcher.launch(fargateRequest())).isEqualTo(
                new LaunchResult.Failed("RESOURCE:MEMORY", "no container instance met the memory requirement"));
    }

    @Test
    void throttlingThatOutlivesTheSdkRetriesIsUnavailableAfterFourAttempts() {
        aws.answer(RUN_TASK, Response.jsonError(400, "ThrottlingException", "Rate exceeded"));

        LaunchResult result = launcher.launch(fargateRequest());

        // Unavailable, not Failed: ECS may have kept nothing for the token, so only this attempt may be tried again.
        assertThat(result).isEqualTo(new LaunchResult.Unavailable("ThrottlingException", "Rate exceeded"));
        List<Request> attempts = aws.requests(RUN_TASK);
        // The recorder's client keeps the SDK's default retry mode, LEGACY: 4 attempts in all (the
        // handlers' clients use standard, 6: AwsClientsTest), each with the same body and so the same
        // client token.
        assertThat(attempts).extracting(r -> r.header("amz-sdk-request"))
                .containsExactly("attempt=1; max=4", "attempt=2; max=4", "attempt=3; max=4", "attempt=4; max=4");
        assertThat(attempts).extracting(Request::body).containsOnly(attempts.get(0).body());
    }

    @Test
    void serverErrorThatOutlivesTheSdkRetriesIsUnavailable() {
        aws.answer(RUN_TASK, Response.jsonError(500, "ServerException", "Service unavailable"));

        assertThat(launcher.launch(fargateRequest()))
                .isEqualTo(new LaunchResult.Unavailable("ServerException", "Service unavailable"));
        assertThat(aws.requests(RUN_TASK)).hasSize(4);
    }

    @Test
    void serverErrorThenTaskIsStartedWithoutAFailure() {
        aws.answer(RUN_TASK, Response.jsonError(500, "ServerException", "Service unavailable"),
                Response.json(200, RecordingAwsEndpoint.fixture("aws/ecs/run-task-started.json")));

        assertThat(launcher.launch(fargateRequest())).isEqualTo(new LaunchResult.Started(TASK_ARN));
        assertThat(aws.requests(RUN_TASK)).hasSize(2);
    }

    /**
     * A Lambda retry of the same start after a redeploy changed the task definition: ECS answers the
     * reused client token with ConflictException and names the task the token already started. That
     * task of this attempt is running, so the attempt has not ended: it is that task.
     */
    @Test
    void clientTokenAlreadyUsedWithOtherParameters_isTheTaskThatTokenStarted_notAFailure() {
        aws.answer(RUN_TASK, Response.json(400, """
                {"__type": "ConflictException",
                 "message": "The clientToken run-7f3a-2 is already in use with a different RunTask request.",
                 "resourceIds": ["%s"]}""".formatted(TASK_ARN)));

        assertThat(launcher.launch(fargateRequest())).isEqualTo(new LaunchResult.Started(TASK_ARN));
        assertThat(aws.requests(RUN_TASK)).hasSize(1);
    }

    @Test
    void clientTokenConflictThatNamesNoTask_isUnavailable_soTheRunDoesNotEnd() {
        aws.answer(RUN_TASK, Response.jsonError(400, "ConflictException",
                "The clientToken run-7f3a-2 is already in use with a different RunTask request."));

        LaunchResult result = launcher.launch(fargateRequest());

        assertThat(result).isInstanceOfSatisfying(LaunchResult.Unavailable.class, unavailable -> {
            assertThat(unavailable.reason()).isEqualTo("ConflictException");
            assertThat(unavailable.detail()).contains("client token run-7f3a-2").contains("may be running");
        });
    }

    @Test
    void clientExceptionIsAFailedLaunchWithoutRetries() {
        aws.answer(RUN_TASK, Response.jsonError(400, "ClientException",
                "TaskDefinition is inactive (arn:aws:ecs:us-east-1:111122223333:task-definition/sample:3)"));

        assertThat(launcher.launch(fargateRequest())).isEqualTo(new LaunchResult.Failed("ClientException",
                "TaskDefinition is inactive (arn:aws:ecs:us-east-1:111122223333:task-definition/sample:3)"));
        assertThat(aws.requests(RUN_TASK)).hasSize(1);
    }

    @Test
    void unreachableEndpointIsUnavailable() {
        int port = aws.uri().getPort();
        aws.close();
        try (RecordingAwsEndpoint other = new RecordingAwsEndpoint()) {
            EcsTaskLauncher gone = new EcsTaskLauncher(software.amazon.awssdk.services.ecs.EcsClient.builder()
                    .endpointOverride(java.net.URI.create("http://127.0.0.1:" + port))
                    .region(RecordingAwsEndpoint.REGION).credentialsProvider(RecordingAwsEndpoint.credentials())
                    .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build());

            LaunchResult result = gone.launch(fargateRequest());

            assertThat(result).isInstanceOf(LaunchResult.Unavailable.class);
            assertThat(((LaunchResult.Unavailable) result).reason()).isEqualTo("SdkClientException");
        }
    }

    static LaunchRequest fargateRequest() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("ecs-retrier:run-id", "run-7f3a");
        tags.put("ecs-retrier:attempt", "2");
        tags.put("ecs-retrier:max-attempts", "3");
        tags.put("ecs-retrier:history-1", "decision=RETRY stop=EssentialContainerExited rule=default:exit-code"
                + " task=0ea07ec3 exits=app:2 reason=Essential container in task exited");
        return new LaunchRequest(CLUSTER, "arn:aws:ecs:us-east-1:111122223333:task-definition/sample:3",
                "ecs-retrier", "run-7f3a-2", List.of(new ContainerOverride("app",
                        List.of("python", "job.py", "--day", "2025-03-14"),
                        List.of(new EnvironmentVariable("MODE", "full"), new EnvironmentVariable("RETRIER_RUN_ID", "run-7f3a"),
                                new EnvironmentVariable("RETRIER_ATTEMPT", "2"),
                                new EnvironmentVariable("RETRIER_MAX_ATTEMPTS", "3")))),
                tags, "FARGATE", List.of(),
                new NetworkSettings(List.of("subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"),
                        List.of("sg-0123456789abcdef0"), false), null);
    }
}
