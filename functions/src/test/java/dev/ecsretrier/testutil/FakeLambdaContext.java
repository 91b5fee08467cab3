package dev.ecsretrier.testutil;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;

/** A Lambda {@link Context} that only knows the ARN it was invoked through and its request id. */
public record FakeLambdaContext(String invokedFunctionArn, String awsRequestId) implements Context {

    public static final String REQUEST_ID = "3f1c9a2e-8b7d-4e6f-a5c4-1d2e3f4a5b6c";

    public FakeLambdaContext(String invokedFunctionArn) {
        this(invokedFunctionArn, REQUEST_ID);
    }

    @Override
    public String getAwsRequestId() {
        return awsRequestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/ecs-retrier-starter";
    }

    @Override
    public String getLogStreamName() {
        return "2025/03/14/[$LATEST]0123456789abcdef0123456789abcdef";
    }

    @Override
    public String getFunctionName() {
        return "ecs-retrier-starter";
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return invokedFunctionArn;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return 30_000;
    }

    @Override
    public int getMemoryLimitInMB() {
        return 512;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
            }

            @Override
            public void log(byte[] message) {
                log(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
