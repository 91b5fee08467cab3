package dev.ecsretrier.operate;

import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;

/**
 * How the operate commands reach AWS, or the local runtime: SDK v2 clients with the default
 * credential chain (or a named profile), a region (or the default region chain), and an endpoint
 * override when one is given — the same clients and calls either way.
 */
public final class AwsAccess implements AutoCloseable {

    private final Region region;
    private final AwsCredentialsProvider credentials;
    private final URI endpoint;
    private final UrlConnectionHttpClient http = (UrlConnectionHttpClient) UrlConnectionHttpClient.create();

    /**
     * @param region   null for the SDK's default region chain (AWS_REGION, the profile's region, ...)
     * @param profile  null for the default credential chain
     * @param endpoint null for AWS's own endpoints
     * @throws IllegalArgumentException when no region is given or configured
     */
    public AwsAccess(String region, String profile, URI endpoint) {
        this.credentials = profile == null ? DefaultCredentialsProvider.builder().build()
                : ProfileCredentialsProvider.create(profile);
        this.endpoint = endpoint;
        if (region != null) {
            this.region = Region.of(region);
        } else {
            try {
                this.region = DefaultAwsRegionProviderChain.builder().profileName(profile).build().getRegion();
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("no region: pass --region, or set AWS_REGION or the profile's region");
            }
        }
    }

    public LambdaClient lambda() {
        return build(LambdaClient.builder());
    }

    public EcsClient ecs() {
        return build(EcsClient.builder());
    }

    public SchedulerClient scheduler() {
        return build(SchedulerClient.builder());
    }

    public software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient logs() {
        return build(software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient.builder());
    }

    public CloudFormationClient cloudFormation() {
        return build(CloudFormationClient.builder());
    }

    /**
     * A stack's outputs, by key (CloudFormation {@code DescribeStacks},
     * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html).
     */
    public Map<String, String> stackOutputs(String stackName) {
        try (CloudFormationClient cloudFormation = cloudFormation()) {
            Stack stack = cloudFormation.describeStacks(r -> r.stackName(stackName)).stacks().get(0);
            Map<String, String> outputs = new java.util.LinkedHashMap<>();
            for (Output output : stack.outputs()) {
                outputs.put(output.outputKey(), output.outputValue());
            }
            return outputs;
        }
    }

    private <B extends AwsClientBuilder<B, C> & SdkSyncClientBuilder<B, C>, C> C build(B builder) {
        builder.httpClient(http).region(region).credentialsProvider(credentials);
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    @Override
    public void close() {
        http.close();
    }
}
