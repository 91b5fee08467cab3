package dev.ecsretrier.infra;

import dev.ecsretrier.core.Jitter;
import dev.ecsretrier.core.RetryRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ecs.CapacityProviderStrategy;
import software.amazon.awscdk.services.ecs.ITaskDefinition;
import software.amazon.awscdk.services.ecs.LaunchType;

/**
 * One job of a many-jobs {@link EcsRetrier} ({@link EcsRetrierProps.Builder#jobs}): what it runs and the policy settings
 * in which it differs. Each setting has the name, the meaning and the limits of the {@link EcsRetrierProps} setting of the
 * same name; one left unset is the construct's own (its default). That holds for the launch too: a job may run in its own
 * subnets, with its own security groups, launch type or capacity provider strategy (which replace the construct's
 * launch type or strategy together), fallback and subnet rotation.
 */
public final class EcsRetrierJob {

    final ITaskDefinition taskDefinition;
    final String containerName;
    final List<String> containerNames;
    final List<String> essentialContainers;
    final Integer maxAttempts;
    final Duration backoffInitialDelay;
    final Double backoffMultiplier;
    final Duration backoffMaxDelay;
    final Jitter backoffJitter;
    final List<Integer> retryableExitCodes;
    final List<RetryRule> rules;
    final Integer infrastructureRetries;
    final Integer applicationRetries;
    final Boolean memoryEscalation;
    final Double memoryFactor;
    final Integer memoryCapMiB;
    final Duration attemptTimeout;
    final Boolean retryOnTimeout;
    final SubnetSelection taskSubnets;
    final List<ISecurityGroup> securityGroups;
    final Boolean assignPublicIp;
    final LaunchType launchType;
    final List<CapacityProviderStrategy> capacityProviderStrategies;
    final List<CapacityProviderStrategy> fallbackCapacityProviderStrategy;
    final Integer fallbackAfterSpotFailures;
    final Boolean rotateSubnets;

    private EcsRetrierJob(Builder b) {
        this.taskDefinition = Objects.requireNonNull(b.taskDefinition, "a job's taskDefinition is required");
        this.containerName = b.containerName;
        this.containerNames = b.containerNames;
        this.essentialContainers = b.essentialContainers;
        this.maxAttempts = b.maxAttempts;
        this.backoffInitialDelay = b.backoffInitialDelay;
        this.backoffMultiplier = b.backoffMultiplier;
        this.backoffMaxDelay = b.backoffMaxDelay;
        this.backoffJitter = b.backoffJitter;
        this.retryableExitCodes = b.retryableExitCodes;
        this.rules = b.rules;
        this.infrastructureRetries = b.infrastructureRetries;
        this.applicationRetries = b.applicationRetries;
        this.memoryEscalation = b.memoryEscalation;
        this.memoryFactor = b.memoryFactor;
        this.memoryCapMiB = b.memoryCapMiB;
        this.attemptTimeout = b.attemptTimeout;
        this.retryOnTimeout = b.retryOnTimeout;
        this.taskSubnets = b.taskSubnets;
        this.securityGroups = b.securityGroups;
        this.assignPublicIp = b.assignPublicIp;
        this.launchType = b.launchType;
        this.capacityProviderStrategies = b.capacityProviderStrategies;
        this.fallbackCapacityProviderStrategy = b.fallbackCapacityProviderStrategy;
        this.fallbackAfterSpotFailures = b.fallbackAfterSpotFailures;
        this.rotateSubnets = b.rotateSubnets;
        if (launchType != null && capacityProviderStrategies != null) {
            throw new IllegalArgumentException("set a job's launchType or capacityProviderStrategies, not both (launchType was "
                    + launchType + ")");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public ITaskDefinition taskDefinition() { return taskDefinition; }

    /** Builds {@link EcsRetrierJob}; every setting but the task definition defaults to the construct's. */
    public static final class Builder {
        private ITaskDefinition taskDefinition;
        private String containerName;
        private List<String> containerNames;
        private List<String> essentialContainers;
        private Integer maxAttempts;
        private Duration backoffInitialDelay;
        private Double backoffMultiplier;
        private Duration backoffMaxDelay;
        private Jitter backoffJitter;
        private List<Integer> retryableExitCodes;
        private List<RetryRule> rules;
        private Integer infrastructureRetries;
        private Integer applicationRetries;
        private Boolean memoryEscalation;
        private Double memoryFactor;
        private Integer memoryCapMiB;
        private Duration attemptTimeout;
        private Boolean retryOnTimeout;
        private SubnetSelection taskSubnets;
        private List<ISecurityGroup> securityGroups;
        private Boolean assignPublicIp;
        private LaunchType launchType;
        private List<CapacityProviderStrategy> capacityProviderStrategies;
        private List<CapacityProviderStrategy> fallbackCapacityProviderStrategy;
        private Integer fallbackAfterSpotFailures;
        private Boolean rotateSubnets;

        private Builder() {
        }

        /** Required. What the job's attempts run; its roles are the only ones the starter may pass for it. */
        public Builder taskDefinition(ITaskDefinition taskDefinition) { this.taskDefinition = taskDefinition; return this; }
        /**
         * The one container the job's start requests may override: the one-item shorthand of {@link #containerNames}.
         * Default: the task definition's default container.
         */
        public Builder containerName(String name) { this.containerName = name; return this; }
        /**
         * The containers the job's start requests may override, each getting the {@code RETRIER_*} variables
         * ({@link EcsRetrierProps.Builder#containerNames}). Default: the one {@link #containerName}.
         */
        public Builder containerNames(List<String> names) {
            this.containerNames = names == null ? null : Collections.unmodifiableList(new ArrayList<>(names));
            return this;
        }
        /** Default: the task definition's essential containers ({@link EcsRetrierProps.Builder#essentialContainers}). */
        public Builder essentialContainers(List<String> names) {
            this.essentialContainers = names == null ? null : Collections.unmodifiableList(new ArrayList<>(names));
            return this;
        }
        public Builder maxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; return this; }
        public Builder backoffInitialDelay(Duration delay) { this.backoffInitialDelay = delay; return this; }
        public Builder backoffMultiplier(double multiplier) { this.backoffMultiplier = multiplier; return this; }
        public Builder backoffMaxDelay(Duration delay) { this.backoffMaxDelay = delay; return this; }
        public Builder backoffJitter(Jitter jitter) { this.backoffJitter = jitter; return this; }
        public Builder retryableExitCodes(List<Integer> exitCodes) { this.retryableExitCodes = List.copyOf(exitCodes); return this; }
        public Builder rules(List<RetryRule> rules) { this.rules = List.copyOf(rules); return this; }
        public Builder infrastructureRetries(Integer retries) { this.infrastructureRetries = retries; return this; }
        public Builder applicationRetries(Integer retries) { this.applicationRetries = retries; return this; }
        public Builder memoryEscalation(boolean escalate) { this.memoryEscalation = escalate; return this; }
        public Builder memoryFactor(double factor) { this.memoryFactor = factor; return this; }
        public Builder memoryCapMiB(int mib) { this.memoryCapMiB = mib; return this; }
        public Builder attemptTimeout(Duration timeout) { this.attemptTimeout = timeout; return this; }
        public Builder retryOnTimeout(boolean retry) { this.retryOnTimeout = retry; return this; }
        /** Where the job's tasks run (awsvpc), e.g. its own subnets; with {@link #rotateSubnets} they take turns. */
        public Builder taskSubnets(SubnetSelection subnets) { this.taskSubnets = subnets; return this; }
        public Builder securityGroups(List<? extends ISecurityGroup> groups) { this.securityGroups = List.copyOf(groups); return this; }
        public Builder assignPublicIp(boolean assign) { this.assignPublicIp = assign; return this; }
        /** Replaces the construct's launch type or capacity provider strategy for this job. */
        public Builder launchType(LaunchType launchType) { this.launchType = launchType; return this; }
        /** Replaces the construct's launch type or capacity provider strategy for this job. */
        public Builder capacityProviderStrategies(List<CapacityProviderStrategy> strategies) {
            this.capacityProviderStrategies = List.copyOf(strategies);
            return this;
        }
        public Builder fallbackCapacityProviderStrategy(List<CapacityProviderStrategy> strategy) {
            this.fallbackCapacityProviderStrategy = List.copyOf(strategy);
            return this;
        }
        public Builder fallbackAfterSpotFailures(int failures) { this.fallbackAfterSpotFailures = failures; return this; }
        public Builder rotateSubnets(boolean rotate) { this.rotateSubnets = rotate; return this; }

        public EcsRetrierJob build() {
            return new EcsRetrierJob(this);
        }
    }
}
