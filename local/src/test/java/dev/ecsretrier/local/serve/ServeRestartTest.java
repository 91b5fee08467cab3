package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.local.emulator.LocalSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.ScheduleSummary;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code serve --data-dir}: stopped (as Ctrl-C stops it) and started again on the same directory,
 * in a JVM of its own each time, it loses nothing: the pending retry fires and the run ends as its
 * policy says; tasks, schedules and log records are still there to read.
 */
class ServeRestartTest {

    static final Duration WAIT = Duration.ofSeconds(120);

    static <B extends AwsClientBuilder<B, C> & SdkSyncClientBuilder<B, C>, C> C client(ServeProcess serve, B builder) {
        return builder.httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(URI.create(serve.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    static void start(ServeProcess serve, String startRequest) {
        try (LambdaClient lambda = client(serve, LambdaClient.builder())) {
            lambda.invoke(r -> r.functionName(LocalSettings.STARTER_FUNCTION).invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String(startRequest)));
        }
    }

    /** The notifications serve wrote to its data directory that name the run and the outcome. */
    static boolean notified(Path data, String runId, String outcome) {
        Path file = data.resolve("notifications.jsonl");
        try {
            return Files.exists(file) && Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .anyMatch(line -> line.contains("\"runId\":\"" + runId + "\"") && line.contains(outcome));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static List<Task> stoppedTasks(EcsClient ecs) {
        List<String> arns = ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN).startedBy("ecs-retrier")
                .desiredStatus(DesiredStatus.STOPPED)).taskArns();
        return arns.isEmpty() ? List.of() : ecs.describeTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN).tasks(arns)).tasks();
    }

    @Test
    void aRetryPendingWhenServeStopsFiresWhenItStartsAgainOnTheSameDataDirectory(@TempDir Path data) throws Exception {
        // Attempt 1 exits 2 (retryable); the retry waits 1000 s, 10 s at time scale 0.01: serve stops meanwhile
        // (a retry that fired before the stop would show as a third task below).
        String[] options = {"--data-dir", data.toString(), "--time-scale", "0.01", "--retryable-exit-codes", "2",
                "--backoff-initial", "1000", "--backoff-max", "1000", "--jitter", "NONE"};
        String runId = "restart-retry";
        try (ServeProcess first = ServeProcess.start(List.of(), options);
             SchedulerClient scheduler = client(first, SchedulerClient.builder())) {
            start(first, "{\"runId\":\"" + runId + "\",\"containerOverrides\":[{\"name\":\"app\",\"environment\":"
                    + "[{\"name\":\"FAIL_ON_ATTEMPTS\",\"value\":\"1\"}]}]}");
            await("the retry's schedule", () -> scheduler.listSchedules(r -> r.namePrefix(runId)).schedules().stream()
                    .map(ScheduleSummary::name).anyMatch((runId + "-2")::equals));
            first.stop();
        }
        assertThat(notified(data, runId, "SUCCEEDED")).as("no outcome before the restart").isFalse();

        try (ServeProcess second = ServeProcess.start(List.of(), options);
             EcsClient ecs = client(second, EcsClient.builder());
             CloudWatchLogsClient logs = client(second, CloudWatchLogsClient.builder())) {
            await("the run's outcome after the restart", () -> notified(data, runId, "SUCCEEDED"));

            // Both attempts' tasks: the one that ran before the restart is still described.
            assertThat(stoppedTasks(ecs)).hasSize(2).allSatisfy(task ->
                    assertThat(task.stopCodeAsString()).isEqualTo("EssentialContainerExited"));
            // The classifier's lines from both sides of the restart: two streams, one per start of serve.
            List<FilteredLogEvent> decided = logs.filterLogEventsPaginator(r -> r.logGroupName("/aws/lambda/classifier")
                    .filterPattern("\"" + runId + "\"")).events().stream().toList();
            assertThat(decided.stream().map(FilteredLogEvent::logStreamName).distinct()).hasSize(2);
            assertThat(second.output()).anySatisfy(line -> assertThat(line).contains("data dir:"));
        }
    }

    @Test
    void aTaskRunningWhenServeStopsEndsWithTerminationNoticeAndIsRetried(@TempDir Path data) throws Exception {
        String[] options = {"--data-dir", data.toString(), "--time-scale", "0.01", "--backoff-initial", "10",
                "--jitter", "NONE"};
        String runId = "restart-running";
        try (ServeProcess first = ServeProcess.start(List.of(), options);
             EcsClient ecs = client(first, EcsClient.builder())) {
            start(first, "{\"runId\":\"" + runId + "\",\"containerOverrides\":[{\"name\":\"app\",\"environment\":"
                    + "[{\"name\":\"WORK_SECONDS\",\"value\":\"5\"}]}]}");
            await("attempt 1 running", () -> !ecs.listTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN)
                    .startedBy("ecs-retrier")).taskArns().isEmpty());
            first.stop();
        }

        try (ServeProcess second = ServeProcess.start(List.of(), options);
             EcsClient ecs = client(second, EcsClient.builder())) {
            await("the run's outcome after the restart", () -> notified(data, runId, "SUCCEEDED"));

            assertThat(stoppedTasks(ecs)).extracting(Task::stopCodeAsString)
                    .containsExactlyInAnyOrder("TerminationNotice", "EssentialContainerExited");
        }
    }

    @Test
    void aSecondServeOnTheSameDataDirectoryIsAUsageError(@TempDir Path data) throws Exception {
        try (ServeProcess first = ServeProcess.start(List.of(), "--data-dir", data.toString())) {
            Process second = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.ecsretrier.local.cli.RetrierCommand", "serve",
                    "--port", "0", "--data-dir", data.toString()).redirectErrorStream(true).start();
            String output = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(second.waitFor()).isEqualTo(2);
            assertThat(output).contains("--data-dir").contains("is in use by another serve");
            assertThat(first.alive()).isTrue();
        }
    }
}
