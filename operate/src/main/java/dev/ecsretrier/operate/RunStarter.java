package dev.ecsretrier.operate;

import dev.ecsretrier.json.Json;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * {@code retrier start}: one synchronous {@code Invoke} of the starter alias with a start request
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html). The answer names the run.
 */
public final class RunStarter {

    /** The starter's answer: the run, the attempt and its task, or why RunTask started none. */
    public record Started(String runId, int attempt, String taskArn, String answer) {
    }

    /** The starter refused the request or failed: its error type and message, as Lambda returned them. */
    public static final class StartRefusedException extends RuntimeException {
        public StartRefusedException(String message) {
            super(message);
        }
    }

    private final LambdaClient lambda;
    private final Deployment deployment;

    public RunStarter(LambdaClient lambda, Deployment deployment) {
        this.lambda = lambda;
        this.deployment = deployment;
    }

    public Started start(String startRequestJson) {
        InvokeResponse response = lambda.invoke(r -> r.functionName(deployment.starter())
                .invocationType(InvocationType.REQUEST_RESPONSE).payload(SdkBytes.fromUtf8String(startRequestJson)));
        String answer = response.payload() == null ? "" : response.payload().asUtf8String();
        if (response.functionError() != null) {
            Map<String, Object> error = readOrEmpty(answer);
            throw new StartRefusedException(String.valueOf(error.getOrDefault("errorType", response.functionError()))
                    + ": " + error.getOrDefault("errorMessage", answer));
        }
        Map<String, Object> started = readOrEmpty(answer);
        Object attempt = started.get("attempt");
        return new Started((String) started.get("runId"), attempt instanceof Number n ? n.intValue() : 1,
                (String) started.get("taskArn"), answer);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readOrEmpty(String json) {
        try {
            Object value = Json.parse(json);
            return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
        } catch (java.io.IOException | RuntimeException e) {
            return Map.of();
        }
    }
}
