package dev.ecsretrier.aws;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import java.time.Duration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
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

    /**
     * Attempts per call, the first included: the SDK's standard strategy with 6 where it makes 3.
     * In a failure storm (docs/reliability.md) the calls past ECS's quotas are throttled; an invocation
     * whose call stays throttled fails, and Lambda retries it only twice, a minute and two minutes later
     * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html), so a call that
     * waits longer inside the invocation is a call that gets through instead of a dead letter. Not the
     * adaptive strategy: its client-side rate limiter learns one client's rate, and each Lambda execution
     * environment has its own client making one call at a time, so it would throttle nobody but itself
     * (https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/retry-strategy.html).
     */
    public static final int MAX_ATTEMPTS = 6;
    /**
     * Before the n-th retry of a throttled call the standard strategy waits a random time up to
     * {@code min(max, base × 2^(n-1))} ("full jitter"): base 1 s as the SDK's, max 5 s where the SDK's is
     * 20 s, so that the five waits (at most 1 + 2 + 4 + 5 + 5 = 17 s, 8.5 s expected) fit the functions'
     * 30-second timeout with the calls themselves.
     */
    public static final Duration THROTTLING_BASE_DELAY = Duration.ofSeconds(1);
    public static final Duration THROTTLING_MAX_DELAY = Duration.ofSeconds(5);

    private final Region region;
    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final ClientOverrideConfiguration retries;

    public AwsClients(String region) {
        this(region, retryStrategy());
    }

    /** For tests: the same clients with {@code retries} (the strategy of {@link #retryStrategy()} with shorter waits). */
    AwsClients(String region, RetryStrategy retries) {
        this(region, retries, UrlConnectionHttpClient.create(), AwsCredentialsProviderChain.builder()
                .reuseLastProviderEnabled(true)
                .credentialsProviders(EnvironmentVariableCredentialsProvider.create(),
                        ContainerCredentialsProvider.builder().build())
                .build());
    }

    private AwsClients(String region, RetryStrategy retries, SdkHttpClient http, AwsCredentialsProvider credentials) {
        this.retries = ClientOverrideConfiguration.builder().retryStrategy(retries).build();
        this.region = Region.of(region);
        this.http = http;
        this.credentials = credentials;
    }

    /**
     * The same clients, answered by {@code answers} instead of AWS, for a handler's dry run at
     * initialization (an HTTP client that opens no connection): no credential is fetched either (they
     * sign with fixed placeholder keys, which nothing checks).
     */
    public static AwsClients answeredBy(String region, SdkHttpClient answers) {
        return new AwsClients(region, retryStrategy(), answers,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("dry-run", "dry-run")));
    }

    /**
     * The SDK's standard strategy for AWS services (its retryable and throttling error codes, the
     * backoff of other errors, the circuit breaker), with {@link #MAX_ATTEMPTS} and the throttling backoff.
     */
    static RetryStrategy retryStrategy() {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(MAX_ATTEMPTS)
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(THROTTLING_BASE_DELAY, THROTTLING_MAX_DELAY))
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
