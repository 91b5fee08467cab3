package dev.ecsretrier.port;

import java.time.Instant;

/**
 * A one-time schedule that stops an attempt's task when it runs past its timeout (EventBridge
 * Scheduler's universal target for ECS {@code StopTask}).
 *
 * @param name   {@code <runId>-<attempt>-timeout}
 * @param reason the stop reason; it starts with {@code ecs-retrier: attempt timeout} so that the
 *               classifier tells it from a person's stop
 */
public record ScheduledStop(String name, Instant at, String cluster, String taskArn, String reason) {

    public static String nameFor(String attemptKey) {
        return attemptKey + "-timeout";
    }
}
