package dev.ecsretrier.local.quota;

import dev.ecsretrier.aws.AwsClients;
import dev.ecsretrier.local.emulator.TimeScale;
import java.time.Duration;
import java.util.Random;

/**
 * What the functions' SDK clients do with a throttled call (the standard strategy as {@link AwsClients}
 * configures it): {@link AwsClients#MAX_ATTEMPTS} attempts in all, waiting before each retry a random time
 * up to {@code min(max, base × 2^(retry-1))}, the SDK's "full jitter" backoff for throttling errors
 * (https://docs.aws.amazon.com/sdk-for-java/latest/developer-guide/retry-strategy.html). The wait is
 * the invocation's own (its thread sleeps, scaled), as a Lambda invocation waits and is billed for it.
 * The strategy's retry-quota bucket (its circuit breaker) is not modelled: it only stops retries sooner.
 */
public final class SdkRetries {

    static final int MAX_ATTEMPTS = AwsClients.MAX_ATTEMPTS;
    static final Duration THROTTLING_BASE_DELAY = AwsClients.THROTTLING_BASE_DELAY;
    static final Duration MAX_BACKOFF = AwsClients.THROTTLING_MAX_DELAY;

    private final AwsQuotas quotas;
    private final TimeScale timeScale;
    private final Random jitter;

    public SdkRetries(AwsQuotas quotas, TimeScale timeScale, Random jitter) {
        this.quotas = quotas;
        this.timeScale = timeScale;
        this.jitter = jitter;
    }

    /**
     * Makes one SDK call of {@code quota}: returns once a try got through. Each try, throttled or not, takes
     * the call's round trip ({@link AwsQuotas#callLatency()}).
     *
     * @throws ThrottlingException when every attempt was throttled
     */
    public void call(AwsQuota quota) {
        for (int attempt = 1; ; attempt++) {
            boolean through = quotas.tryCall(quota);
            sleep(quotas.callLatency());
            if (through) {
                return;
            }
            if (attempt == MAX_ATTEMPTS) {
                throw new ThrottlingException(quota, attempt);
            }
            sleep(backoff(attempt));
        }
    }

    /** A call no modelled quota limits (GetSchedule, DeleteSchedule, StopTask): its round trip only. */
    public void roundTrip() {
        sleep(quotas.callLatency());
    }

    /** The wait before retry {@code retry} (1 for the first retry). */
    Duration backoff(int retry) {
        long ceiling = Math.min(MAX_BACKOFF.toMillis(), THROTTLING_BASE_DELAY.toMillis() << (retry - 1));
        double draw;
        synchronized (jitter) {
            draw = jitter.nextDouble();
        }
        return Duration.ofMillis((long) (draw * ceiling));
    }

    private void sleep(Duration planned) {
        long nanos = timeScale.nanos(planned);
        if (nanos <= 0) {
            return;
        }
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the SDK backed off", e);
        }
    }

    public AwsQuotas quotas() {
        return quotas;
    }
}
