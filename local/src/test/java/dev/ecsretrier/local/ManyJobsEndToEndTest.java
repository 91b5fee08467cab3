package dev.ecsretrier.local;

import static dev.ecsretrier.local.Fixtures.sampleTask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.local.ecs.LocalEcs.LaunchedTask;
import dev.ecsretrier.local.ecs.TaskProgram;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LaunchConditions;
import dev.ecsretrier.local.emulator.LaunchFault;
import dev.ecsretrier.local.sns.PublishedNotification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One local deployment, two jobs from one configuration file, with different policies: nightly-etl
 * retries exit code 2 for up to four attempts; reports retries no exit code, has two attempts and
 * escalates memory after an out-of-memory stop. Runs of both are started at once and each ends as
 * its own job's policy says. Tasks are {@code /bin/sh}, at time scale 0.001.
 */
class ManyJobsEndToEndTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String JOBS = """
            {"jobs": {
              "nightly-etl": {"RETRIER_TASK_DEFINITION": "nightly-etl:7", "RETRIER_MAX_ATTEMPTS": 4,
                              "RETRIER_RETRYABLE_EXIT_CODES": [2]},
              "reports": {"RETRIER_TASK_DEFINITION": "reports:2", "RETRIER_MAX_ATTEMPTS": 2,
                          "RETRIER_MEMORY_ESCALATION": true}
            }}
            """;
    /** Runs whose every launch below 4096 MiB stops out of memory. */
    static final Set<String> OUT_OF_MEMORY_RUNS = Set.of("etl-oom", "reports-oom");

    LocalRuntime runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void runsOfTwoJobsAtOnce_eachEndAsItsOwnJobsPolicySays(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("jobs.json"), JOBS);
        runtime = LocalRuntime.builder()
                .setting(Setting.CONFIG_FILE, file.toString())
                .setting(Setting.BACKOFF_JITTER, "NONE")
                .timeScale(0.001)
                .seed(7)
                .faults(Faults.builder().when(LaunchConditions.memoryBelow(4096)
                        .and(request -> OUT_OF_MEMORY_RUNS.contains(request.tags().get(AttemptMetadata.RUN_ID_TAG))),
                        LaunchFault.outOfMemory()).build())
                .taskProgram(TaskProgram.process(List.of("/bin/sh", "-c", AdaptiveRetriesEndToEndTest.TASK), null))
                .build();

        Map<String, String> jobOfRun = Map.of("etl-flaky", "nightly-etl", "etl-broken", "nightly-etl",
                "etl-oom", "nightly-etl", "reports-flaky", "reports", "reports-oom", "reports");
        runtime.submitRun(sampleTask("etl-flaky", "FAIL_ON", "1 2").forJob("nightly-etl"));
        runtime.submitRun(sampleTask("reports-flaky", "FAIL_ON", "1").forJob("reports"));
        runtime.submitRun(sampleTask("etl-broken", "FAIL_ON", "1 2 3 4").forJob("nightly-etl"));
        runtime.submitRun(sampleTask("reports-oom").forJob("reports"));
        runtime.submitRun(sampleTask("etl-oom").forJob("nightly-etl"));
        assertThat(runtime.awaitIdle(WAIT)).as("the runtime comes to rest").isTrue();

        assertThat(runtime.deadLetters()).isEmpty();
        Map<String, RunOutcome> outcomes = runtime.outcomes().stream()
                .collect(Collectors.toMap(RunOutcome::runId, Function.identity()));
        assertThat(outcomes.values()).extracting(RunOutcome::runId, RunOutcome::job, RunOutcome::outcome,
                RunOutcome::attempts).containsExactlyInAnyOrder(
                tuple("etl-flaky", "nightly-etl", Decision.SUCCEEDED, 3),
                tuple("etl-broken", "nightly-etl", Decision.RETRIES_EXHAUSTED, 4),
                tuple("etl-oom", "nightly-etl", Decision.FAILED, 1),
                tuple("reports-flaky", "reports", Decision.FAILED, 1),
                tuple("reports-oom", "reports", Decision.SUCCEEDED, 2));
        assertThat(runtime.launchCounts()).as("no attempt launched twice").values().containsOnly(1);

        for (PublishedNotification n : runtime.notifications()) {
            String run = n.attributes().get("runId");
            assertThat(n.attributes()).as("the notification of " + run).containsEntry("job", jobOfRun.get(run));
        }
        for (String run : jobOfRun.keySet()) {
            String taskDefinition = jobOfRun.get(run).equals("reports") ? "reports:2" : "nightly-etl:7";
            for (LaunchedTask task : runtime.ecs().launched(run)) {
                assertThat(task.request().taskDefinition()).as(run).isEqualTo(taskDefinition);
                assertThat(task.request().tags()).as(run).containsEntry(AttemptMetadata.JOB_TAG, jobOfRun.get(run));
                assertThat(task.request().containers().get(0).environment()).as(run)
                        .contains(new dev.ecsretrier.core.EnvironmentVariable("RETRIER_JOB", jobOfRun.get(run)));
            }
        }
        List<LaunchedTask> escalated = runtime.ecs().launched("reports-oom");
        assertThat(escalated).extracting(t -> t.request().size()).as("reports escalates memory")
                .containsExactly(null, new dev.ecsretrier.core.TaskSize(1024, 4096));
        assertThat(runtime.ecs().launched("etl-oom")).extracting(t -> t.request().size())
                .as("nightly-etl does not").containsExactly((dev.ecsretrier.core.TaskSize) null);
    }

    @Test
    void aRunOfAJobTheFileDoesNotHave_isRefusedBeforeAnythingIsLaunched(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("jobs.json"), JOBS);
        runtime = LocalRuntime.builder().setting(Setting.CONFIG_FILE, file.toString()).timeScale(0.001)
                .taskProgram(TaskProgram.process(List.of("/bin/sh", "-c", "exit 0"), null)).build();

        assertThat(org.assertj.core.api.Assertions.catchThrowable(
                () -> runtime.startRun(sampleTask("payroll-1").forJob("payroll"))))
                .hasMessageContaining("'payroll' is not a job of this deployment (jobs: nightly-etl, reports)");
        assertThat(runtime.launchCounts()).isEmpty();
    }

    /**
     * A job whose task runs an app container and a report container, both overridable and both essential: the report
     * fails its first attempt with the retryable exit 2 while the app succeeds, so the run is retried, each container
     * with its own override again, and succeeds on attempt 2.
     */
    @Test
    void aJobOfTwoContainers_runsEachWithItsOwnOverride_andRetriesOnEitherContainersExit(@TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(dir.resolve("jobs.json"), """
                {"jobs": {
                  "ledger": {"RETRIER_TASK_DEFINITION": "ledger:3", "RETRIER_CONTAINER_NAMES": ["app", "report"],
                             "RETRIER_MAX_ATTEMPTS": 3, "RETRIER_RETRYABLE_EXIT_CODES": [2]},
                  "reports": {"RETRIER_TASK_DEFINITION": "reports:2"}
                }}
                """);
        runtime = LocalRuntime.builder()
                .setting(Setting.CONFIG_FILE, file.toString())
                .setting(Setting.BACKOFF_JITTER, "NONE")
                .timeScale(0.001)
                .seed(7)
                .taskProgram(TaskProgram.process(List.of("/bin/sh", "-c", AdaptiveRetriesEndToEndTest.TASK), null))
                .build();

        runtime.submitRun(dev.ecsretrier.core.StartRequest.of("ledger-1", null, List.of(
                new dev.ecsretrier.core.ContainerOverride("app", null,
                        List.of(new dev.ecsretrier.core.EnvironmentVariable("FAIL_ON", "none"))),
                new dev.ecsretrier.core.ContainerOverride("report", null,
                        List.of(new dev.ecsretrier.core.EnvironmentVariable("FAIL_ON", "1")))), null).forJob("ledger"));
        assertThat(runtime.awaitIdle(WAIT)).as("the runtime comes to rest").isTrue();

        assertThat(runtime.deadLetters()).isEmpty();
        assertThat(runtime.outcomes()).singleElement().satisfies(outcome -> {
            assertThat(outcome.job()).isEqualTo("ledger");
            assertThat(outcome.outcome()).isEqualTo(Decision.SUCCEEDED);
            assertThat(outcome.attempts()).isEqualTo(2);
        });
        List<LaunchedTask> tasks = runtime.ecs().launched("ledger-1");
        assertThat(tasks).hasSize(2);
        for (LaunchedTask task : tasks) {
            assertThat(task.request().containers()).extracting(dev.ecsretrier.core.ContainerOverride::name)
                    .containsExactly("app", "report");
            assertThat(task.request().container("report").orElseThrow().environment()).as("the report's own override")
                    .contains(new dev.ecsretrier.core.EnvironmentVariable("FAIL_ON", "1"),
                            new dev.ecsretrier.core.EnvironmentVariable("RETRIER_JOB", "ledger"));
        }
        assertThat(exits(tasks.get(0))).as("attempt 1").containsExactly("app:0", "report:2");
        assertThat(exits(tasks.get(1))).as("attempt 2").containsExactly("app:0", "report:0");
        assertThat(runtime.notifications()).singleElement()
                .satisfies(n -> assertThat(n.attributes()).containsEntry("job", "ledger"));
    }

    /** Each container's exit code in the task's STOPPED event, as "name:code". */
    static List<String> exits(LaunchedTask task) throws IOException {
        List<String> exits = new java.util.ArrayList<>();
        JsonTrees.tree(task.stoppedEvent()).at("/detail/containers")
                .forEach(c -> exits.add(c.path("name").asText() + ":" + c.path("exitCode").asInt()));
        return exits;
    }
}
