package dev.ecsretrier.local;

import dev.ecsretrier.aws.OnFirstUse;
import dev.ecsretrier.config.Deployment;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.core.LaunchAdjustment;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.core.Step;
import dev.ecsretrier.handler.ClassifierHandler;
import dev.ecsretrier.handler.StartResponse;
import dev.ecsretrier.handler.StarterHandler;
import dev.ecsretrier.handler.StepResult;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.JsonBindingException;
import dev.ecsretrier.json.JsonRecords;
import dev.ecsretrier.local.bus.LocalEventBus;
import dev.ecsretrier.local.ecs.LocalEcs;
import dev.ecsretrier.local.ecs.TaskProgram;
import dev.ecsretrier.local.emulator.DeadLetter;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LaunchFault;
import dev.ecsretrier.local.emulator.LaunchKey;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.emulator.TimeScale;
import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.emulator.internal.EmulatorContext;
import dev.ecsretrier.local.emulator.internal.JsonLinesFile;
import dev.ecsretrier.local.emulator.internal.PendingWork;
import dev.ecsretrier.local.emulator.internal.Timeline;
import dev.ecsretrier.local.lambda.LocalLambda;
import dev.ecsretrier.local.logs.LocalLogs;
import dev.ecsretrier.local.quota.AwsQuotas;
import dev.ecsretrier.local.quota.QuotaPorts;
import dev.ecsretrier.local.quota.SdkRetries;
import dev.ecsretrier.local.scheduler.LocalScheduler;
import dev.ecsretrier.local.sns.LocalTopic;
import dev.ecsretrier.local.sns.PublishedNotification;
import dev.ecsretrier.local.sqs.LocalQueues;
import dev.ecsretrier.port.Notifier;
import dev.ecsretrier.port.RunHistoryReader;
import dev.ecsretrier.rule.StoppedTaskPattern;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The whole loop on one machine: the real starter and classifier, wired to a local ECS (tasks are
 * processes), an event bus with the real rule pattern (Event Ruler), a scheduler and an SNS topic,
 * with faults on demand. Seeded, so a run with faults can be reproduced.
 *
 * <pre>{@code
 * try (LocalRuntime runtime = LocalRuntime.builder()
 *         .setting(Setting.RETRYABLE_EXIT_CODES, "2").timeScale(0.001).seed(7).build()) {
 *     runtime.failNextLaunches(1, LaunchFault.cannotPullContainer());
 *     StartResponse started = runtime.startRun(request);
 *     RunOutcome outcome = runtime.awaitOutcome(started.runId(), Duration.ofSeconds(30)).orElseThrow();
 * }
 * }</pre>
 */
public final class LocalRuntime implements AutoCloseable {

    /** EventBridge Scheduler's universal target for ECS StopTask (attempt timeouts). */
    public static final String STOP_TASK_TARGET = LocalScheduler.STOP_TASK_TARGET;

    private final Deployment deployment;
    /** The settings every job shares (cluster, startedBy, topic); with one job, that job's. */
    private final RetrierConfig config;
    private final long seed;
    private final TimeScale timeScale;
    private final Timeline timeline;
    private final PendingWork work = new PendingWork();
    private final ScheduledThreadPoolExecutor executor;
    private final LocalLambda lambda;
    private final LocalEventBus bus;
    private final LocalEcs ecs;
    private final LocalScheduler scheduler;
    private final LocalTopic topic;
    private final LocalLogs logs;
    private final LocalQueues queues;
    private final Random runIds;
    private final AwsQuotas quotas;
    private final DecidedOutcomes outcomes = new DecidedOutcomes();

    private LocalRuntime(Builder b) {
        if (b.dataDirectory != null) {
            b.notificationsFile = b.notificationsFile != null ? b.notificationsFile
                    : b.dataDirectory.resolve("notifications.jsonl");
            b.deadLetterFile = b.deadLetterFile != null ? b.deadLetterFile : b.dataDirectory.resolve("dead-letters.jsonl");
            b.logFile = b.logFile != null ? b.logFile : b.dataDirectory.resolve("logs.jsonl");
            b.queuesFile = b.queuesFile != null ? b.queuesFile : b.dataDirectory.resolve("queues.json");
        }
        this.deployment = LocalSettings.deployment(b.settings);
        this.config = deployment.shared();
        this.seed = b.seed;
        this.timeScale = b.timeScale;
        Clock clock = Clock.systemUTC();
        this.timeline = new Timeline(clock);
        b.timelineListeners.forEach(timeline::subscribe);
        Random seeds = new Random(seed);
        Random starterJitter = new Random(seeds.nextLong());
        Random classifierJitter = new Random(seeds.nextLong());
        Random taskIds = new Random(seeds.nextLong());
        Random duplicates = new Random(seeds.nextLong());
        Random crashes = new Random(seeds.nextLong());
        Random schedules = new Random(seeds.nextLong());
        this.runIds = new Random(seeds.nextLong());

        AtomicInteger threads = new AtomicInteger();
        this.executor = new ScheduledThreadPoolExecutor(b.threads, runnable -> {
            Thread thread = new Thread(runnable, "ecs-retrier-local-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);

        this.quotas = b.awsQuotas ? AwsQuotas.documentedDefaults(timeScale, b.quotaScale, b.reservedConcurrency,
                b.awsCallLatency)
                : AwsQuotas.unlimited();
        EmulatorContext context = new EmulatorContext(LocalSettings.REGION, LocalSettings.ACCOUNT, clock, timeScale,
                executor, b.faults, timeline, work);
        this.topic = new LocalTopic(context, config.topicArn(),
                b.notificationsFile == null ? null : new JsonLinesFile(b.notificationsFile), message -> {
                    outcomes.received(message);
                    b.notificationPrinter.accept(message);
                });
        this.lambda = new LocalLambda(context, quotas, crashes,
                b.deadLetterFile == null ? null : new JsonLinesFile(b.deadLetterFile));
        this.bus = new LocalEventBus(context, lambda, duplicates);
        TaskProgram program = b.taskProgram != null ? b.taskProgram : TaskProgram.sampleTask(b.taskLogDirectory);
        this.ecs = new LocalEcs(context, new LocalEcs.Settings(config.cluster(), b.taskDefinitionEnvironment,
                b.taskCpu, b.taskMemory, b.maxRunningTasks, b.provisioning, b.forgetStoppedTasks),
                program, taskIds, bus::put);
        this.scheduler = new LocalScheduler(context, b.minutePrecision, schedules, this::invokeScheduleTarget);

        this.queues = new LocalQueues(clock, LocalSettings.DEAD_LETTER_QUEUES, b.queuesFile);
        lambda.onDeadLetter(this::toDeadLetterQueue);
        scheduler.onDeliveryFailure(this::toDeadLetterQueue);

        // Each function's lines go to its log group, as Lambda captures them, and to the handler log.
        this.logs = new LocalLogs(clock, b.logFile, new Random(seeds.nextLong()));
        logs.createGroup(LocalSettings.logGroupOf(LocalSettings.STARTER_FUNCTION));
        logs.createGroup(LocalSettings.logGroupOf(LocalSettings.CLASSIFIER_FUNCTION));
        // The handlers call AWS through the quotas (a no-op without --aws-quotas), as through the SDK.
        SdkRetries sdk = new SdkRetries(quotas, timeScale, new Random(seeds.nextLong()));
        RunHistoryReader history = history(b);
        // The handlers' topic: what they publish also tells the runtime which decisions reached it.
        Notifier notifier = QuotaPorts.notifier(outcomes.forHandlers(topic), sdk);
        StarterHandler starter = new StarterHandler(deployment, QuotaPorts.launcher(ecs, sdk),
                QuotaPorts.scheduler(scheduler, sdk), notifier, history, clock, starterJitter,
                functionLog(LocalSettings.STARTER_FUNCTION, b.handlerLog));
        ClassifierHandler classifier = new ClassifierHandler(deployment, QuotaPorts.describer(ecs, sdk),
                QuotaPorts.scheduler(scheduler, sdk), notifier, history, clock,
                classifierJitter, functionLog(LocalSettings.CLASSIFIER_FUNCTION, b.handlerLog));
        lambda.register(LocalSettings.STARTER_FUNCTION, (payload, requestId) -> scheduler.holdingFiresUntilReturn(
                () -> outcomes.invocation(() -> started(starter.start(payload, config.starterArn(), requestId)))));
        lambda.register(LocalSettings.CLASSIFIER_FUNCTION, payload -> scheduler.holdingFiresUntilReturn(
                () -> outcomes.invocation(() -> decided(classifier.handle(payload)))));
        bus.addRule(LocalSettings.RULE_NAME,
                new StoppedTaskPattern(config.startedBy(), config.cluster(), b.acceptTestEvents).toJson(),
                LocalSettings.CLASSIFIER_FUNCTION);
        if (b.dataDirectory != null) {
            // Once everything is wired: invocations first, so that what the restore starts is kept too.
            lambda.keepInvocationsIn(b.dataDirectory.resolve("invocations.jsonl"));
            scheduler.keepSchedulesIn(b.dataDirectory.resolve("schedules.jsonl"));
            ecs.keepTasksIn(b.dataDirectory.resolve("tasks.jsonl"));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a run as a caller does: invokes the starter and waits for its answer (request-response,
     * so no crash fault applies).
     *
     * @throws dev.ecsretrier.core.InvalidStartRequestException for a request the starter refuses
     */
    public StartResponse startRun(StartRequest request) {
        LocalLambda.Invocation invocation = lambda.invoke(LocalSettings.STARTER_FUNCTION, Json.writeBytes(request));
        if (invocation instanceof LocalLambda.Invocation.Throttled) {
            throw new IllegalStateException("Lambda throttled the starter: no concurrency left (TooManyRequestsException)");
        }
        if (invocation instanceof LocalLambda.Invocation.Failed failed) {
            if (failed.error() instanceof RuntimeException e) {
                throw e;
            }
            throw new IllegalStateException("the starter failed: " + failed.error(), failed.error());
        }
        return (StartResponse) ((LocalLambda.Invocation.Succeeded) invocation).result();
    }

    /**
     * Starts a run with an asynchronous invocation of the starter ({@code InvocationType=Event}):
     * faults apply, and a failing start ends in the dead-letter file.
     *
     * @return the run id: the request's, or a new one
     */
    public String submitRun(StartRequest request) {
        StartRequest withId = request.runId() != null ? request
                : StartRequest.of(newRunId(), request.attempt(), request.containerOverrides(), request.history());
        lambda.invokeAsync(LocalSettings.STARTER_FUNCTION, Json.writeBytes(withId));
        return withId.runId();
    }

    /** The faults queue for the next launches grows by {@code count} of {@code fault}. */
    public void failNextLaunches(int count, LaunchFault fault) {
        ecs.failNextLaunches(count, fault);
    }

    /**
     * Waits for the run's first terminal notification, and answers its outcome as the handler decided it
     * (the typed value, not the message's text read back; see {@link DecidedOutcomes}). A message about
     * the run that is not its outcome does not end the wait.
     */
    public Optional<RunOutcome> awaitOutcome(String runId, Duration timeout) throws InterruptedException {
        return outcomes.await(runId, timeout);
    }

    /** Waits until nothing is in flight: no task running, no schedule pending, no delivery or retry queued. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return work.awaitNone(timeout);
    }

    public List<PublishedNotification> notifications() {
        return topic.published();
    }

    /** The outcomes of every terminal notification, duplicates included, as the handlers decided them. */
    public List<RunOutcome> outcomes() {
        return outcomes.all();
    }

    public List<DeadLetter> deadLetters() {
        return lambda.deadLetters();
    }

    /** Tasks started per run attempt. */
    public Map<LaunchKey, Integer> launchCounts() {
        return ecs.launchCounts();
    }

    public List<TimelineEntry> timeline() {
        return timeline.entries();
    }

    public List<TimelineEntry> timeline(String runId) {
        return timeline.entries(runId);
    }

    public void onTimeline(Consumer<TimelineEntry> listener) {
        timeline.subscribe(listener);
    }

    /** The shared settings; with one job, its whole configuration. */
    public RetrierConfig config() {
        return config;
    }

    /** The jobs this runtime serves: one, or those of {@link Setting#CONFIG_FILE}. */
    public Deployment deployment() {
        return deployment;
    }

    public long seed() {
        return seed;
    }

    public TimeScale timeScale() {
        return timeScale;
    }

    public LocalEcs ecs() {
        return ecs;
    }

    public LocalEventBus eventBus() {
        return bus;
    }

    public LocalScheduler scheduler() {
        return scheduler;
    }

    public LocalLambda lambda() {
        return lambda;
    }

    public LocalTopic topic() {
        return topic;
    }

    /** AWS's quotas as this runtime applies them; {@link AwsQuotas#unlimited()} without {@code awsQuotas}. */
    public AwsQuotas quotas() {
        return quotas;
    }

    /** Throttled calls by API ({@code ecs:RunTask}, ..., {@code lambda:Invoke classifier}); empty without quotas. */
    public Map<String, Long> throttles() {
        return quotas.throttles();
    }

    /** The dead-letter queues ({@link LocalSettings#DEAD_LETTER_QUEUES}), as SQS keeps them. */
    public LocalQueues queues() {
        return queues;
    }

    /** The functions' log groups: what they wrote, as CloudWatch Logs keeps it. */
    public LocalLogs logs() {
        return logs;
    }

    /** Stops every task process and every thread of the runtime. */
    @Override
    public void close() {
        ecs.close();
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Where the handlers read a run's history back when it ends: the builder's reader (built on first use,
     * as the functions build their Logs client), else the local log store, through the same filter pattern.
     */
    private RunHistoryReader history(Builder b) {
        if (config.historyLogGroups().isEmpty()) {
            return RunHistoryReader.NONE;
        }
        if (b.historyReader == null) {
            return new LocalRunHistory(logs, config.historyLogGroups());
        }
        List<String> groups = config.historyLogGroups();
        OnFirstUse<RunHistoryReader> reader = new OnFirstUse<>(() -> b.historyReader.apply(groups));
        return (runId, since) -> reader.get().read(runId, since);
    }

    /** A function's failed asynchronous invocation, as Lambda sends it to the alias' on-failure destination. */
    private void toDeadLetterQueue(DeadLetter letter) {
        String queue = letter.function().equals(LocalSettings.STARTER_FUNCTION) ? LocalSettings.STARTER_FAILURES
                : LocalSettings.CLASSIFIER_FAILURES;
        DeadLetterMessage message = DeadLetterMessage.invocationRecord(letter,
                lambda.arn(letter.function()) + ":" + LocalSettings.ALIAS_VERSION, LocalSettings.ALIAS_VERSION);
        queues.send(queue, message.body(), message.attributes(), Duration.ZERO);
    }

    /** A schedule that could not invoke its target, as Scheduler sends it to the schedule's dead-letter queue. */
    private void toDeadLetterQueue(LocalScheduler.PendingSchedule schedule, RuntimeException error) {
        String group = schedule.group() == null ? config.scheduleGroup() : schedule.group();
        DeadLetterMessage message = DeadLetterMessage.scheduleDeliveryFailure(schedule.attempt().input(),
                schedule.attempt().target(), "arn:aws:scheduler:" + LocalSettings.REGION + ":" + LocalSettings.ACCOUNT
                        + ":schedule/" + group + "/" + schedule.attempt().name(), group,
                error instanceof LocalLambda.UnknownFunctionException ? "ResourceNotFoundException"
                        : error.getClass().getSimpleName(), error.getMessage(), 0);
        queues.send(LocalSettings.SCHEDULE_DELIVERY_FAILURES, message.body(), message.attributes(), Duration.ZERO);
    }

    /** A function's lines: into a new stream of its log group (it runs as the alias' version), then to {@code also}. */
    private Consumer<String> functionLog(String function, Consumer<String> also) {
        Consumer<String> stream = logs.sink(function, LocalSettings.ALIAS_VERSION);
        return line -> {
            stream.accept(line);
            also.accept(line);
        };
    }

    private String newRunId() {
        byte[] bytes = new byte[6];
        synchronized (runIds) {
            runIds.nextBytes(bytes);
        }
        return "run-" + HexFormat.of().formatHex(bytes);
    }

    /**
     * The input of the universal target {@code ecs:stopTask}: StopTask's request with PascalCase member
     * names, as the attempt timeout's schedule carries it (the functions' SchedulerAttemptScheduler).
     */
    record StopTaskInput(String Cluster, String Task, String Reason) {
    }

    private void invokeScheduleTarget(String target, String input) {
        if (target.equals(STOP_TASK_TARGET)) {
            StopTaskInput stop;
            try {
                stop = JsonRecords.fromPlain(Json.parse(input), StopTaskInput.class, JsonRecords.UnknownFields.SKIPPED);
            } catch (IOException | JsonBindingException e) {
                throw new IllegalArgumentException("StopTask input is not ECS StopTask's: " + e.getMessage(), e);
            }
            ecs.stopTask(stop.Cluster() == null ? "" : stop.Cluster(), stop.Task() == null ? "" : stop.Task(),
                    stop.Reason());
            return;
        }
        lambda.invokeAsync(target, input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private StartResponse started(StartResponse response) {
        if (response.step() != null) {
            decided(response.step());
        }
        return response;
    }

    private StepResult decided(StepResult result) {
        outcomes.decided(result);
        timeline.record(TimelineEntry.Kind.DECISION, result.runId(), result.attempt(), result.taskArn(),
                describe(result));
        return result;
    }

    /** The decision first, then what happens next, then why: a clipped line keeps what matters. */
    private String describe(StepResult result) {
        String head = result.decision() + " by " + result.rule();
        if (!(result.step() instanceof Step.Retry retry)) {
            return head + ": " + result.reason();
        }
        if (result.alreadyScheduled()) {
            return head + "; attempt " + (result.attempt() + 1) + " was already scheduled (a duplicate delivery): "
                    + result.reason();
        }
        String scaled = timeScale.factor() == 1.0 ? ""
                : " (" + seconds(timeScale.scale(retry.delay())) + " at time scale " + timeScale + ")";
        String launch = retry.nextLaunch().isNone() ? "" : " " + where(retry.nextLaunch()) + (retry.changes().isEmpty()
                ? "" : " (" + String.join("; ", retry.changes()) + ")");
        return head + "; next attempt " + (result.attempt() + 1) + " in " + seconds(retry.delay()) + scaled + launch
                + ": " + result.reason();
    }

    /** Where and how big the next attempt runs: "on FARGATE", "with cpu 1024 memory 4096", "in subnet-b". */
    private String where(LaunchAdjustment launch) {
        List<String> where = new ArrayList<>();
        if (launch.capacityProviderStrategy() != null) {
            where.add("on " + String.join("+",
                    launch.capacityProviderStrategy().stream().map(CapacityProviderItem::capacityProvider).toList()));
        }
        if (launch.size() != null) {
            where.add("with cpu " + launch.size().cpu() + " memory " + launch.size().memoryMiB());
        }
        List<String> subnets = config.network().subnets();
        if (launch.subnetOffset() != null && !subnets.isEmpty()) {
            where.add("in " + launch.order(subnets).get(0));
        }
        return String.join(" ", where);
    }

    static String seconds(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
    }

    /** Options of a {@link LocalRuntime}; {@link #build()} starts it. */
    public static final class Builder {
        private final Map<Setting, String> settings = new EnumMap<>(Setting.class);
        private TimeScale timeScale = TimeScale.REAL_TIME;
        private boolean minutePrecision;
        private long seed = System.nanoTime();
        private Faults faults = Faults.NONE;
        private TaskProgram taskProgram;
        private Path taskLogDirectory;
        private Map<String, String> taskDefinitionEnvironment = Map.of();
        private String taskCpu = LocalSettings.TASK_CPU;
        private String taskMemory = LocalSettings.TASK_MEMORY;
        private int maxRunningTasks = Math.max(4, 4 * Runtime.getRuntime().availableProcessors());
        private Duration provisioning = Duration.ofSeconds(10);
        private boolean forgetStoppedTasks;
        private boolean acceptTestEvents = true;
        private Path notificationsFile;
        private Path deadLetterFile;
        private Path logFile;
        private Path queuesFile;
        private Path dataDirectory;
        private Consumer<PublishedNotification> notificationPrinter = n -> { };
        private Consumer<String> handlerLog = line -> { };
        private final List<Consumer<TimelineEntry>> timelineListeners = new java.util.ArrayList<>();
        private int threads = 8;
        private boolean awsQuotas;
        private double quotaScale = 1;
        private java.time.Duration awsCallLatency = AwsQuotas.DEFAULT_CALL_LATENCY;
        private final Map<String, Integer> reservedConcurrency = new java.util.HashMap<>();
        private java.util.function.Function<List<String>, RunHistoryReader> historyReader;

        private Builder() {
        }

        /**
         * How the handlers read a run's history records when it ends, made on first use for the history log
         * groups (serve: the functions' CloudWatch Logs reader against its own endpoint, once it listens,
         * {@link dev.ecsretrier.local.serve.EndpointHistory}); by default the local log store is read directly.
         */
        public Builder historyReader(java.util.function.Function<List<String>, RunHistoryReader> reader) {
            this.historyReader = reader;
            return this;
        }

        /** One of the handlers' settings (the environment variables of {@link Setting}); local defaults otherwise. */
        public Builder setting(Setting setting, String value) {
            settings.put(setting, value);
            return this;
        }

        public Builder settings(Map<Setting, String> values) {
            settings.putAll(values);
            return this;
        }

        /** Waits (backoffs, Lambda retries, provisioning) take {@code factor} of their planned time. */
        public Builder timeScale(double factor) {
            this.timeScale = new TimeScale(factor);
            return this;
        }

        /** Schedules fire anywhere in their minute, as EventBridge Scheduler's do. */
        public Builder minutePrecision(boolean on) {
            this.minutePrecision = on;
            return this;
        }

        /** Seeds every random choice: jitter, faults, task ids. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder faults(Faults faults) {
            this.faults = faults;
            return this;
        }

        /** What tasks run; the sample-task jar by default. */
        public Builder taskProgram(TaskProgram program) {
            this.taskProgram = program;
            return this;
        }

        /** Where the default program's output goes, one file per task; discarded when not set. */
        public Builder taskLogDirectory(Path directory) {
            this.taskLogDirectory = directory;
            return this;
        }

        /** The container definition's environment, under the overrides. */
        public Builder taskDefinitionEnvironment(Map<String, String> environment) {
            this.taskDefinitionEnvironment = Map.copyOf(environment);
            return this;
        }

        /**
         * The task definition's task-level size, what a task without a cpu/memory override gets and its
         * STOPPED event reports ({@code detail.cpu}, {@code detail.memory}); 1024 and 2048 by default.
         */
        public Builder taskSize(String cpu, String memory) {
            this.taskCpu = cpu;
            this.taskMemory = memory;
            return this;
        }

        /** Tasks beyond this many wait for a free slot, as on a full cluster. */
        public Builder maxRunningTasks(int count) {
            this.maxRunningTasks = count;
            return this;
        }

        /** How long a task takes to fail to start (before time scale); 10 s by default. */
        public Builder provisioning(Duration duration) {
            this.provisioning = duration;
            return this;
        }

        /** Stopped tasks cannot be described: the classifier falls back to the event's environment. */
        public Builder forgetStoppedTasks(boolean on) {
            this.forgetStoppedTasks = on;
            return this;
        }

        /** The rule also accepts the test source {@code ecs-retrier.test}; on by default, as in the sample stack. */
        public Builder acceptTestEvents(boolean on) {
            this.acceptTestEvents = on;
            return this;
        }

        /** The topic's JSON-lines file; notifications stay in memory only when not set. */
        public Builder notificationsFile(Path file) {
            this.notificationsFile = file;
            return this;
        }

        /** The dead-letter JSON-lines file; dead letters stay in memory only when not set. */
        public Builder deadLetterFile(Path file) {
            this.deadLetterFile = file;
            return this;
        }

        /** The log store's JSON-lines file (read back when it exists); the functions' logs stay in memory only when not set. */
        public Builder logFile(Path file) {
            this.logFile = file;
            return this;
        }

        /**
         * Keeps the runtime's state in {@code directory}, read back when it starts there again: tasks
         * ({@code tasks.jsonl}), pending schedules ({@code schedules.jsonl}), accepted asynchronous
         * invocations not yet done ({@code invocations.jsonl}), the functions' logs ({@code logs.jsonl}),
         * the dead-letter queues ({@code queues.json}), and, unless named otherwise, the notifications and
         * dead-letter files. A restart on the same directory loses nothing: a pending retry still fires,
         * a task that was running when the runtime stopped ends with {@code TerminationNotice}.
         */
        public Builder dataDirectory(Path directory) {
            this.dataDirectory = directory;
            return this;
        }

        /** The dead-letter queues' file (read back when it exists); the queues stay in memory only when not set. */
        public Builder queuesFile(Path file) {
            this.queuesFile = file;
            return this;
        }

        /** Shows each notification as it is published (the CLI prints it). */
        public Builder notificationPrinter(Consumer<PublishedNotification> printer) {
            this.notificationPrinter = printer;
            return this;
        }

        /** Where the handlers' log lines (Lambda's standard output) go; dropped by default. */
        public Builder handlerLog(Consumer<String> log) {
            this.handlerLog = log;
            return this;
        }

        public Builder onTimeline(Consumer<TimelineEntry> listener) {
            this.timelineListeners.add(listener);
            return this;
        }

        /**
         * AWS's default rate quotas (RunTask, DescribeTasks, CreateSchedule, Publish) and Lambda's
         * concurrency, with the SDK's retries of a throttled call: see {@link dev.ecsretrier.local.quota.AwsQuota}.
         */
        public Builder awsQuotas(boolean on) {
            this.awsQuotas = on;
            return this;
        }

        /**
         * The quotas' rates and bursts times {@code scale} (0 to 1; 1 by default): a smaller load against
         * smaller quotas stands for a bigger one against the real quotas (storm tests).
         */
        public Builder quotaScale(double scale) {
            this.quotaScale = scale;
            return this;
        }

        /**
         * How long each AWS call takes, in planned time, with {@link #awsQuotas}: {@link AwsQuotas#DEFAULT_CALL_LATENCY}
         * (an assumption) unless set.
         */
        public Builder awsCallLatency(java.time.Duration latency) {
            this.awsCallLatency = latency;
            return this;
        }

        /** Lambda reserved concurrency for {@code function} (starter, classifier); applies with {@link #awsQuotas}. */
        public Builder reservedConcurrency(String function, int executions) {
            if (executions < 0) {
                throw new IllegalArgumentException("reserved concurrency must be 0 or more, got " + executions);
            }
            this.reservedConcurrency.put(function, executions);
            return this;
        }

        /** Threads for handlers, schedules and deliveries; 8 by default. */
        public Builder threads(int count) {
            this.threads = count;
            return this;
        }

        /**
         * Starts the runtime.
         *
         * @throws dev.ecsretrier.config.ConfigurationException when a setting is invalid, as the handlers would
         */
        public LocalRuntime build() {
            return new LocalRuntime(this);
        }
    }
}
