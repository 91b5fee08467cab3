package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.local.JsonTrees;
import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.emulator.DeadLetter;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.serve.OperateCommandsTest.Ran;
import dev.ecsretrier.local.sns.PublishedNotification;
import dev.ecsretrier.local.sqs.LocalQueues;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code retrier redrive} against {@code serve}: every asynchronous invocation crashes (so the
 * starter's and the classifier's failures land in their dead-letter queues, as Lambda's on-failure
 * destinations put them), while the synchronous invokes redrive makes run the handlers.
 */
class RedriveCommandTest {

    ServedRuntime served;
    String endpoint;

    @BeforeEach
    void serve() throws Exception {
        System.setProperty("aws.accessKeyId", "local");
        System.setProperty("aws.secretAccessKey", "local");
        served = new ServedRuntime(LocalRuntime.builder().setting(Setting.RETRYABLE_EXIT_CODES, "2")
                .timeScale(0.001).seed(71).faults(Faults.builder().handlerCrash(1.0).build()).build());
        endpoint = served.endpoint.uri().toString();
    }

    @AfterEach
    void stop() {
        served.close();
    }

    List<LocalQueues.Message> queued(String queue) {
        return served.runtime.queues().messages(queue);
    }

    void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** A caller's asynchronous start without a run id (the starter would make one): it crashes every try. */
    String crashedStartWithoutRunId() throws Exception {
        try (LambdaClient lambda = served.client(LambdaClient.builder())) {
            lambda.invoke(r -> r.functionName(LocalSettings.STARTER_ARN).invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String("{\"containerOverrides\":[]}")));
        }
        await("the start in StarterFailures", () -> queued(LocalSettings.STARTER_FAILURES).size() == 1);
        DeadLetter letter = served.runtime.deadLetters().get(0);
        assertThat(JsonTrees.tree(letter.event()).has("runId")).isFalse();
        return letter.requestId();
    }

    List<TimelineEntry> launches(String runId) {
        return served.runtime.timeline(runId).stream().filter(e -> e.kind() == TimelineEntry.Kind.TASK_LAUNCHED).toList();
    }

    List<PublishedNotification> notifications(String runId) {
        return served.runtime.notifications().stream().filter(n -> runId.equals(n.attributes().get("runId"))).toList();
    }

    @Test
    void redrive_replaysStarterAndClassifierFailures_andTheRunEndsExactlyOnce_andASecondRedriveReplaysNothing()
            throws Exception {
        String requestId = crashedStartWithoutRunId();
        // The same record twice, as when a replay's delete was lost: replaying it again must not launch again.
        LocalQueues.Message record = queued(LocalSettings.STARTER_FAILURES).get(0);
        served.runtime.queues().send(LocalSettings.STARTER_FAILURES, record.body(), Map.of(), Duration.ZERO);

        Ran starts = OperateCommandsTest.retrier("redrive", "--endpoint-url", endpoint, "--queue", "StarterFailures");

        assertThat(starts.exitCode()).as(starts.out() + starts.err()).isZero();
        assertThat(starts.out()).contains("StarterFailures: replayed 2, failed 0, left 0");
        assertThat(queued(LocalSettings.STARTER_FAILURES)).isEmpty();
        // The starter's own run id for a request without one: the request id (a UUID).
        String runId = requestId;
        assertThat(launches(runId)).hasSize(1);
        // The task's STOPPED event crashes the classifier every try: it lands in ClassifierFailures.
        await("the stopped event in ClassifierFailures", () -> !queued(LocalSettings.CLASSIFIER_FAILURES).isEmpty());
        assertThat(notifications(runId)).isEmpty();

        Ran all = OperateCommandsTest.retrier("redrive", "--endpoint-url", endpoint);

        assertThat(all.exitCode()).as(all.out() + all.err()).isZero();
        assertThat(all.out()).containsPattern("ClassifierFailures: replayed [1-9], failed 0, left 0")
                .contains("StarterFailures: replayed 0, failed 0, left 0");
        assertThat(served.runtime.awaitOutcome(runId, Duration.ofSeconds(30)).orElseThrow().outcome())
                .isEqualTo(Decision.SUCCEEDED);
        served.runtime.awaitIdle(Duration.ofSeconds(5));
        assertThat(notifications(runId)).hasSize(1);
        assertThat(launches(runId)).hasSize(1);

        Ran again = OperateCommandsTest.retrier("redrive", "--endpoint-url", endpoint);

        assertThat(again.exitCode()).isZero();
        for (String queue : LocalSettings.DEAD_LETTER_QUEUES) {
            assertThat(again.out()).contains(queue + ": replayed 0, failed 0, left 0");
        }
        assertThat(notifications(runId)).hasSize(1);
    }

    @Test
    void redrive_dryRun_listsWhatItWouldReplay_withTheStableRunId_andDeletesNothing() throws Exception {
        String requestId = crashedStartWithoutRunId();

        Ran ran = OperateCommandsTest.retrier("redrive", "--endpoint-url", endpoint, "--dry-run");

        assertThat(ran.exitCode()).as(ran.err()).isZero();
        assertThat(ran.out()).contains("would replay StarterFailures").contains("\"runId\":\"" + requestId + "\"")
                .contains("StarterFailures: would replay 1").contains("ClassifierFailures: would replay 0");
        assertThat(queued(LocalSettings.STARTER_FAILURES)).hasSize(1);
        assertThat(launches(requestId)).isEmpty();
    }

    @Test
    void redrive_aFailingReplay_isLeftInItsQueue_andCounted() throws Exception {
        // A start request the starter refuses (attempt 0): its invoke returns a FunctionError.
        served.runtime.queues().send(LocalSettings.SCHEDULE_DELIVERY_FAILURES, "{\"runId\":\"redrive-bad\",\"attempt\":0}",
                Map.of(), Duration.ZERO);

        Ran ran = OperateCommandsTest.retrier("redrive", "--endpoint-url", endpoint, "--queue", "ScheduleDeliveryFailures");

        assertThat(ran.exitCode()).isEqualTo(1);
        assertThat(ran.out()).contains("ScheduleDeliveryFailures: replayed 0, failed 1, left 1");
        assertThat(queued(LocalSettings.SCHEDULE_DELIVERY_FAILURES)).hasSize(1);
    }

    /** The run's STOPPED event, out of the classifier's dead-letter record (its requestPayload): the event itself. */
    String stoppedEventOf(String runId) throws Exception {
        await("the stopped event in ClassifierFailures", () -> !queued(LocalSettings.CLASSIFIER_FAILURES).isEmpty());
        LocalQueues.Message record = queued(LocalSettings.CLASSIFIER_FAILURES).get(0);
        com.fasterxml.jackson.databind.JsonNode event = JsonTrees.tree(record.body()).path("requestPayload");
        assertThat(event.toString()).contains(runId);
        return JsonTrees.write(event);
    }

    /** Every message of a queue received and deleted, as if it had never been there. */
    void empty(String queue) throws InterruptedException {
        for (LocalQueues.Message message : served.runtime.queues().receive(queue, 10, Duration.ofSeconds(30), Duration.ZERO)) {
            served.runtime.queues().delete(queue, message.receiptHandle());
        }
        assertThat(queued(queue)).isEmpty();
    }

    static LocalQueues.Attribute text(String value) {
        return new LocalQueues.Attribute("String", value);
    }

    @Test
    void redrive_ofRuleDeliveryFailures_sendsEachEventToTheClassifier_andTheRunEndsOnce() throws Exception {
        Ran started = OperateCommandsTest.retrier("start", "--endpoint-url", endpoint, "--payload",
                OperateCommandsTest.startRequest("redrive-rule"));
        assertThat(started.exitCode()).as(started.err()).isZero();
        // EventBridge could not deliver the stop to the classifier: its target's dead-letter queue holds the
        // event itself, with the rule's and the target's ARNs as attributes (eb-rule-dlq.html).
        String event = stoppedEventOf("redrive-rule");
        empty(LocalSettings.CLASSIFIER_FAILURES);
        served.runtime.queues().send(LocalSettings.RULE_DELIVERY_FAILURES, event, Map.of(
                "RULE_ARN", text("arn:aws:events:us-east-1:000000000000:rule/" + LocalSettings.RULE_NAME),
                "TARGET_ARN", text(served.runtime.lambda().arn(LocalSettings.CLASSIFIER_FUNCTION)),
                "ERROR_CODE", text("SDK_CLIENT_ERROR"),
                "ERROR_MESSAGE", text("Unable to invoke Lambda function"),
                "EXHAUSTED_RETRY_CONDITION", text("MaximumRetryAttemptsExhausted"),
                "RETRY_ATTEMPTS", text("185")), Duration.ZERO);
        assertThat(notifications("redrive-rule")).isEmpty();

        Ran ran = OperateCommandsTest.retrier("redrive", "--endpoint-url", endpoint, "--queue", "RuleDeliveryFailures");

        assertThat(ran.exitCode()).as(ran.out() + ran.err()).isZero();
        assertThat(ran.out()).contains("RuleDeliveryFailures: replayed 1, failed 0, left 0");
        assertThat(queued(LocalSettings.RULE_DELIVERY_FAILURES)).isEmpty();
        assertThat(served.runtime.awaitOutcome("redrive-rule", Duration.ofSeconds(30)).orElseThrow().outcome())
                .isEqualTo(Decision.SUCCEEDED);
        assertThat(notifications("redrive-rule")).hasSize(1);
        assertThat(launches("redrive-rule")).hasSize(1);
    }

    @Test
    void redrive_withQueueUrl_readsTheQueueAtThatUrl_notTheOneOfThatName() throws Exception {
        String requestId = crashedStartWithoutRunId();
        // A deployed construct's queue has a generated name: here the StarterFailures record sits in a queue
        // of another name, found only by its URL.
        LocalQueues.Message record = queued(LocalSettings.STARTER_FAILURES).get(0);
        empty(LocalSettings.STARTER_FAILURES);
        served.runtime.queues().send(LocalSettings.SCHEDULE_DELIVERY_FAILURES, record.body(), Map.of(), Duration.ZERO);
        String url;
        try (software.amazon.awssdk.services.sqs.SqsClient sqs = served.client(software.amazon.awssdk.services.sqs.SqsClient.builder())) {
            url = sqs.getQueueUrl(r -> r.queueName(LocalSettings.SCHEDULE_DELIVERY_FAILURES)).queueUrl();
        }

        Ran ran = OperateCommandsTest.retrier("redrive", "--endpoint-url", endpoint, "--queue", "StarterFailures",
                "--queue-url", "StarterFailures=" + url);

        assertThat(ran.exitCode()).as(ran.out() + ran.err()).isZero();
        assertThat(ran.out()).contains("StarterFailures: replayed 1, failed 0, left 0");
        assertThat(queued(LocalSettings.SCHEDULE_DELIVERY_FAILURES)).isEmpty();
        // The record was replayed as what the StarterFailures queue holds: its request payload, under the
        // run id the starter gave the failed invocation.
        assertThat(launches(requestId)).hasSize(1);
    }

    @Test
    void redrive_anUnknownQueue_isOneLineOnStderr_andExit2() {
        Ran ran = OperateCommandsTest.retrier("redrive", "--endpoint-url", endpoint, "--queue", "NoSuchQueue");

        assertThat(ran.exitCode()).isEqualTo(2);
        // One line that says what is wrong, then the usual pointer to --help (UsageErrorHandler).
        assertThat(ran.err().lines().toList()).as(ran.err()).hasSize(2);
        assertThat(ran.err().lines().findFirst().orElseThrow()).contains("--queue").contains("NoSuchQueue")
                .contains("StarterFailures");
        assertThat(ran.out()).doesNotContain("replayed");
        Ran url = OperateCommandsTest.retrier("redrive", "--endpoint-url", endpoint, "--queue-url", "NoSuchQueue=http://x/q");
        assertThat(url.exitCode()).isEqualTo(2);
        assertThat(url.err().lines().findFirst().orElseThrow()).contains("--queue-url").contains("NoSuchQueue");
    }
}
