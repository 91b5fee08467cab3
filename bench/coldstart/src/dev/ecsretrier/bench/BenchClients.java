package dev.ecsretrier.bench;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * A copy of {@code dev.ecsretrier.aws.AwsClients} whose HTTP client is chosen by name, so that the
 * bench can compare URLConnection and CRT without touching the main code. Keep it in step with
 * {@code AwsClients}: only the HTTP client may differ.
 */
final class BenchClients {

    private final Region region;
    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;

    BenchClients(String region, String http) {
        this.region = Region.of(region);
        this.http = switch (http) {
            case "urlconnection" -> UrlConnectionHttpClient.create();
            // Loaded only here: the URLConnection variants run without the CRT jars on the class path.
            case "crt" -> AwsCrtHttpClient.create();
            default -> throw new IllegalArgumentException("unknown HTTP client " + http);
        };
        this.credentials = AwsCredentialsProviderChain.builder()
                .reuseLastProviderEnabled(true)
                .credentialsProviders(EnvironmentVariableCredentialsProvider.create(),
                        ContainerCredentialsProvider.builder().build())
                .build();
    }

    EcsClient ecs() {
        return EcsClient.builder().region(region).httpClient(http).credentialsProvider(credentials).build();
    }

    SchedulerClient scheduler() {
        return SchedulerClient.builder().region(region).httpClient(http).credentialsProvider(credentials).build();
    }

    SnsClient sns() {
        return SnsClient.builder().region(region).httpClient(http).credentialsProvider(credentials).build();
    }
}
