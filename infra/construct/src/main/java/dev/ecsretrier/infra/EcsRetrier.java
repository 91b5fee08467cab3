package dev.ecsretrier.infra;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.rule.StoppedTaskPattern;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Names;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.UniqueResourceNameOptions;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.ecs.ITaskDefinition;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IAlias;
import software.amazon.awscdk.services.lambda.ILayerVersion;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.scheduler.ScheduleGroup;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

/**
 * The ecs-retrier loop around a cluster and task definition you already have: a starter function that runs the task,
 * an EventBridge rule that hands its stop to a classifier function, EventBridge Scheduler for the next attempt, and an
 * SNS topic for the outcome. Callers invoke {@link #getStarterAlias()}.
 *
 * <p>The constructor is the outline of what is deployed; each concern has its own file: {@link FunctionEnvironment}
 * (the props as the functions read them), {@link Permissions} (least privilege), {@link Monitoring} (alarms and the dashboard),
 * {@link NagFindings} (the cdk-nag findings that are the design), {@link EnvironmentChecks} (checks at synthesis) and
 * {@link EncryptedTopic} (the default topic).
 */
public class EcsRetrier extends Construct {

    /** The alias every trigger invokes; the starter schedules later attempts through its own alias of this name. */
    public static final String ALIAS_NAME = "live";
    /**
     * Both functions' memory, MB. Chosen by measurement (docs/performance.md, "Memory"): a warm invocation is mostly
     * waiting on one to four AWS round trips, so 0.29 of a vCPU (Lambda's share at 512 MB,
     * https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html) bills fewer GB-seconds than 0.58 at
     * 1024 MB, and the functions use about 124 MiB. {@link EcsRetrierProps.Builder#functionMemoryMiB} sets another.
     */
    public static final int FUNCTION_MEMORY_MB = 512;
    static final String STARTER_HANDLER = "dev.ecsretrier.handler.StarterHandler::handleRequest";
    static final String CLASSIFIER_HANDLER = "dev.ecsretrier.handler.ClassifierHandler::handleRequest";

    private final String startedBy;
    private final Alias starterAlias;
    private final Alias classifierAlias;
    private final ITopic topic;
    private final Map<String, IQueue> deadLetterQueues;
    private final ScheduleGroup scheduleGroup;
    private final Role schedulerRole;
    private final Map<String, ILogGroup> logGroups = new LinkedHashMap<>();
    private final Dashboard dashboard;
    private final List<String> jobNames;

    public EcsRetrier(Construct scope, String id, EcsRetrierProps props) {
        super(scope, id);
        startedBy = props.startedBy() != null ? props.startedBy() : defaultStartedBy();
        // The single-job props are the one job the functions name by RETRIER_JOB_NAME's default.
        jobNames = props.jobs().isEmpty() ? List.of(Setting.JOB_NAME.defaultValue()) : List.copyOf(props.jobs().keySet());

        topic = props.topic() != null ? props.topic() : EncryptedTopic.create(this);
        if (props.notificationEmail() != null) {
            topic.addSubscription(new EmailSubscription(props.notificationEmail()));
        }

        Queue starterFailures = deadLetterQueue("StarterFailures");
        Queue classifierFailures = deadLetterQueue("ClassifierFailures");
        Queue ruleFailures = deadLetterQueue("RuleDeliveryFailures");
        Queue scheduleFailures = deadLetterQueue("ScheduleDeliveryFailures");
        Map<String, IQueue> queues = new LinkedHashMap<>();
        queues.put("StarterFailures", starterFailures);
        queues.put("ClassifierFailures", classifierFailures);
        queues.put("RuleDeliveryFailures", ruleFailures);
        queues.put("ScheduleDeliveryFailures", scheduleFailures);
        deadLetterQueues = Collections.unmodifiableMap(queues);

        scheduleGroup = ScheduleGroup.Builder.create(this, "ScheduleGroup")
                // Deleting the group deletes its pending schedules: the loop goes with the stack.
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        schedulerRole = Permissions.schedulerRole(this, scheduleGroup);

        Code code = props.functionsCode() != null ? props.functionsCode() : FunctionsJar.code();
        Map<String, String> environment = FunctionEnvironment.configured(this, props, startedBy);
        // Where the loop's own parts are, for both functions.
        environment.put(Setting.SCHEDULE_GROUP.variable(), scheduleGroup.getScheduleGroupName());
        environment.put(Setting.SCHEDULER_ROLE_ARN.variable(), schedulerRole.getRoleArn());
        environment.put(Setting.SCHEDULE_DEAD_LETTER_ARN.variable(), scheduleFailures.getQueueArn());
        environment.put(Setting.TOPIC_ARN.variable(), topic.getTopicArn());
        environment.put(Setting.STARTER_ALIAS.variable(), ALIAS_NAME);
        List<ILayerVersion> layers = new ArrayList<>();
        if (!props.jobs().isEmpty()) {
            // Many jobs' policies do not fit Lambda's 4 KB environment: they travel as a file in a layer.
            layers.add(JobsFile.layer(this, props, environment));
            environment.put(Setting.CONFIG_FILE.variable(), JobsFile.PATH);
        }
        Function starter = function("Starter", STARTER_HANDLER, code, environment, layers, props);
        starterAlias = liveAlias(starter, starterFailures);

        // The starter cannot name its own alias ARN (a cycle); it derives it. The classifier is told.
        Map<String, String> classifierEnvironment = new LinkedHashMap<>(environment);
        classifierEnvironment.put(Setting.STARTER_ARN.variable(), starterAlias.getFunctionArn());
        Function classifier = function("Classifier", CLASSIFIER_HANDLER, code, classifierEnvironment, layers, props);
        classifierAlias = liveAlias(classifier, classifierFailures);

        // Both functions read a run's history records back from both log groups when the run ends with them,
        // so that its notification holds every attempt whole (the tags only summarize earlier attempts).
        List<ILogGroup> history = List.of(getStarterLogGroup(), getClassifierLogGroup());
        String historyLogGroups = getStarterLogGroup().getLogGroupName() + "," + getClassifierLogGroup().getLogGroupName();
        starter.addEnvironment(Setting.HISTORY_LOG_GROUPS.variable(), historyLogGroups);
        classifier.addEnvironment(Setting.HISTORY_LOG_GROUPS.variable(), historyLogGroups);

        Permissions permissions = Permissions.of(this, props.cluster(), scheduleGroup, schedulerRole, topic);
        permissions.grantScheduler(starterAlias, scheduleFailures, props.attemptTimeout() != null);
        permissions.grantStarter(starter.getRole(), taskDefinitions(props));
        permissions.grantClassifier(classifier.getRole());
        permissions.grantReadHistory(starter.getRole(), history);
        permissions.grantReadHistory(classifier.getRole(), history);

        stoppedTaskRule(props, ruleFailures);

        Monitoring.createAlarms(this, startedBy, topic, deadLetterQueues, starter, classifier);
        dashboard = Monitoring.createDashboard(this, startedBy, deadLetterQueues, starter, classifier);
        NagFindings.suppressInherent(starter, classifier, schedulerRole, props.attemptTimeout() != null, deadLetterQueues.values());
        if (props.jobs().isEmpty()) {
            EnvironmentChecks.checkEssentialContainerNames(this, props);
        } else {
            props.jobs().keySet().forEach(job -> EnvironmentChecks.checkEssentialContainerNames(this, props.forJob(job)));
        }
        EnvironmentChecks.checkEnvironmentSize(this, starter);
        EnvironmentChecks.checkEnvironmentSize(this, classifier);
    }

    /** What callers invoke: the starter's {@value #ALIAS_NAME} alias. */
    public IAlias getStarterAlias() {
        return starterAlias;
    }

    /** What the rule invokes: the classifier's {@value #ALIAS_NAME} alias. */
    public IAlias getClassifierAlias() {
        return classifierAlias;
    }

    /** Where terminal outcomes and alarms are published. */
    public ITopic getTopic() {
        return topic;
    }

    /** The {@code startedBy} value on every task this retrier starts. */
    public String getStartedBy() {
        return startedBy;
    }

    /** The jobs this retrier serves, in the order given: a start request's {@code job} is one of them. */
    public List<String> getJobNames() {
        return jobNames;
    }

    /** The schedule group of next attempts, attempt timeouts and cancel markers. */
    public String getScheduleGroupName() {
        return scheduleGroup.getScheduleGroupName();
    }

    /** The role the retrier's schedules run as (a cancel marker names it too). */
    public String getSchedulerRoleArn() {
        return schedulerRole.getRoleArn();
    }

    /** The starter's logs: a history line per launch (and per decision on a launch ECS refused), and metric lines. */
    public ILogGroup getStarterLogGroup() {
        return logGroups.get("Starter");
    }

    /** The classifier's logs: a history line per decision, and metric lines. */
    public ILogGroup getClassifierLogGroup() {
        return logGroups.get("Classifier");
    }

    /** Every dead-letter queue by its purpose: StarterFailures, ClassifierFailures, RuleDeliveryFailures, ScheduleDeliveryFailures. */
    public Map<String, IQueue> getDeadLetterQueues() {
        return deadLetterQueues;
    }

    /** The CloudWatch dashboard of this retrier: runs, retries, delays, dead-letter queues, the functions' errors and durations. */
    public Dashboard getDashboard() {
        return dashboard;
    }

    private String defaultStartedBy() {
        return "ecs-retrier-" + Names.uniqueResourceName(this, UniqueResourceNameOptions.builder()
                .maxLength(100)
                .separator("-")
                .allowedSpecialCharacters("-_")
                .build());
    }

    private Queue deadLetterQueue(String id) {
        return Queue.Builder.create(this, id)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();
    }

    /** What the starter may run: the one task definition, or each job's. */
    private static List<ITaskDefinition> taskDefinitions(EcsRetrierProps props) {
        return props.jobs().isEmpty() ? List.of(props.taskDefinition())
                : props.jobs().values().stream().map(EcsRetrierJob::taskDefinition).distinct().toList();
    }

    private Function function(String name, String handler, Code code, Map<String, String> environment, List<ILayerVersion> layers,
            EcsRetrierProps props) {
        LogGroup logs = LogGroup.Builder.create(this, name + "Logs")
                .retention(props.logRetention())
                .build();
        // Our own role, without AWSLambdaBasicExecutionRole: it may write to this log group and nothing else by default.
        Role role = Role.Builder.create(this, name + "Role")
                .description("ecs-retrier " + name.toLowerCase(Locale.ROOT) + " function")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .build();
        logs.grantWrite(role);
        logGroups.put(name, logs);
        return Function.Builder.create(this, name)
                .description("ecs-retrier " + name.toLowerCase(Locale.ROOT) + " for tasks started by " + startedBy)
                .runtime(Runtime.JAVA_21)
                // Graviton: SnapStart supports arm64 on java21 (https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html,
                // "Supported features and limitations" no longer excludes it), the jar is pure Java (the URLConnection
                // HTTP client, no native code), and arm64 duration costs about 20 % less per GB-second
                // (https://aws.amazon.com/lambda/pricing/); docs/performance.md has the cost model.
                .architecture(Architecture.ARM_64)
                .handler(handler)
                .code(code)
                .memorySize(props.functionMemoryMiB())
                .timeout(Duration.seconds(30))
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                .role(role)
                .logGroup(logs)
                .environment(environment)
                .layers(layers)
                .build();
    }

    private Alias liveAlias(Function function, IQueue onFailure) {
        return Alias.Builder.create(this, function.getNode().getId() + "Alias")
                .aliasName(ALIAS_NAME)
                .version(function.getCurrentVersion())
                // Asynchronous invocations (rule, scheduler) that still fail after Lambda's retries land here.
                .retryAttempts(2)
                .maxEventAge(Duration.hours(6))
                .onFailure(new SqsDestination(onFailure))
                .build();
    }

    /**
     * With jobs, also only tasks of the jobs' task definition families: a task another deployment starts with our
     * {@code startedBy} but another definition is not ours to retry. EventBridge prefix matching
     * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-prefix-matching).
     */
    private Map<String, Object> detail(StoppedTaskPattern pattern, EcsRetrierProps props) {
        if (props.jobs().isEmpty()) {
            return pattern.detail();
        }
        Map<String, Object> detail = new LinkedHashMap<>(pattern.detail());
        detail.put("taskDefinitionArn", taskDefinitions(props).stream()
                .map(definition -> Map.of("prefix", Permissions.taskDefinitionFamilyArn(this, definition) + ":"))
                .distinct()
                .toList());
        return detail;
    }

    /** The classifier's own definition of "our stopped tasks", so the rule and the classifier can never disagree. */
    private void stoppedTaskRule(EcsRetrierProps props, IQueue ruleFailures) {
        StoppedTaskPattern pattern = new StoppedTaskPattern(startedBy, props.cluster().getClusterArn(), props.acceptTestEvents());
        Rule.Builder.create(this, "StoppedTaskRule")
                .description("Stopped tasks started by " + startedBy + " -> ecs-retrier classifier")
                .eventPattern(EventPattern.builder()
                        .source(pattern.sources())
                        .detailType(pattern.detailTypes())
                        .detail(detail(pattern, props))
                        .build())
                .targets(List.of(new LambdaFunction(classifierAlias, LambdaFunctionProps.builder()
                        .deadLetterQueue(ruleFailures)
                        // EventBridge's maximum: a stop that arrives late is still worth classifying.
                        .retryAttempts(185)
                        .maxEventAge(Duration.hours(24))
                        .build())))
                .build();
    }
}
