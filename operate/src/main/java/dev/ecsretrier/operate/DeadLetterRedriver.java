package dev.ecsretrier.operate;

import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * {@code retrier redrive}: replays each message of the retrier's dead-letter queues to the function
 * it was going to (synchronously), deletes it only once that invocation returned without a
 * FunctionError, and leaves it in its queue otherwise.
 *
 * <p>Nothing runs twice: a start request without a run id gets the run id the starter gave (or would
 * give) the failed invocation, derived from the invocation record's request id exactly as the starter
 * derives it; the starter's client token {@code <runId>-<attempt>} then makes a second replay return
 * the first one's task. A classifier event replayed twice is handled as a duplicate delivery.
 */
public final class DeadLetterRedriver {

    /** Where a queue's messages were going. */
    public enum Function { STARTER, CLASSIFIER }

    /**
     * The construct's dead-letter queues, by what their messages hold.
     * <ul>
     *   <li>Lambda on-failure destinations: an invocation record, the original event under
     *       {@code requestPayload}, the request id under {@code requestContext.requestId}
     *       (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html);</li>
     *   <li>Scheduler's DLQ: the body is the target's input, a start request
     *       (https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html);</li>
     *   <li>a rule target's DLQ: the body is the event, TARGET_ARN names the target
     *       (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).</li>
     * </ul>
     */
    public enum Queue {
        STARTER_FAILURES("StarterFailures", Function.STARTER, true),
        CLASSIFIER_FAILURES("ClassifierFailures", Function.CLASSIFIER, true),
        RULE_DELIVERY_FAILURES("RuleDeliveryFailures", Function.CLASSIFIER, false),
        SCHEDULE_DELIVERY_FAILURES("ScheduleDeliveryFailures", Function.STARTER, false);

        private final String queueName;
        private final Function function;
        private final boolean invocationRecords;

        Queue(String queueName, Function function, boolean invocationRecords) {
            this.queueName = queueName;
            this.function = function;
            this.invocationRecords = invocationRecords;
        }

        public String queueName() {
            return queueName;
        }

        public Function function() {
            return function;
        }

        /** The queue of that name, if it is one of the retrier's. */
        public static Optional<Queue> named(String name) {
            for (Queue queue : values()) {
                if (queue.queueName.equals(name)) {
                    return Optional.of(queue);
                }
            }
            return Optional.empty();
        }
    }

    /** What one queue's redrive did; {@code left} are the messages still in the queue after it. */
    public record Count(Queue queue, int replayed, int failed, int left) { }

    /** One message: where it goes and with what. */
    record Replay(String function, String payload) { }

    /** A message is received hidden this long: long enough for this pass, then made visible again. */
    static final int VISIBILITY_SECONDS = 60;
    /** ReceiveMessage returns at most 10 messages (API_ReceiveMessage, MaxNumberOfMessages 1-10). */
    static final int BATCH = 10;

    private final Deployment deployment;
    private final LambdaClient lambda;
    private final SqsClient sqs;
    private final Consumer<String> progress;

    public DeadLetterRedriver(Deployment deployment, LambdaClient lambda, SqsClient sqs, Consumer<String> progress) {
        this.deployment = deployment;
        this.lambda = lambda;
        this.sqs = sqs;
        this.progress = progress;
    }

    /**
     * Replays (or, with {@code dryRun}, lists) every message of {@code queue}. Messages that stay are
     * made visible again at the end, for the next redrive.
     *
     * @param url the queue's URL; null to look it up by its name (the local runtime's names; a deployed
     *            construct's queues have generated names)
     */
    public Count redrive(Queue queue, String url, boolean dryRun) {
        String queueUrl = url != null ? url : sqs.getQueueUrl(r -> r.queueName(queue.queueName)).queueUrl();
        return redriveAt(queue, queueUrl, dryRun);
    }

    private Count redriveAt(Queue queue, String url, boolean dryRun) {
        Set<String> seen = new LinkedHashSet<>();
        List<String> stay = new ArrayList<>();
        int replayed = 0;
        int failed = 0;
        while (true) {
            List<Message> batch = sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(BATCH).waitTimeSeconds(0)
                    .visibilityTimeout(VISIBILITY_SECONDS).messageAttributeNames("All")).messages();
            List<Message> fresh = batch.stream().filter(m -> seen.add(m.messageId())).toList();
            if (fresh.isEmpty()) {
                break;
            }
            for (Message message : fresh) {
                Optional<Replay> replay = replayOf(queue, message);
                if (replay.isEmpty()) {
                    progress.accept(queue.queueName + " " + message.messageId() + ": not a message this queue holds,"
                            + " left in the queue");
                    stay.add(message.receiptHandle());
                    continue;
                }
                String what = queue.queueName + " " + message.messageId() + " -> " + replay.get().function();
                if (dryRun) {
                    progress.accept("would replay " + what + ": " + replay.get().payload());
                    stay.add(message.receiptHandle());
                    continue;
                }
                Optional<String> error = invoke(replay.get());
                if (error.isEmpty()) {
                    sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(message.receiptHandle()));
                    replayed++;
                    progress.accept("replayed " + what);
                } else {
                    failed++;
                    stay.add(message.receiptHandle());
                    progress.accept("failed " + what + ", left in the queue: " + error.get());
                }
            }
        }
        for (String handle : stay) {
            sqs.changeMessageVisibility(r -> r.queueUrl(url).receiptHandle(handle).visibilityTimeout(0));
        }
        return new Count(queue, replayed, failed, stay.size());
    }

    /** A synchronous (RequestResponse) invoke; the error when it failed, FunctionError or not reached. */
    private Optional<String> invoke(Replay replay) {
        try {
            InvokeResponse response = lambda.invoke(r -> r.functionName(replay.function())
                    .invocationType(InvocationType.REQUEST_RESPONSE).payload(SdkBytes.fromUtf8String(replay.payload())));
            // API_Invoke: a function error is a 200 with X-Amz-Function-Error set.
            return response.functionError() == null ? Optional.empty()
                    : Optional.of(response.functionError() + ": " + response.payload().asUtf8String());
        } catch (SdkException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The function and payload a message replays to; empty when it is not what the queue holds. */
    Optional<Replay> replayOf(Queue queue, Message message) {
        Object parsed;
        try {
            parsed = Json.parse(message.body());
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (!(parsed instanceof Map<?, ?> body)) {
            return Optional.empty();
        }
        Object payload = body;
        String requestId = message.messageId();
        String target = null;
        if (queue.invocationRecords) {
            if (!(body.get("requestPayload") instanceof Map<?, ?> request)
                    || !(body.get("requestContext") instanceof Map<?, ?> context)) {
                return Optional.empty();
            }
            payload = request;
            if (context.get("requestId") instanceof String id) {
                requestId = id;
            }
            if (context.get("functionArn") instanceof String arn) {
                target = arn;
            }
        } else {
            MessageAttributeValue arn = message.messageAttributes().get("TARGET_ARN");
            target = arn == null ? null : arn.stringValue();
        }
        String function;
        if (queue.function == Function.STARTER) {
            function = deployment.starter();
            payload = withRunId((Map<?, ?>) payload, requestId);
        } else if (target != null) {
            function = target;
        } else {
            return Optional.empty();
        }
        return Optional.of(new Replay(function, Json.write(payload)));
    }

    /** The start request with a run id: its own, else the one the starter derives from the request id. */
    private static Map<?, ?> withRunId(Map<?, ?> request, String requestId) {
        if (request.get("runId") != null) {
            return request;
        }
        Map<Object, Object> copy = new LinkedHashMap<>(request);
        copy.put("runId", AttemptMetadata.runIdOfRequest(requestId));
        return copy;
    }

}
