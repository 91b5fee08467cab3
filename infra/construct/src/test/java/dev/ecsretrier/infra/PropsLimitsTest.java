package dev.ecsretrier.infra;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ecsretrier.config.Range;
import dev.ecsretrier.config.Setting;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.ecs.CapacityProviderStrategy;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.ITaskDefinition;

/**
 * Each prop the functions read as a number is checked against that setting's own {@link Range}: accepted at both ends,
 * refused just past them. The props state no limit of their own, so a range changed on the setting moves the props'
 * check with it, and a limit re-declared in the props fails here.
 */
class PropsLimitsTest {

    /**
     * A prop, the setting it becomes, how to set it, the smallest step past an end, and whether its minimum is the
     * setting's (not so for the attempt timeout, whose 0 means "none"; below a Duration's 0 nothing can be written).
     */
    record Limited(String prop, Setting setting, BiConsumer<EcsRetrierProps.Builder, Double> set, double step,
                   boolean acceptsMinimum, boolean refusesBelowMinimum) {
        @Override
        public String toString() {
            return prop + " as " + setting.variable() + " " + setting.range().orElseThrow();
        }
    }

    static Stream<Limited> numericProps() {
        List<CapacityProviderStrategy> spot = List.of(CapacityProviderStrategy.builder().capacityProvider("FARGATE_SPOT").build());
        List<CapacityProviderStrategy> onDemand = List.of(CapacityProviderStrategy.builder().capacityProvider("FARGATE").build());
        return Stream.of(
                new Limited("maxAttempts", Setting.MAX_ATTEMPTS, (b, v) -> b.maxAttempts(v.intValue()), 1, true, true),
                new Limited("infrastructureRetries", Setting.INFRASTRUCTURE_RETRIES, (b, v) -> b.infrastructureRetries(v.intValue()), 1, true, true),
                new Limited("applicationRetries", Setting.APPLICATION_RETRIES, (b, v) -> b.applicationRetries(v.intValue()), 1, true, true),
                new Limited("fallbackAfterSpotFailures", Setting.FALLBACK_AFTER_SPOT_FAILURES, (b, v) -> b
                        .capacityProviderStrategies(spot).fallbackCapacityProviderStrategy(onDemand)
                        .fallbackAfterSpotFailures(v.intValue()), 1, true, true),
                new Limited("memoryFactor", Setting.MEMORY_FACTOR, (b, v) -> b.memoryEscalation(true).memoryFactor(v), 0.01, true, true),
                new Limited("memoryCapMiB", Setting.MEMORY_MAX_MIB, (b, v) -> b.memoryEscalation(true).memoryCapMiB(v.intValue()), 1, true, true),
                new Limited("backoffMultiplier", Setting.BACKOFF_MULTIPLIER, (b, v) -> b.backoffMultiplier(v), 0.01, true, true),
                new Limited("backoffInitialDelay", Setting.BACKOFF_INITIAL_SECONDS, (b, v) -> b
                        .backoffInitialDelay(Duration.seconds(v)).backoffMaxDelay(Duration.seconds(v)), 1, true, false),
                new Limited("backoffMaxDelay", Setting.BACKOFF_MAX_SECONDS, (b, v) -> b
                        .backoffInitialDelay(Duration.seconds(0)).backoffMaxDelay(Duration.seconds(v)), 1, true, false),
                new Limited("retryableExitCodes", Setting.RETRYABLE_EXIT_CODES, (b, v) -> b.retryableExitCodes(List.of(v.intValue())), 1, true, true),
                // 0 is the functions' "no timeout"; a timeout that is set starts at a second.
                new Limited("attemptTimeout", Setting.ATTEMPT_TIMEOUT_SECONDS, (b, v) -> b.attemptTimeout(Duration.seconds(v)), 1, false, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("numericProps")
    void aNumericProp_isAcceptedAtBothEndsOfItsSettingsRange(Limited limited) {
        Range range = limited.setting().range().orElseThrow();
        if (limited.acceptsMinimum()) {
            assertThatCode(() -> build(limited, range.min())).as("%s at its minimum", limited).doesNotThrowAnyException();
        }
        assertThatCode(() -> build(limited, range.max())).as("%s at its maximum", limited).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("numericProps")
    void aNumericProp_isRefusedPastEitherEndOfItsSettingsRange_naming(Limited limited) {
        Range range = limited.setting().range().orElseThrow();
        assertThatThrownBy(() -> build(limited, range.max() + limited.step())).as("%s above its maximum", limited)
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(limited.prop() + " ");
        if (limited.refusesBelowMinimum()) {
            assertThatThrownBy(() -> build(limited, range.min() - limited.step())).as("%s below its minimum", limited)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(limited.prop() + " ");
        }
    }

    private static EcsRetrierProps build(Limited limited, double value) {
        EcsRetrierProps.Builder builder = EcsRetrierProps.builder().cluster(cluster()).taskDefinition(taskDefinition());
        limited.set().accept(builder, value);
        return builder.build();
    }

    private static ICluster cluster() {
        return (ICluster) ExistingClusterStacks.get().defaults.getNode().findChild("Jobs");
    }

    private static ITaskDefinition taskDefinition() {
        return (ITaskDefinition) ExistingClusterStacks.get().defaults.getNode().findChild("Worker");
    }
}
