package dev.ecsretrier.handler;

import dev.ecsretrier.aws.EcsTaskLauncher;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.EndedAttempt;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.core.Step;
import dev.ecsretrier.input.StartRequestReader;
import dev.ecsretrier.input.TaskStateChange;
import dev.ecsretrier.input.TaskStateChangeParser;
import dev.ecsretrier.history.HistoryRecord;
import dev.ecsretrier.history.HistoryRecords;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.metrics.RetrierMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * Runs the handlers' code paths once before Lambda takes the SnapStart snapshot, so that the
 * restored function starts with every AWS client built, and the JSON reader and writer, the record
 * shapes, the parser, the decision core and the SDK's request models loaded and initialized. It calls
 * nothing over the network: the work is building clients, a decision on a built-in sample event and
 * the building (not sending) of a RunTask request.
 *
 * <p>An on-demand (or provisioned) initialization dry-runs each handler's own path instead: the whole
 * invocation, SDK calls included, against AWS answered in process ({@link DryRunAnswers}),
 * through clients of its own; the handler's clients are not called. That init runs on a full vCPU, the
 * invocations on the memory's share of one (0.29 at 512 MB,
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html; init at full CPU:
 * https://serverlessland.com/content/service/lambda/guides/effectively-running-java-on-serverless/init-heavy-lifting),
 * so class loading and first-time work done here is not done again, several times slower, in the first
 * invocation.
 */
final class SnapStartPriming implements Resource {

    static final String SAMPLE_EVENT = "priming-event.json";
    static final String INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE";
    private static final String PRIMING_TASK_ARN = "arn:aws:ecs:us-east-1:111122223333:task/priming/00000000000000000000000000000000";

    /**
     * Holds every registered priming strongly. CRaC contexts keep their resources weakly (Lambda's
     * too), and a handler does not keep its priming: without this, a GC before the checkpoint would
     * drop it and the snapshot would be taken unprimed, silently.
     * Hooks: https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-java.html; the
     * weak hold is CRaC's own (its maintainers' StrongContextWrapper example:
     * https://gist.github.com/AntonKozlov/e24754caa1a850d35d246faabaca845f).
     */
    private static final List<SnapStartPriming> REGISTERED = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final RetrierConfig config;
    private final Runnable buildClients;

    /**
     * @param buildClients builds the AWS clients the handler would otherwise build on first use
     */
    SnapStartPriming(RetrierConfig config, Runnable buildClients) {
        this.config = config;
        this.buildClients = buildClients;
    }

    /**
     * Registers priming with the CRaC context that Lambda's SnapStart runtime drives, when this
     * initialization is SnapStart's. An on-demand or provisioned start never checkpoints, so it skips
     * the registration (and loading CRaC, a few milliseconds of its cold start).
     */
    static void registerUnderSnapStart(Map<String, String> env, RetrierConfig config, Runnable buildClients) {
        if (underSnapStart(env)) {
            registerUnderSnapStart(env, config, buildClients, Core.getGlobalContext());
        }
    }

    /** The same, with the context to register with (tests give one that holds its resources weakly). */
    static void registerUnderSnapStart(Map<String, String> env, RetrierConfig config, Runnable buildClients,
                                       Context<Resource> context) {
        if (underSnapStart(env)) {
            SnapStartPriming priming = new SnapStartPriming(config, buildClients);
            REGISTERED.add(priming);
            context.register(priming);
        }
    }

    /**
     * At a handler's initialization: under SnapStart, registers priming for the checkpoint (every client,
     * both paths) and returns empty; otherwise runs the handler's dry run now ({@code dryRun}: its own path
     * once, against AWS answered in process, with clients of its own and its log dropped) and returns the
     * operations it was answered. A dry run that fails costs only its speed-up: one line on stderr, and the
     * function starts as it would without it.
     */
    static java.util.Optional<List<String>> atInitialization(Map<String, String> env, RetrierConfig config,
                                                             Runnable buildClients, Supplier<List<String>> dryRun) {
        if (underSnapStart(env)) {
            registerUnderSnapStart(env, config, buildClients, Core.getGlobalContext());
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(dryRun.get());
        } catch (RuntimeException e) {
            System.err.println("ecs-retrier: the dry run at initialization failed, so the first invocation loads"
                    + " what it would have (nothing else changes): " + e);
            return java.util.Optional.of(List.of());
        }
    }

    /** How many primings are registered for a checkpoint; for tests. */
    static int registered() {
        return REGISTERED.size();
    }

    /** Lambda sets {@code AWS_LAMBDA_INITIALIZATION_TYPE} to {@code snap-start} when it initializes for a snapshot. */
    static boolean underSnapStart(Map<String, String> env) {
        return "snap-start".equals(env.get(INITIALIZATION_TYPE));
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to refresh: clients resolve credentials per request.
    }

    /**
     * What priming did; returned for tests.
     *
     * @param step                 the decision on the sample event (null when only the starter's path was primed)
     * @param launchRequestCluster the built RunTask request's cluster (null when only the classifier's path was)
     */
    record Primed(Step step, String launchRequestCluster) {
    }

    Primed prime() {
        buildClients.run();
        Step step = primeClassifier();
        return new Primed(step, primeStarter());
    }

    /** The classifier's path: the sample event parsed and decided, the step and what follows it written. */
    Step primeClassifier() {
        TaskStateChange change = TaskStateChangeParser.parse(sampleEvent());
        AttemptMetadata metadata = AttemptMetadata.of("snapstart-priming", 1, config.maxAttempts(), List.of());
        EndedAttempt ended = new EndedAttempt(metadata, change.stop(), List.of(), change.clusterArn(),
                change.taskDefinitionArn(), RunOutcome.MetadataSource.TAGS, null, null);
        Step step = config.planner().plan(ended, Instant.now(), new SplittableRandom(1));
        String stepJson = Json.write(step);
        if (step instanceof Step.Retry retry) {
            Json.write(retry.next());
        } else {
            RetryLoop.notification(((Step.Finish) step).outcome());
        }
        if (stepJson.isEmpty()) {
            throw new IllegalStateException("priming wrote no step");
        }
        return step;
    }

    /**
     * The starter's path: a start request read, its RunTask request built (not sent), its launch record and
     * metric line and its answer written; returns the RunTask request's cluster.
     */
    String primeStarter() {
        StartRequest request = new StartRequestReader(config.containerNames(), config.maxAttempts())
                .read("{\"runId\":\"snapstart-priming\"}".getBytes(StandardCharsets.UTF_8));
        AttemptMetadata metadata = AttemptMetadata.of(request.runId(), 1, config.maxAttempts(), List.of());
        var runTask = EcsTaskLauncher.toRunTask(LaunchRequests.of(config, metadata, List.of()));
        Instant now = Instant.now();
        String lines = HistoryRecords.line(new HistoryRecord.Launched(metadata.runId(), 1, metadata.maxAttempts(),
                Setting.JOB_NAME.defaultValue(), now, config.cluster(), config.taskDefinition(), PRIMING_TASK_ARN, null, null))
                + RetrierMetrics.runStarted(config.startedBy(), Setting.JOB_NAME.defaultValue(), now, metadata.runId())
                + new String(Json.writeBytes(new StartResponse(metadata.runId(), 1, PRIMING_TASK_ARN, null, null)),
                        StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IllegalStateException("priming wrote no line");
        }
        return runTask.cluster();
    }

    /** The bundled sample event: a STOPPED task of ecs-retrier's, started by {@code ecs-retrier}. */
    static byte[] sampleEvent() {
        try (InputStream in = SnapStartPriming.class.getResourceAsStream(SAMPLE_EVENT)) {
            if (in == null) {
                throw new IllegalStateException(SAMPLE_EVENT + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
