package dev.ecsretrier.infra;

import static dev.ecsretrier.infra.Templates.arnInThisAccount;
import static dev.ecsretrier.infra.Templates.arnOf;
import static dev.ecsretrier.infra.Templates.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.config.Deployment;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.Action;
import dev.ecsretrier.core.Jitter;
import dev.ecsretrier.core.RetryBudgets;
import dev.ecsretrier.core.RetryRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ClusterAttributes;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.ICluster;

/**
 * One retrier, many jobs: each job runs its own task definition under its own policy, the starter may run and pass
 * the roles of exactly the jobs' task definitions, and the rule hears only their tasks.
 */
class ManyJobsConstructTest {

    static final String CLUSTER_ARN = "arn:aws:ecs:eu-west-1:123456789012:cluster/jobs";
    private static FargateTaskDefinition etl;
    private static FargateTaskDefinition reports;
    private static FargateTaskDefinition unlisted;
    private static Template template;
    private static Path assembly;

    @BeforeAll
    static void synthesizeTwoJobs() {
        App app = new App();
        Stack stack = new Stack(app, "ManyJobs");
        ICluster cluster = cluster(stack);
        etl = definition(stack, "Etl", "app");
        etl.addContainer("log-router", ContainerDefinitionOptions.builder().essential(false)
                .image(ContainerImage.fromRegistry("public.ecr.aws/aws-observability/aws-for-fluent-bit:stable")).build());
        // A second container the job's start requests may override: a report written after the import.
        etl.addContainer("report", ContainerDefinitionOptions.builder().essential(false)
                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/busybox:stable")).build());
        reports = definition(stack, "Reports", "main");
        unlisted = definition(stack, "Unlisted", "other");
        new EcsRetrier(stack, "Retrier", EcsRetrierProps.builder()
                .cluster(cluster)
                .maxAttempts(4)
                .retryableExitCodes(List.of(75))
                .jobs(inOrder(
                        "nightly-etl", EcsRetrierJob.builder().taskDefinition(etl).containerNames(List.of("app", "report"))
                                .maxAttempts(6).retryableExitCodes(List.of(2, 75)).build(),
                        "reports", EcsRetrierJob.builder().taskDefinition(reports).memoryEscalation(true)
                                .backoffInitialDelay(software.amazon.awscdk.Duration.seconds(30)).backoffJitter(Jitter.EQUAL)
                                .rules(List.of(new RetryRule("render-lock", null, null, null, "main", List.of(75), Action.RETRY)))
                                .infrastructureRetries(2).applicationRetries(1)
                                .attemptTimeout(software.amazon.awscdk.Duration.hours(1)).build()))
                .build());
        template = Template.fromStack(stack);
        assembly = Path.of(app.synth().getDirectory());
    }

    @Test
    void eachJobIsReadFromTheLayersFile_withItsOwnSettingsOverTheConstructs() {
        Deployment deployment = Deployment.fromFile(runtimeEnvironment("Starter"), jobsFile(), JobsFile.PATH);

        assertThat(deployment.jobs()).containsOnlyKeys("nightly-etl", "reports");
        RetrierConfig nightly = deployment.jobs().get("nightly-etl");
        assertThat(nightly.taskDefinition()).isEqualTo(etl.getFamily());
        assertThat(nightly.containerNames()).as("the job's containerNames").containsExactly("app", "report");
        assertThat(nightly.essentialContainers()).as("the non-essential log router decides nothing").isEqualTo(Set.of("app"));
        assertThat(nightly.maxAttempts()).isEqualTo(6);
        assertThat(nightly.retryableExitCodes()).isEqualTo(Set.of(2, 75));
        RetrierConfig report = deployment.jobs().get("reports");
        assertThat(report.taskDefinition()).isEqualTo(reports.getFamily());
        assertThat(report.containerNames()).as("the task definition's default container").containsExactly("main");
        assertThat(report.maxAttempts()).as("the construct's default").isEqualTo(4);
        assertThat(report.retryableExitCodes()).as("the construct's default").isEqualTo(Set.of(75));
        assertThat(report.adaptation().memoryEscalation()).isTrue();
        assertThat(report.backoff().initialDelay()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(report.backoff().jitter()).isEqualTo(Jitter.EQUAL);
        assertThat(report.rules()).extracting(RetryRule::name).containsExactly("render-lock");
        assertThat(report.budgets()).isEqualTo(new RetryBudgets(2, 1));
        assertThat(report.attemptTimeout()).isEqualTo(java.time.Duration.ofHours(1));
        assertThat(nightly.hasAttemptTimeout()).as("the construct's default: none").isFalse();
        assertThat(nightly.backoff().initialDelay()).as("the construct's default")
                .isEqualTo(java.time.Duration.ofSeconds(Setting.BACKOFF_INITIAL_SECONDS.defaultWhole()));
    }

    @Test
    void bothFunctionsMountTheJobsLayer_andNameItsFile_notOneTaskDefinition() {
        String layer = Templates.logicalId(template, "AWS::Lambda::LayerVersion", "RetrierJobsLayer");
        for (String function : List.of("RetrierStarter", "RetrierClassifier")) {
            JsonNode properties = Templates.resource(template, "AWS::Lambda::Function", function).path("Properties");
            assertThat(properties.path("Layers")).isEqualTo(tree(List.of(Templates.ref(layer))));
            JsonNode variables = properties.at("/Environment/Variables");
            assertThat(variables.path(Setting.CONFIG_FILE.variable()).asText()).isEqualTo("/opt/ecs-retrier/jobs.json");
            assertThat(variables.has(Setting.TASK_DEFINITION.variable())).isFalse();
            assertThat(variables.has(Setting.CONTAINER_NAME.variable())).isFalse();
            assertThat(variables.has(Setting.CONTAINER_NAMES.variable())).isFalse();
        }
    }

    @Test
    void theStarterMayRunExactlyTheJobsTaskDefinitions() {
        assertThat(starterStatement("RunOurTaskDefinitionInOurCluster").get("Resource")).isEqualTo(tree(List.of(
                arnInThisAccount("ecs", ":task-definition/" + etl.getFamily() + ":*"),
                arnInThisAccount("ecs", ":task-definition/" + reports.getFamily() + ":*"))));
    }

    @Test
    void theStarterMayPassExactlyTheJobsTaskAndExecutionRoles() {
        assertThat(starterStatement("PassTaskRolesToEcs").get("Resource")).isEqualTo(tree(List.of(
                arnOf(roleId(etl, "TaskRole")), arnOf(roleId(etl, "ExecutionRole")),
                arnOf(roleId(reports, "TaskRole")), arnOf(roleId(reports, "ExecutionRole")))));
        assertThat(starterStatement("PassTaskRolesToEcs").toString())
                .doesNotContain(roleId(unlisted, "TaskRole")).doesNotContain(roleId(unlisted, "ExecutionRole"));
    }

    @Test
    void theRuleHearsOnlyTasksOfTheJobsTaskDefinitionFamilies() {
        JsonNode detail = Templates.resource(template, "AWS::Events::Rule", "RetrierStoppedTaskRule").at("/Properties/EventPattern/detail");
        assertThat(detail.get("taskDefinitionArn")).isEqualTo(tree(List.of(
                Map.of("prefix", arnInThisAccount("ecs", ":task-definition/" + etl.getFamily() + ":")),
                Map.of("prefix", arnInThisAccount("ecs", ":task-definition/" + reports.getFamily() + ":")))));
        assertThat(detail.get("startedBy")).hasSize(1);
        assertThat(detail.get("clusterArn")).isEqualTo(tree(List.of(CLUSTER_ARN)));
    }

    @Test
    void aBadSettingOfAJobIsRefusedNamingTheJob() {
        Stack stack = new Stack(new App(), "Bad");
        FargateTaskDefinition definition = definition(stack, "Etl", "app");
        assertThatThrownBy(() -> EcsRetrierProps.builder().cluster(cluster(stack))
                .jobs(Map.of("nightly-etl", EcsRetrierJob.builder().taskDefinition(definition).maxAttempts(0).build(),
                        "bad name", EcsRetrierJob.builder().taskDefinition(definition).build()))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jobs.nightly-etl: maxAttempts must be")
                .hasMessageContaining("jobs holds 'bad name', not a job name");
    }

    @Test
    void jobsAndTheOneJobsTaskDefinitionAreRefusedTogether() {
        Stack stack = new Stack(new App(), "Both");
        FargateTaskDefinition definition = definition(stack, "Etl", "app");
        assertThatThrownBy(() -> EcsRetrierProps.builder().cluster(cluster(stack)).taskDefinition(definition)
                .jobs(Map.of("etl", EcsRetrierJob.builder().taskDefinition(definition).build()))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("on each of the jobs");
    }

    @Test
    void aJobsContainerNames_mustBeContainersOfItsTaskDefinition_atSynthesis() {
        App app = new App();
        Stack stack = new Stack(app, "Misspelt");
        FargateTaskDefinition definition = definition(stack, "Etl", "app");
        new EcsRetrier(stack, "Retrier", EcsRetrierProps.builder().cluster(cluster(stack))
                .jobs(Map.of("etl", EcsRetrierJob.builder().taskDefinition(definition)
                        .containerNames(List.of("app", "reprot")).build()))
                .build());

        assertThatThrownBy(app::synth).hasMessageContaining("containerNames names 'reprot', which is not a container of the"
                + " task definition Misspelt/Etl (its containers: app)");
    }

    @Test
    void aJobsContainerNameAndContainerNames_areRefusedTogether() {
        Stack stack = new Stack(new App(), "Twice");
        FargateTaskDefinition definition = definition(stack, "Etl", "app");
        assertThatThrownBy(() -> EcsRetrierProps.builder().cluster(cluster(stack))
                .jobs(Map.of("etl", EcsRetrierJob.builder().taskDefinition(definition).containerName("app")
                        .containerNames(List.of("app", "report")).build()))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jobs.etl: set containerName or containerNames, not both");
    }

    /** Jobs in the order given, as a platform team lists them; the policy lists their resources in that order. */
    private static Map<String, EcsRetrierJob> inOrder(String first, EcsRetrierJob firstJob, String second, EcsRetrierJob secondJob) {
        Map<String, EcsRetrierJob> jobs = new LinkedHashMap<>();
        jobs.put(first, firstJob);
        jobs.put(second, secondJob);
        return jobs;
    }

    private static JsonNode starterStatement(String sid) {
        JsonNode statements = Templates.resource(template, "AWS::IAM::Policy", "RetrierStarterRoleDefaultPolicy")
                .at("/Properties/PolicyDocument/Statement");
        List<JsonNode> matching = Stream.of(statements).flatMap(s -> java.util.stream.StreamSupport.stream(s.spliterator(), false))
                .filter(s -> s.path("Sid").asText().equals(sid)).toList();
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }

    private static String roleId(FargateTaskDefinition definition, String role) {
        return Templates.logicalId(template, "AWS::IAM::Role", definition.getNode().getId() + role);
    }

    /** The file as Lambda will find it: the layer's staged asset in the cloud assembly. */
    private static String jobsFile() {
        try (Stream<Path> files = Files.walk(assembly)) {
            List<Path> found = files.filter(p -> p.endsWith(Path.of("ecs-retrier", "jobs.json"))).toList();
            assertThat(found).hasSize(1);
            return Files.readString(found.get(0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The function's literal variables, and deploy-time values (CloudFormation references) as Lambda would see them. */
    private static Map<String, String> runtimeEnvironment(String function) {
        JsonNode variables = Templates.resource(template, "AWS::Lambda::Function", "Retrier" + function).at("/Environment/Variables".replace("/Environment", "/Properties/Environment"));
        Map<String, String> deployed = Map.of(
                Setting.SUBNETS.variable(), "subnet-0a1b2c3d,subnet-4e5f6a7b",
                Setting.SECURITY_GROUPS.variable(), "sg-0123456789abcdef0",
                Setting.SCHEDULE_GROUP.variable(), "Retrier-ScheduleGroup",
                Setting.SCHEDULER_ROLE_ARN.variable(), "arn:aws:iam::123456789012:role/scheduler",
                Setting.SCHEDULE_DEAD_LETTER_ARN.variable(), "arn:aws:sqs:eu-west-1:123456789012:schedule-failures",
                Setting.TOPIC_ARN.variable(), "arn:aws:sns:eu-west-1:123456789012:outcomes",
                Setting.HISTORY_LOG_GROUPS.variable(), "Retrier-StarterLogs,Retrier-ClassifierLogs");
        Map<String, String> env = new LinkedHashMap<>();
        env.put(Setting.REGION.variable(), "eu-west-1");
        variables.fields().forEachRemaining(e -> env.put(e.getKey(),
                e.getValue().isTextual() ? e.getValue().asText() : deployed.getOrDefault(e.getKey(), e.getValue().toString())));
        return env;
    }

    private static FargateTaskDefinition definition(Stack stack, String id, String container) {
        FargateTaskDefinition definition = FargateTaskDefinition.Builder.create(stack, id).build();
        definition.addContainer(container, ContainerDefinitionOptions.builder()
                .image(ContainerImage.fromRegistry("public.ecr.aws/docker/library/busybox:stable")).build());
        // An execution role, as a task definition pulling from ECR or logging to CloudWatch has.
        definition.obtainExecutionRole();
        return definition;
    }

    private static ICluster cluster(Stack stack) {
        Vpc vpc = Vpc.Builder.create(stack, "Vpc").maxAzs(2).natGateways(1).build();
        return Cluster.fromClusterAttributes(stack, "Jobs", ClusterAttributes.builder()
                .clusterName("jobs").clusterArn(CLUSTER_ARN).vpc(vpc).build());
    }
}
