package dev.ecsretrier.local;

import dev.ecsretrier.json.Json;
import dev.ecsretrier.local.emulator.DeadLetter;
import dev.ecsretrier.local.emulator.internal.JsonLinesFile;
import dev.ecsretrier.local.sqs.LocalQueues;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message as AWS puts it in each kind of dead-letter queue the construct has; each differs:
 * <ul>
 *   <li>Lambda's on-failure destination (the construct's alias has {@code onFailure: SqsDestination}):
 *       the body is an invocation record, JSON with {@code requestContext} (request id, function ARN,
 *       {@code condition: RetriesExhausted}, {@code approximateInvokeCount}), the {@code requestPayload},
 *       {@code responseContext} and the {@code responsePayload} with the error; no message attributes
 *       (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html);</li>
 *   <li>EventBridge Scheduler's DLQ: the body is the target's input; message attributes ERROR_CODE,
 *       ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS, TARGET_ARN, X-Amz-Scheduler-Attempt,
 *       X-Amz-Scheduler-Group, X-Amz-Scheduler-Schedule-Arn
 *       (https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html);</li>
 *   <li>an EventBridge rule target's DLQ: the body is the event; message attributes RULE_ARN,
 *       TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS
 *       (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html). Locally the rule's
 *       delivery does not fail (Lambda accepts every asynchronous invocation), so that queue stays empty.</li>
 * </ul>
 */
record DeadLetterMessage(String body, Map<String, LocalQueues.Attribute> attributes) {

    public DeadLetterMessage {
        attributes = Map.copyOf(attributes);
    }

    /**
     * The invocation record of an asynchronous invocation that failed every try.
     *
     * @param functionArn     the function's ARN, qualified by the version that ran
     * @param executedVersion the version that ran (the alias' version)
     */
    public static DeadLetterMessage invocationRecord(DeadLetter letter, String functionArn, String executedVersion) {
        Map<String, Object> requestContext = new LinkedHashMap<>();
        requestContext.put("requestId", letter.requestId());
        requestContext.put("functionArn", functionArn);
        requestContext.put("condition", "RetriesExhausted");
        requestContext.put("approximateInvokeCount", letter.attempts());
        Map<String, Object> responseContext = new LinkedHashMap<>();
        responseContext.put("statusCode", 200);
        responseContext.put("executedVersion", executedVersion);
        responseContext.put("functionError", "Unhandled");
        Map<String, Object> responsePayload = new LinkedHashMap<>();
        responsePayload.put("errorMessage", letter.errorMessage());
        responsePayload.put("errorType", letter.errorType());
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("version", "1.0");
        record.put("timestamp", letter.at().toString());
        record.put("requestContext", requestContext);
        record.put("requestPayload", JsonLinesFile.valueOrText(letter.event()));
        record.put("responseContext", responseContext);
        record.put("responsePayload", responsePayload);
        return new DeadLetterMessage(Json.write(record), Map.of());
    }

    /**
     * A schedule that could not invoke its target.
     *
     * @param retryAttempts the retries made before giving up
     */
    public static DeadLetterMessage scheduleDeliveryFailure(String input, String targetArn, String scheduleArn,
                                                            String group, String errorCode, String errorMessage,
                                                            int retryAttempts) {
        Map<String, LocalQueues.Attribute> attributes = new LinkedHashMap<>();
        attributes.put("ERROR_CODE", text(errorCode));
        attributes.put("ERROR_MESSAGE", text(errorMessage));
        attributes.put("EXHAUSTED_RETRY_CONDITION", text("MaximumRetryAttemptsExhausted"));
        attributes.put("RETRY_ATTEMPTS", text(Integer.toString(retryAttempts)));
        attributes.put("TARGET_ARN", text(targetArn));
        attributes.put("X-Amz-Scheduler-Attempt", text(Integer.toString(retryAttempts + 1)));
        attributes.put("X-Amz-Scheduler-Group", text(group));
        attributes.put("X-Amz-Scheduler-Schedule-Arn", text(scheduleArn));
        return new DeadLetterMessage(input, attributes);
    }

    private static LocalQueues.Attribute text(String value) {
        return new LocalQueues.Attribute("String", value == null ? "" : value);
    }
}
