package dev.ecsretrier.aws;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * Builds the SDK clients once per container, explicitly: region from configuration, the
 * URLConnection HTTP client, and only the credential sources Lambda uses (environment variables,
 * and the container endpoint that SnapStart functions get). Endpoints follow the SDK's standard
 * settings ({@code AWS_ENDPOINT_URL}, {@code AWS_ENDPOINT_URL_ECS}, ...).
 */
public final class AwsClients {

    private final Region region;
    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    /** The SDK's standard retry strategy: 3 attempts, exponential backoff with jitter, throttling aware. */
    private final ClientOverrideConfiguration retries = ClientOverrideConfiguration.builder()
            .retryStrategy(RetryMode.STANDARD)
            .build();

    public AwsClients(String region) {
        this.region = Region.of(region);
        this.http = UrlConnectionHttpClient.create();
        this.credentials = AwsCredentialsProviderChain.builder()
                .reuseLastProviderEnabled(true)
                .credentialsProviders(EnvironmentVariableCredentialsProvider.create(),
                        ContainerCredentialsProvider.builder().build())
                .build();
    }

    public EcsClient ecs() {
        return EcsClient.builder().region(region).httpClient(http).credentialsProvider(credentials)
                .overrideConfiguration(retries).build();
    }

    public SchedulerClient scheduler() {
        return SchedulerClient.builder().region(region).httpClient(http).credentialsProvider(credentials)
                .overrideConfiguration(retries).build();
    }

    /**
     * CloudWatch Logs, for reading a run's history when it ends: each call (its retries included) gives up
     * after {@code apiCallTimeout}, so a throttled read cannot hold up the notification.
     */
    public CloudWatchLogsClient logs(java.time.Duration apiCallTimeout) {
        return CloudWatchLogsClient.builder().region(region).httpClient(http).credentialsProvider(credentials)
                .overrideConfiguration(retries.toBuilder().apiCallTimeout(apiCallTimeout).build()).build();
    }

    public SnsClient sns() {
        return SnsClient.builder().region(region).httpClient(http).credentialsProvider(credentials)
                .overrideConfiguration(retries).build();
    }
}
