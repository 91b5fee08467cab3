package dev.ecsretrier.local.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.core.CapacityProviderItem;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.TaskSize;
import dev.ecsretrier.port.LaunchRequest;
import org.junit.jupiter.api.Test;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Faults that depend on the launch: where it runs, how big it is, which subnet comes first. */
class LaunchConditionsTest {

    static LaunchRequest launch(String provider, String memory, String... subnets) {
        return new LaunchRequest(LocalSettings.CLUSTER_ARN, LocalSettings.TASK_DEFINITION_ARN, "ecs-retrier", "r-1",
                List.of(new ContainerOverride("app", null, List.of())), Map.of(), provider == null ? "FARGATE" : null,
                provider == null ? List.of() : List.of(new CapacityProviderItem(provider, 1, null)),
                new LaunchRequest.NetworkSettings(List.of(subnets), List.of(), false),
                memory == null ? null : new TaskSize(1024, Integer.parseInt(memory)));
    }

    @Test
    void onCapacityProviderLooksAtTheFirstProviderOfTheStrategy() {
        var onSpot = LaunchConditions.onCapacityProvider("FARGATE_SPOT");

        assertThat(onSpot.test(launch("FARGATE_SPOT", null))).isTrue();
        assertThat(onSpot.test(launch("FARGATE", null))).isFalse();
        assertThat(onSpot.test(launch(null, null))).as("a launch type, no strategy").isFalse();
    }

    @Test
    void memoryBelowCountsTheTaskDefinitionsMemoryWhenThereIsNoOverride() {
        var below4096 = LaunchConditions.memoryBelow(4096);

        assertThat(below4096.test(launch(null, null))).as("2048 from the task definition").isTrue();
        assertThat(below4096.test(launch(null, "3072"))).isTrue();
        assertThat(below4096.test(launch(null, "4096"))).isFalse();
        assertThat(LaunchConditions.memoryBelow(4096, 8192).test(launch(null, null))).isFalse();
    }

    @Test
    void inSubnetLooksAtTheFirstSubnet() {
        var inA = LaunchConditions.inSubnet("subnet-a");

        assertThat(inA.test(launch(null, null, "subnet-a", "subnet-b"))).isTrue();
        assertThat(inA.test(launch(null, null, "subnet-b", "subnet-a"))).isFalse();
        assertThat(inA.test(launch(null, null))).isFalse();
    }

    @Test
    void conditionsAreConsultedInOrderAfterTheLaunchPolicySoFar() {
        Faults faults = Faults.builder()
                .launchPolicy(r -> LaunchConditions.inSubnet("subnet-z").test(r) ? Optional.of(LaunchFault.throttling())
                        : Optional.empty())
                .when(LaunchConditions.inSubnet("subnet-a"), LaunchFault.eniTimeout())
                .when(LaunchConditions.memoryBelow(4096), LaunchFault.outOfMemory())
                .build();

        assertThat(faults.launchPolicy().apply(launch(null, null, "subnet-z"))).map(LaunchFault::name).contains("throttling");
        assertThat(faults.launchPolicy().apply(launch(null, null, "subnet-a"))).map(LaunchFault::name).contains("eni-timeout");
        assertThat(faults.launchPolicy().apply(launch(null, null, "subnet-b"))).map(LaunchFault::name).contains("oom");
        assertThat(faults.launchPolicy().apply(launch(null, "4096", "subnet-b"))).isEmpty();
    }
}
