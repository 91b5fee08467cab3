package dev.ecsretrier.aws;

import static dev.ecsretrier.testutil.RecordingAwsEndpoint.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.port.DescribedTask;
import dev.ecsretrier.testutil.RecordingAwsEndpoint;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Request;
import dev.ecsretrier.testutil.RecordingAwsEndpoint.Response;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.EcsException;

/** {@link EcsTaskDescriber}: {@code DescribeTasks(include=TAGS)} and what a found or missing task becomes. */
class EcsTaskDescriberTest {

    static final String DESCRIBE_TASKS = "AmazonEC2ContainerServiceV20141113.DescribeTasks";
    static final String CLUSTER = "arn:aws:ecs:us-east-1:111122223333:cluster/batch";
    static final String TASK_ARN = "arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec316893a47cdb02dcf74a5fc77";

    private final RecordingAwsEndpoint aws = new RecordingAwsEndpoint();
    private final EcsTaskDescriber describer = new EcsTaskDescriber(aws.ecs());

    @AfterEach
    void stop() {
        aws.close();
    }

    @Test
    void sendsDescribeTasksForOneTaskWithTags() throws IOException {
        aws.answer(DESCRIBE_TASKS, Response.json(200, fixture("aws/ecs/describe-tasks-tagged.json")));

        describer.describe(CLUSTER, TASK_ARN);

        Request sent = aws.only(DESCRIBE_TASKS);
        assertThat(sent.header("Content-Type")).isEqualTo("application/x-amz-json-1.1");
        assertThat(TestJson.tree(sent.body())).isEqualTo(TestJson.tree("""
                {"cluster": "arn:aws:ecs:us-east-1:111122223333:cluster/batch",
                 "tasks": ["arn:aws:ecs:us-east-1:111122223333:task/batch/0ea07ec316893a47cdb02dcf74a5fc77"],
                 "include": ["TAGS"]}
                """));
    }

    @Test
    void taskWithTagsAndOverridesIsDescribed() {
        aws.answer(DESCRIBE_TASKS, Response.json(200, fixture("aws/ecs/describe-tasks-tagged.json")));

        Optional<DescribedTask> described = describer.describe(CLUSTER, TASK_ARN);

        assertThat(described).contains(new DescribedTask(TASK_ARN,
                Map.of("ecs-retrier:run-id", "run-7f3a", "ecs-retrier:attempt", "1", "ecs-retrier:max-attempts", "3"),
                List.of(new ContainerOverride("app", List.of("python", "job.py", "--day", "2025-03-14"), List.of(
                        new EnvironmentVariable("MODE", "full"), new EnvironmentVariable("RETRIER_RUN_ID", "run-7f3a"),
                        new EnvironmentVariable("RETRIER_ATTEMPT", "1"),
                        new EnvironmentVariable("RETRIER_MAX_ATTEMPTS", "3"))))));
    }

    @Test
    void overrideWithoutCommandOrEnvironmentKeepsThemNull() {
        aws.answer(DESCRIBE_TASKS, Response.json(200, """
                {"tasks": [{"taskArn": "%s", "overrides": {"containerOverrides": [{"name": "app"}]}, "tags": []}],
                 "failures": []}
                """.formatted(TASK_ARN)));

        assertThat(describer.describe(CLUSTER, TASK_ARN))
                .contains(new DescribedTask(TASK_ARN, Map.of(), List.of(new ContainerOverride("app", null, null))));
    }

    @Test
    void taskWithoutTagsOrOverridesIsDescribedEmpty() {
        aws.answer(DESCRIBE_TASKS, Response.json(200, "{\"tasks\": [{\"taskArn\": \"" + TASK_ARN + "\"}], \"failures\": []}"));

        assertThat(describer.describe(CLUSTER, TASK_ARN)).contains(new DescribedTask(TASK_ARN, Map.of(), List.of()));
    }

    @Test
    void taskEcsNoLongerKnowsIsEmpty() {
        aws.answer(DESCRIBE_TASKS, Response.json(200, fixture("aws/ecs/describe-tasks-missing.json")));

        assertThat(describer.describe(CLUSTER, TASK_ARN)).isEmpty();
    }

    @Test
    void errorsPropagateSoLambdaRetriesTheEvent() {
        aws.answer(DESCRIBE_TASKS, Response.jsonError(400, "AccessDeniedException",
                "User is not authorized to perform: ecs:DescribeTasks"));

        assertThatThrownBy(() -> describer.describe(CLUSTER, TASK_ARN))
                .isInstanceOf(EcsException.class)
                .hasMessageContaining("not authorized");
    }
}
