package dev.ecsretrier.infra;

import dev.ecsretrier.core.Jitter;
import dev.ecsretrier.core.RetryRule;
import java.util.List;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ecs.CapacityProviderStrategy;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.ITaskDefinition;
import software.amazon.awscdk.services.ecs.LaunchType;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.ITopic;

/**
 * What {@link EcsRetrier} wraps its loop around, and how it retries. Only the cluster and the task
 * definition are required; every other field has the default its builder method documents.
 */
public final class EcsRetrierProps {

    private final ICluster cluster;
    private final ITaskDefinition taskDefinition;
    private final String containerName;
    private final String startedBy;
    private final SubnetSelection taskSubnets;
    private final List<ISecurityGroup> securityGroups;
    private final boolean assignPublicIp;
    private final LaunchType launchType;
    private final List<CapacityProviderStrategy> capacityProviderStrategies;
    private final int maxAttempts;
    private final Duration backoffInitialDelay;
    private final double backoffMultiplier;
    private final Duration backoffMaxDelay;
    private final Jitter backoffJitter;
    private final List<Integer> retryableExitCodes;
    private final List<RetryRule> rules;
    private final ITopic topic;
    private final String notificationEmail;
    private final boolean acceptTestEvents;
    private final RetentionDays logRetention;
    private final Code functionsCode;

    private EcsRetrierProps(Builder b) {
        this.cluster = Objects.requireNonNull(b.cluster, "cluster is required");
        this.taskDefinition = Objects.requireNonNull(b.taskDefinition, "taskDefinition is required");
        this.containerName = b.containerName;
        this.startedBy = b.startedBy;
        this.taskSubnets = b.taskSubnets;
        this.securityGroups = b.securityGroups == null ? null : List.copyOf(b.securityGroups);
        this.assignPublicIp = b.assignPublicIp;
        this.launchType = b.launchType;
        this.capacityProviderStrategies = b.capacityProviderStrategies == null ? List.of() : List.copyOf(b.capacityProviderStrategies);
        this.maxAttempts = b.maxAttempts;
        this.backoffInitialDelay = b.backoffInitialDelay;
        this.backoffMultiplier = b.backoffMultiplier;
        this.backoffMaxDelay = b.backoffMaxDelay;
        this.backoffJitter = b.backoffJitter;
        this.retryableExitCodes = List.copyOf(b.retryableExitCodes);
        this.rules = List.copyOf(b.rules);
        this.topic = b.topic;
        this.notificationEmail = b.notificationEmail;
        this.acceptTestEvents = b.acceptTestEvents;
        this.logRetention = b.logRetention;
        this.functionsCode = b.functionsCode;
        validate();
    }

    public static Builder builder() {
        return new Builder();
    }

    private void validate() {
        if (maxAttempts < 1 || maxAttempts > 10) {
            throw new IllegalArgumentException("maxAttempts must be 1-10, was " + maxAttempts);
        }
        if (backoffMultiplier < 1) {
            throw new IllegalArgumentException("backoffMultiplier must be >= 1, was " + backoffMultiplier);
        }
        if (backoffMaxDelay.toSeconds().doubleValue() < backoffInitialDelay.toSeconds().doubleValue()) {
            throw new IllegalArgumentException("backoffMaxDelay (" + backoffMaxDelay.toSeconds()
                    + " s) must not be shorter than backoffInitialDelay (" + backoffInitialDelay.toSeconds() + " s)");
        }
        if (launchType != null && !capacityProviderStrategies.isEmpty()) {
            throw new IllegalArgumentException("set launchType or capacityProviderStrategies, not both (launchType was " + launchType + ")");
        }
        // RunTask's startedBy: at most 128 letters, digits, '-', '/' and '_'.
        if (startedBy != null && !startedBy.matches("[A-Za-z0-9\\-/_]{1,128}")) {
            throw new IllegalArgumentException("startedBy must be 1-128 of [A-Za-z0-9-/_], was '" + startedBy + "'");
        }
    }

    public ICluster cluster() { return cluster; }
    public ITaskDefinition taskDefinition() { return taskDefinition; }
    public String containerName() { return containerName; }
    public String startedBy() { return startedBy; }
    public SubnetSelection taskSubnets() { return taskSubnets; }
    public List<ISecurityGroup> securityGroups() { return securityGroups; }
    public boolean assignPublicIp() { return assignPublicIp; }
    public LaunchType launchType() { return launchType; }
    public List<CapacityProviderStrategy> capacityProviderStrategies() { return capacityProviderStrategies; }
    public int maxAttempts() { return maxAttempts; }
    public Duration backoffInitialDelay() { return backoffInitialDelay; }
    public double backoffMultiplier() { return backoffMultiplier; }
    public Duration backoffMaxDelay() { return backoffMaxDelay; }
    public Jitter backoffJitter() { return backoffJitter; }
    public List<Integer> retryableExitCodes() { return retryableExitCodes; }
    public List<RetryRule> rules() { return rules; }
    public ITopic topic() { return topic; }
    public String notificationEmail() { return notificationEmail; }
    public boolean acceptTestEvents() { return acceptTestEvents; }
    public RetentionDays logRetention() { return logRetention; }
    public Code functionsCode() { return functionsCode; }

    /** Builds {@link EcsRetrierProps}; each method documents its default. */
    public static final class Builder {
        private ICluster cluster;
        private ITaskDefinition taskDefinition;
        private String containerName;
        private String startedBy;
        private SubnetSelection taskSubnets;
        private List<ISecurityGroup> securityGroups;
        private boolean assignPublicIp;
        private LaunchType launchType;
        private List<CapacityProviderStrategy> capacityProviderStrategies;
        private int maxAttempts = 3;
        private Duration backoffInitialDelay = Duration.seconds(60);
        private double backoffMultiplier = 2;
        private Duration backoffMaxDelay = Duration.minutes(15);
        private Jitter backoffJitter = Jitter.FULL;
        private List<Integer> retryableExitCodes = List.of();
        private List<RetryRule> rules = List.of();
        private ITopic topic;
        private String notificationEmail;
        private boolean acceptTestEvents;
        private RetentionDays logRetention = RetentionDays.ONE_MONTH;
        private Code functionsCode;

        private Builder() {
        }

        /** Required. The cluster tasks run in; the rule only listens to this cluster. */
        public Builder cluster(ICluster cluster) { this.cluster = cluster; return this; }

        /** Required. What every attempt runs. Its task and execution roles are the only roles the starter may pass to ECS. */
        public Builder taskDefinition(ITaskDefinition taskDefinition) { this.taskDefinition = taskDefinition; return this; }

        /** The container that start requests may override. Default: the task definition's default (first essential) container. */
        public Builder containerName(String containerName) { this.containerName = containerName; return this; }

        /**
         * Marks the tasks this retrier starts; the rule matches only these. Default: {@code ecs-retrier-} plus a name
         * unique to this construct, so two retriers never classify each other's tasks.
         */
        public Builder startedBy(String startedBy) { this.startedBy = startedBy; return this; }

        /** Subnets of an {@code awsvpc} task. Default: the cluster VPC's default selection (private subnets when there are any). */
        public Builder taskSubnets(SubnetSelection taskSubnets) { this.taskSubnets = taskSubnets; return this; }

        /** Security groups of an {@code awsvpc} task. Default: one new group with no inbound rules. */
        public Builder securityGroups(List<? extends ISecurityGroup> securityGroups) {
            this.securityGroups = securityGroups == null ? null : List.copyOf(securityGroups);
            return this;
        }

        /** Whether an {@code awsvpc} task gets a public IP (needed in public subnets without NAT). Default: false. */
        public Builder assignPublicIp(boolean assignPublicIp) { this.assignPublicIp = assignPublicIp; return this; }

        /** Default: FARGATE, unless capacity provider strategies are set. */
        public Builder launchType(LaunchType launchType) { this.launchType = launchType; return this; }

        /** Run on capacity providers instead of a launch type (for example FARGATE_SPOT). Default: none. */
        public Builder capacityProviderStrategies(List<? extends CapacityProviderStrategy> strategies) {
            this.capacityProviderStrategies = strategies == null ? null : List.copyOf(strategies);
            return this;
        }

        /** Attempts in all, the first included (1-10). Default: 3. */
        public Builder maxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; return this; }

        /** Delay before the second attempt. Default: 60 seconds. Scheduler fires with one-minute precision. */
        public Builder backoffInitialDelay(Duration delay) { this.backoffInitialDelay = Objects.requireNonNull(delay); return this; }

        /** Growth of the delay per attempt (at least 1). Default: 2. */
        public Builder backoffMultiplier(double multiplier) { this.backoffMultiplier = multiplier; return this; }

        /** Cap on any delay. Default: 15 minutes. */
        public Builder backoffMaxDelay(Duration delay) { this.backoffMaxDelay = Objects.requireNonNull(delay); return this; }

        /** Default: FULL. */
        public Builder backoffJitter(Jitter jitter) { this.backoffJitter = Objects.requireNonNull(jitter); return this; }

        /** Exit codes of an essential container that mean "try again". Default: none. */
        public Builder retryableExitCodes(List<Integer> exitCodes) { this.retryableExitCodes = List.copyOf(exitCodes); return this; }

        /** User rules, evaluated in order before the default policy. Default: none. */
        public Builder rules(List<RetryRule> rules) { this.rules = List.copyOf(rules); return this; }

        /** Where terminal outcomes and alarms go. Default: a new topic encrypted with a new KMS key. */
        public Builder topic(ITopic topic) { this.topic = topic; return this; }

        /** An address subscribed to the topic (AWS sends it a confirmation mail first). Default: none. */
        public Builder notificationEmail(String email) { this.notificationEmail = email; return this; }

        /**
         * Whether the rule also accepts ECS Task State Change events from the source {@code ecs-retrier.test}, so that
         * {@code aws events put-events} can exercise the classifier (EventBridge refuses {@code aws.} sources from
         * callers). Anyone allowed to put events on the default bus could then fake a stop. Default: false.
         */
        public Builder acceptTestEvents(boolean accept) { this.acceptTestEvents = accept; return this; }

        /** Retention of both functions' logs. Default: one month. */
        public Builder logRetention(RetentionDays retention) { this.logRetention = Objects.requireNonNull(retention); return this; }

        /** The functions module's shaded jar. Default: {@link FunctionsJar#locate()}. */
        public Builder functionsCode(Code code) { this.functionsCode = code; return this; }

        public EcsRetrierProps build() {
            return new EcsRetrierProps(this);
        }
    }
}
