package dev.ecsretrier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The launch adjustment travels as one ECS tag and must come back as it went. */
class LaunchAdjustmentTest {

    private static final List<CapacityProviderItem> SPOT_THEN_ON_DEMAND = List.of(
            new CapacityProviderItem("FARGATE_SPOT", 3, 0), new CapacityProviderItem("FARGATE", 1, 1));

    private static LaunchAdjustment withoutChanges(LaunchAdjustment a) {
        return new LaunchAdjustment(a.capacityProviderStrategy(), a.size(), a.subnetOffset(), List.of());
    }

    @Test
    void everyAdjustment_roundTripsThroughItsTag() {
        LaunchAdjustment launch = new LaunchAdjustment(SPOT_THEN_ON_DEMAND, new TaskSize(2048, 8192), 2,
                List.of("memory 4096 -> 8192 MiB (cpu 2048) after OutOfMemoryError"));
        String tag = launch.toTagValue();
        assertThat(tag).isEqualTo("capacity=FARGATE_SPOT:3:0+FARGATE:1:1 cpu=2048 memory=8192 subnet-offset=2");
        assertThat(tag).matches(AttemptSummaryTest.ECS_TAG_VALUE);
        assertThat(LaunchAdjustment.fromTagValue(tag)).isEqualTo(withoutChanges(launch));
    }

    @Test
    void noAdjustment_isNone() {
        assertThat(LaunchAdjustment.NONE.isNone()).isTrue();
        assertThat(LaunchAdjustment.NONE.toTagValue()).isEmpty();
        assertThat(LaunchAdjustment.fromTagValue("").isNone()).isTrue();
        assertThat(new LaunchAdjustment(null, null, null, List.of("noted")).isNone()).isTrue();
    }

    @Test
    void sizeOnly_roundTrips() {
        LaunchAdjustment size = new LaunchAdjustment(null, new TaskSize(1024, 4096), null, null);
        assertThat(size.toTagValue()).isEqualTo("cpu=1024 memory=4096");
        assertThat(LaunchAdjustment.fromTagValue(size.toTagValue())).isEqualTo(size);
    }

    /**
     * Subnets travel as an offset into the configured list, so even sixteen subnets (ECS's limit)
     * with a long fallback strategy and a size fit one tag and come back whole.
     */
    @Test
    void subnetOrder_isAnOffset_soTheTagStaysShort() {
        List<String> sixteen = IntStream.rangeClosed(1, 16).mapToObj(i -> String.format("subnet-0%016x", i)).toList();
        LaunchAdjustment launch = new LaunchAdjustment(SPOT_THEN_ON_DEMAND, new TaskSize(4096, 16384), 15, null);

        assertThat(launch.toTagValue().length()).isLessThanOrEqualTo(256);
        LaunchAdjustment read = LaunchAdjustment.fromTagValue(launch.toTagValue());
        assertThat(read.order(sixteen)).first().isEqualTo(sixteen.get(15));
        assertThat(read.order(sixteen)).containsExactlyInAnyOrderElementsOf(sixteen);
    }

    @Test
    void capacityItemsWithoutWeightOrBase_roundTrip() {
        LaunchAdjustment launch = new LaunchAdjustment(List.of(new CapacityProviderItem("FARGATE", null, null)), null, null,
                null);
        assertThat(launch.toTagValue()).isEqualTo("capacity=FARGATE:-:-");
        assertThat(LaunchAdjustment.fromTagValue(launch.toTagValue())).isEqualTo(launch);
    }

    @Test
    void unknownOrBrokenParts_areRefused() {
        assertThatThrownBy(() -> LaunchAdjustment.fromTagValue("image=evil:latest"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'image'");
        assertThatThrownBy(() -> LaunchAdjustment.fromTagValue("capacity=FARGATE"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("provider:weight:base");
    }

    @Test
    void brokenLaunchTag_namesTheTag() {
        java.util.Map<String, String> tags = new java.util.HashMap<>(
                AttemptMetadata.of("run-7f3a", 2, 3, List.of()).tags());
        tags.put("ecs-retrier:launch", "capacity=FARGATE");
        assertThatThrownBy(() -> AttemptMetadata.fromTags(tags))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("tag ecs-retrier:launch");
    }

    /**
     * Tags the previous version (task size as strings, each earlier attempt's launch as text) wrote
     * on a task still running at an upgrade: read to the typed values, and written back the same.
     */
    @Test
    void tagsThePreviousVersionWrote_readToTheSameTypedValues_andAreWrittenBackTheSame() {
        java.util.Map<String, String> tags = java.util.Map.of(
                "ecs-retrier:run-id", "run-7f3a", "ecs-retrier:attempt", "3", "ecs-retrier:max-attempts", "4",
                "ecs-retrier:launch", "capacity=FARGATE:1:- cpu=2048 memory=8192 subnet-offset=1",
                "ecs-retrier:history-1", "decision=RETRY kind=INFRASTRUCTURE stop=SpotInterruption"
                        + " rule=default:spot-interruption task=abc exits=app:-+sidecar:137 reason=Your Spot Task was interrupted.",
                "ecs-retrier:causes-1", "SPOT_INTERRUPTION",
                "ecs-retrier:history-2", "decision=RETRY kind=APPLICATION stop=EssentialContainerExited"
                        + " rule=default:out-of-memory task=def exits=app:137 reason=Essential container in task exited",
                "ecs-retrier:launch-2", "capacity=FARGATE:1:- cpu=1024 memory=4096");

        AttemptMetadata read = AttemptMetadata.fromTags(tags).orElseThrow();

        List<CapacityProviderItem> onDemand = List.of(new CapacityProviderItem("FARGATE", 1, null));
        assertThat(read.launch()).isEqualTo(new LaunchAdjustment(onDemand, new TaskSize(2048, 8192), 1, List.of()));
        assertThat(read.history().get(0).launch()).as("launched as configured").isNull();
        assertThat(read.history().get(1).launch()).isEqualTo(new AttemptLaunch(onDemand, new TaskSize(1024, 4096), null));
        assertThat(read.tags()).isEqualTo(tags);
    }

    @Test
    void aTaskSizeInATagThatIsNotANumber_namesThePart() {
        assertThatThrownBy(() -> LaunchAdjustment.fromTagValue("cpu=1024 memory=lots"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memory must be a positive whole number");
        assertThatThrownBy(() -> LaunchAdjustment.fromTagValue("cpu=1024"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memory is missing");
    }
}
