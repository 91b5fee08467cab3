package dev.ecsretrier.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.ecsretrier.aws.AwsClients;
import dev.ecsretrier.aws.EcsTaskLauncher;
import dev.ecsretrier.aws.SchedulerAttemptScheduler;
import dev.ecsretrier.config.Deployment;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.AttemptStop;
import dev.ecsretrier.core.EndedAttempt;
import dev.ecsretrier.core.RunCancellation;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.core.StopClassifier;
import dev.ecsretrier.history.HistoryRecord;
import dev.ecsretrier.history.HistoryRecords;
import dev.ecsretrier.input.StartRequestReader;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.metrics.RetrierMetrics;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.LaunchRequest;
import dev.ecsretrier.port.LaunchResult;
import dev.ecsretrier.port.Notifier;
import dev.ecsretrier.port.RunHistoryReader;
import dev.ecsretrier.port.ScheduledStop;
import dev.ecsretrier.port.TaskLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * The starter Lambda: launches one attempt with its metadata (and, when configured, schedules the
 * attempt's timeout). When ECS refuses the attempt synchronously ({@code failures[]}, a client
 * error), that attempt has ended: classify, then schedule or notify. When ECS does not answer
 * (throttling, server errors), the invocation fails with {@link RunTaskUnavailableException}, so
 * that its invoker retries the same attempt with the same client token. A deployment serves one
 * or more jobs ({@link Deployment}): a request names its job, and is checked and launched by that
 * job's configuration only.
 */
public final class StarterHandler implements RequestStreamHandler {

    private final Deployment deployment;
    private final TaskLauncher launcher;
    private final Map<String, RetryLoop> loops = new LinkedHashMap<>();
    private final Map<String, StartRequestReader> readers = new LinkedHashMap<>();
    private final Clock clock;
    private final AttemptScheduler scheduler;
    private final java.util.function.Consumer<String> log;

    /**
     * Lambda's entry: the deployment from the environment and its configuration file (read and
     * checked here, at initialization, so before a SnapStart snapshot), AWS clients built once.
     */
    public StarterHandler() {
        this(Deployment.fromEnvironment(System.getenv()));
    }

    private StarterHandler(Deployment deployment) {
        this(deployment, AwsWiring.withSchedulerBuilt(deployment.shared()));
    }

    private StarterHandler(Deployment deployment, AwsWiring aws) {
        this(deployment, new EcsTaskLauncher(aws.ecs()), aws.scheduler(), aws.notifier(), aws.history(),
                Clock.systemUTC(), new SecureRandom(), System.out::println);
        SnapStartPriming.atInitialization(System.getenv(), deployment.shared(), aws::buildAllClients,
                () -> dryRun(deployment));
    }

    static final String DRY_RUN_ID = "dry-run";
    private static final String DRY_RUN_TASK_ARN = "arn:aws:ecs:us-east-1:111122223333:task/dry-run/00000000000000000000000000000000";
    private static final String DRY_RUN_STARTER_ARN = "arn:aws:lambda:us-east-1:111122223333:function:dry-run:live";

    /**
     * The starter's dry run at initialization ({@link SnapStartPriming#atInitialization}): one start of run
     * {@value #DRY_RUN_ID} on the deployment's first job, read from JSON and answered in JSON, through a handler of
     * its own whose AWS clients are answered in process (the cancel marker's {@code GetSchedule} before and
     * after, {@code RunTask}) and whose history and metric lines are dropped: nothing reaches AWS or the log.
     *
     * @return the operations answered, in order
     */
    static List<String> dryRun(Deployment deployment) {
        RetrierConfig config = deployment.shared();
        DryRunAnswers answers = new DryRunAnswers(config.cluster(), DRY_RUN_TASK_ARN,
                AttemptMetadata.of(DRY_RUN_ID, 1, config.maxAttempts(), List.of()));
        AwsClients clients = AwsClients.answeredBy(config.region(), answers);
        StarterHandler dry = new StarterHandler(deployment, new EcsTaskLauncher(clients.ecs()),
                new SchedulerAttemptScheduler(clients.scheduler(), config.scheduleGroup(), config.schedulerRoleArn(),
                        config.scheduleDeadLetterArn()),
                notification -> { }, RunHistoryReader.NONE, Clock.systemUTC(), new SplittableRandom(1), line -> { });
        String request = "{\"runId\":\"" + DRY_RUN_ID + "\",\"job\":\"" + deployment.names().iterator().next() + "\"}";
        Json.writeBytes(dry.start(request.getBytes(StandardCharsets.UTF_8), DRY_RUN_STARTER_ARN, null));
        return answers.answered();
    }

    /** One job, named as {@link dev.ecsretrier.config.Setting#JOB_NAME} defaults. */
    public StarterHandler(RetrierConfig config, TaskLauncher launcher, AttemptScheduler scheduler, Notifier notifier,
                          Clock clock, RandomGenerator random, java.util.function.Consumer<String> log) {
        this(Deployment.single(dev.ecsretrier.config.Setting.JOB_NAME.defaultValue(), config), launcher, scheduler,
                notifier, clock, random, log);
    }

    /** Without a history store: a run's notification takes its earlier attempts from the start request. */
    public StarterHandler(Deployment deployment, TaskLauncher launcher, AttemptScheduler scheduler, Notifier notifier,
                          Clock clock, RandomGenerator random, java.util.function.Consumer<String> log) {
        this(deployment, launcher, scheduler, notifier, RunHistoryReader.NONE, clock, random, log);
    }

    /**
     * @param history where a run's history records are read back when it ends here (a launch ECS refused on
     *                the last attempt, a start of a cancelled run): its earlier attempts whole in the notification
     */
    public StarterHandler(Deployment deployment, TaskLauncher launcher, AttemptScheduler scheduler, Notifier notifier,
                          RunHistoryReader history, Clock clock, RandomGenerator random,
                          java.util.function.Consumer<String> log) {
        this.deployment = deployment;
        this.launcher = launcher;
        deployment.jobs().forEach((name, config) -> {
            loops.put(name, new RetryLoop(config.planner(), scheduler, notifier, clock, random, config.startedBy(), log,
                    history, config.historyWindow()));
            readers.put(name, new StartRequestReader(config.containerNames(), config.maxAttempts(), config.adaptation(),
                    name));
        });
        this.scheduler = scheduler;
        this.clock = clock;
        this.log = log;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        StartResponse response = start(input.readAllBytes(), selfArn(context),
                context == null ? null : context.getAwsRequestId());
        output.write(Json.writeBytes(response));
    }

    /**
     * Launches the attempt a start request asks for; a request without a run id gets a new one.
     *
     * @param starterArn the alias ARN that a next attempt's schedule invokes
     * @throws dev.ecsretrier.core.InvalidStartRequestException naming the field, before anything is launched
     */
    public StartResponse start(byte[] requestJson, String starterArn) {
        return start(requestJson, starterArn, null);
    }

    /**
     * @param requestId the invocation's request id, which Lambda keeps across its own retries of an
     *                  asynchronous invocation: a request without a run id takes its run id from it,
     *                  so a retry reuses the first try's client token. Null for a new random run id.
     */
    public StartResponse start(byte[] requestJson, String starterArn, String requestId) {
        return launch(checked(StartRequestReader.parse(requestJson)), starterArn, requestId);
    }

    public StartResponse start(StartRequest request, String starterArn) {
        return launch(checked(request), starterArn, null);
    }

    /** The request checked by its job's reader, naming its job: a job of this deployment, its container only. */
    private StartRequest checked(StartRequest request) {
        String job = deployment.jobFor(request.job());
        return readers.get(job).check(request).forJob(job);
    }

    /**
     * The run id of a request that has none: the Lambda request id when it is a valid run id (a UUID
     * is), else a UUID derived from it (the same on every try), else a random one.
     *
     * <p>Lambda retries a failed asynchronous invocation with the same request id
     * (https://repost.aws/knowledge-center/lambda-function-duplicate-invocations: "duplicate
     * invocations that return errors or timeout and that have the same request ID indicate that the
     * Lambda service retried the function"; retries:
     * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html). The client
     * token {@code <runId>-<attempt>} (at most 64 ASCII characters, kept 24 h:
     * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html) then makes ECS
     * return the first try's task. A duplicate delivery from Lambda's queue (no error) may carry a
     * new request id; a caller that needs exactly-once across those sends its own run id.
     */
    static String defaultRunId(String requestId) {
        if (requestId == null || requestId.isEmpty()) {
            return UUID.randomUUID().toString();
        }
        return AttemptMetadata.runIdOfRequest(requestId);
    }

    /** Launches a request the reader has checked (once: reading from JSON checks too). */
    private StartResponse launch(StartRequest request, String starterArn, String requestId) {
        RetrierConfig config = deployment.job(request.job());
        String runId = request.runId() != null ? request.runId() : defaultRunId(requestId);
        AttemptMetadata metadata = new AttemptMetadata(runId, request.attemptNumber(), config.maxAttempts(),
                request.history(), request.launchOrNone(), request.job());
        LaunchRequest launch = LaunchRequests.of(config, metadata, request.containerOverrides());
        LaunchRequests.checkOverridesFit(config, metadata, request.containerOverrides(), launch);
        // Before RunTask: a start that begins after the cancel marker exists launches nothing.
        Optional<RunCancellation> cancelled = scheduler.cancellation(runId);
        if (cancelled.isPresent()) {
            StepResult step = loops.get(request.job()).endCancelled(metadata, config.cluster(), config.taskDefinition(),
                    cancelled.get(), claimant(metadata, requestId), starterArn);
            return new StartResponse(runId, metadata.attempt(), null, null, step);
        }
        LaunchResult result = launcher.launch(launch);
        if (result instanceof LaunchResult.Unavailable unavailable) {
            throw new RunTaskUnavailableException(metadata, unavailable.reason(), unavailable.detail());
        }
        logLaunch(config, metadata, result);
        if (result instanceof LaunchResult.Started started) {
            // After RunTask: a cancel that landed while ECS started the task stops it at once; its
            // STOPPED event (our cancel reason) ends the run CANCELLED in the classifier, once.
            Optional<RunCancellation> cancelledMeanwhile = scheduler.cancellation(runId);
            if (cancelledMeanwhile.isPresent()) {
                launcher.stop(config.cluster(), started.taskArn(), cancelledMeanwhile.get().stopReason());
                return new StartResponse(runId, metadata.attempt(), started.taskArn(), null, null);
            }
            if (config.hasAttemptTimeout()) {
                scheduleTimeout(config, metadata, started.taskArn());
            }
            return new StartResponse(runId, metadata.attempt(), started.taskArn(), null, null);
        }
        LaunchResult.Failed failed = (LaunchResult.Failed) result;
        EndedAttempt ended = new EndedAttempt(metadata,
                AttemptStop.synchronousFailure(failed.reason(), failed.detail(), clock.instant()),
                request.containerOverrides(), config.cluster(), config.taskDefinition(),
                RunOutcome.MetadataSource.REQUEST, null, null);
        StepResult step = loops.get(request.job()).advance(ended, starterArn, claimant(metadata, requestId));
        return new StartResponse(runId, metadata.attempt(), null,
                new StartResponse.LaunchFailure(failed.reason(), failed.detail()), step);
    }

    /**
     * Who ends a cancelled run from this invocation: its request id, which Lambda keeps across its own
     * retries (a retry of the invocation that claimed the end may still notify); a fresh one without.
     */
    private static String claimant(AttemptMetadata metadata, String requestId) {
        return "start of " + AttemptMetadata.attemptKey(metadata.runId(), metadata.attempt()) + " by request "
                + (requestId != null ? requestId : UUID.randomUUID().toString());
    }

    /**
     * The launch's history record, and a run's first launch counted. A launch ECS did not answer
     * ({@link LaunchResult.Unavailable}) writes none: the same attempt is tried again.
     */
    private void logLaunch(RetrierConfig config, AttemptMetadata metadata, LaunchResult result) {
        HistoryRecord.Launched.Failure failure = result instanceof LaunchResult.Failed failed
                ? new HistoryRecord.Launched.Failure(failed.reason(), failed.detail()) : null;
        String taskArn = result instanceof LaunchResult.Started started ? started.taskArn() : null;
        log.accept(HistoryRecords.line(new HistoryRecord.Launched(metadata.runId(), metadata.attempt(),
                metadata.maxAttempts(), metadata.job(), clock.instant(), config.cluster(), config.taskDefinition(), taskArn,
                metadata.launch(), failure)));
        if (metadata.attempt() == 1) {
            log.accept(RetrierMetrics.runStarted(config.startedBy(), metadata.job(), clock.instant(), metadata.runId()));
        }
    }

    /**
     * A repeated start of the same attempt finds the same task (client token) and the same schedule
     * name, so the timeout is scheduled once.
     */
    private void scheduleTimeout(RetrierConfig config, AttemptMetadata metadata, String taskArn) {
        long seconds = config.attemptTimeout().toSeconds();
        scheduler.scheduleStop(new ScheduledStop(
                ScheduledStop.nameFor(AttemptMetadata.attemptKey(metadata.runId(), metadata.attempt())),
                clock.instant().plus(config.attemptTimeout()), config.cluster(), taskArn,
                StopClassifier.ATTEMPT_TIMEOUT_REASON_PREFIX + " after " + seconds + " s (attempt "
                        + metadata.attempt() + " of run " + metadata.runId() + ")"));
    }

    /**
     * The configured starter ARN, or this function's ARN qualified with the configured alias: the
     * starter cannot be given its own alias ARN without a cycle in the stack.
     */
    String selfArn(Context context) {
        RetrierConfig config = deployment.shared();
        if (!config.starterArn().isEmpty()) {
            return config.starterArn();
        }
        String[] parts = context.getInvokedFunctionArn().split(":");
        // arn:aws:lambda:region:account:function:name[:qualifier]
        String unqualified = String.join(":", java.util.Arrays.copyOf(parts, Math.min(parts.length, 7)));
        return unqualified + ":" + config.starterAlias();
    }
}
