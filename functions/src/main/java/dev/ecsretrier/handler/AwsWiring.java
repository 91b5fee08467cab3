package dev.ecsretrier.handler;

import dev.ecsretrier.aws.AwsClients;
import dev.ecsretrier.aws.OnFirstUse;
import dev.ecsretrier.aws.SchedulerAttemptScheduler;
import dev.ecsretrier.aws.SnsNotifier;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.Notifier;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sns.SnsClient;

/** The AWS side of both handlers, built once per container by their Lambda constructors. */
record AwsWiring(EcsClient ecs, OnFirstUse<SchedulerClient> schedulerClient, OnFirstUse<SnsClient> snsClient,
                 AttemptScheduler scheduler, Notifier notifier) {

    static AwsWiring create(RetrierConfig config) {
        AwsClients clients = new AwsClients(config.region());
        // Every invocation calls ECS; schedules and notifications only some: build those on first use.
        OnFirstUse<SchedulerClient> scheduler = new OnFirstUse<>(clients::scheduler);
        OnFirstUse<SnsClient> sns = new OnFirstUse<>(clients::sns);
        return new AwsWiring(clients.ecs(), scheduler, sns,
                new SchedulerAttemptScheduler(scheduler, config.scheduleGroup(), config.schedulerRoleArn(),
                        config.scheduleDeadLetterArn()),
                new SnsNotifier(sns, config.topicArn()));
    }

    /** Builds the clients left for first use (no call is made): SnapStart priming does, before the snapshot. */
    void buildAllClients() {
        schedulerClient.get();
        snsClient.get();
    }
}
