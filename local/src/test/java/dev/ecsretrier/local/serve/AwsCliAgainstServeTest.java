package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.local.JsonTrees;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.sns.PublishedNotification;
import dev.ecsretrier.testutil.RequiredTool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code serve} driven by the AWS CLI, as a user drives it: {@code --endpoint-url}, dummy
 * credentials, none of the machine's AWS files. Uses /usr/bin/aws (AWS CLI v2, which .ci/run
 * installs) or else the {@code aws} on the PATH; skipped when there is none, except in CI
 * ({@code CI=true}), where a missing CLI fails the build.
 */
class AwsCliAgainstServeTest {

    static ServedRuntime served;
    static String cli;

    /** One CLI call: its exit status, standard output and standard error. */
    record Call(int status, String out, String err) {
        JsonNode json() throws IOException {
            return JsonTrees.tree(out);
        }
    }

    static boolean cliRuns;

    @BeforeAll
    static void start() throws Exception {
        cli = Files.isExecutable(Path.of("/usr/bin/aws")) ? "/usr/bin/aws" : "aws";
        cliRuns = runs(cli);
        if (cliRuns) {
            served = new ServedRuntime(51);
        }
    }

    @BeforeEach
    void requireTheCli() {
        // Per test, not in @BeforeAll: Surefire reports a class aborted there as 0 tests, without the reason.
        RequiredTool.require("the AWS CLI (" + cli + ")", cliRuns, ".ci/run installs AWS CLI v2 at /usr/bin/aws");
    }

    @AfterAll
    static void stop() {
        if (served != null) {
            served.close();
        }
    }

    static boolean runs(String command) {
        try {
            Process version = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
            return version.waitFor(60, TimeUnit.SECONDS) && version.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static Call aws(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(cli, "--endpoint-url", served.endpoint.uri().toString(),
                "--region", "us-east-1", "--output", "json"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("AWS_"));
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.put("AWS_CONFIG_FILE", "/nonexistent/aws-config");
        env.put("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials");
        env.put("AWS_PAGER", "");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        Path out = Files.createTempFile("aws-cli-", ".out");
        Path err = Files.createTempFile("aws-cli-", ".err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("aws %s finished", String.join(" ", arguments)).isTrue();
        Call call = new Call(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return call;
    }

    static Call succeeded(Call call) {
        assertThat(call.status()).as("exit status; stderr: %s", call.err()).isZero();
        return call;
    }

    @Test
    void ecsRunTaskDescribeTasksListTasksAndStopTask() throws Exception {
        JsonNode run = succeeded(aws("ecs", "run-task", "--cluster", LocalSettings.CLUSTER_ARN,
                "--task-definition", LocalSettings.TASK_DEFINITION_ARN, "--started-by", "ecs-retrier",
                "--launch-type", "FARGATE",
                "--overrides", "{\"containerOverrides\":[{\"name\":\"app\",\"environment\":["
                        + "{\"name\":\"WORK_SECONDS\",\"value\":\"60\"},{\"name\":\"RETRIER_RUN_ID\",\"value\":\"cli-run\"}]}]}",
                "--tags", "key=" + AttemptMetadata.RUN_ID_TAG + ",value=cli-run",
                "key=" + AttemptMetadata.ATTEMPT_TAG + ",value=1")).json();
        String arn = run.path("tasks").path(0).path("taskArn").asText();
        assertThat(arn).startsWith("arn:aws:ecs:local:000000000000:task/local/");
        // (No --client-token: Debian's AWS CLI v2 predates RunTask's clientToken; the SDK test covers it.)
        assertThat(served.runtime.ecs().launched("cli-run")).singleElement()
                .satisfies(t -> assertThat(t.request().startedBy()).isEqualTo("ecs-retrier"));

        JsonNode described = succeeded(aws("ecs", "describe-tasks", "--cluster", LocalSettings.CLUSTER_ARN,
                "--tasks", arn, "--include", "TAGS")).json();
        assertThat(described.path("tasks").path(0).path("tags").toString())
                .contains("{\"key\":\"" + AttemptMetadata.RUN_ID_TAG + "\",\"value\":\"cli-run\"}");

        assertThat(succeeded(aws("ecs", "list-tasks", "--cluster", LocalSettings.CLUSTER_ARN,
                "--started-by", "ecs-retrier")).json().path("taskArns").toString()).contains(arn);

        JsonNode stopped = succeeded(aws("ecs", "stop-task", "--cluster", LocalSettings.CLUSTER_ARN, "--task", arn,
                "--reason", "stopped from the AWS CLI")).json();
        assertThat(stopped.path("task").path("desiredStatus").asText()).isEqualTo("STOPPED");
        assertThat(succeeded(aws("ecs", "list-tasks", "--cluster", LocalSettings.CLUSTER_ARN,
                "--started-by", "ecs-retrier", "--desired-status", "STOPPED")).json().path("taskArns").toString())
                .contains(arn);
    }

    @Test
    void ecsErrorsAreTheServicesOwn() throws Exception {
        Call call = aws("ecs", "run-task", "--cluster", "prod", "--task-definition", LocalSettings.TASK_DEFINITION_ARN);

        assertThat(call.status()).isNotZero();
        assertThat(call.err()).contains("ClusterNotFoundException").contains("Cluster not found.");
    }

    @Test
    void schedulerCreateListGetScheduleConflictsOnANameThatExistsAndDeleteSchedule() throws Exception {
        String[] create = {"scheduler", "create-schedule", "--name", "cli-later-2",
                "--schedule-expression", "at(2099-01-01T00:00:00)", "--flexible-time-window", "Mode=OFF",
                "--target", "{\"Arn\":\"" + LocalSettings.STARTER_ARN + "\",\"RoleArn\":\"" + LocalSettings.SCHEDULER_ROLE_ARN
                        + "\",\"Input\":\"{\\\"runId\\\":\\\"cli-later\\\"}\"}"};

        assertThat(succeeded(aws(create)).json().path("ScheduleArn").asText())
                .isEqualTo("arn:aws:scheduler:local:000000000000:schedule/default/cli-later-2");
        assertThat(served.runtime.scheduler().pendingSchedule("cli-later-2")).hasValueSatisfying(
                schedule -> assertThat(schedule.input()).isEqualTo("{\"runId\":\"cli-later\"}"));
        JsonNode listed = succeeded(aws("scheduler", "list-schedules", "--group-name", "default",
                "--name-prefix", "cli-later")).json();
        assertThat(listed.path("Schedules").path(0).path("Name").asText()).isEqualTo("cli-later-2");
        assertThat(succeeded(aws("scheduler", "get-schedule", "--name", "cli-later-2")).json()
                .path("ScheduleExpression").asText()).isEqualTo("at(2099-01-01T00:00:00)");
        Call again = aws(create);
        assertThat(again.status()).isNotZero();
        assertThat(again.err()).contains("ConflictException").contains("Schedule cli-later-2 already exists.");

        succeeded(aws("scheduler", "delete-schedule", "--name", "cli-later-2"));
        Call deletedAgain = aws("scheduler", "delete-schedule", "--name", "cli-later-2");
        assertThat(deletedAgain.status()).isNotZero();
        assertThat(deletedAgain.err()).contains("ResourceNotFoundException");
    }

    @Test
    void snsPublishReachesTheLocalTopic() throws Exception {
        String messageId = succeeded(aws("sns", "publish", "--topic-arn", LocalSettings.TOPIC_ARN,
                "--subject", "ecs-retrier: run cli-1 FAILED", "--message", "{\"runId\":\"cli-1\"}",
                "--message-attributes", "{\"runId\":{\"DataType\":\"String\",\"StringValue\":\"cli-1\"}}"))
                .json().path("MessageId").asText();

        Optional<PublishedNotification> published = served.runtime.notifications().stream()
                .filter(n -> n.messageId().equals(messageId)).findFirst();
        assertThat(published).hasValueSatisfying(n -> {
            assertThat(n.subject()).isEqualTo("ecs-retrier: run cli-1 FAILED");
            assertThat(n.attributes()).containsEntry("runId", "cli-1");
        });
    }

    @Test
    void logsFilterLogEventsWithAJsonPatternAndGetLogEvents() throws Exception {
        String group = dev.ecsretrier.local.emulator.LocalSettings.logGroupOf("classifier");
        String stream = "2026/12/01/[1]33333333333333333333333333333333";
        java.time.Instant at = java.time.Instant.parse("2026-12-01T09:00:00Z");
        served.runtime.logs().put(group, stream, at, "{\"record\":\"decision\",\"runId\":\"cli-logs\",\"attempt\":1}");
        served.runtime.logs().put(group, stream, at.plusSeconds(1), "{\"record\":\"decision\",\"runId\":\"cli-other\",\"attempt\":1}");

        JsonNode filtered = succeeded(aws("logs", "filter-log-events", "--log-group-name", group,
                "--filter-pattern", "{ $.runId = \"cli-logs\" }")).json();
        JsonNode read = succeeded(aws("logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream,
                "--start-from-head")).json();

        assertThat(filtered.path("events")).hasSize(1);
        assertThat(filtered.path("events").path(0).path("message").asText()).contains("\"runId\":\"cli-logs\"");
        assertThat(filtered.path("events").path(0).path("timestamp").asLong()).isEqualTo(at.toEpochMilli());
        assertThat(read.path("events")).hasSize(2);
        Call missing = aws("logs", "filter-log-events", "--log-group-name", "/aws/lambda/nothing");
        assertThat(missing.status()).isNotZero();
        assertThat(missing.err()).contains("ResourceNotFoundException");
    }

    @Test
    void sqsSendReceiveAndDeleteMessageOnADeadLetterQueueInTheQueryProtocol() throws Exception {
        // The rule's queue, which nothing else here writes to (this runtime's other tests dead-letter classifier events).
        String url = succeeded(aws("sqs", "get-queue-url", "--queue-name", LocalSettings.RULE_DELIVERY_FAILURES)).json()
                .path("QueueUrl").asText();
        assertThat(url).endsWith("/000000000000/" + LocalSettings.RULE_DELIVERY_FAILURES);
        assertThat(succeeded(aws("sqs", "list-queues")).json().path("QueueUrls").toString())
                .contains(LocalSettings.SCHEDULE_DELIVERY_FAILURES);
        succeeded(aws("sqs", "send-message", "--queue-url", url, "--message-body", "{\"detail\":{\"cli\":true}}",
                "--message-attributes", "{\"origin\":{\"DataType\":\"String\",\"StringValue\":\"cli\"}}"));

        JsonNode received = succeeded(aws("sqs", "receive-message", "--queue-url", url, "--attribute-names", "All",
                "--message-attribute-names", "All", "--visibility-timeout", "60")).json();
        JsonNode counts = succeeded(aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names",
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")).json();

        JsonNode message = received.path("Messages").path(0);
        assertThat(message.path("Body").asText()).isEqualTo("{\"detail\":{\"cli\":true}}");
        assertThat(message.path("Attributes").path("ApproximateReceiveCount").asText()).isEqualTo("1");
        assertThat(message.path("MessageAttributes").path("origin").path("StringValue").asText()).isEqualTo("cli");
        assertThat(counts.path("Attributes").path("ApproximateNumberOfMessages").asText()).isEqualTo("0");
        assertThat(counts.path("Attributes").path("ApproximateNumberOfMessagesNotVisible").asText()).isEqualTo("1");
        succeeded(aws("sqs", "delete-message", "--queue-url", url, "--receipt-handle", message.path("ReceiptHandle").asText()));
        assertThat(served.runtime.queues().messages(LocalSettings.RULE_DELIVERY_FAILURES)).isEmpty();
        Call missing = aws("sqs", "get-queue-url", "--queue-name", "no-such-queue");
        assertThat(missing.status()).isNotZero();
        assertThat(missing.err()).contains("NonExistentQueue");
    }
}
