package dev.ecsretrier.local.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.emulator.LocalSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sns.SnsClient;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * {@code serve --aws-quotas}: a call past its quota gets the service's own throttling error, which
 * the SDK recognises as throttling (and so retries with its throttling backoff). Clients here do not
 * retry, so the first throttled answer is what the test sees; the quotas are shrunk (x0.0001: a burst
 * of one call for ECS and Scheduler, three for SNS) so that a few calls exceed them.
 */
class ThrottlingOnTheWireTest {

    ServedRuntime served;

    @BeforeEach
    void serve() throws Exception {
        served = new ServedRuntime(LocalRuntime.builder().timeScale(1.0).seed(3).awsQuotas(true).quotaScale(0.0001)
                .build());
    }

    @AfterEach
    void close() {
        served.close();
    }

    static AwsServiceException throttledWithin(int calls, Supplier<Object> call) {
        for (int i = 0; i < calls; i++) {
            AwsServiceException e = catchThrowableOfType(call::get, AwsServiceException.class);
            if (e != null) {
                return e;
            }
        }
        throw new AssertionError("not throttled in " + calls + " calls");
    }

    @Test
    void ecsAnswersAThrottledDescribeTasksWithThrottlingExceptionRateExceeded() {
        EcsClient ecs = served.client(EcsClient.builder()
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())));

        AwsServiceException e = throttledWithin(5, () -> ecs.describeTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN)
                .tasks("arn:aws:ecs:local:000000000000:task/none")));

        assertThat(e.isThrottlingException()).isTrue();
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Rate exceeded");
        assertThat(served.log).anyMatch(line -> line.contains("ecs:DescribeTasks: throttled"));
    }

    @Test
    void schedulerAnswersAThrottledCreateScheduleWith429ThrottlingException() {
        SchedulerClient scheduler = served.client(SchedulerClient.builder()
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())));
        int[] n = {0};

        AwsServiceException e = throttledWithin(5, () -> scheduler.createSchedule(SchedulerApiTest.nextAttempt(
                "wire-throttle-" + n[0]++, Instant.now().plusSeconds(3600), "{}")));

        assertThat(e.isThrottlingException()).isTrue();
        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
    }

    @Test
    void snsAnswersAThrottledPublishWithThrottlingException() {
        SnsClient sns = served.client(SnsClient.builder()
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())));

        AwsServiceException e = throttledWithin(10, () -> sns.publish(r -> r.topicArn(LocalSettings.TOPIC_ARN)
                .subject("s").message("m")));

        assertThat(e.isThrottlingException()).isTrue();
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
    }

    @Test
    void withoutQuotasNothingIsThrottled() throws Exception {
        try (ServedRuntime plain = new ServedRuntime(7)) {
            EcsClient ecs = plain.client(EcsClient.builder()
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())));
            for (int i = 0; i < 150; i++) {
                ecs.describeTasks(r -> r.cluster(LocalSettings.CLUSTER_ARN).tasks("arn:aws:ecs:local:000000000000:task/x"));
            }
        }
    }
}
