package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.local.emulator.LocalSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskField;
import java.time.Duration;
import java.util.List;

/** {@code serve}'s ECS RunTask, DescribeTasks and StopTask, driven by the AWS SDK for Java v2's EcsClient. */
class EcsApiTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    static ServedRuntime served;
    static EcsClient ecs;

    @BeforeAll
    static void start() throws Exception {
        served = new ServedRuntime(21);
        ecs = served.client(EcsClient.builder());
    }

    @AfterAll
    static void stop() {
        ecs.close();
        served.close();
    }

    /** RunTask as the starter sends it: the run's tags and variables, a client token, startedBy. */
    static RunTaskRequest runTask(String runId, String clientToken, KeyValuePair... environment) {
        List<KeyValuePair> variables = new java.util.ArrayList<>(List.of(
                KeyValuePair.builder().name(AttemptMetadata.RUN_ID_ENV).value(runId).build(),
                KeyValuePair.builder().name(AttemptMetadata.ATTEMPT_ENV).value("1").build(),
                KeyValuePair.builder().name(AttemptMetadata.MAX_ATTEMPTS_ENV).value("3").build()));
        variables.addAll(List.of(environment));
        return RunTaskRequest.builder()
                .cluster(LocalSettings.CLUSTER_ARN)
                .taskDefinition(LocalSettings.TASK_DEFINITION_ARN)
                .startedBy(served.runtime.config().startedBy())
                .clientToken(clientToken)
                .count(1)
                .launchType(LaunchType.FARGATE)
                .overrides(o -> o.containerOverrides(c -> c.name("app").environment(variables)))
                .tags(Tag.builder().key(AttemptMetadata.RUN_ID_TAG).value(runId).build(),
                        Tag.builder().key(AttemptMetadata.ATTEMPT_TAG).value("1").build(),
                        Tag.builder().key(AttemptMetadata.MAX_ATTEMPTS_TAG).value("3").build())
                .build();
    }

    static KeyValuePair variable(String name, String value) {
        return KeyValuePair.builder().name(name).value(value).build();
    }

    @Test
    void runTaskStartsALocalTaskWhoseStopGoesThroughTheRuleToTheClassifier() throws Exception {
        RunTaskResponse response = ecs.runTask(runTask("ecs-run", "ecs-run-1", variable("FAIL_ON_ATTEMPTS", "1")));

        assertThat(response.failures()).isEmpty();
        Task task = response.tasks().get(0);
        assertThat(task.taskArn()).startsWith("arn:aws:ecs:local:000000000000:task/local/");
        assertThat(task.clusterArn()).isEqualTo(LocalSettings.CLUSTER_ARN);
        assertThat(task.lastStatus()).isEqualTo("PROVISIONING");
        assertThat(task.desiredStatus()).isEqualTo("RUNNING");
        assertThat(task.startedBy()).isEqualTo("ecs-retrier");
        assertThat(task.overrides().containerOverrides().get(0).environment()).contains(variable("FAIL_ON_ATTEMPTS", "1"));
        assertThat(served.runtime.ecs().launched("ecs-run")).singleElement()
                .satisfies(t -> assertThat(t.request().clientToken()).isEqualTo("ecs-run-1"));
        // The task exits 2 (retryable): its STOPPED event goes through the rule to the classifier,
        // which schedules attempt 2, which succeeds.
        RunOutcome outcome = served.runtime.awaitOutcome("ecs-run", WAIT).orElseThrow();
        assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
        assertThat(outcome.attempts()).isEqualTo(2);
    }

    @Test
    void aRepeatedClientTokenAnswersTheFirstTask() {
        String first = ecs.runTask(runTask("ecs-token", "ecs-token-1")).tasks().get(0).taskArn();
        String again = ecs.runTask(runTask("ecs-token", "ecs-token-1")).tasks().get(0).taskArn();

        assertThat(again).isEqualTo(first);
        assertThat(served.runtime.ecs().launched("ecs-token")).hasSize(1);
    }

    @Test
    void describeTasksWithTagsAnswersTheTaskAndMissingForAnUnknownOne() {
        String arn = ecs.runTask(runTask("ecs-describe", "ecs-describe-1", variable("WORK_SECONDS", "30")))
                .tasks().get(0).taskArn();
        String unknown = "arn:aws:ecs:local:000000000000:task/local/00000000000000000000000000000000";

        DescribeTasksResponse response = ecs.describeTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN)
                .tasks(arn, unknown).include(TaskField.TAGS));

        assertThat(response.tasks()).singleElement().satisfies(task -> {
            assertThat(task.taskArn()).isEqualTo(arn);
            assertThat(task.tags()).contains(Tag.builder().key(AttemptMetadata.RUN_ID_TAG).value("ecs-describe").build());
            assertThat(task.overrides().containerOverrides().get(0).environment())
                    .contains(variable("WORK_SECONDS", "30"));
            assertThat(task.createdAt()).isNotNull();
        });
        assertThat(response.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.arn()).isEqualTo(unknown);
            assertThat(failure.reason()).isEqualTo("MISSING");
        });
        assertThat(ecs.describeTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN).tasks(arn)).tasks().get(0).hasTags())
                .as("tags only with include=TAGS").isFalse();
    }

    @Test
    void stopTaskStopsARunningTaskWithTheReasonGiven() throws Exception {
        String arn = ecs.runTask(runTask("ecs-stop", "ecs-stop-1", variable("WORK_SECONDS", "60")))
                .tasks().get(0).taskArn();

        Task stopping = ecs.stopTask(r -> r.cluster(LocalSettings.CLUSTER_ARN).task(arn).reason("stopped from the SDK"))
                .task();

        assertThat(stopping.taskArn()).isEqualTo(arn);
        assertThat(stopping.desiredStatus()).isEqualTo("STOPPED");
        served.runtime.awaitOutcome("ecs-stop", WAIT).orElseThrow();
        Task stopped = ecs.describeTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN).tasks(arn)).tasks().get(0);
        assertThat(stopped.lastStatus()).isEqualTo("STOPPED");
        assertThat(stopped.stopCodeAsString()).isEqualTo("UserInitiated");
        assertThat(stopped.stoppedReason()).isEqualTo("stopped from the SDK");
    }

    @Test
    void anOperationThatIsNotServedIsAnUnknownOperation() {
        assertThatThrownBy(() -> ecs.listClusters())
                .isInstanceOfSatisfying(EcsException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnknownOperationException");
                })
                .hasMessageContaining("ECS ListClusters is not served locally; only RunTask, DescribeTasks, StopTask and ListTasks");
    }

    @Test
    void anotherClusterIsClusterNotFound() {
        assertThatThrownBy(() -> ecs.runTask(runTask("ecs-cluster", "ecs-cluster-1").toBuilder().cluster("prod").build()))
                .isInstanceOfSatisfying(ClusterNotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(400))
                .hasMessageContaining("Cluster not found.");
    }

    @Test
    void stoppingAnUnknownTaskIsAnInvalidParameter() {
        assertThatThrownBy(() -> ecs.stopTask(r -> r.cluster(LocalSettings.CLUSTER_ARN)
                .task("arn:aws:ecs:local:000000000000:task/local/ffffffffffffffffffffffffffffffff")))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("The referenced task was not found.");
    }

    @Test
    void overridesOverEcssLimitOf8192CharactersAreRefused() {
        RunTaskRequest large = runTask("ecs-large", "ecs-large-1", variable("PAYLOAD", "x".repeat(8200)));

        assertThatThrownBy(() -> ecs.runTask(large))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("at most 8192");
        assertThat(served.runtime.ecs().launched("ecs-large")).isEmpty();
    }

    @Test
    void listTasksByStartedByAnswersTheRunningTasksAndStoppedOnesWhenAsked() throws Exception {
        String running = ecs.runTask(runTask("ecs-list-running", "ecs-list-running-1", variable("WORK_SECONDS", "60")))
                .tasks().get(0).taskArn();
        String stopping = ecs.runTask(runTask("ecs-list-stopped", "ecs-list-stopped-1", variable("WORK_SECONDS", "60")))
                .tasks().get(0).taskArn();
        ecs.stopTask(r -> r.cluster(LocalSettings.CLUSTER_ARN).task(stopping).reason("listed as stopped"));

        List<String> runningArns = ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN)
                .startedBy(served.runtime.config().startedBy())).taskArns();
        List<String> stoppedArns = ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN)
                .startedBy(served.runtime.config().startedBy()).desiredStatus(DesiredStatus.STOPPED)).taskArns();

        assertThat(runningArns).contains(running).doesNotContain(stopping);
        assertThat(stoppedArns).contains(stopping).doesNotContain(running);
        assertThat(ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN).startedBy("someone-else")).taskArns()).isEmpty();
        assertThat(ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN).family("sample-task")).taskArns())
                .contains(running);
        assertThat(ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN).family("other-family")).taskArns()).isEmpty();
        ecs.stopTask(r -> r.cluster(LocalSettings.CLUSTER_ARN).task(running));
    }

    @Test
    void listTasksPagesWithMaxResultsAndNextToken() {
        List<String> started = new java.util.ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            started.add(ecs.runTask(runTask("ecs-page-" + i, "ecs-page-" + i, variable("WORK_SECONDS", "60")))
                    .tasks().get(0).taskArn());
        }

        ListTasksResponse first = ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN).maxResults(2));
        List<String> all = ecs.listTasksPaginator(r -> r.cluster(LocalSettings.CLUSTER_ARN).maxResults(2))
                .taskArns().stream().toList();

        assertThat(first.taskArns()).hasSize(2);
        assertThat(first.nextToken()).isNotEmpty();
        assertThat(all).containsAll(started).doesNotHaveDuplicates();
        assertThatThrownBy(() -> ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN).nextToken("not-a-token")))
                .isInstanceOf(InvalidParameterException.class);
        assertThatThrownBy(() -> ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN).maxResults(101)))
                .isInstanceOf(InvalidParameterException.class).hasMessageContaining("maxResults");
        assertThatThrownBy(() -> ecs.listTasks(r -> r.cluster("prod")))
                .isInstanceOf(ClusterNotFoundException.class);
        started.forEach(arn -> ecs.stopTask(r -> r.cluster(LocalSettings.CLUSTER_ARN).task(arn)));
    }

    // ListTasks: "When you specify startedBy as the filter, it must be the only filter that you use"
    // (API_ListTasks.html); ECS refuses the others beside it with InvalidParameterException.

    @Test
    void listTasksRefusesStartedByWithAFamily() {
        assertThatThrownBy(() -> ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN)
                .startedBy(served.runtime.config().startedBy()).family("sample-task")))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("cannot specify startedBy with other arguments");
    }

    @Test
    void listTasksRefusesStartedByWithALaunchType() {
        assertThatThrownBy(() -> ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN)
                .startedBy(served.runtime.config().startedBy()).launchType(LaunchType.FARGATE)))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("cannot specify startedBy with other arguments");
    }

    @Test
    void listTasksRefusesStartedByWithAServiceName() {
        assertThatThrownBy(() -> ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN)
                .startedBy(served.runtime.config().startedBy()).serviceName("web")))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("cannot specify startedBy with other arguments");
    }

    @Test
    void listTasksRefusesStartedByWithAContainerInstance() {
        assertThatThrownBy(() -> ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN)
                .startedBy(served.runtime.config().startedBy()).containerInstance("i-0123456789abcdef0")))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContaining("cannot specify startedBy with other arguments");
    }

    /** The filters other than startedBy combine; no local task belongs to a service. */
    @Test
    void listTasksCombinesFamilyLaunchTypeAndDesiredStatus_andAServiceListsNone() {
        String arn = ecs.runTask(runTask("ecs-list-combined", "ecs-list-combined-1", variable("WORK_SECONDS", "60")))
                .tasks().get(0).taskArn();

        assertThat(ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN).family("sample-task")
                .launchType(LaunchType.FARGATE).desiredStatus(DesiredStatus.RUNNING)).taskArns()).contains(arn);
        assertThat(ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN).family("sample-task")
                .launchType(LaunchType.EC2)).taskArns()).doesNotContain(arn);
        assertThat(ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN).family("sample-task").serviceName("web"))
                .taskArns()).isEmpty();
        ecs.stopTask(r -> r.cluster(LocalSettings.CLUSTER_ARN).task(arn));
    }

    static java.net.http.HttpResponse<String> post(String operation, String body) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(served.endpoint.uri())
                    .header("Content-Type", EcsApi.JSON_11)
                    .header("X-Amz-Target", EcsApi.TARGET_PREFIX + operation)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The bodies are read by the functions' binder: a member of the wrong type is an
     * InvalidParameterException naming its path, a body that is not JSON a SerializationException, and
     * members the local ECS does not read (placementConstraints, propagateTags, ...) are passed over.
     */
    @Test
    void aMemberOfTheWrongTypeIsAnInvalidParameterNamingItsPath_andMembersNotReadAreSkipped() {
        var wrong = post("RunTask", "{\"taskDefinition\":\"" + LocalSettings.TASK_DEFINITION_ARN + "\","
                + "\"overrides\":{\"containerOverrides\":[{\"name\":\"app\",\"command\":[\"sh\",2]}]}}");
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body()).contains("InvalidParameterException")
                .contains("overrides.containerOverrides[0].command[1] must be a string, got number 2");
        var count = post("ListTasks", "{\"maxResults\":\"10\"}");
        assertThat(count.body()).contains("InvalidParameterException").contains("maxResults must be an integer");
        var notJson = post("DescribeTasks", "{\"tasks\":[");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("SerializationException");
        var extra = post("ListTasks", "{\"cluster\":\"" + LocalSettings.CLUSTER_ARN + "\",\"propagateTags\":\"NONE\","
                + "\"placementConstraints\":[{\"type\":\"distinctInstance\"}]}");
        assertThat(extra.statusCode()).as(extra.body()).isEqualTo(200);
    }

    /**
     * RunTask's overrides are read as ECS takes them: containerOverrides a list, each container with
     * its name, command, environment, cpu and memory (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerOverride.html).
     */
    @Test
    void runTasksContainerOverridesAreReadAsTheListEcsTakes() {
        EcsApi.RunTaskBody body = WireBody.read(("{\"taskDefinition\":\"sample-task:1\",\"overrides\":{"
                + "\"containerOverrides\":[{\"name\":\"app\",\"command\":[\"sh\",\"-c\",\"exit 0\"],"
                + "\"environment\":[{\"name\":\"A\",\"value\":\"1\"}],\"cpu\":256,\"memory\":512},"
                + "{\"name\":\"sidecar\",\"memoryReservation\":128}],\"cpu\":\"1024\",\"memory\":\"2048\"}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), EcsApi.RunTaskBody.class);

        assertThat(body.overrides().containerOverrides()).containsExactly(
                new EcsApi.ContainerOverride("app", List.of("sh", "-c", "exit 0"), List.of(new EcsApi.KeyValuePair("A", "1")),
                        null, 256, 512, null, null),
                new EcsApi.ContainerOverride("sidecar", null, null, null, null, null, 128, null));
        assertThat(body.overrides().cpu()).isEqualTo("1024");
        assertThat(body.overrides().memory()).isEqualTo("2048");
    }
}
