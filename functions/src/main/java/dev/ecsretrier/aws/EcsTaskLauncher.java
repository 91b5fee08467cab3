package dev.ecsretrier.aws;

import dev.ecsretrier.port.LaunchRequest;
import dev.ecsretrier.port.LaunchResult;
import dev.ecsretrier.port.TaskLauncher;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.AwsVpcConfiguration;
import software.amazon.awssdk.services.ecs.model.CapacityProviderStrategyItem;
import software.amazon.awssdk.services.ecs.model.ConflictException;
import software.amazon.awssdk.services.ecs.model.ContainerOverride;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.NetworkConfiguration;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskOverride;

/** {@link TaskLauncher} over ECS {@code RunTask}. */
public final class EcsTaskLauncher implements TaskLauncher {

    private final EcsClient ecs;

    public EcsTaskLauncher(EcsClient ecs) {
        this.ecs = ecs;
    }

    @Override
    public LaunchResult launch(LaunchRequest request) {
        RunTaskResponse response;
        try {
            response = ecs.runTask(toRunTask(request));
        } catch (ConflictException e) {
            return reusedToken(request, e);
        } catch (EcsException e) {
            String code = e.awsErrorDetails() == null ? e.getClass().getSimpleName() : e.awsErrorDetails().errorCode();
            String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
            // Throttling and server errors get here only after the SDK's own retries.
            return e.isThrottlingException() || e.statusCode() >= 500
                    ? new LaunchResult.Unavailable(code, message)
                    : new LaunchResult.Failed(code, message);
        } catch (SdkClientException e) {
            // No answer at all: the task may or may not exist.
            return new LaunchResult.Unavailable("SdkClientException", e.getMessage());
        }
        if (!response.tasks().isEmpty()) {
            return new LaunchResult.Started(response.tasks().get(0).taskArn());
        }
        if (!response.failures().isEmpty()) {
            Failure failure = response.failures().get(0);
            return new LaunchResult.Failed(failure.reason(), failure.detail());
        }
        return new LaunchResult.Failed("EMPTY_RESPONSE", "RunTask returned neither a task nor a failure");
    }

    /**
     * ECS {@code StopTask}: stopping a task that stopped already answers the task as it is
     * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html); any other
     * error escapes, so that the invocation fails and is retried.
     */
    @Override
    public void stop(String cluster, String taskArn, String reason) {
        ecs.stopTask(r -> r.cluster(cluster).task(taskArn).reason(reason));
    }

    /**
     * ECS refused a client token it had already used for a RunTask with other parameters (a redeploy
     * changed the task definition between Lambda's tries of one start): "the retry fails with a
     * ConflictException", whose {@code resourceIds} are "the existing task ARNs which are already
     * associated with the clientToken" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html,
     * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#API_RunTask_Errors).
     * That task is this attempt's, and it may be running: the attempt has not ended. It is the
     * attempt's task when ECS names it (its STOPPED event decides, as for any task); otherwise the
     * launch is {@link LaunchResult.Unavailable}, so the run is not ended while its task may run and
     * the start fails loudly (Lambda's retries, then the dead-letter queue).
     */
    private static LaunchResult reusedToken(LaunchRequest request, ConflictException e) {
        if (e.hasResourceIds() && !e.resourceIds().isEmpty()) {
            return new LaunchResult.Started(e.resourceIds().get(0));
        }
        String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
        return new LaunchResult.Unavailable("ConflictException", "RunTask refused client token "
                + request.clientToken() + " as already used with other parameters and named no task (" + message
                + "): a task of this attempt may be running, so the run is not ended; find it by its"
                + " startedBy and tags, or stop it, before redriving this start");
    }

    /**
     * The SDK request for a launch; public so that SnapStart priming can build one without sending it. One
     * {@code containerOverrides} entry per container, each with its name ("if a non-empty container override is
     * specified, the name parameter must be included":
     * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerOverride.html); the task size as ECS's
     * strings ({@code "1024"}: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskOverride.html).
     */
    public static RunTaskRequest toRunTask(LaunchRequest request) {
        TaskOverride.Builder overrides = TaskOverride.builder().containerOverrides(request.containers().stream()
                .map(EcsTaskLauncher::containerOverride)
                .toList());
        if (request.size() != null) {
            overrides.cpu(request.size().cpuText()).memory(request.size().memoryText());
        }
        RunTaskRequest.Builder runTask = RunTaskRequest.builder()
                .cluster(request.cluster())
                .taskDefinition(request.taskDefinition())
                .startedBy(request.startedBy())
                .clientToken(request.clientToken())
                .count(1)
                .overrides(overrides.build())
                .tags(request.tags().entrySet().stream()
                        .map(t -> Tag.builder().key(t.getKey()).value(t.getValue()).build())
                        .toList());
        if (request.launchType() != null) {
            runTask.launchType(request.launchType());
        } else if (!request.capacityProviderStrategy().isEmpty()) {
            runTask.capacityProviderStrategy(request.capacityProviderStrategy().stream()
                    .map(i -> CapacityProviderStrategyItem.builder()
                            .capacityProvider(i.capacityProvider()).weight(i.weight()).base(i.base()).build())
                    .toList());
        }
        if (!request.network().isEmpty()) {
            runTask.networkConfiguration(NetworkConfiguration.builder()
                    .awsvpcConfiguration(AwsVpcConfiguration.builder()
                            .subnets(request.network().subnets())
                            .securityGroups(request.network().securityGroups())
                            .assignPublicIp(request.network().assignPublicIp() ? AssignPublicIp.ENABLED
                                    : AssignPublicIp.DISABLED)
                            .build())
                    .build());
        }
        return runTask.build();
    }

    private static ContainerOverride containerOverride(dev.ecsretrier.core.ContainerOverride override) {
        ContainerOverride.Builder container = ContainerOverride.builder()
                .name(override.name())
                .environment(override.environmentOrEmpty().stream()
                        .map(v -> KeyValuePair.builder().name(v.name()).value(v.value()).build())
                        .toList());
        if (override.command() != null) {
            container.command(override.command());
        }
        return container.build();
    }
}
