package dev.ecsretrier.bench.ric;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import java.time.Duration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;

/**
 * The floor the handlers are measured against: a Lambda handler that builds one ECS client the
 * explicit way {@code dev.ecsretrier.aws.AwsClients} does (region, URLConnection, environment then
 * container credentials, the standard retry strategy with AwsClients' attempts and throttling waits), in its constructor as the handlers do, and makes one
 * RunTask per invocation. Nothing else: no settings, no JSON reading, no decision code.
 */
public final class ProbeHandler implements RequestStreamHandler {

    private final EcsClient ecs = EcsClient.builder()
            .region(Region.of(System.getenv("AWS_REGION")))
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(AwsCredentialsProviderChain.builder()
                    .reuseLastProviderEnabled(true)
                    .credentialsProviders(EnvironmentVariableCredentialsProvider.create(),
                            ContainerCredentialsProvider.builder().build())
                    .build())
            .overrideConfiguration(ClientOverrideConfiguration.builder().retryStrategy(AwsRetryStrategy
                    .standardRetryStrategy().toBuilder().maxAttempts(6)
                    .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofSeconds(1), Duration.ofSeconds(5)))
                    .build()).build())
            .build();

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        // The overload EcsTaskLauncher calls: the shrunk jar keeps only the SDK methods the handlers use.
        RunTaskRequest request = RunTaskRequest.builder().cluster("batch").taskDefinition("sample:3").count(1).build();
        String taskArn = ecs.runTask(request).tasks().get(0).taskArn();
        output.write(("{\"taskArn\":\"" + taskArn + "\"}").getBytes(StandardCharsets.UTF_8));
    }
}
