package dev.ecsretrier.local.serve;

import dev.ecsretrier.local.quota.AwsQuota;
import dev.ecsretrier.local.quota.AwsQuotas;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * AWS's rate quotas on the wire ({@code serve --aws-quotas}): asked first, it answers a call past
 * its quota with the service's own throttling error, so that a client's SDK retries it as it would
 * in AWS, and leaves every other request to the APIs behind it.
 * <ul>
 *   <li>ECS RunTask, DescribeTasks: HTTP 400 {@code ThrottlingException} "Rate exceeded"
 *       (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html);</li>
 *   <li>Scheduler CreateSchedule: HTTP 429 {@code ThrottlingException}
 *       (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html#API_CreateSchedule_Errors);</li>
 *   <li>SNS Publish: HTTP 400 {@code ThrottlingException} "Rate exceeded", as the AWS CLI reports it
 *       (https://repost.aws/knowledge-center/sns-throttling-exception-errors).</li>
 * </ul>
 */
final class ThrottlingApi implements AwsApi {

    private static final String ECS_TARGET = "AmazonEC2ContainerServiceV20141113.";
    private static final String RATE_EXCEEDED = "Rate exceeded";

    private final AwsQuotas quotas;
    private final Consumer<String> log;

    ThrottlingApi(AwsQuotas quotas, Consumer<String> log) {
        this.quotas = quotas;
        this.log = log;
    }

    @Override
    public Optional<WireResponse> answer(WireRequest request) {
        Optional<AwsQuota> quota = quotaOf(request);
        if (quota.isEmpty() || quotas.tryCall(quota.get())) {
            return Optional.empty();
        }
        log.accept(quota.get().api() + ": throttled (" + quota.get().errorCode() + ")");
        return Optional.of(switch (quota.get()) {
            case RUN_TASK, DESCRIBE_TASKS -> EcsApi.error(400, "ThrottlingException", RATE_EXCEEDED);
            case CREATE_SCHEDULE -> SchedulerApi.error(429, "ThrottlingException", RATE_EXCEEDED);
            case PUBLISH -> SnsApi.error(400, "ThrottlingException", RATE_EXCEEDED);
        });
    }

    private static Optional<AwsQuota> quotaOf(WireRequest request) {
        if (!"POST".equals(request.method())) {
            return Optional.empty();
        }
        Optional<String> target = request.header("X-Amz-Target");
        if (target.isPresent()) {
            return switch (target.get()) {
                case ECS_TARGET + "RunTask" -> Optional.of(AwsQuota.RUN_TASK);
                case ECS_TARGET + "DescribeTasks" -> Optional.of(AwsQuota.DESCRIBE_TASKS);
                default -> Optional.empty();
            };
        }
        if (SchedulerApi.SCHEDULE.matcher(request.rawPath()).matches()) {
            return Optional.of(AwsQuota.CREATE_SCHEDULE);
        }
        boolean form = request.header("Content-Type").map(t -> t.startsWith("application/x-www-form-urlencoded"))
                .orElse(false);
        if (form) {
            try {
                if ("Publish".equals(WireRequest.form(request.bodyText()).get("Action"))) {
                    return Optional.of(AwsQuota.PUBLISH);
                }
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
