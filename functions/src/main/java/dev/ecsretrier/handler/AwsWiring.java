package dev.ecsretrier.handler;

import dev.ecsretrier.aws.AwsClients;
import dev.ecsretrier.aws.LogsRunHistoryReader;
import dev.ecsretrier.aws.OnFirstUse;
import dev.ecsretrier.aws.SchedulerAttemptScheduler;
import dev.ecsretrier.aws.SnsNotifier;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.Notifier;
import dev.ecsretrier.port.RunHistoryReader;
import java.time.Clock;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sns.SnsClient;

/** The AWS side of both handlers, built once per container by their Lambda constructors. */
record AwsWiring(EcsClient ecs, OnFirstUse<SchedulerClient> schedulerClient, OnFirstUse<SnsClient> snsClient,
                 OnFirstUse<CloudWatchLogsClient> logsClient, AttemptScheduler scheduler, Notifier notifier,
                 RunHistoryReader history) {

    static AwsWiring create(RetrierConfig config) {
        AwsClients clients = new AwsClients(config.region());
        // Every invocation calls ECS; schedules and notifications only some: build those on first use.
        OnFirstUse<SchedulerClient> scheduler = new OnFirstUse<>(clients::scheduler);
        OnFirstUse<SnsClient> sns = new OnFirstUse<>(clients::sns);
        // Only a run that ends reads its history: neither a cold start nor a retry builds this client.
        OnFirstUse<CloudWatchLogsClient> logs = new OnFirstUse<>(() -> clients.logs(LogsRunHistoryReader.BUDGET));
        return new AwsWiring(clients.ecs(), scheduler, sns, logs,
                new SchedulerAttemptScheduler(scheduler, config.scheduleGroup(), config.schedulerRoleArn(),
                        config.scheduleDeadLetterArn()),
                new SnsNotifier(sns, config.topicArn()),
                config.historyLogGroups().isEmpty() ? RunHistoryReader.NONE
                        : new LogsRunHistoryReader(logs, config.historyLogGroups(), Clock.systemUTC(),
                                LogsRunHistoryReader.BUDGET));
    }

    /**
     * Both handlers': the Scheduler client built now, in Lambda's init phase. Every start reads the run's
     * cancel marker with it ({@code GetSchedule}) before and after {@code RunTask}; every retry the classifier
     * decides reads the marker and creates the schedule with it (and a storm, when most cold starts happen as
     * Lambda scales out, is retries). On an on-demand cold start init runs on a full vCPU, then the invocation
     * on the memory's share of one (0.58 at 1024 MB); built here, the client's classes load at the full rate
     * and the first invocation's work under the share is only its calls. No call is made (so no quota is spent
     * and SnapStart's snapshot holds no connection); under SnapStart the snapshot keeps the built client either
     * way. SNS and CloudWatch Logs, which only a run's end uses, stay for first use.
     * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html (init phase),
     * https://serverlessland.com/content/service/lambda/guides/effectively-running-java-on-serverless/init-heavy-lifting
     */
    static AwsWiring withSchedulerBuilt(RetrierConfig config) {
        AwsWiring wiring = create(config);
        wiring.schedulerClient.get();
        return wiring;
    }

    /** Builds the clients left for first use (no call is made): SnapStart priming does, before the snapshot. */
    void buildAllClients() {
        schedulerClient.get();
        snsClient.get();
        logsClient.get();
    }
}
