package dev.ecsretrier.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.Step;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.crac.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SnapStartPrimingTest {

    /** Every URLConnection (the SDK's HTTP client) asks the default ProxySelector before it connects. */
    private final List<URI> connectionAttempts = new ArrayList<>();
    private ProxySelector previous;

    @BeforeEach
    void recordConnections() {
        previous = ProxySelector.getDefault();
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                connectionAttempts.add(uri);
                throw new IllegalStateException("priming must not reach the network: " + uri);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            }
        });
    }

    @AfterEach
    void restore() {
        ProxySelector.setDefault(previous);
    }

    private static RetrierConfig config(String retryableExitCodes) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", "us-east-1");
        env.put("RETRIER_CLUSTER", "arn:aws:ecs:us-east-1:111122223333:cluster/batch");
        env.put("RETRIER_TASK_DEFINITION", "sample:3");
        env.put("RETRIER_CONTAINER_NAME", "app");
        env.put("RETRIER_RETRYABLE_EXIT_CODES", retryableExitCodes);
        env.put("RETRIER_SCHEDULER_ROLE_ARN", "arn:aws:iam::111122223333:role/scheduler");
        env.put("RETRIER_TOPIC_ARN", "arn:aws:sns:us-east-1:111122223333:outcomes");
        return RetrierConfig.fromEnvironment(env);
    }

    @Test
    void beforeCheckpointDecidesOnTheBuiltInEventWithoutNetwork() {
        int[] clientBuilds = {0};
        SnapStartPriming priming = new SnapStartPriming(config("2"), () -> clientBuilds[0]++);

        priming.beforeCheckpoint(null);
        assertThat(clientBuilds[0]).isEqualTo(1);
        SnapStartPriming.Primed primed = priming.prime();

        assertThat(primed.step()).isInstanceOf(Step.Retry.class);
        assertThat(((Step.Retry) primed.step()).next().attemptNumber()).isEqualTo(2);
        assertThat(primed.launchRequestCluster()).isEqualTo("arn:aws:ecs:us-east-1:111122223333:cluster/batch");
        assertThat(connectionAttempts).isEmpty();
    }

    @Test
    void primingAlsoWalksTheTerminalPath() {
        SnapStartPriming.Primed primed = new SnapStartPriming(config(""), () -> { }).prime();

        assertThat(primed.step()).isInstanceOfSatisfying(Step.Finish.class,
                finish -> assertThat(finish.outcome().outcome()).isEqualTo(Decision.FAILED));
        assertThat(connectionAttempts).isEmpty();
    }

    @Test
    void theHandlersWiring_buildsTheSchedulerClientAtInit_forCancelMarkersAndRetries_withoutNetwork_andLeavesSnsAndLogsForFirstUse() {
        AwsWiring aws = AwsWiring.withSchedulerBuilt(config("2"));

        assertThat(aws.schedulerClient().built()).isTrue();
        assertThat(aws.snsClient().built()).isFalse();
        assertThat(aws.logsClient().built()).isFalse();
        assertThat(connectionAttempts).isEmpty();
    }

    @Test
    void aSnapStartInitialization_primesNothingYet_butRegistersForTheCheckpoint() {
        int[] clientBuilds = {0};
        int registeredBefore = SnapStartPriming.registered();

        var primed = SnapStartPriming.atInitialization(Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start"),
                config("2"), () -> clientBuilds[0]++, List::of);

        assertThat(primed).isEmpty();
        assertThat(SnapStartPriming.registered()).isEqualTo(registeredBefore + 1);
        assertThat(clientBuilds[0]).as("clients are built at the checkpoint, not now").isZero();
    }

    @Test
    void beforeCheckpointBuildsTheClientsLeftForFirstUse_withoutNetwork() {
        RetrierConfig config = config("2");
        AwsWiring aws = AwsWiring.create(config);
        assertThat(aws.schedulerClient().built()).isFalse();
        assertThat(aws.snsClient().built()).isFalse();

        new SnapStartPriming(config, aws::buildAllClients).beforeCheckpoint(null);

        assertThat(aws.schedulerClient().built()).isTrue();
        assertThat(aws.snsClient().built()).isTrue();
        assertThat(connectionAttempts).isEmpty();
    }

    /**
     * A CRaC context that, like Lambda's (and {@code jdk.crac}'s), keeps its resources weakly: "a
     * Resource must be registered with a Context" to be called, and nothing else holds ours.
     */
    static final class WeaklyHoldingContext extends org.crac.Context<Resource> {
        private final Map<Resource, Boolean> resources = new WeakHashMap<>();

        @Override
        public synchronized void register(Resource resource) {
            resources.put(resource, Boolean.TRUE);
        }

        @Override
        public synchronized void beforeCheckpoint(org.crac.Context<? extends Resource> context) throws org.crac.CheckpointException {
            for (Resource resource : List.copyOf(resources.keySet())) {
                try {
                    resource.beforeCheckpoint(this);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public void afterRestore(org.crac.Context<? extends Resource> context) {
        }
    }

    @Test
    void registeredPrimingSurvivesGarbageCollection_soTheCheckpointStillRunsIt() throws Exception {
        WeaklyHoldingContext context = new WeaklyHoldingContext();
        AtomicInteger clientBuilds = new AtomicInteger();

        // Registered as the handler constructors do it: nothing but the context sees the resource.
        SnapStartPriming.registerUnderSnapStart(Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start"),
                config("2"), clientBuilds::incrementAndGet, context);
        collectGarbage();

        context.beforeCheckpoint(null);
        assertThat(clientBuilds).as("priming ran at the checkpoint").hasValue(1);
        assertThat(connectionAttempts).isEmpty();
    }

    /** Runs GC until a weakly held sentinel is gone: proof that a collection which clears weak references ran. */
    private static void collectGarbage() throws InterruptedException {
        WeakReference<Object> sentinel = new WeakReference<>(new Object());
        for (int i = 0; i < 50 && sentinel.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(sentinel.get()).as("a GC cleared weak references").isNull();
    }

    @Test
    void primingIsRegisteredOnlyWhenLambdaInitializesForASnapshot() {
        assertThat(SnapStartPriming.underSnapStart(Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start"))).isTrue();
        assertThat(SnapStartPriming.underSnapStart(Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"))).isFalse();
        assertThat(SnapStartPriming.underSnapStart(
                Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency"))).isFalse();
        assertThat(SnapStartPriming.underSnapStart(Map.of())).isFalse();
    }
}
