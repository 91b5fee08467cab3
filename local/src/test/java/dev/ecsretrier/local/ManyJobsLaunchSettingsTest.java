package dev.ecsretrier.local;

import static dev.ecsretrier.local.Fixtures.sampleTask;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.local.ecs.LocalEcs.LaunchedTask;
import dev.ecsretrier.local.ecs.TaskProgram;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LaunchConditions;
import dev.ecsretrier.local.emulator.LaunchFault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Launch settings per job, as the construct's jobs file gives them: each job's tasks run in its own
 * subnets, with its own security groups, public IP and capacity, and one job's subnet rotation is
 * its own.
 */
class ManyJobsLaunchSettingsTest {

    static final String JOBS = """
            {"jobs": {
              "nightly-etl": {"RETRIER_TASK_DEFINITION": "nightly-etl:7",
                              "RETRIER_SUBNETS": ["subnet-0e7100000000000a1", "subnet-0e7100000000000a2"],
                              "RETRIER_SECURITY_GROUPS": ["sg-0e7100000000000a1"]},
              "reports": {"RETRIER_TASK_DEFINITION": "reports:2",
                          "RETRIER_SUBNETS": ["subnet-0de900000000000b1", "subnet-0de900000000000b2"],
                          "RETRIER_SECURITY_GROUPS": ["sg-0de900000000000b1"], "RETRIER_ASSIGN_PUBLIC_IP": "ENABLED",
                          "RETRIER_LAUNCH_TYPE": "", "RETRIER_CAPACITY_PROVIDER_STRATEGY": [{"capacityProvider": "FARGATE_SPOT"}],
                          "RETRIER_ROTATE_SUBNETS": true}
            }}
            """;

    LocalRuntime runtime;

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    Decision outcome(String runId) {
        return runtime.outcomes().stream().filter(o -> o.runId().equals(runId)).findFirst().orElseThrow().outcome();
    }

    @Test
    void eachJobLaunchesIntoItsOwnSubnets_andOnlyTheRotatingJobMovesOnAfterAnEniTimeout(@TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(dir.resolve("jobs.json"), JOBS);
        runtime = LocalRuntime.builder()
                .setting(Setting.CONFIG_FILE, file.toString())
                .setting(Setting.LAUNCH_TYPE, "FARGATE")
                .setting(Setting.SUBNETS, "subnet-0defa000000000001")
                .setting(Setting.BACKOFF_JITTER, "NONE")
                .timeScale(0.001)
                .seed(16)
                // ENIs cannot be made in either job's first subnet: reports rotates, nightly-etl does not.
                .faults(Faults.builder()
                        .when(LaunchConditions.inSubnet("subnet-0de900000000000b1"), LaunchFault.eniTimeout())
                        .when(LaunchConditions.inSubnet("subnet-0e7100000000000a1"), LaunchFault.eniTimeout())
                        .build())
                .taskProgram(TaskProgram.process(List.of("/bin/sh", "-c", "exit 0"), null))
                .build();

        runtime.submitRun(sampleTask("etl-1").forJob("nightly-etl"));
        runtime.submitRun(sampleTask("reports-1").forJob("reports"));
        assertThat(runtime.awaitIdle(Duration.ofSeconds(60))).isTrue();

        List<LaunchedTask> etl = runtime.ecs().launched("etl-1");
        assertThat(etl).isNotEmpty().allSatisfy(task -> {
            assertThat(task.request().network().subnets()).containsExactly("subnet-0e7100000000000a1", "subnet-0e7100000000000a2");
            assertThat(task.request().network().securityGroups()).containsExactly("sg-0e7100000000000a1");
            assertThat(task.request().network().assignPublicIp()).isFalse();
            assertThat(task.request().launchType()).isEqualTo("FARGATE");
        });
        assertThat(outcome("etl-1")).as("never out of its first subnet")
                .isEqualTo(Decision.RETRIES_EXHAUSTED);

        List<LaunchedTask> reports = runtime.ecs().launched("reports-1");
        assertThat(reports).extracting(task -> task.request().network().subnets()).containsExactly(
                List.of("subnet-0de900000000000b1", "subnet-0de900000000000b2"),
                List.of("subnet-0de900000000000b2", "subnet-0de900000000000b1"));
        assertThat(reports).allSatisfy(task -> {
            assertThat(task.request().network().securityGroups()).containsExactly("sg-0de900000000000b1");
            assertThat(task.request().network().assignPublicIp()).isTrue();
            assertThat(task.request().launchType()).isNull();
            assertThat(task.request().capacityProviderStrategy()).extracting(i -> i.capacityProvider())
                    .containsExactly("FARGATE_SPOT");
        });
        assertThat(outcome("reports-1")).isEqualTo(Decision.SUCCEEDED);
    }
}
