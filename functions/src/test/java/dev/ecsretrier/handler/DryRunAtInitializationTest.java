package dev.ecsretrier.handler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.config.Deployment;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.testutil.TestEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An on-demand initialization dry-runs the handler's own path against AWS answered in process: the
 * SDK's call path and the handler's run once at init's full CPU, and nothing reaches AWS, the network,
 * the log (the run history store) or the handler's own clients.
 */
class DryRunAtInitializationTest {

    private static final Map<String, String> ON_DEMAND = Map.of(SnapStartPriming.INITIALIZATION_TYPE, "on-demand");

    private final List<URI> connectionAttempts = new ArrayList<>();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private ProxySelector previousProxies;
    private PrintStream previousOut;
    private PrintStream previousErr;
    private final int[] clientBuilds = {0};

    @BeforeEach
    void watchTheNetworkAndTheLog() {
        previousProxies = ProxySelector.getDefault();
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                connectionAttempts.add(uri);
                throw new IllegalStateException("a dry run must not reach the network: " + uri);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            }
        });
        previousOut = System.out;
        previousErr = System.err;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        ProxySelector.setDefault(previousProxies);
        System.setOut(previousOut);
        System.setErr(previousErr);
    }

    private static Deployment deployment(String... nameValues) {
        return Deployment.single(Setting.JOB_NAME.defaultValue(), TestEnvironment.sampleConfig(nameValues));
    }

    private Optional<List<String>> atOnDemandInitialization(Deployment deployment, Supplier<List<String>> dryRun) {
        return SnapStartPriming.atInitialization(ON_DEMAND, deployment.shared(), () -> clientBuilds[0]++, dryRun);
    }

    private void assertNothingLeftTheProcess() {
        assertThat(connectionAttempts).isEmpty();
        assertThat(clientBuilds[0]).as("the handler's own clients are neither built nor called").isZero();
        assertThat(stdout.toString(StandardCharsets.UTF_8)).as("no history record or metric line").isEmpty();
    }

    @Test
    void theStartersDryRun_startsARun_checkingTheCancelMarkerBeforeAndAfterRunTask() {
        Deployment deployment = deployment();

        assertThat(atOnDemandInitialization(deployment, () -> StarterHandler.dryRun(deployment)))
                .contains(List.of("GetSchedule", "RunTask", "GetSchedule"));
        assertNothingLeftTheProcess();
    }

    @Test
    void theClassifiersDryRun_decidesTheSampleStop_aRetry_readingTheTaskAndSchedulingTheNextAttempt() {
        Deployment deployment = deployment();

        assertThat(atOnDemandInitialization(deployment, () -> ClassifierHandler.dryRun(deployment)))
                .contains(List.of("DescribeTasks", "GetSchedule", "CreateSchedule"));
        assertNothingLeftTheProcess();
    }

    @Test
    void theClassifiersDryRun_endsTheRun_whenThePolicyRetriesNothing() {
        Deployment deployment = deployment("RETRIER_RETRYABLE_EXIT_CODES", "");

        assertThat(atOnDemandInitialization(deployment, () -> ClassifierHandler.dryRun(deployment)))
                .as("the notification is dropped, the history not read").contains(List.of("DescribeTasks"));
        assertNothingLeftTheProcess();
    }

    @Test
    void dryRunsFollowTheDeployment_anotherStartedByAndAnAttemptTimeout() {
        Deployment deployment = deployment("RETRIER_STARTED_BY", "nightly-batch", "RETRIER_ATTEMPT_TIMEOUT_SECONDS", "3600");

        assertThat(atOnDemandInitialization(deployment, () -> StarterHandler.dryRun(deployment)))
                .as("the timeout's schedule too").contains(List.of("GetSchedule", "RunTask", "GetSchedule", "CreateSchedule"));
        assertThat(atOnDemandInitialization(deployment, () -> ClassifierHandler.dryRun(deployment)))
                .as("the timeout's schedule deleted, then the retry")
                .contains(List.of("DescribeTasks", "DeleteSchedule", "GetSchedule", "CreateSchedule"));
        assertNothingLeftTheProcess();
        assertThat(stderr.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void dryRunsNameAJobOfADeploymentOfMany() {
        Deployment deployment = ManyJobsHandlersTest.DEPLOYMENT;

        assertThat(atOnDemandInitialization(deployment, () -> StarterHandler.dryRun(deployment)))
                .contains(List.of("GetSchedule", "RunTask", "GetSchedule"));
        assertThat(atOnDemandInitialization(deployment, () -> ClassifierHandler.dryRun(deployment)))
                .as("nightly-etl, the first job, retries exit 2")
                .contains(List.of("DescribeTasks", "GetSchedule", "CreateSchedule"));
        assertNothingLeftTheProcess();
        assertThat(stderr.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aDryRunThatFails_costsOnlyItsSpeedUp_oneLineOnStderr_andTheInitializationGoesOn() {
        Optional<List<String>> answered = atOnDemandInitialization(deployment(), () -> {
            throw new IllegalStateException("no answer");
        });

        assertThat(answered).contains(List.of());
        assertThat(stderr.toString(StandardCharsets.UTF_8).lines().toList()).singleElement().satisfies(line ->
                assertThat(line).startsWith("ecs-retrier: the dry run at initialization failed").contains("no answer"));
    }

    @Test
    void aSnapStartInitialization_dryRunsNothing_thePrimingAtTheCheckpointDoes() {
        boolean[] ran = {false};

        Optional<List<String>> answered = SnapStartPriming.atInitialization(
                Map.of(SnapStartPriming.INITIALIZATION_TYPE, "snap-start"), deployment().shared(), () -> { },
                () -> {
                    ran[0] = true;
                    return List.of();
                });

        assertThat(answered).isEmpty();
        assertThat(ran[0]).isFalse();
    }
}
