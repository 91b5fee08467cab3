package dev.ecsretrier.local.quota;

import dev.ecsretrier.local.emulator.TimeScale;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * AWS's rate quotas and Lambda's concurrency, for the local runtime ({@code --aws-quotas}): token
 * buckets with the documented defaults ({@link AwsQuota}), counted throttles per API, and the
 * concurrent executions Lambda allows. Time is planned time, so the quotas hold at any time scale.
 */
public final class AwsQuotas {

    /**
     * Lambda's default "concurrent executions" quota, per account and Region, shared by every function
     * without reserved concurrency (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html,
     * https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html).
     */
    public static final int ACCOUNT_CONCURRENCY = 1_000;

    /**
     * How long each AWS call takes, a round trip to the service, in planned time: 15 ms, **an assumption**
     * (AWS publishes no latency figures), the one the cold-start bench's {@code AWS_LATENCY_MS=15} makes for a
     * function calling a service in its own Region (docs/performance.md). It is what lets the storm count
     * concurrent executions: an invocation holds its execution environment for its calls' round trips
     * (Lambda's concurrency is "requests per second × average request duration",
     * https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html). The handlers' own CPU time is not
     * modelled (about 50 ms an invocation at 512 MB, measured: docs/performance.md).
     */
    public static final Duration DEFAULT_CALL_LATENCY = Duration.ofMillis(15);

    private static final AwsQuotas UNLIMITED = new AwsQuotas(null, 1, Integer.MAX_VALUE, Map.of(), Duration.ZERO);

    private final Map<AwsQuota, List<TokenBucket>> buckets = new EnumMap<>(AwsQuota.class);
    private final Map<String, AtomicLong> throttles = new ConcurrentHashMap<>();
    private final Map<String, Integer> reserved;
    private final Map<String, Integer> running = new ConcurrentHashMap<>();
    private final Map<String, Integer> peak = new ConcurrentHashMap<>();
    private final int accountConcurrency;
    private final Duration callLatency;
    private int unreservedRunning;

    private AwsQuotas(LongSupplier plannedNanos, double rateScale, int accountConcurrency, Map<String, Integer> reserved,
                      Duration callLatency) {
        if (callLatency.isNegative()) {
            throw new IllegalArgumentException("an AWS call's latency cannot be negative, got " + callLatency);
        }
        this.callLatency = callLatency;
        if (!(rateScale > 0) || rateScale > 1) {
            throw new IllegalArgumentException("the quotas' scale must be in (0, 1], got " + rateScale);
        }
        for (AwsQuota quota : plannedNanos == null ? new AwsQuota[0] : AwsQuota.values()) {
            buckets.put(quota, quota.rates().stream().map(rate -> new TokenBucket(Math.max(1, rate.burst() * rateScale),
                    rate.perSecond() * rateScale, plannedNanos)).toList());
        }
        this.accountConcurrency = accountConcurrency;
        this.reserved = Map.copyOf(reserved);
        int sum = reserved.values().stream().mapToInt(Integer::intValue).sum();
        if (sum > accountConcurrency) {
            throw new IllegalArgumentException("reserved concurrency " + reserved + " exceeds the account's "
                    + accountConcurrency);
        }
    }

    /**
     * The documented defaults, in the runtime's planned time.
     *
     * @param rateScale           1 for the documented rates, bursts and account concurrency; less to stand for a
     *                            bigger load with a smaller one (0.03 of the quotas for 300 runs behaves like all of
     *                            them for 10,000): the account's 1,000 concurrent executions shrink alike (30)
     * @param reservedConcurrency functions with reserved concurrency: at most that many of their
     *                            invocations run at once, and the account's other functions share the rest
     */
    public static AwsQuotas documentedDefaults(TimeScale timeScale, double rateScale,
                                               Map<String, Integer> reservedConcurrency) {
        return documentedDefaults(timeScale, rateScale, reservedConcurrency, DEFAULT_CALL_LATENCY);
    }

    /** The same, each AWS call taking {@code callLatency} (planned time) instead of {@link #DEFAULT_CALL_LATENCY}. */
    public static AwsQuotas documentedDefaults(TimeScale timeScale, double rateScale,
                                               Map<String, Integer> reservedConcurrency, Duration callLatency) {
        long origin = System.nanoTime();
        double factor = timeScale.factor();
        // At time scale 0 nothing waits, so no quota can bind: refill is unbounded.
        LongSupplier planned = factor == 0 ? () -> Long.MAX_VALUE / 2
                : () -> (long) ((System.nanoTime() - origin) / factor);
        return new AwsQuotas(planned, rateScale, accountConcurrency(rateScale), reservedConcurrency, callLatency);
    }

    /** Lambda's account concurrency at {@code rateScale} of the quotas: at least 1. */
    static int accountConcurrency(double rateScale) {
        return Math.max(1, (int) Math.round(ACCOUNT_CONCURRENCY * rateScale));
    }

    /** No quota: every call goes through, every invocation runs (the local runtime without {@code --aws-quotas}). */
    public static AwsQuotas unlimited() {
        return UNLIMITED;
    }

    /** For tests: the documented defaults on a clock of the caller's, in planned nanoseconds. */
    static AwsQuotas onClock(LongSupplier plannedNanos, int accountConcurrency, Map<String, Integer> reserved) {
        return new AwsQuotas(plannedNanos, 1, accountConcurrency, reserved, Duration.ZERO);
    }

    /** For tests: no quota, each call taking {@code callLatency} (planned). */
    static AwsQuotas unlimitedTaking(Duration callLatency) {
        return new AwsQuotas(null, 1, Integer.MAX_VALUE, Map.of(), callLatency);
    }

    /** How long each AWS call's round trip takes, in planned time (zero without {@code --aws-quotas}). */
    public Duration callLatency() {
        return callLatency;
    }

    /** One call: true when every bucket of its quota had a token; false (and counted) when throttled. */
    public boolean tryCall(AwsQuota quota) {
        List<TokenBucket> all = buckets.getOrDefault(quota, List.of());
        for (int i = 0; i < all.size(); i++) {
            if (!all.get(i).tryTake()) {
                for (int j = 0; j < i; j++) {
                    all.get(j).giveBack();
                }
                throttles.computeIfAbsent(quota.api(), k -> new AtomicLong()).incrementAndGet();
                return false;
            }
        }
        return true;
    }

    /**
     * An invocation of {@code function} begins, if Lambda has concurrency for it: false (and counted)
     * when its reserved concurrency, or the account's unreserved pool, is all in use. Pair a true with
     * {@link #invocationEnded}.
     */
    public boolean tryBeginInvocation(String function) {
        if (this == UNLIMITED) {
            return true;
        }
        synchronized (this) {
            return tryBegin(function);
        }
    }

    private boolean tryBegin(String function) {
        Integer limit = reserved.get(function);
        int now = running.getOrDefault(function, 0);
        boolean free = limit != null ? now < limit : unreservedRunning < unreservedPool();
        if (!free) {
            throttles.computeIfAbsent("lambda:Invoke " + function, k -> new AtomicLong()).incrementAndGet();
            return false;
        }
        running.put(function, now + 1);
        peak.merge(function, now + 1, Math::max);
        if (limit == null) {
            unreservedRunning++;
        }
        return true;
    }

    public void invocationEnded(String function) {
        if (this == UNLIMITED) {
            return;
        }
        synchronized (this) {
            ended(function);
        }
    }

    private void ended(String function) {
        running.merge(function, -1, Integer::sum);
        if (!reserved.containsKey(function)) {
            unreservedRunning--;
        }
    }

    /** Throttled calls so far, by API ({@code ecs:RunTask}, ..., {@code lambda:Invoke starter}). */
    public Map<String, Long> throttles() {
        Map<String, Long> copy = new TreeMap<>();
        throttles.forEach((api, count) -> copy.put(api, count.get()));
        return copy;
    }

    /** The most invocations of each function that ran at once so far (Lambda's concurrent executions). */
    public Map<String, Integer> peakConcurrency() {
        return new TreeMap<>(peak);
    }

    private int unreservedPool() {
        return accountConcurrency - reserved.values().stream().mapToInt(Integer::intValue).sum();
    }
}
