package dev.ecsretrier.handler;

import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.InvalidStartRequestException;
import dev.ecsretrier.core.LaunchAdjustment;
import dev.ecsretrier.core.TaskSize;
import dev.ecsretrier.input.StartRequestReader;
import dev.ecsretrier.port.LaunchRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one attempt's {@code RunTask} from the configuration, the attempt metadata (with its
 * launch adjustment) and the user's overrides.
 */
final class LaunchRequests {

    private LaunchRequests() {
    }

    /** The widest task size memory escalation can ask for (Fargate's largest cpu; memory as configured, at most 120 GiB). */
    static final int WIDEST_CPU = 16384;

    /**
     * Refuses, before RunTask, a launch whose overrides ECS would refuse ({@link LaunchRequest#overridesJson()}):
     * the user's part with the {@code RETRIER_*} variables and task size ecs-retrier adds. A first attempt
     * is also measured as the widest later attempt of its run would send it (the last attempt number,
     * the largest escalated size), so that a run accepted at its start never meets the limit halfway.
     *
     * @throws InvalidStartRequestException naming containerOverrides, with the count
     */
    static void checkOverridesFit(RetrierConfig config, AttemptMetadata metadata, List<ContainerOverride> userOverrides,
                                  LaunchRequest launch) {
        int limit = StartRequestReader.MAX_OVERRIDES_CHARS;
        int chars = launch.overridesJson().length();
        if (chars > limit) {
            throw new InvalidStartRequestException("containerOverrides", "with the " + AttemptMetadata.RESERVED_ENV_PREFIX
                    + "* variables" + (launch.size() == null ? "" : " and the task size") + " that ecs-retrier adds, the"
                    + " overrides RunTask would be sent are " + chars + " characters of JSON, over ECS's limit of " + limit);
        }
        if (metadata.attempt() == 1 && config.maxAttempts() > 1) {
            LaunchAdjustment widest = config.adaptation().memoryEscalation()
                    ? new LaunchAdjustment(null, new TaskSize(WIDEST_CPU, config.adaptation().memoryCapMiB()), null,
                    List.of())
                    : LaunchAdjustment.NONE;
            int later = of(config, new AttemptMetadata(metadata.runId(), config.maxAttempts(), config.maxAttempts(),
                    List.of(), widest, metadata.job()), userOverrides).overridesJson().length();
            if (later > limit) {
                throw new InvalidStartRequestException("containerOverrides", "fit this attempt (" + chars
                        + " characters of JSON with the " + AttemptMetadata.RESERVED_ENV_PREFIX + "* variables), but a"
                        + " later attempt of the run (attempt " + config.maxAttempts()
                        + (widest.isNone() ? "" : ", with the task size memory escalation may set") + ") would send "
                        + later + ", over ECS's limit of " + limit + ": shorten them by " + (later - limit));
            }
        }
    }

    /**
     * One override per configured container, in the configured order: the user's command and environment for it, if
     * any, then the {@code RETRIER_*} variables, which every configured container gets (an app container and a report
     * container alike know their run and attempt).
     */
    static LaunchRequest of(RetrierConfig config, AttemptMetadata metadata, List<ContainerOverride> userOverrides) {
        List<ContainerOverride> containers = new ArrayList<>();
        for (String name : config.containerNames()) {
            ContainerOverride user = userOverrides.stream().filter(o -> name.equals(o.name())).findFirst().orElse(null);
            List<EnvironmentVariable> environment = new ArrayList<>(user == null ? List.of() : user.environmentOrEmpty());
            environment.addAll(metadata.environment());
            containers.add(new ContainerOverride(name, user == null ? null : user.command(), environment));
        }
        LaunchAdjustment launch = metadata.launch();
        boolean otherCapacity = launch.capacityProviderStrategy() != null;
        LaunchRequest.NetworkSettings network = launch.subnetOffset() == null ? config.network()
                : new LaunchRequest.NetworkSettings(launch.order(config.network().subnets()),
                        config.network().securityGroups(), config.network().assignPublicIp());
        return new LaunchRequest(config.cluster(), config.taskDefinition(), config.startedBy(),
                AttemptMetadata.attemptKey(metadata.runId(), metadata.attempt()), containers, metadata.tags(),
                otherCapacity ? null : config.launchType(),
                otherCapacity ? launch.capacityProviderStrategy() : config.capacityProviderStrategy(),
                network, launch.size());
    }
}
