package dev.ecsretrier.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.ecsretrier.aws.AwsClients;
import dev.ecsretrier.aws.EcsTaskDescriber;
import dev.ecsretrier.aws.SchedulerAttemptScheduler;
import dev.ecsretrier.config.Deployment;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EndedAttempt;
import dev.ecsretrier.core.InvalidEventException;
import dev.ecsretrier.core.RunOutcome.MetadataSource;
import dev.ecsretrier.core.StopClassifier;
import dev.ecsretrier.input.TaskStateChange;
import dev.ecsretrier.input.TaskStateChangeParser;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.DescribedTask;
import dev.ecsretrier.port.Notifier;
import dev.ecsretrier.port.RunHistoryReader;
import dev.ecsretrier.port.ScheduledStop;
import dev.ecsretrier.port.TaskDescriber;
import dev.ecsretrier.rule.StoppedTaskPattern;
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
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The classifier Lambda: given a STOPPED task's event, reads the run's metadata from the task's
 * tags (or, when the task is gone, from the event), decides, and schedules or notifies. An event
 * it cannot read throws {@link InvalidEventException}, so Lambda retries and then dead-letters it.
 * The task's job (its {@code ecs-retrier:job} tag, else its {@code RETRIER_JOB} variable) decides
 * whose policy applies; a task of no job of this deployment is such an event.
 */
public final class ClassifierHandler implements RequestStreamHandler {

    static final String EVENT_FALLBACK_NOTE = "the task was no longer describable: run metadata came from the"
            + " event's RETRIER_* environment overrides, and earlier attempts are unknown; no container overrides"
            + " were carried to the next attempt, since only DescribeTasks tells what the task was really given";
    static final String TEST_EVENT_NOTE = "the stop came from a test event (source " + StoppedTaskPattern.TEST_SOURCE
            + "), not from ECS; its overrides were not used";

    private final Deployment deployment;
    private final RetrierConfig shared;
    private final TaskDescriber describer;
    private final AttemptScheduler scheduler;
    private final Map<String, RetryLoop> loops = new LinkedHashMap<>();

    /**
     * Lambda's entry: the deployment from the environment and its configuration file (read and
     * checked here, at initialization, so before a SnapStart snapshot), AWS clients built once.
     */
    public ClassifierHandler() {
        this(Deployment.fromEnvironment(System.getenv()));
    }

    private ClassifierHandler(Deployment deployment) {
        this(deployment, AwsWiring.withSchedulerBuilt(deployment.shared()));
    }

    private ClassifierHandler(Deployment deployment, AwsWiring aws) {
        this(deployment, new EcsTaskDescriber(aws.ecs()), aws.scheduler(), aws.notifier(), aws.history(),
                Clock.systemUTC(), new SecureRandom(), System.out::println);
        SnapStartPriming.atInitialization(System.getenv(), deployment.shared(), aws::buildAllClients,
                () -> dryRun(deployment));
    }

    /**
     * The classifier's dry run at initialization ({@link SnapStartPriming#atInitialization}): the bundled sample
     * event (a task of this retrier's, stopped by its essential container) handled through a classifier of its
     * own whose AWS clients are answered in process ({@code DescribeTasks} with the tags of a first attempt of
     * the deployment's first job; a retry's cancel-marker {@code GetSchedule} and {@code CreateSchedule}), whose
     * notifications and log lines are dropped and which reads no history: nothing reaches AWS or the log.
     *
     * @return the operations answered, in order
     */
    static List<String> dryRun(Deployment deployment) {
        RetrierConfig shared = deployment.shared();
        String job = deployment.names().iterator().next();
        byte[] event = new String(SnapStartPriming.sampleEvent(), StandardCharsets.UTF_8)
                .replace("\"startedBy\": \"ecs-retrier\"", "\"startedBy\": \"" + shared.startedBy() + "\"")
                .getBytes(StandardCharsets.UTF_8);
        TaskStateChange change = TaskStateChangeParser.parse(event);
        DryRunAnswers answers = new DryRunAnswers(change.clusterArn(), change.taskArn(), new AttemptMetadata(
                StarterHandler.DRY_RUN_ID, 1, deployment.job(job).maxAttempts(), List.of(), null, job));
        AwsClients clients = AwsClients.answeredBy(shared.region(), answers);
        ClassifierHandler dry = new ClassifierHandler(deployment, new EcsTaskDescriber(clients.ecs()),
                new SchedulerAttemptScheduler(clients.scheduler(), shared.scheduleGroup(), shared.schedulerRoleArn(),
                        shared.scheduleDeadLetterArn()),
                notification -> { }, RunHistoryReader.NONE, Clock.systemUTC(), new SplittableRandom(1), line -> { });
        Json.writeBytes(dry.handle(event));
        return answers.answered();
    }

    /** One job, named as {@link dev.ecsretrier.config.Setting#JOB_NAME} defaults. */
    public ClassifierHandler(RetrierConfig config, TaskDescriber describer, AttemptScheduler scheduler,
                             Notifier notifier, Clock clock, RandomGenerator random, Consumer<String> log) {
        this(Deployment.single(dev.ecsretrier.config.Setting.JOB_NAME.defaultValue(), config), describer, scheduler,
                notifier, clock, random, log);
    }

    /** Without a history store: a run's notification takes its earlier attempts from the task's tags. */
    public ClassifierHandler(Deployment deployment, TaskDescriber describer, AttemptScheduler scheduler,
                             Notifier notifier, Clock clock, RandomGenerator random, Consumer<String> log) {
        this(deployment, describer, scheduler, notifier, RunHistoryReader.NONE, clock, random, log);
    }

    /**
     * @param history where a run's history records are read back when it ends (its earlier attempts whole in
     *                the notification)
     */
    public ClassifierHandler(Deployment deployment, TaskDescriber describer, AttemptScheduler scheduler,
                             Notifier notifier, RunHistoryReader history, Clock clock, RandomGenerator random,
                             Consumer<String> log) {
        if (deployment.shared().starterArn().isEmpty()) {
            throw new dev.ecsretrier.config.ConfigurationException(List.of(
                    dev.ecsretrier.config.Setting.STARTER_ARN.variable() + ": is required by the classifier"
                            + " (the starter alias ARN its schedules invoke)"));
        }
        this.deployment = deployment;
        this.shared = deployment.shared();
        this.describer = describer;
        this.scheduler = scheduler;
        deployment.jobs().forEach((name, config) -> loops.put(name,
                new RetryLoop(config.planner(), scheduler, notifier, clock, random, config.startedBy(), log, history,
                        config.historyWindow())));
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        output.write(Json.writeBytes(handle(input.readAllBytes())));
    }

    public StepResult handle(byte[] eventJson) {
        TaskStateChange change = TaskStateChangeParser.parse(eventJson);
        if (!shared.startedBy().equals(change.startedBy())) {
            throw new InvalidEventException("detail.startedBy", change.startedBy() == null
                    ? "is missing; this retrier only handles tasks started by '" + shared.startedBy() + "'"
                    : "is '" + change.startedBy() + "', not this retrier's '" + shared.startedBy() + "'");
        }
        Optional<DescribedTask> described = describer.describe(change.clusterArn(), change.taskArn());
        EndedAttempt ended = described
                .map(task -> fromTask(change, task))
                .orElseGet(() -> fromEvent(change));
        String job = jobOf(ended.metadata(), change);
        RetrierConfig config = deployment.job(job);
        if (ended.taskDefinition() == null || ended.metadata().job() == null) {
            AttemptMetadata m = ended.metadata();
            ended = new EndedAttempt(new AttemptMetadata(m.runId(), m.attempt(), m.maxAttempts(), m.history(),
                    m.launch(), job), ended.stop(), ended.userOverrides(), ended.cluster(),
                    ended.taskDefinition() != null ? ended.taskDefinition() : config.taskDefinition(),
                    ended.metadataSource(), ended.note(), ended.size());
        }
        if (config.hasAttemptTimeout() && !stoppedByTimeout(change)) {
            // The task ended on its own: its timeout must not fire later (and find nothing to stop).
            scheduler.cancel(ScheduledStop.nameFor(
                    AttemptMetadata.attemptKey(ended.metadata().runId(), ended.metadata().attempt())));
        }
        return loops.get(job).advance(ended, shared.starterArn());
    }

    /**
     * The job the stopped task ran: as its tag or variable says; a task that says none (launched
     * before jobs were recorded) belongs to the only job, when there is one.
     */
    private String jobOf(AttemptMetadata metadata, TaskStateChange change) {
        String job = metadata.job();
        if (job == null) {
            if (deployment.names().size() == 1) {
                return deployment.names().iterator().next();
            }
            throw new InvalidEventException("tags", "of task " + change.taskArn() + " name no job ("
                    + AttemptMetadata.JOB_TAG + "), and this deployment serves " + deployment.names().size()
                    + " jobs (" + String.join(", ", deployment.names()) + ")");
        }
        if (!deployment.names().contains(job)) {
            throw new InvalidEventException("tags", "of task " + change.taskArn() + " name the job '" + job
                    + "', which is not a job of this deployment (jobs: " + String.join(", ", deployment.names()) + ")");
        }
        return job;
    }

    private static boolean stoppedByTimeout(TaskStateChange change) {
        String reason = change.stop().stoppedReason();
        return reason != null && reason.startsWith(StopClassifier.ATTEMPT_TIMEOUT_REASON_PREFIX);
    }

    /** Overrides from DescribeTasks: what ECS itself recorded for the task, whoever sent the event. */
    private EndedAttempt fromTask(TaskStateChange change, DescribedTask task) {
        AttemptMetadata metadata = AttemptMetadata.fromTags(task.tags())
                .or(() -> AttemptMetadata.fromEnvironment(task.containerOverrides()))
                .orElseThrow(() -> new InvalidEventException("tags",
                        "of task " + change.taskArn() + " hold no " + AttemptMetadata.RUN_ID_TAG
                                + " tag and its overrides no " + AttemptMetadata.RUN_ID_ENV));
        return ended(change, metadata, task.containerOverrides(), MetadataSource.TAGS,
                fromEcs(change) ? null : TEST_EVENT_NOTE);
    }

    /**
     * The task cannot be described: the event still names the run (its RETRIER_* variables), but its
     * overrides never reach a launch. With acceptTestEvents anyone who may put events on the bus can
     * send such a stop, and a command or variables taken from it would run as the next attempt.
     */
    private EndedAttempt fromEvent(TaskStateChange change) {
        AttemptMetadata metadata = AttemptMetadata.fromEnvironment(change.containerOverrides())
                .orElseThrow(() -> new InvalidEventException("detail.overrides.containerOverrides",
                        "hold no " + AttemptMetadata.RUN_ID_ENV + ", and task " + change.taskArn()
                                + " is no longer describable: the run cannot be identified"));
        return ended(change, metadata, List.of(), MetadataSource.EVENT,
                fromEcs(change) ? EVENT_FALLBACK_NOTE : EVENT_FALLBACK_NOTE + "; " + TEST_EVENT_NOTE);
    }

    /**
     * Only AWS services put events with an {@code aws.} source: a PutEvents source "can't start with
     * the aws. prefix" (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html;
     * stated in those words for Scheduler's PutEvents target:
     * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-scheduler-schedule-eventbridgeputeventsv2parameters.html).
     */
    private static boolean fromEcs(TaskStateChange change) {
        return StoppedTaskPattern.ECS_SOURCE.equals(change.source());
    }

    private EndedAttempt ended(TaskStateChange change, AttemptMetadata metadata, List<ContainerOverride> overrides,
                               MetadataSource source, String note) {
        String taskDefinition = change.taskDefinitionArn();
        return new EndedAttempt(metadata, change.stop(), AttemptMetadata.userOverrides(overrides), change.clusterArn(),
                taskDefinition, source, note, change.size());
    }
}
