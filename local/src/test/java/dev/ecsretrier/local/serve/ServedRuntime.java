package dev.ecsretrier.local.serve;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.local.LocalRuntime;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/** A local runtime behind {@code serve}'s endpoint, and SDK v2 clients pointed at it with dummy credentials. */
final class ServedRuntime implements AutoCloseable {

    final LocalRuntime runtime;
    final AwsEndpoint endpoint;
    /** The endpoint's log lines, one per request. */
    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    ServedRuntime(long seed) throws IOException {
        this(LocalRuntime.builder()
                .setting(Setting.RETRYABLE_EXIT_CODES, "2")
                .timeScale(0.001)
                .seed(seed)
                .build());
    }

    /** The endpoint in front of a runtime a test built itself; closing this closes both. */
    ServedRuntime(LocalRuntime runtime) throws IOException {
        this.runtime = runtime;
        endpoint = AwsEndpoint.start(runtime, "127.0.0.1", 0, log::add);
    }

    /** A client of the endpoint, as a user builds one: us-east-1, dummy credentials, the endpoint override. */
    <B extends AwsClientBuilder<B, C> & SdkSyncClientBuilder<B, C>, C> C client(B builder) {
        builder.httpClient(UrlConnectionHttpClient.create());
        return builder.endpointOverride(endpoint.uri())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .build();
    }

    @Override
    public void close() {
        endpoint.close();
        runtime.close();
    }
}
