package dev.ecsretrier.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.config.Deployment;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.LaunchAdjustment;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.handler.ClassifierHandler;
import dev.ecsretrier.handler.StartResponse;
import dev.ecsretrier.handler.StarterHandler;
import dev.ecsretrier.handler.StepResult;
import dev.ecsretrier.local.bus.LocalEventBus;
import dev.ecsretrier.local.ecs.LocalEcs;
import dev.ecsretrier.local.ecs.TaskProgram;
import dev.ecsretrier.local.lambda.LocalLambda;
import dev.ecsretrier.local.logs.LocalLogs;
import dev.ecsretrier.local.sqs.DeadLetterMessage;
import dev.ecsretrier.local.sqs.LocalQueues;
import dev.ecsretrier.local.scheduler.LocalScheduler;
import dev.ecsretrier.local.sns.LocalTopic;
import dev.ecsretrier.local.sns.PublishedNotification;
import dev.ecsretrier.rule.StoppedTaskPattern;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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

    private LocalRuntime(Builder b) {
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

        EmulatorContext context = new EmulatorContext(LocalSettings.REGION, LocalSettings.ACCOUNT, clock, timeScale,
                executor, b.faults, timeline, work);
        this.topic = new LocalTopic(context, config.topicArn(),
                b.notificationsFile == null ? null : new JsonLinesFile(b.notificationsFile), b.notificationPrinter);
        this.lambda = new LocalLambda(context, crashes,
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
        logs.createGroup(LocalLogs.groupOf(LocalSettings.STARTER_FUNCTION));
        logs.createGroup(LocalLogs.groupOf(LocalSettings.CLASSIFIER_FUNCTION));
        StarterHandler starter = new StarterHandler(deployment, ecs, scheduler, topic, clock, starterJitter,
                functionLog(LocalSettings.STARTER_FUNCTION, b.handlerLog));
        ClassifierHandler classifier = new ClassifierHandler(deployment, ecs, scheduler, topic, clock, classifierJitter,
                functionLog(LocalSettings.CLASSIFIER_FUNCTION, b.handlerLog));
        lambda.register(LocalSettings.STARTER_FUNCTION, (payload, requestId) -> scheduler.holdingFiresUntilReturn(
                () -> started(starter.start(payload, config.starterArn(), requestId), launchChanges(payload))));
        // The classifier reads the attempt's launch from its tag, which keeps no change texts.
        lambda.register(LocalSettings.CLASSIFIER_FUNCTION, payload -> scheduler.holdingFiresUntilReturn(
                () -> decided(classifier.handle(payload), List.of())));
        bus.addRule(LocalSettings.RULE_NAME,
                new StoppedTaskPattern(config.startedBy(), config.cluster(), b.acceptTestEvents).toJson(),
                LocalSettings.CLASSIFIER_FUNCTION);
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
        LocalLambda.Invocation invocation = lambda.invoke(LocalSettings.STARTER_FUNCTION, LocalJson.writeBytes(request));
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
        lambda.invokeAsync(LocalSettings.STARTER_FUNCTION, LocalJson.writeBytes(withId));
        return withId.runId();
    }

    /** The faults queue for the next launches grows by {@code count} of {@code fault}. */
    public void failNextLaunches(int count, LaunchFault fault) {
        ecs.failNextLaunches(count, fault);
    }

    /** Waits for the run's first terminal notification. */
    public Optional<RunOutcome> awaitOutcome(String runId, Duration timeout) throws InterruptedException {
        return topic.await(n -> runId.equals(n.attributes().get("runId")), timeout)
                .flatMap(PublishedNotification::outcome);
    }

    /** Waits until nothing is in flight: no task running, no schedule pending, no delivery or retry queued. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return work.awaitNone(timeout);
    }

    public List<PublishedNotification> notifications() {
        return topic.published();
    }

    /** The outcomes of every terminal notification, duplicates included. */
    public List<RunOutcome> outcomes() {
        return topic.published().stream().flatMap(n -> n.outcome().stream()).toList();
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

    private void invokeScheduleTarget(String target, String input) {
        if (target.equals(STOP_TASK_TARGET)) {
            JsonNode stop;
            try {
                stop = LocalJson.tree(input);
            } catch (IOException e) {
                throw new IllegalArgumentException("StopTask input is not JSON: " + e.getMessage(), e);
            }
            ecs.stopTask(stop.path("Cluster").asText(), stop.path("Task").asText(), stop.path("Reason").asText(null));
            return;
        }
        lambda.invokeAsync(target, input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * @param changesBefore the change texts the ended attempt was launched with, which the next
     *                      launch repeats: only the ones after them are this decision's
     */
    private StartResponse started(StartResponse response, List<String> changesBefore) {
        if (response.step() != null) {
            decided(response.step(), changesBefore);
        }
        return response;
    }

    private StepResult decided(StepResult step, List<String> changesBefore) {
        timeline.record(TimelineEntry.Kind.DECISION, step.runId(), step.attempt(), step.taskArn(),
                describe(step, changesBefore));
        return step;
    }

    /** The decision first, then what happens next, then why: a clipped line keeps what matters. */
    private String describe(StepResult step, List<String> changesBefore) {
        String head = step.decision() + " by " + step.rule();
        if (step.delayMillis() == null) {
            return head + ": " + step.reason();
        }
        if (Boolean.TRUE.equals(step.alreadyScheduled())) {
            return head + "; attempt " + (step.attempt() + 1) + " was already scheduled (a duplicate delivery): "
                    + step.reason();
        }
        Duration delay = Duration.ofMillis(step.delayMillis());
        String scaled = timeScale.factor() == 1.0 ? ""
                : " (" + seconds(timeScale.scale(delay)) + " at time scale " + timeScale + ")";
        // The schedule fires only after this invocation returns, so it is still there to read.
        String launch = scheduler.pendingSchedule(step.scheduleName())
                .flatMap(schedule -> nextLaunch(schedule.input()))
                .map(next -> " " + NextLaunchText.of(next, config.network().subnets(), changesBefore))
                .orElse("");
        return head + "; next attempt " + (step.attempt() + 1) + " in " + seconds(delay) + scaled + launch + ": "
                + step.reason();
    }

    /** The {@code launch} of a scheduled start request, when it changes the configured launch. */
    private static Optional<LaunchAdjustment> nextLaunch(String startRequestJson) {
        try {
            return NextLaunchText.read(LocalJson.tree(startRequestJson).path("launch"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static List<String> launchChanges(byte[] startRequestJson) {
        try {
            return NextLaunchText.read(LocalJson.MAPPER.readTree(startRequestJson).path("launch"))
                    .map(LaunchAdjustment::changes).orElse(List.of());
        } catch (IOException e) {
            return List.of();
        }
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
        private Consumer<PublishedNotification> notificationPrinter = n -> { };
        private Consumer<String> handlerLog = line -> { };
        private final List<Consumer<TimelineEntry>> timelineListeners = new java.util.ArrayList<>();
        private int threads = 8;

        private Builder() {
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
