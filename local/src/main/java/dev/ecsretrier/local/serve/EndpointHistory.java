package dev.ecsretrier.local.serve;

import dev.ecsretrier.aws.LogsRunHistoryReader;
import dev.ecsretrier.aws.OnFirstUse;
import dev.ecsretrier.port.RunHistoryReader;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * How serve's handlers read a run's history when it ends: as in AWS, with the functions' own
 * {@link LogsRunHistoryReader} over an SDK v2 CloudWatch Logs client ({@code FilterLogEvents}), sent to
 * serve's own endpoint — so the path that runs in Lambda runs locally too, on the wire. The endpoint
 * listens only once the runtime is built: the client is made on first use and waits for its address.
 * ({@code ./retrier run} and {@code demo} have no endpoint; they read the log store directly.)
 */
public final class EndpointHistory implements Function<List<String>, RunHistoryReader> {

    /** How long a run that ends as serve starts waits for the endpoint to listen. */
    static final Duration LISTENING_WAIT = Duration.ofSeconds(10);

    /**
     * The read's budget here. In Lambda it is {@link LogsRunHistoryReader#BUDGET}, kept short to stay inside the
     * function's timeout, with the client built before the first call (SnapStart priming). serve has no such
     * timeout, and on a loaded machine its first SDK call (the client built, the first request marshalled)
     * took longer than 3 s (CI at load 15: the read gave up and the run was notified from its tags), so a
     * local run would be told less than it is in AWS. Reading whole matters more here than returning fast.
     */
    static final Duration BUDGET = Duration.ofSeconds(30);

    private final CompletableFuture<URI> endpoint = new CompletableFuture<>();

    @Override
    public RunHistoryReader apply(List<String> logGroups) {
        return new LogsRunHistoryReader(new OnFirstUse<>(this::client), logGroups, Clock.systemUTC(), BUDGET);
    }

    /** The endpoint listens at {@code uri}: the reader's client may be built. */
    public void listening(URI uri) {
        endpoint.complete(uri);
    }

    /** The endpoint could not listen: a read fails at once (the notification goes out with the tags' summaries). */
    public void notListening(Throwable why) {
        endpoint.completeExceptionally(why);
    }

    /** As the functions build theirs (AwsWiring), pointed at serve: each call gives up after the read's budget. */
    private CloudWatchLogsClient client() {
        URI uri;
        try {
            uri = endpoint.get(LISTENING_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunHistoryReader.RunHistoryUnavailableException("interrupted while waiting for serve's endpoint", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new RunHistoryReader.RunHistoryUnavailableException("serve's endpoint is not listening: " + e.getMessage(), e);
        }
        return CloudWatchLogsClient.builder()
                .endpointOverride(uri)
                .region(Region.US_EAST_1)
                // serve checks no signature; the SDK needs credentials to sign with.
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("serve", "serve")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.apiCallTimeout(BUDGET))
                .build();
    }
}
