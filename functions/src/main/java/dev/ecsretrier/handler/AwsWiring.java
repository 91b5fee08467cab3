package dev.ecsretrier.handler;

import dev.ecsretrier.aws.AwsClients;
import dev.ecsretrier.aws.OnFirstUse;
import dev.ecsretrier.aws.SchedulerAttemptScheduler;
import dev.ecsretrier.aws.SnsNotifier;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.Notifier;
import software.amazon.awssdk.services.ecs.EcsClient;

/** The AWS side of both handlers, built once per container by their Lambda constructors. */
record AwsWiring(EcsClient ecs, AttemptScheduler scheduler, Notifier notifier) {

    static AwsWiring create(RetrierConfig config) {
        AwsClients clients = new AwsClients(config.region());
        // Every invocation calls ECS; schedules and notifications only some: build those on first use.
        return new AwsWiring(clients.ecs(),
                new SchedulerAttemptScheduler(new OnFirstUse<>(clients::scheduler), config.scheduleGroup(),
                        config.schedulerRoleArn(), config.scheduleDeadLetterArn()),
                new SnsNotifier(new OnFirstUse<>(clients::sns), config.topicArn()));
    }
}
