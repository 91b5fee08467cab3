package dev.ecsretrier.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.Notification;
import dev.ecsretrier.port.ScheduledAttempt;
import dev.ecsretrier.testutil.RecordingAwsEndpoint;
import dev.ecsretrier.testutil.RequiredTool;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The Scheduler and SNS adapters against moto ({@code python3 -m moto.server}), an AWS emulator
 * that validates what it is sent and keeps state: a second schedule of the same name really
 * conflicts. Complements the recording-endpoint tests, which assert the exact requests.
 */
class MotoSchedulerAndSnsTest {

    static final String STARTER = "arn:aws:lambda:us-east-1:123456789012:function:ecs-retrier-starter:live";
    static final String ROLE = "arn:aws:iam::123456789012:role/ecs-retrier-scheduler";
    static final String DLQ = "arn:aws:sqs:us-east-1:123456789012:ecs-retrier-schedule-dlq";

    private static final boolean MOTO_INSTALLED = motoInstalled();
    private static Process moto;
    private static URI endpoint;
    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.create();

    @BeforeAll
    static void startMoto() throws Exception {
        if (!MOTO_INSTALLED) {
            return;
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        moto = new ProcessBuilder("python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        endpoint = URI.create("http://127.0.0.1:" + port);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (!listening(port)) {
            if (!moto.isAlive() || Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("moto did not start on port " + port);
            }
            Thread.sleep(50);
        }
    }

    @BeforeEach
    void requireMoto() {
        // Per test, not in @BeforeAll: Surefire reports a class aborted there as 0 tests, without the reason.
        RequiredTool.require("moto (`python3 -c 'import moto'` failed)", MOTO_INSTALLED, "pip install 'moto[server]'");
    }

    @AfterAll
    static void stopMoto() throws InterruptedException {
        if (moto != null) {
            moto.destroy();
            if (!moto.waitFor(5, TimeUnit.SECONDS)) {
                moto.destroyForcibly();
            }
        }
    }

    @Test
    void secondScheduleOfTheSameAttemptIsAlreadyScheduled() {
        try (SchedulerClient client = SchedulerClient.builder().endpointOverride(endpoint).region(RecordingAwsEndpoint.REGION)
                .credentialsProvider(RecordingAwsEndpoint.credentials()).httpClient(HTTP).build()) {
            client.createScheduleGroup(g -> g.name("ecs-retrier"));
            SchedulerAttemptScheduler scheduler = new SchedulerAttemptScheduler(client, "ecs-retrier", ROLE, DLQ);
            ScheduledAttempt attempt = new ScheduledAttempt("run-7f3a-2", Instant.parse("2030-03-14T10:09:36.250Z"),
                    "{\"runId\":\"run-7f3a\",\"attempt\":2}", STARTER);

            assertThat(scheduler.schedule(attempt)).isEqualTo(AttemptScheduler.Result.CREATED);
            assertThat(scheduler.schedule(attempt)).isEqualTo(AttemptScheduler.Result.ALREADY_SCHEDULED);

            GetScheduleResponse stored = client.getSchedule(g -> g.groupName("ecs-retrier").name("run-7f3a-2"));
            assertThat(stored.scheduleExpression()).isEqualTo("at(2030-03-14T10:09:37)");
            assertThat(stored.scheduleExpressionTimezone()).isEqualTo("UTC");
            assertThat(stored.actionAfterCompletionAsString()).isEqualTo("DELETE");
            assertThat(stored.target().input()).isEqualTo("{\"runId\":\"run-7f3a\",\"attempt\":2}");
            assertThat(stored.target().retryPolicy().maximumRetryAttempts()).isEqualTo(10);
            assertThat(stored.target().deadLetterConfig().arn()).isEqualTo(DLQ);
        }
    }

    /**
     * What the adapter publishes arrives: a queue subscribed to the topic receives SNS's envelope
     * with the body, the subject and the message attributes subscribers filter and dedup on
     * (https://docs.aws.amazon.com/sns/latest/dg/SendMessageToSQS.html).
     */
    @Test
    void aPublishedNotificationReachesASubscribedQueueWithItsSubjectAndAttributes() throws Exception {
        try (SnsClient sns = SnsClient.builder().endpointOverride(endpoint).region(RecordingAwsEndpoint.REGION)
                .credentialsProvider(RecordingAwsEndpoint.credentials()).httpClient(HTTP).build();
             SqsClient sqs = SqsClient.builder().endpointOverride(endpoint).region(RecordingAwsEndpoint.REGION)
                     .credentialsProvider(RecordingAwsEndpoint.credentials()).httpClient(HTTP).build()) {
            String topic = sns.createTopic(t -> t.name("ecs-retrier-outcomes")).topicArn();
            String queueUrl = sqs.createQueue(q -> q.queueName("outcomes-subscriber")).queueUrl();
            String queueArn = sqs.getQueueAttributes(a -> a.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            sns.subscribe(s -> s.topicArn(topic).protocol("sqs").endpoint(queueArn));

            new SnsNotifier(sns, topic).publish(new Notification("ecs-retrier run run-7f3a FAILED after 1 attempt",
                    "{\"runId\":\"run-7f3a\",\"outcome\":\"FAILED\"}",
                    Map.of("outcome", "FAILED", "runId", "run-7f3a", "dedupKey", "run-7f3a:FAILED")));

            List<Message> received = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(5)).messages();
            assertThat(received).hasSize(1);
            JsonNode envelope = TestJson.MAPPER.readTree(received.get(0).body());
            assertThat(envelope.path("Type").asText()).isEqualTo("Notification");
            assertThat(envelope.path("TopicArn").asText()).isEqualTo(topic);
            assertThat(envelope.path("Subject").asText()).isEqualTo("ecs-retrier run run-7f3a FAILED after 1 attempt");
            assertThat(envelope.path("Message").asText()).isEqualTo("{\"runId\":\"run-7f3a\",\"outcome\":\"FAILED\"}");
            JsonNode attributes = envelope.path("MessageAttributes");
            assertThat(attributes.path("outcome").path("Value").asText()).isEqualTo("FAILED");
            assertThat(attributes.path("runId").path("Value").asText()).isEqualTo("run-7f3a");
            assertThat(attributes.path("dedupKey").path("Value").asText()).isEqualTo("run-7f3a:FAILED");
            assertThat(attributes.path("dedupKey").path("Type").asText()).isEqualTo("String");
        }
    }

    private static boolean motoInstalled() {
        try {
            Process check = new ProcessBuilder("python3", "-c", "import moto")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return check.waitFor(30, TimeUnit.SECONDS) && check.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
