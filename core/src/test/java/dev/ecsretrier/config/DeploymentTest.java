package dev.ecsretrier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ecsretrier.core.Action;
import dev.ecsretrier.core.InvalidStartRequestException;
import dev.ecsretrier.core.Jitter;
import dev.ecsretrier.testutil.TestEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One deployment, many jobs: the configuration file, its precedence over the environment, and its one error. */
class DeploymentTest {

    static final String TWO_JOBS = resource("/config/two-jobs.json");

    static String resource(String name) {
        try (InputStream in = DeploymentTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The deployment's environment without a job of its own: what the construct sets beside a jobs file. */
    static Map<String, String> deploymentEnvironment() {
        return TestEnvironment.with(TestEnvironment.sample(), "RETRIER_TASK_DEFINITION", null,
                "RETRIER_CONTAINER_NAME", null);
    }

    static ConfigurationException problems(String file) {
        return catchThrowableOfType(ConfigurationException.class,
                () -> Deployment.fromFile(deploymentEnvironment(), file, "jobs.json"));
    }

    @Nested
    class WithoutAFile {

        @Test
        void theEnvironmentIsOneJob_namedDefault() {
            Deployment deployment = Deployment.fromEnvironment(TestEnvironment.sample());

            assertThat(deployment.names()).containsExactly("default");
            assertThat(deployment.job("default")).isEqualTo(RetrierConfig.fromEnvironment(TestEnvironment.sample()));
        }

        @Test
        void theOneJobIsNamedByRetrierJobName() {
            assertThat(Deployment.fromEnvironment(TestEnvironment.with(TestEnvironment.sample(),
                    "RETRIER_JOB_NAME", "nightly-etl")).names()).containsExactly("nightly-etl");
        }

        @Test
        void aBadJobName_isListedWithTheOtherBadSettings() {
            ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                    () -> Deployment.fromEnvironment(TestEnvironment.with(TestEnvironment.sample(),
                            "RETRIER_JOB_NAME", "nightly etl", "RETRIER_MAX_ATTEMPTS", "0")));

            assertThat(e.problems()).containsExactly(
                    "RETRIER_JOB_NAME='nightly etl': must be " + Deployment.JOB_NAME_RULE,
                    "RETRIER_MAX_ATTEMPTS='0': must be between 1 and 10");
        }
    }

    @Nested
    class WithAFile {

        @Test
        void eachJobHasItsOwnPolicy_andTheDeploymentsSharedSettings() {
            Deployment deployment = Deployment.fromFile(deploymentEnvironment(), TWO_JOBS, "jobs.json");

            assertThat(deployment.names()).containsExactly("nightly-etl", "reports");
            RetrierConfig etl = deployment.job("nightly-etl");
            RetrierConfig reports = deployment.job("reports");
            assertThat(etl.taskDefinition()).endsWith("task-definition/nightly-etl:7");
            assertThat(etl.containerNames()).containsExactly("etl");
            assertThat(etl.maxAttempts()).isEqualTo(5);
            assertThat(etl.retryableExitCodes()).containsExactlyInAnyOrder(2, 75);
            assertThat(etl.rules()).singleElement().satisfies(rule -> {
                assertThat(rule.exitCodes()).containsExactly(3);
                assertThat(rule.action()).isEqualTo(Action.FAIL);
            });
            assertThat(etl.adaptation().memoryEscalation()).isFalse();
            assertThat(reports.taskDefinition()).endsWith("task-definition/reports:2");
            assertThat(reports.containerNames()).containsExactly("report");
            assertThat(reports.essentialContainers()).containsExactly("report");
            assertThat(reports.maxAttempts()).as("the setting's default").isEqualTo(3);
            assertThat(reports.adaptation().memoryEscalation()).isTrue();
            for (RetrierConfig job : deployment.jobs().values()) {
                assertThat(job.cluster()).isEqualTo(TestEnvironment.CLUSTER);
                assertThat(job.topicArn()).isEqualTo(TestEnvironment.TOPIC);
                assertThat(job.scheduleGroup()).isEqualTo("ecs-retrier");
            }
        }

        @Test
        void aJobsSettingWins_overTheFilesDefaults_overTheEnvironment() {
            Deployment deployment = Deployment.fromFile(TestEnvironment.with(deploymentEnvironment(),
                    "RETRIER_BACKOFF_JITTER", "EQUAL", "RETRIER_BACKOFF_INITIAL_SECONDS", "120"), TWO_JOBS, "jobs.json");

            assertThat(deployment.job("reports").backoff().jitter()).as("the job's own").isEqualTo(Jitter.FULL);
            assertThat(deployment.job("nightly-etl").backoff().jitter()).as("the file's defaults").isEqualTo(Jitter.NONE);
            assertThat(deployment.job("nightly-etl").backoff().initialDelay().toSeconds()).as("the environment's")
                    .isEqualTo(120);
        }

        @Test
        void isReadFromTheFileRetrierConfigFileNames(@TempDir Path dir) throws IOException {
            Path file = Files.writeString(dir.resolve("jobs.json"), TWO_JOBS);

            Deployment deployment = Deployment.fromEnvironment(TestEnvironment.with(deploymentEnvironment(),
                    "RETRIER_CONFIG_FILE", file.toString()));

            assertThat(deployment.names()).containsExactly("nightly-etl", "reports");
        }

        @Test
        void aMissingFile_isNamed() {
            ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                    () -> Deployment.fromEnvironment(TestEnvironment.with(deploymentEnvironment(),
                            "RETRIER_CONFIG_FILE", "/opt/ecs-retrier/nope.json")));

            assertThat(e.problems()).containsExactly("RETRIER_CONFIG_FILE='/opt/ecs-retrier/nope.json': no such file");
        }

        @Test
        void aFileThatIsNotJson_isNamed() {
            assertThat(problems("{\"jobs\": ").problems()).singleElement().asString().startsWith("jobs.json: is not JSON");
        }

        @Test
        void everyBadSettingOfEveryJob_isListedInOneError() {
            ConfigurationException e = problems("""
                    {"jobs": {
                      "a": {"RETRIER_TASK_DEFINITION": "a:1", "RETRIER_CONTAINER_NAME": "app", "RETRIER_MAX_ATTEMPTS": 0},
                      "b": {"RETRIER_TASK_DEFINITION": "b:1", "RETRIER_CONTAINER_NAME": "app", "RETRIER_BACKOFF_JITTER": "SOME"},
                      "c": {"RETRIER_CONTAINER_NAME": "app"},
                      "d e": {"RETRIER_TASK_DEFINITION": "d:1", "RETRIER_CONTAINER_NAME": "app",
                              "RETRIER_TOPIC_ARN": "arn:aws:sns:us-east-1:111122223333:other", "RETRIER_MAX_ATEMPTS": 4}
                    }, "default": {}}
                    """);

            assertThat(e.problems()).containsExactlyInAnyOrder(
                    "jobs.json: has the unknown field 'default'; known: defaults, jobs",
                    "jobs.a.RETRIER_MAX_ATTEMPTS='0': must be between 1 and 10",
                    "jobs.b.RETRIER_BACKOFF_JITTER='SOME': must be one of [FULL, EQUAL, NONE]",
                    "jobs.c.RETRIER_TASK_DEFINITION: is required (" + Setting.TASK_DEFINITION.description() + ")",
                    "jobs.d e: the job's name must be " + Deployment.JOB_NAME_RULE,
                    "jobs.d e.RETRIER_TOPIC_ARN: is the deployment's, one for every job (set it in the environment),"
                            + " not a job's",
                    "jobs.d e.RETRIER_MAX_ATEMPTS: is not a setting; a job may set " + String.join(", ",
                            Deployment.PER_JOB.stream().map(Setting::variable).toList()));
        }

        @Test
        void aBadEnvironmentValue_isListedOnce_notOncePerJob() {
            ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () -> Deployment.fromFile(
                    TestEnvironment.with(deploymentEnvironment(), "RETRIER_ASSIGN_PUBLIC_IP", "MAYBE"), TWO_JOBS,
                    "jobs.json"));

            assertThat(e.problems()).containsExactly("RETRIER_ASSIGN_PUBLIC_IP='MAYBE': must be ENABLED or DISABLED");
        }

        @Test
        void aSettingMayNameTheEnvironmentVariableThatHoldsIt_asTheConstructDoesForDeployTimeIds() {
            Deployment deployment = Deployment.fromFile(TestEnvironment.with(deploymentEnvironment(),
                    "RETRIER_JOB2_SUBNETS", "subnet-0c0ffee0,subnet-0facade0", "RETRIER_JOB2_SECURITY_GROUPS",
                    "sg-0badcafe"), """
                    {"jobs": {
                      "a": {"RETRIER_TASK_DEFINITION": "a:1", "RETRIER_CONTAINER_NAME": "app"},
                      "b": {"RETRIER_TASK_DEFINITION": "b:1", "RETRIER_CONTAINER_NAME": "app",
                            "RETRIER_SUBNETS": {"environment": "RETRIER_JOB2_SUBNETS"},
                            "RETRIER_SECURITY_GROUPS": {"environment": "RETRIER_JOB2_SECURITY_GROUPS"}}
                    }}
                    """, "jobs.json");

            assertThat(deployment.job("b").network().subnets()).containsExactly("subnet-0c0ffee0", "subnet-0facade0");
            assertThat(deployment.job("b").network().securityGroups()).containsExactly("sg-0badcafe");
            assertThat(deployment.job("a").network().subnets()).as("the environment's")
                    .isEqualTo(RetrierConfig.fromEnvironment(TestEnvironment.sample()).network().subnets());
        }

        @Test
        void aJobsContainerNames_replaceTheEnvironmentsContainerName_itsOneItemShorthand() {
            Deployment deployment = Deployment.fromFile(TestEnvironment.sample(), """
                    {"jobs": {
                      "nightly-etl": {"RETRIER_TASK_DEFINITION": "etl:1", "RETRIER_CONTAINER_NAMES": ["app", "report"]},
                      "reports": {"RETRIER_TASK_DEFINITION": "reports:1"}
                    }}
                    """, "jobs.json");

            assertThat(deployment.job("nightly-etl").containerNames()).containsExactly("app", "report");
            assertThat(deployment.job("reports").containerNames()).as("the environment's RETRIER_CONTAINER_NAME")
                    .containsExactly("app");
        }

        @Test
        void aJobSettingBothSpellingsOfItsContainers_isRefusedUnderThatJob() {
            assertThat(problems("""
                    {"jobs": {"b": {"RETRIER_TASK_DEFINITION": "b:1", "RETRIER_CONTAINER_NAME": "app",
                                    "RETRIER_CONTAINER_NAMES": "app,report"}}}
                    """).problems()).containsExactly("jobs.b.RETRIER_CONTAINER_NAMES='app,report': cannot be set together"
                    + " with RETRIER_CONTAINER_NAME, its one-item shorthand: set one of them");
        }

        @Test
        void aReferenceToAnUnsetEnvironmentVariable_isNamed() {
            assertThat(problems("""
                    {"jobs": {"b": {"RETRIER_TASK_DEFINITION": "b:1", "RETRIER_CONTAINER_NAME": "app",
                                    "RETRIER_SUBNETS": {"environment": "RETRIER_JOB2_SUBNETS"}}}}
                    """).problems()).containsExactly(
                    "jobs.b.RETRIER_SUBNETS: names the environment variable RETRIER_JOB2_SUBNETS, which is not set");
        }

        @Test
        void aFileWithoutJobs_isRefused() {
            assertThat(problems("{\"defaults\": {}}").problems())
                    .containsExactly("jobs: must be an object of at least one job, job name to its settings");
        }
    }

    @Nested
    class TheJobOfARequest {

        final Deployment two = Deployment.fromFile(deploymentEnvironment(), TWO_JOBS, "jobs.json");
        final Deployment one = Deployment.fromEnvironment(TestEnvironment.sample());

        @Test
        void mayBeLeftOut_whenThereIsExactlyOne() {
            assertThat(one.jobFor(null)).isEqualTo("default");
        }

        @Test
        void isRequired_whenThereAreMore() {
            InvalidStartRequestException e = catchThrowableOfType(InvalidStartRequestException.class,
                    () -> two.jobFor(null));

            assertThat(e.field()).isEqualTo("job");
            assertThat(e.getMessage()).contains("is required: this deployment serves 2 jobs (nightly-etl, reports)");
        }

        @Test
        void mustBeAConfiguredJob() {
            InvalidStartRequestException e = catchThrowableOfType(InvalidStartRequestException.class,
                    () -> two.jobFor("payroll"));

            assertThat(e.field()).isEqualTo("job");
            assertThat(e.getMessage()).contains("'payroll' is not a job of this deployment (jobs: nightly-etl, reports)");
        }
    }
}
