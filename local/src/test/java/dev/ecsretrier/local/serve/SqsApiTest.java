package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.local.JsonTrees;
import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LocalSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code serve}'s SQS over the dead-letter queues, driven by the SDK v2's SqsClient (AWS JSON 1.0):
 * what lands in each queue is what AWS puts there.
 */
class SqsApiTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    ServedRuntime served;
    SqsClient sqs;

    void serve(Faults faults) throws Exception {
        served = new ServedRuntime(LocalRuntime.builder().setting(Setting.RETRYABLE_EXIT_CODES, "2")
                .timeScale(0.001).seed(61).faults(faults).build());
        sqs = served.client(SqsClient.builder());
    }

    @AfterEach
    void stop() {
        sqs.close();
        served.close();
    }

    String url(String queue) {
        return sqs.getQueueUrl(r -> r.queueName(queue)).queueUrl();
    }

    List<Message> receiveWithin(String queue, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Message> messages = List.of();
        while (messages.isEmpty() && System.nanoTime() < deadline) {
            messages = sqs.receiveMessage(r -> r.queueUrl(url(queue)).waitTimeSeconds(1).maxNumberOfMessages(10)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL).messageAttributeNames("All")).messages();
        }
        return messages;
    }

    @Test
    void theQueuesAreTheConstructsDeadLetterQueues() throws Exception {
        serve(Faults.NONE);

        List<String> urls = sqs.listQueues().queueUrls();

        assertThat(urls).hasSize(4).allSatisfy(url -> assertThat(url).startsWith(served.endpoint.uri() + "/000000000000/"));
        assertThat(urls).extracting(url -> url.substring(url.lastIndexOf('/') + 1))
                .containsExactlyElementsOf(LocalSettings.DEAD_LETTER_QUEUES);
        assertThat(sqs.getQueueAttributes(r -> r.queueUrl(url(LocalSettings.STARTER_FAILURES))
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes())
                .containsEntry(QueueAttributeName.QUEUE_ARN, "arn:aws:sqs:local:000000000000:StarterFailures");
        assertThatThrownBy(() -> sqs.getQueueUrl(r -> r.queueName("no-such-queue")))
                .isInstanceOf(QueueDoesNotExistException.class).hasMessageContaining("The specified queue does not exist.");
    }

    @Test
    void aStarterInvocationThatFailedEveryTryIsAnInvocationRecordInStarterFailures() throws Exception {
        serve(Faults.builder().handlerCrash(1.0).build());
        String runId = served.runtime.submitRun(StartRequest.of("sqs-crashed", 1, List.of(), null));

        List<Message> messages = receiveWithin(LocalSettings.STARTER_FAILURES, WAIT);

        assertThat(messages).singleElement().satisfies(message -> {
            JsonNode record = JsonTrees.tree(message.body());
            assertThat(record.path("version").asText()).isEqualTo("1.0");
            assertThat(record.path("requestContext").path("condition").asText()).isEqualTo("RetriesExhausted");
            assertThat(record.path("requestContext").path("approximateInvokeCount").asInt()).isEqualTo(3);
            assertThat(record.path("requestContext").path("requestId").asText())
                    .isEqualTo(served.runtime.deadLetters().get(0).requestId());
            assertThat(record.path("requestContext").path("functionArn").asText())
                    .isEqualTo("arn:aws:lambda:local:000000000000:function:starter:1");
            assertThat(record.path("requestPayload").path("runId").asText()).isEqualTo(runId);
            assertThat(record.path("responseContext").path("functionError").asText()).isEqualTo("Unhandled");
            assertThat(record.path("responsePayload").path("errorMessage").asText()).contains("simulated crash");
            assertThat(message.attributes()).containsEntry(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1")
                    .containsKey(MessageSystemAttributeName.SENT_TIMESTAMP);
        });
        assertThat(sqs.getQueueAttributes(r -> r.queueUrl(url(LocalSettings.STARTER_FAILURES))
                .attributeNames(QueueAttributeName.ALL)).attributes())
                .containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")
                .containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "1");

        sqs.deleteMessage(r -> r.queueUrl(url(LocalSettings.STARTER_FAILURES)).receiptHandle(messages.get(0).receiptHandle()));

        assertThat(served.runtime.queues().messages(LocalSettings.STARTER_FAILURES)).isEmpty();
    }

    @Test
    void aScheduleThatCouldNotInvokeItsTargetIsItsInputWithSchedulersAttributesInScheduleDeliveryFailures()
            throws Exception {
        serve(Faults.NONE);
        String missing = "arn:aws:lambda:local:000000000000:function:missing";
        try (SchedulerClient scheduler = served.client(SchedulerClient.builder())) {
            scheduler.createSchedule(SchedulerApiTest.nextAttempt("sqs-undeliverable-2", Instant.now(),
                    "{\"runId\":\"sqs-undeliverable\",\"attempt\":2}").toBuilder()
                    .target(t -> t.arn(missing).roleArn(LocalSettings.SCHEDULER_ROLE_ARN)
                            .input("{\"runId\":\"sqs-undeliverable\",\"attempt\":2}")).build());
        }

        List<Message> messages = receiveWithin(LocalSettings.SCHEDULE_DELIVERY_FAILURES, WAIT);

        assertThat(messages).singleElement().satisfies(message -> {
            assertThat(message.body()).isEqualTo("{\"runId\":\"sqs-undeliverable\",\"attempt\":2}");
            assertThat(message.messageAttributes()).containsEntry("TARGET_ARN", text(missing))
                    .containsEntry("ERROR_CODE", text("ResourceNotFoundException"))
                    .containsEntry("X-Amz-Scheduler-Group", text("default"))
                    .containsEntry("X-Amz-Scheduler-Schedule-Arn",
                            text("arn:aws:scheduler:local:000000000000:schedule/default/sqs-undeliverable-2"))
                    .containsKeys("ERROR_MESSAGE", "EXHAUSTED_RETRY_CONDITION", "RETRY_ATTEMPTS", "X-Amz-Scheduler-Attempt");
        });
    }

    static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    @Test
    void aReceivedMessageIsHiddenForItsVisibilityTimeoutAndAStaleHandleIsStillDeleted() throws Exception {
        serve(Faults.NONE);
        String url = url(LocalSettings.CLASSIFIER_FAILURES);
        sqs.sendMessage(r -> r.queueUrl(url).messageBody("{\"detail\":{}}")
                .messageAttributes(Map.of("origin", text("test"))));

        Message first = sqs.receiveMessage(r -> r.queueUrl(url).visibilityTimeout(60).messageAttributeNames("All"))
                .messages().get(0);
        List<Message> hidden = sqs.receiveMessage(r -> r.queueUrl(url)).messages();
        sqs.changeMessageVisibility(r -> r.queueUrl(url).receiptHandle(first.receiptHandle()).visibilityTimeout(0));
        Message again = sqs.receiveMessage(r -> r.queueUrl(url).messageSystemAttributeNames(MessageSystemAttributeName.ALL))
                .messages().get(0);

        assertThat(first.messageAttributes()).containsEntry("origin", text("test"));
        assertThat(hidden).isEmpty();
        assertThat(again.messageId()).isEqualTo(first.messageId());
        assertThat(again.attributes()).containsEntry(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "2");
        sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(again.receiptHandle()));
        sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(again.receiptHandle()));
        assertThat(served.runtime.queues().messages(LocalSettings.CLASSIFIER_FAILURES)).isEmpty();
        assertThatThrownBy(() -> sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle("not-a-handle")))
                .isInstanceOf(ReceiptHandleIsInvalidException.class);
    }

    java.net.http.HttpResponse<String> post(String contentType, String target, String body) {
        try {
            java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(served.endpoint.uri())
                    .header("Content-Type", contentType)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
            if (target != null) {
                request.header("X-Amz-Target", target);
            }
            return java.net.http.HttpClient.newHttpClient().send(request.build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Both protocols' bodies are read by the functions' binder into the same records: a member of the
     * wrong type is SQS's InvalidParameterValue naming it (a query parameter that is not the integer its
     * shape has is one too), and members the local queues do not read are passed over.
     */
    @Test
    void aMemberOfTheWrongTypeIsAnInvalidParameterValueNamingIt_inBothProtocols() throws Exception {
        serve(Faults.NONE);
        String url = url(LocalSettings.CLASSIFIER_FAILURES);

        var json = post(SqsApi.JSON_10, "AmazonSQS.ReceiveMessage",
                "{\"QueueUrl\":\"" + url + "\",\"MaxNumberOfMessages\":\"ten\"}");
        var query = post("application/x-www-form-urlencoded", null, "Action=ReceiveMessage&Version=2012-11-05&QueueUrl="
                + java.net.URLEncoder.encode(url, java.nio.charset.StandardCharsets.UTF_8) + "&MaxNumberOfMessages=ten");
        var attribute = post(SqsApi.JSON_10, "AmazonSQS.SendMessage", "{\"QueueUrl\":\"" + url + "\",\"MessageBody\":\"x\","
                + "\"MessageAttributes\":{\"origin\":{\"DataType\":\"String\",\"StringValue\":7}}}");
        var extra = post(SqsApi.JSON_10, "AmazonSQS.ReceiveMessage", "{\"QueueUrl\":\"" + url + "\","
                + "\"ReceiveRequestAttemptId\":\"a\",\"MaxNumberOfMessages\":1}");

        assertThat(json.statusCode()).isEqualTo(400);
        assertThat(json.body()).contains("InvalidParameterValue")
                .contains("MaxNumberOfMessages must be an integer, got string 'ten'");
        assertThat(query.statusCode()).isEqualTo(400);
        assertThat(query.body()).contains("<Code>InvalidParameterValue</Code>")
                .contains("MaxNumberOfMessages must be an integer, got string 'ten'");
        assertThat(attribute.body()).contains("MessageAttributes.origin.StringValue must be a string, got number 7");
        assertThat(extra.statusCode()).as(extra.body()).isEqualTo(200);
    }
}
