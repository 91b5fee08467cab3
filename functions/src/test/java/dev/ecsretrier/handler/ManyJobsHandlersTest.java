package dev.ecsretrier.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import dev.ecsretrier.config.Deployment;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.InvalidEventException;
import dev.ecsretrier.core.InvalidStartRequestException;
import dev.ecsretrier.core.LaunchAdjustment;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.port.DescribedTask;
import dev.ecsretrier.port.LaunchRequest;
import dev.ecsretrier.testutil.FakeAttemptScheduler;
import dev.ecsretrier.testutil.FakeNotifier;
import dev.ecsretrier.testutil.FakeTaskDescriber;
import dev.ecsretrier.testutil.FakeTaskLauncher;
import dev.ecsretrier.testutil.Fixtures;
import dev.ecsretrier.testutil.MutableClock;
import dev.ecsretrier.testutil.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Two jobs in one deployment: a start request runs only a configured job, overrides only that job's
 * container, and launches that job's task definition tagged with the job; a stop is decided by the
 * policy of the job its task names.
 */
class ManyJobsHandlersTest {

    static final String ETL_TASK_DEFINITION = "arn:aws:ecs:us-east-1:111122223333:task-definition/nightly-etl:7";
    static final String REPORTS_TASK_DEFINITION = "arn:aws:ecs:us-east-1:111122223333:task-definition/reports:2";
    /** nightly-etl retries exit 2, five attempts; reports retries no exit code, two attempts. */
    static final Deployment DEPLOYMENT = Deployment.fromFile(TestEnvironment.with(TestEnvironment.sample(),
            "RETRIER_TASK_DEFINITION", null, "RETRIER_CONTAINER_NAME", null, "RETRIER_RETRYABLE_EXIT_CODES", null), """
            {"jobs": {
              "nightly-etl": {"RETRIER_TASK_DEFINITION": "%s", "RETRIER_CONTAINER_NAME": "app",
                              "RETRIER_MAX_ATTEMPTS": 5, "RETRIER_RETRYABLE_EXIT_CODES": [2]},
              "reports": {"RETRIER_TASK_DEFINITION": "%s", "RETRIER_CONTAINER_NAME": "report",
                          "RETRIER_MAX_ATTEMPTS": 2}
            }}
            """.formatted(ETL_TASK_DEFINITION, REPORTS_TASK_DEFINITION), "jobs.json");

    final FakeTaskLauncher launcher = new FakeTaskLauncher();
    final FakeTaskDescriber describer = new FakeTaskDescriber();
    final FakeAttemptScheduler scheduler = new FakeAttemptScheduler();
    final FakeNotifier notifier = new FakeNotifier();
    final MutableClock clock = new MutableClock(Instant.parse("2025-03-14T10:08:40Z"));
    final List<String> log = new ArrayList<>();
    final StarterHandler starter = new StarterHandler(DEPLOYMENT, launcher, scheduler, notifier, clock,
            new SplittableRandom(1), log::add);
    final ClassifierHandler classifier = new ClassifierHandler(DEPLOYMENT, describer, scheduler, notifier, clock,
            new SplittableRandom(1), log::add);

    StartResponse start(String json) {
        return starter.start(json.getBytes(StandardCharsets.UTF_8), TestEnvironment.STARTER_ARN);
    }

    InvalidStartRequestException refused(String json) {
        return catchThrowableOfType(InvalidStartRequestException.class, () -> start(json));
    }

    // The starter ------------------------------------------------------------------------------

    @Test
    void aRequestLaunchesTheTaskDefinitionOfTheJobItNames_taggedWithTheJob() {
        start("""
                {"job": "reports", "runId": "run-1",
                 "containerOverrides": [{"name": "report", "command": ["render", "--month", "2025-02"]}]}
                """);

        LaunchRequest launch = launcher.only();
        assertThat(launch.taskDefinition()).isEqualTo(REPORTS_TASK_DEFINITION);
        assertThat(launch.containers()).extracting(ContainerOverride::name).containsExactly("report");
        assertThat(launch.tags()).containsEntry("ecs-retrier:job", "reports").containsEntry("ecs-retrier:max-attempts", "2");
        assertThat(launch.containers().get(0).environment()).contains(new EnvironmentVariable("RETRIER_JOB", "reports"),
                new EnvironmentVariable("RETRIER_MAX_ATTEMPTS", "2"));
    }

    @Test
    void aRequestForAJobThatIsNotConfigured_isRefused_launchingNothing() {
        InvalidStartRequestException e = refused("{\"job\": \"payroll\"}");

        assertThat(e.field()).isEqualTo("job");
        assertThat(e.getMessage()).contains("'payroll' is not a job of this deployment (jobs: nightly-etl, reports)");
        assertThat(launcher.requests()).isEmpty();
    }

    @Test
    void aRequestOverridingAnotherJobsContainer_isRefused_launchingNothing() {
        InvalidStartRequestException e = refused("""
                {"job": "nightly-etl", "containerOverrides": [{"name": "report", "command": ["sh"]}]}
                """);

        assertThat(e.field()).isEqualTo("containerOverrides[0].name");
        assertThat(e.getMessage()).contains("'report' is not the configured container 'app' of job 'nightly-etl'");
        assertThat(launcher.requests()).isEmpty();
    }

    @Test
    void aRequestWithoutAJob_isRefused_whenTheDeploymentServesMoreThanOne() {
        InvalidStartRequestException e = refused("{\"runId\": \"run-1\"}");

        assertThat(e.field()).isEqualTo("job");
        assertThat(e.getMessage()).contains("is required: this deployment serves 2 jobs");
        assertThat(launcher.requests()).isEmpty();
    }

    @Test
    void anAttemptBeyondTheJobsOwnLimit_isRefused() {
        InvalidStartRequestException e = refused("{\"job\": \"reports\", \"runId\": \"run-1\", \"attempt\": 3}");

        assertThat(e.field()).isEqualTo("attempt");
        assertThat(e.getMessage()).contains("maxAttempts 2");
        assertThat(launcher.requests()).isEmpty();
    }

    // The classifier ---------------------------------------------------------------------------

    /** ECS knows the fixture's task as attempt 1 of {@code job}. */
    void taskOf(String job) {
        AttemptMetadata metadata = new AttemptMetadata("run-1", 1, job.equals("reports") ? 2 : 5, List.of(),
                LaunchAdjustment.NONE, job);
        describer.knows(new DescribedTask(Fixtures.parsed("app-exit-2.json").taskArn(), metadata.tags(),
                List.of(new ContainerOverride("app", null, metadata.environment()))));
    }

    @Test
    void aStopIsDecidedByThePolicyOfItsTasksJob() {
        taskOf("nightly-etl");
        StepResult etl = classifier.handle(Fixtures.event("app-exit-2.json"));

        assertThat(etl.decision()).as("exit 2 is retryable for nightly-etl").isEqualTo(Decision.RETRY);
        assertThat(TestJson.tree(scheduler.only().input()).get("job").asText()).isEqualTo("nightly-etl");

        taskOf("reports");
        StepResult reports = classifier.handle(Fixtures.event("app-exit-2.json"));

        assertThat(reports.decision()).as("reports retries no exit code").isEqualTo(Decision.FAILED);
        assertThat(notifier.only().attributes()).contains(entry("job", "reports"));
        assertThat(TestJson.tree(notifier.only().body()).get("job").asText()).isEqualTo("reports");
    }

    @Test
    void theRunsEndIsCountedForItsJob() {
        taskOf("reports");
        classifier.handle(Fixtures.event("app-exit-2.json"));

        assertThat(log.stream().filter(line -> line.contains("\"_aws\"")).map(TestJson::tree))
                .singleElement().satisfies(metric -> assertThat(metric.get("Job").asText()).isEqualTo("reports"));
    }

    @Test
    void aStopOfATaskOfNoConfiguredJob_isAnError_decidingNothing() {
        taskOf("payroll");

        InvalidEventException e = catchThrowableOfType(InvalidEventException.class,
                () -> classifier.handle(Fixtures.event("app-exit-2.json")));

        assertThat(e.getMessage()).contains("name the job 'payroll', which is not a job of this deployment");
        assertThat(scheduler.requests()).isEmpty();
        assertThat(notifier.published()).isEmpty();
    }

    @Test
    void aStopOfATaskThatNamesNoJob_isAnError_whenTheDeploymentServesMoreThanOne() {
        AttemptMetadata untagged = AttemptMetadata.of("run-1", 1, 3, List.of());
        describer.knows(new DescribedTask(Fixtures.parsed("app-exit-2.json").taskArn(), untagged.tags(), List.of()));

        InvalidEventException e = catchThrowableOfType(InvalidEventException.class,
                () -> classifier.handle(Fixtures.event("app-exit-2.json")));

        assertThat(e.getMessage()).contains("name no job (ecs-retrier:job)");
        assertThat(notifier.published()).isEmpty();
    }

    /** A job whose task definition has an app container and a report container, both overridable. */
    @org.junit.jupiter.api.Nested
    class AJobWithTwoOverridableContainers {

        final Deployment twoContainers = Deployment.fromFile(TestEnvironment.with(TestEnvironment.sample(),
                "RETRIER_TASK_DEFINITION", null, "RETRIER_CONTAINER_NAME", null), """
                {"jobs": {
                  "ledger": {"RETRIER_TASK_DEFINITION": "%s", "RETRIER_CONTAINER_NAMES": ["app", "report"]},
                  "reports": {"RETRIER_TASK_DEFINITION": "%s", "RETRIER_CONTAINER_NAME": "report"}
                }}
                """.formatted(ETL_TASK_DEFINITION, REPORTS_TASK_DEFINITION), "jobs.json");
        final StarterHandler starter = new StarterHandler(twoContainers, launcher, scheduler, notifier, clock,
                new SplittableRandom(1), log::add);
        final ClassifierHandler classifier = new ClassifierHandler(twoContainers, describer, scheduler, notifier, clock,
                new SplittableRandom(1), log::add);

        StartResponse start(String json) {
            return starter.start(json.getBytes(StandardCharsets.UTF_8), TestEnvironment.STARTER_ARN);
        }

        @Test
        void aLaunchOverridesEachContainer_eachWithTheRetrierVariables_andTheUsersOverrideOfIt() {
            start("""
                    {"job": "ledger", "runId": "run-1",
                     "containerOverrides": [{"name": "report", "command": ["render", "--month", "2025-02"]}]}
                    """);

            LaunchRequest launch = launcher.only();
            assertThat(launch.containers()).extracting(ContainerOverride::name).containsExactly("app", "report");
            assertThat(launch.container("app").orElseThrow().command()).as("the image's own").isNull();
            assertThat(launch.container("report").orElseThrow().command()).containsExactly("render", "--month", "2025-02");
            for (ContainerOverride container : launch.containers()) {
                assertThat(container.environment()).as(container.name()).contains(
                        new EnvironmentVariable("RETRIER_RUN_ID", "run-1"), new EnvironmentVariable("RETRIER_ATTEMPT", "1"),
                        new EnvironmentVariable("RETRIER_JOB", "ledger"));
            }
        }

        @Test
        void aContainerNotListedForTheJob_isRefusedNamingTheJobTheContainerAndTheAllowedOnes_launchingNothing() {
            InvalidStartRequestException e = catchThrowableOfType(InvalidStartRequestException.class, () -> start("""
                    {"job": "ledger", "containerOverrides": [{"name": "envoy", "command": ["sh"]}]}
                    """));

            assertThat(e.field()).isEqualTo("containerOverrides[0].name");
            assertThat(e.getMessage()).contains("'envoy' is not one of the containers of job 'ledger' that a request may"
                    + " override (app, report)");
            assertThat(launcher.requests()).isEmpty();
        }

        @Test
        void theNextAttempt_carriesEveryContainersOverride() {
            start("""
                    {"job": "ledger", "runId": "run-1",
                     "containerOverrides": [{"name": "app", "environment": [{"name": "DAY", "value": "2025-03-14"}]},
                                            {"name": "report", "command": ["render"]}]}
                    """);
            LaunchRequest first = launcher.only();
            describer.knows(new DescribedTask(Fixtures.parsed("app-exit-2.json").taskArn(), first.tags(),
                    first.containers()));

            assertThat(classifier.handle(Fixtures.event("app-exit-2.json")).decision()).isEqualTo(Decision.RETRY);
            starter.start(scheduler.only().input().getBytes(StandardCharsets.UTF_8), TestEnvironment.STARTER_ARN);

            LaunchRequest second = launcher.requests().get(1);
            assertThat(second.containers()).extracting(ContainerOverride::name).containsExactly("app", "report");
            assertThat(second.container("app").orElseThrow().environment()).contains(
                    new EnvironmentVariable("DAY", "2025-03-14"), new EnvironmentVariable("RETRIER_ATTEMPT", "2"));
            assertThat(second.container("report").orElseThrow().command()).containsExactly("render");
            assertThat(second.container("report").orElseThrow().environment())
                    .contains(new EnvironmentVariable("RETRIER_ATTEMPT", "2"));
        }
    }
}
