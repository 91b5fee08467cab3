package dev.ecsretrier.infra;

import dev.ecsretrier.config.Deployment;
import dev.ecsretrier.config.Range;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.core.Jitter;
import dev.ecsretrier.core.AttemptLaunch;
import dev.ecsretrier.core.RetryRule;
import dev.ecsretrier.core.CapacityProviderItem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.TimeConversionOptions;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.ec2.ISecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ecs.CapacityProviderStrategy;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.ecs.ITaskDefinition;
import software.amazon.awscdk.services.ecs.LaunchType;
import software.amazon.awscdk.services.ecs.NetworkMode;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sns.ITopic;

/**
 * What {@link EcsRetrier} wraps its loop around, and how it retries. Only the cluster and the task
 * definition are required; every other field has the default its builder method documents.
 *
 * <p>The adaptive retries ({@code infrastructureRetries} to {@code retryOnTimeout}) are off by default. A prop that is
 * not set adds nothing to the functions' environment, so they keep their own default ({@code dev.ecsretrier.config.Setting});
 * the getters of those props return {@code null} when unset.
 */
public final class EcsRetrierProps {

    /** Attempts in all when neither {@code maxAttempts} nor both retry budgets are set: the functions' default. */
    public static final int DEFAULT_MAX_ATTEMPTS = Setting.MAX_ATTEMPTS.defaultWhole();
    private static final int SECONDS_PER_DAY = 86_400;
    private static final Pattern CONTAINER_NAME = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    private static final Pattern CAPACITY_PROVIDER = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    /**
     * Both functions' memory, MiB, that {@code functionMemoryMiB} accepts. Lambda allows 128 to 10,240 MB in 1-MB steps
     * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html); the floor here is 256 because the
     * handlers' Max Memory Used is about 124 MiB (docs/performance.md, "Warm invocations"), too close to 128.
     */
    public static final Range FUNCTION_MEMORY_MIB = Range.of(256, 10_240);

    private final ICluster cluster;
    private final ITaskDefinition taskDefinition;
    private final String containerName;
    private final List<String> containerNames;
    private final String startedBy;
    private final SubnetSelection taskSubnets;
    private final List<ISecurityGroup> securityGroups;
    private final boolean assignPublicIp;
    private final LaunchType launchType;
    private final List<CapacityProviderStrategy> capacityProviderStrategies;
    private final Integer maxAttempts;
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
    private final int functionMemoryMiB;
    private final Integer infrastructureRetries;
    private final Integer applicationRetries;
    private final List<CapacityProviderStrategy> fallbackCapacityProviderStrategy;
    private final Integer fallbackAfterSpotFailures;
    private final Boolean memoryEscalation;
    private final Double memoryFactor;
    private final Integer memoryCapMiB;
    private final Boolean rotateSubnets;
    private final Duration attemptTimeout;
    private final Boolean retryOnTimeout;
    private final List<String> essentialContainers;
    private final Map<String, EcsRetrierJob> jobs;

    private EcsRetrierProps(Builder b) {
        this.cluster = Objects.requireNonNull(b.cluster, "cluster is required");
        this.jobs = b.jobs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(b.jobs));
        if (jobs.isEmpty()) {
            this.taskDefinition = Objects.requireNonNull(b.taskDefinition, "taskDefinition is required (or jobs)");
        } else if (b.taskDefinition != null || b.containerName != null || b.containerNames != null
                || b.essentialContainers != null) {
            throw new IllegalArgumentException("set taskDefinition, containerName (or containerNames) and essentialContainers"
                    + " on each of the jobs, not on the construct, when there are jobs");
        } else {
            this.taskDefinition = null;
        }
        this.containerName = b.containerName;
        this.containerNames = b.containerNames; // the builder's copy; null names reach validation
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
        this.functionMemoryMiB = b.functionMemoryMiB;
        this.infrastructureRetries = b.infrastructureRetries;
        this.applicationRetries = b.applicationRetries;
        this.fallbackCapacityProviderStrategy = b.fallbackCapacityProviderStrategy == null ? List.of()
                : List.copyOf(b.fallbackCapacityProviderStrategy);
        this.fallbackAfterSpotFailures = b.fallbackAfterSpotFailures;
        this.memoryEscalation = b.memoryEscalation;
        this.memoryFactor = b.memoryFactor;
        this.memoryCapMiB = b.memoryCapMiB;
        this.rotateSubnets = b.rotateSubnets;
        this.attemptTimeout = b.attemptTimeout;
        this.retryOnTimeout = b.retryOnTimeout;
        this.essentialContainers = b.essentialContainers; // the builder's copy; null names reach validation
        validate();
        validateAdaptiveRetries();
        validateJobs();
    }

    /** Every job's settings over the construct's, checked as one job's props are; one error names every bad job. */
    private void validateJobs() {
        List<String> problems = new ArrayList<>();
        for (String name : jobs.keySet()) {
            if (name == null || !Deployment.JOB_NAME.matcher(name).matches()) {
                problems.add("jobs holds '" + name + "', not a job name (" + Deployment.JOB_NAME_RULE + ")");
                continue;
            }
            try {
                forJob(name);
            } catch (IllegalArgumentException | NullPointerException e) {
                problems.add("jobs." + name + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /**
     * One job's whole props: its task definition and the settings it sets, over the construct's. Built (and so checked)
     * by the same constructor as the single-job props.
     */
    EcsRetrierProps forJob(String name) {
        EcsRetrierJob job = Objects.requireNonNull(jobs.get(name), () -> "no job " + name);
        Builder b = toBuilder();
        b.jobs = null;
        b.taskDefinition = job.taskDefinition;
        b.containerName = job.containerName;
        b.containerNames = job.containerNames;
        b.essentialContainers = job.essentialContainers;
        if (job.maxAttempts != null) { b.maxAttempts = job.maxAttempts; }
        if (job.backoffInitialDelay != null) { b.backoffInitialDelay = job.backoffInitialDelay; }
        if (job.backoffMultiplier != null) { b.backoffMultiplier = job.backoffMultiplier; }
        if (job.backoffMaxDelay != null) { b.backoffMaxDelay = job.backoffMaxDelay; }
        if (job.backoffJitter != null) { b.backoffJitter = job.backoffJitter; }
        if (job.retryableExitCodes != null) { b.retryableExitCodes = job.retryableExitCodes; }
        if (job.rules != null) { b.rules = job.rules; }
        if (job.infrastructureRetries != null) { b.infrastructureRetries = job.infrastructureRetries; }
        if (job.applicationRetries != null) { b.applicationRetries = job.applicationRetries; }
        if (job.memoryEscalation != null) { b.memoryEscalation = job.memoryEscalation; }
        if (job.memoryFactor != null) { b.memoryFactor = job.memoryFactor; }
        if (job.memoryCapMiB != null) { b.memoryCapMiB = job.memoryCapMiB; }
        if (job.attemptTimeout != null) { b.attemptTimeout = job.attemptTimeout; }
        if (job.retryOnTimeout != null) { b.retryOnTimeout = job.retryOnTimeout; }
        if (job.taskSubnets != null) { b.taskSubnets = job.taskSubnets; }
        if (job.securityGroups != null) { b.securityGroups = job.securityGroups; }
        if (job.assignPublicIp != null) { b.assignPublicIp = job.assignPublicIp; }
        // The launch type and the strategy are one choice (ECS takes one or the other): the job's replaces the construct's.
        if (job.launchType != null) { b.launchType = job.launchType; b.capacityProviderStrategies = null; }
        if (job.capacityProviderStrategies != null) { b.capacityProviderStrategies = job.capacityProviderStrategies; b.launchType = null; }
        if (job.fallbackCapacityProviderStrategy != null) { b.fallbackCapacityProviderStrategy = job.fallbackCapacityProviderStrategy; }
        if (job.fallbackAfterSpotFailures != null) { b.fallbackAfterSpotFailures = job.fallbackAfterSpotFailures; }
        if (job.rotateSubnets != null) { b.rotateSubnets = job.rotateSubnets; }
        return b.build();
    }

    private Builder toBuilder() {
        Builder b = new Builder();
        b.cluster = cluster;
        b.taskDefinition = taskDefinition;
        b.containerName = containerName;
        b.containerNames = containerNames;
        b.startedBy = startedBy;
        b.taskSubnets = taskSubnets;
        b.securityGroups = securityGroups;
        b.assignPublicIp = assignPublicIp;
        b.launchType = launchType;
        b.capacityProviderStrategies = capacityProviderStrategies;
        b.maxAttempts = maxAttempts;
        b.backoffInitialDelay = backoffInitialDelay;
        b.backoffMultiplier = backoffMultiplier;
        b.backoffMaxDelay = backoffMaxDelay;
        b.backoffJitter = backoffJitter;
        b.retryableExitCodes = retryableExitCodes;
        b.rules = rules;
        b.topic = topic;
        b.notificationEmail = notificationEmail;
        b.acceptTestEvents = acceptTestEvents;
        b.logRetention = logRetention;
        b.functionsCode = functionsCode;
        b.functionMemoryMiB = functionMemoryMiB;
        b.infrastructureRetries = infrastructureRetries;
        b.applicationRetries = applicationRetries;
        b.fallbackCapacityProviderStrategy = fallbackCapacityProviderStrategy;
        b.fallbackAfterSpotFailures = fallbackAfterSpotFailures;
        b.memoryEscalation = memoryEscalation;
        b.memoryFactor = memoryFactor;
        b.memoryCapMiB = memoryCapMiB;
        b.rotateSubnets = rotateSubnets;
        b.attemptTimeout = attemptTimeout;
        b.retryOnTimeout = retryOnTimeout;
        b.essentialContainers = essentialContainers;
        return b;
    }

    public static Builder builder() {
        return new Builder();
    }

    private void validate() {
        within("maxAttempts", Setting.MAX_ATTEMPTS, maxAttempts);
        within("backoffMultiplier", Setting.BACKOFF_MULTIPLIER, backoffMultiplier);
        withinSeconds("backoffInitialDelay", Setting.BACKOFF_INITIAL_SECONDS, backoffInitialDelay);
        withinSeconds("backoffMaxDelay", Setting.BACKOFF_MAX_SECONDS, backoffMaxDelay);
        for (Integer code : retryableExitCodes) {
            if (code == null || !Setting.RETRYABLE_EXIT_CODES.range().orElseThrow().contains(code)) {
                throw new IllegalArgumentException("retryableExitCodes holds " + code + ", not an exit code "
                        + Setting.RETRYABLE_EXIT_CODES.range().orElseThrow());
            }
        }
        if (backoffMaxDelay.toSeconds().doubleValue() < backoffInitialDelay.toSeconds().doubleValue()) {
            throw new IllegalArgumentException("backoffMaxDelay (" + backoffMaxDelay.toSeconds()
                    + " s) must not be shorter than backoffInitialDelay (" + backoffInitialDelay.toSeconds() + " s)");
        }
        if (launchType != null && !capacityProviderStrategies.isEmpty()) {
            throw new IllegalArgumentException("set launchType or capacityProviderStrategies, not both (launchType was " + launchType + ")");
        }
        if (!FUNCTION_MEMORY_MIB.contains(functionMemoryMiB)) {
            throw new IllegalArgumentException("functionMemoryMiB must be " + FUNCTION_MEMORY_MIB + " (Lambda's 128-10240 MB,"
                    + " from 256 as the functions use about 124 MiB), was " + functionMemoryMiB);
        }
        if (startedBy != null && !RetrierConfig.STARTED_BY.matcher(startedBy).matches()) {
            throw new IllegalArgumentException("startedBy must be 1-128 of [A-Za-z0-9-/_], was '" + startedBy + "'");
        }
    }

    /** Each adaptive prop within the functions' limits, and none set that would have no effect. */
    private void validateAdaptiveRetries() {
        within("infrastructureRetries", Setting.INFRASTRUCTURE_RETRIES, infrastructureRetries);
        within("applicationRetries", Setting.APPLICATION_RETRIES, applicationRetries);
        if (fallbackAfterSpotFailures != null) {
            if (fallbackCapacityProviderStrategy.isEmpty()) {
                throw new IllegalArgumentException("fallbackAfterSpotFailures (" + fallbackAfterSpotFailures
                        + ") has no effect without a fallbackCapacityProviderStrategy");
            }
            within("fallbackAfterSpotFailures", Setting.FALLBACK_AFTER_SPOT_FAILURES, fallbackAfterSpotFailures);
        }
        checkFallbackStrategy();
        if (!Boolean.TRUE.equals(memoryEscalation)) {
            if (memoryFactor != null) {
                throw new IllegalArgumentException("memoryFactor (" + memoryFactor + ") has no effect without memoryEscalation(true)");
            }
            if (memoryCapMiB != null) {
                throw new IllegalArgumentException("memoryCapMiB (" + memoryCapMiB + ") has no effect without memoryEscalation(true)");
            }
        }
        within("memoryFactor", Setting.MEMORY_FACTOR, memoryFactor);
        within("memoryCapMiB", Setting.MEMORY_MAX_MIB, memoryCapMiB, " (Fargate's smallest to largest task)");
        if (Boolean.TRUE.equals(rotateSubnets) && taskDefinition != null && taskDefinition.getNetworkMode() != NetworkMode.AWS_VPC) {
            throw new IllegalArgumentException("rotateSubnets needs an awsvpc task definition, the only kind that is given subnets"
                    + " (network mode was " + taskDefinition.getNetworkMode() + ")");
        }
        if (attemptTimeout != null) {
            double seconds = attemptTimeout.toSeconds(TimeConversionOptions.builder().integral(false).build()).doubleValue();
            // 0 is the functions' "no timeout": a timeout that is set is at least a second.
            Range range = Setting.ATTEMPT_TIMEOUT_SECONDS.range().orElseThrow();
            if (seconds != Math.floor(seconds) || seconds < 1 || !range.contains(seconds)) {
                throw new IllegalArgumentException("attemptTimeout must be whole seconds from 1 s to "
                        + range.maxWhole() / SECONDS_PER_DAY + " days, was " + attemptTimeout.toHumanString());
            }
        } else if (retryOnTimeout != null) {
            throw new IllegalArgumentException("retryOnTimeout (" + retryOnTimeout + ") has no effect without an attemptTimeout");
        }
        if (containerNames != null) {
            if (containerName != null) {
                throw new IllegalArgumentException("set containerName or containerNames, not both: containerName('"
                        + containerName + "') is the one-item shorthand of containerNames");
            }
            requireContainerNames("containerNames", containerNames, "the task definition's default container");
            if (new HashSet<>(containerNames).size() < containerNames.size()) {
                throw new IllegalArgumentException("containerNames names a container twice: " + containerNames);
            }
        }
        if (essentialContainers != null) {
            requireContainerNames("essentialContainers", essentialContainers, "the task definition's essential containers");
        }
    }

    /** {@code names}, the list prop {@code prop}, names at least one container, each a valid container name. */
    private static void requireContainerNames(String prop, List<String> names, String whatUnsetMeans) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException(prop + " must name at least one container; leave it unset for " + whatUnsetMeans);
        }
        for (String name : names) {
            if (name == null || !CONTAINER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(prop + " holds '" + name + "', not a container name"
                        + " (1-255 letters, digits, '-' or '_')");
            }
        }
    }

    /** A prop that the functions read as {@code setting}: refused here, at synthesis, when the functions would refuse it. */
    private static void within(String prop, Setting setting, Number value) {
        within(prop, setting, value, "");
    }

    private static void within(String prop, Setting setting, Number value, String why) {
        Range range = setting.range().orElseThrow();
        if (value != null && !range.contains(value.doubleValue())) {
            throw new IllegalArgumentException(prop + " must be " + range + why + ", was " + value);
        }
    }

    /** A delay the functions read in whole seconds of {@code setting}. */
    private static void withinSeconds(String prop, Setting setting, Duration delay) {
        Range range = setting.range().orElseThrow();
        double seconds = delay.toSeconds(TimeConversionOptions.builder().integral(false).build()).doubleValue();
        if (seconds != Math.floor(seconds) || !range.contains(seconds)) {
            throw new IllegalArgumentException(prop + " must be whole seconds from " + range.minWhole() + " s to "
                    + range.maxWhole() / SECONDS_PER_DAY + " day" + (range.maxWhole() == SECONDS_PER_DAY ? "" : "s")
                    + ", was " + delay.toHumanString());
        }
    }

    private void checkFallbackStrategy() {
        for (int i = 0; i < fallbackCapacityProviderStrategy.size(); i++) {
            String provider = fallbackCapacityProviderStrategy.get(i).getCapacityProvider();
            // A token (an AsgCapacityProvider's name) is only known at deploy time.
            if (provider == null || (!Token.isUnresolved(provider) && !CAPACITY_PROVIDER.matcher(provider).matches())) {
                throw new IllegalArgumentException("fallbackCapacityProviderStrategy[" + i + "].capacityProvider must be 1-255"
                        + " letters, digits, '-' or '_', was " + (provider == null ? "null" : "'" + provider + "'"));
            }
        }
        List<CapacityProviderItem> items = fallbackCapacityProviderStrategy.stream()
                .map(s -> new CapacityProviderItem(s.getCapacityProvider(), intOrNull(s.getWeight()), intOrNull(s.getBase())))
                .toList();
        String tag = AttemptLaunch.strategyTag(items);
        if (!Token.isUnresolved(tag) && tag.length() > AttemptLaunch.MAX_STRATEGY_TAG_CHARS) {
            throw new IllegalArgumentException("fallbackCapacityProviderStrategy is too long to record in a task tag: '" + tag
                    + "' has " + tag.length() + " characters, at most " + AttemptLaunch.MAX_STRATEGY_TAG_CHARS);
        }
        if (!items.isEmpty() && items.equals(capacityProviderStrategies.stream()
                .map(s -> new CapacityProviderItem(s.getCapacityProvider(), intOrNull(s.getWeight()), intOrNull(s.getBase())))
                .toList())) {
            throw new IllegalArgumentException("fallbackCapacityProviderStrategy is the same as capacityProviderStrategies: falling"
                    + " back would change nothing");
        }
    }

    private static Integer intOrNull(Number n) {
        return n == null ? null : n.intValue();
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
    /** Null when not set: then both retry budgets set mean 1 + both, and otherwise {@link #DEFAULT_MAX_ATTEMPTS}. */
    public Integer maxAttempts() { return maxAttempts; }
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
    public int functionMemoryMiB() { return functionMemoryMiB; }
    public Integer infrastructureRetries() { return infrastructureRetries; }
    public Integer applicationRetries() { return applicationRetries; }
    public List<CapacityProviderStrategy> fallbackCapacityProviderStrategy() { return fallbackCapacityProviderStrategy; }
    public Integer fallbackAfterSpotFailures() { return fallbackAfterSpotFailures; }
    public Boolean memoryEscalation() { return memoryEscalation; }
    public Double memoryFactor() { return memoryFactor; }
    public Integer memoryCapMiB() { return memoryCapMiB; }
    public Boolean rotateSubnets() { return rotateSubnets; }
    public Duration attemptTimeout() { return attemptTimeout; }
    public Boolean retryOnTimeout() { return retryOnTimeout; }
    /** Null when not set: then the construct takes them from the task definition (see the builder method). */
    public List<String> essentialContainers() { return essentialContainers; }
    /** Null when not set: then the one {@link #containerName}. */
    public List<String> containerNames() { return containerNames; }
    /** Empty when the construct is the one job of its {@link #taskDefinition}. */
    public Map<String, EcsRetrierJob> jobs() { return jobs; }

    /** Builds {@link EcsRetrierProps}; each method documents its default. */
    public static final class Builder {
        private ICluster cluster;
        private ITaskDefinition taskDefinition;
        private String containerName;
        private List<String> containerNames;
        private String startedBy;
        private SubnetSelection taskSubnets;
        private List<ISecurityGroup> securityGroups;
        private boolean assignPublicIp;
        private LaunchType launchType;
        private List<CapacityProviderStrategy> capacityProviderStrategies;
        private Integer maxAttempts;
        // The functions' defaults, so that the props and the functions can never disagree.
        private Duration backoffInitialDelay = Duration.seconds(Setting.BACKOFF_INITIAL_SECONDS.defaultWhole());
        private double backoffMultiplier = Setting.BACKOFF_MULTIPLIER.defaultNumber();
        private Duration backoffMaxDelay = Duration.seconds(Setting.BACKOFF_MAX_SECONDS.defaultWhole());
        private Jitter backoffJitter = Jitter.valueOf(Setting.BACKOFF_JITTER.defaultValue());
        private List<Integer> retryableExitCodes = List.of();
        private List<RetryRule> rules = List.of();
        private ITopic topic;
        private String notificationEmail;
        private boolean acceptTestEvents;
        private RetentionDays logRetention = RetentionDays.ONE_MONTH;
        private Code functionsCode;
        private int functionMemoryMiB = EcsRetrier.FUNCTION_MEMORY_MB;
        private Integer infrastructureRetries;
        private Integer applicationRetries;
        private List<CapacityProviderStrategy> fallbackCapacityProviderStrategy;
        private Integer fallbackAfterSpotFailures;
        private Boolean memoryEscalation;
        private Double memoryFactor;
        private Integer memoryCapMiB;
        private Boolean rotateSubnets;
        private Duration attemptTimeout;
        private Boolean retryOnTimeout;
        private List<String> essentialContainers;
        private Map<String, EcsRetrierJob> jobs;

        private Builder() {
        }

        /** Required. The cluster tasks run in; the rule only listens to this cluster. */
        public Builder cluster(ICluster cluster) { this.cluster = cluster; return this; }

        /** Required. What every attempt runs. Its task and execution roles are the only roles the starter may pass to ECS. */
        public Builder taskDefinition(ITaskDefinition taskDefinition) { this.taskDefinition = taskDefinition; return this; }

        /**
         * The container that start requests may override: the one-item shorthand of {@link #containerNames}. Default: the
         * task definition's default (first essential) container.
         */
        public Builder containerName(String containerName) { this.containerName = containerName; return this; }

        /**
         * The containers that start requests may override (an app container and a report container, say), each of which
         * gets the {@code RETRIER_*} variables; a request overrides any of them, each at most once. Default: the one
         * {@link #containerName}.
         */
        public Builder containerNames(List<String> names) {
            this.containerNames = names == null ? null : Collections.unmodifiableList(new ArrayList<>(names));
            return this;
        }

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

        /**
         * Attempts in all, the first included (1-10); it caps the run even when retry budgets are set. Default: 3, or,
         * when both {@link #infrastructureRetries} and {@link #applicationRetries} are set, 1 + both (at most 10).
         */
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

        /** The code of both functions. Default: the functions jar this construct carries ({@link FunctionsJar#code()}). */
        public Builder functionsCode(Code code) { this.functionsCode = code; return this; }

        /**
         * Both functions' memory, MiB, from {@link #FUNCTION_MEMORY_MIB}; Lambda gives CPU in proportion to it. Default:
         * {@value EcsRetrier#FUNCTION_MEMORY_MB}, the cheapest by measurement (docs/performance.md, "Memory"); 1024
         * halves the first invocation's CPU-bound part of a cold start, at about 28 % more per million runs.
         */
        public Builder functionMemoryMiB(int mib) { this.functionMemoryMiB = mib; return this; }

        // ------------------------------------------------------------ adaptive retries (all off by default)

        /**
         * Retries a run may spend on infrastructure failures: ECS could not start or keep the task (image pull,
         * initialization, ENI, capacity, Spot interruption, internal errors). 0-9. Default: no separate limit
         * ({@link #maxAttempts} alone).
         */
        public Builder infrastructureRetries(Integer retries) { this.infrastructureRetries = retries; return this; }

        /**
         * Retries a run may spend on application failures: the task ran and its containers ended it (a retryable exit
         * code, a user rule's RETRY of such a stop) or it ran past its {@link #attemptTimeout}. 0-9. Default: no separate
         * limit ({@link #maxAttempts} alone).
         */
        public Builder applicationRetries(Integer retries) { this.applicationRetries = retries; return this; }

        /**
         * The capacity provider strategy of the attempts after Spot failures (a Spot interruption, or RunTask refused for
         * lack of capacity), for example {@code FARGATE} after {@code FARGATE_SPOT}. Its providers must be associated
         * with the cluster. Running on it needs no other permission than {@code ecs:RunTask}. Default: empty, no fallback.
         */
        public Builder fallbackCapacityProviderStrategy(List<? extends CapacityProviderStrategy> strategy) {
            this.fallbackCapacityProviderStrategy = strategy == null ? null : List.copyOf(strategy);
            return this;
        }

        /** How many Spot failures in a run switch it to the fallback strategy (1-10). Default: 1. */
        public Builder fallbackAfterSpotFailures(int failures) { this.fallbackAfterSpotFailures = failures; return this; }

        /**
         * Whether an out-of-memory stop is retried with more memory (a task-level override, always one of the CPU and
         * memory combinations Fargate accepts) instead of failing. Default: false.
         */
        public Builder memoryEscalation(boolean escalate) { this.memoryEscalation = escalate; return this; }

        /** How much more memory each escalation asks for (1.1-16); only with {@link #memoryEscalation}. Default: 2. */
        public Builder memoryFactor(double factor) { this.memoryFactor = factor; return this; }

        /**
         * The most memory escalation may give a task, in MiB (512-122880); an out-of-memory stop at the cap fails the run
         * and says so. Only with {@link #memoryEscalation}. Default: 30720.
         */
        public Builder memoryCapMiB(int mib) { this.memoryCapMiB = mib; return this; }

        /**
         * Whether an ENI timeout or a capacity failure puts the next of the task's subnets first (another Availability
         * Zone, when the subnets are in several); only for {@code awsvpc} task definitions. Default: false.
         */
        public Builder rotateSubnets(boolean rotate) { this.rotateSubnets = rotate; return this; }

        /**
         * The longest an attempt may run (whole seconds, 1 s to 14 days): a one-time schedule, created when the task
         * starts, stops it with ecs-retrier's own reason, and the classifier applies {@link #retryOnTimeout}. It gives
         * the scheduler role {@code ecs:StopTask} on the cluster's tasks. Scheduler fires to the minute. Default: none.
         */
        public Builder attemptTimeout(Duration timeout) { this.attemptTimeout = timeout; return this; }

        /**
         * Whether an attempt stopped by its {@link #attemptTimeout} is retried (it counts against the application
         * budget). Default: true.
         */
        public Builder retryOnTimeout(boolean retry) { this.retryOnTimeout = retry; return this; }

        /**
         * The containers whose exit codes decide a run: it succeeds when every one of them exited 0, and only their exit
         * codes can be retryable. Default: the containers the task definition marks essential (those added after the
         * construct included), so that a non-essential sidecar that ECS stops with a non-zero code does not fail the run;
         * for an imported task definition, whose containers CDK does not know, the configured {@link #containerName}.
         */
        public Builder essentialContainers(List<String> names) {
            this.essentialContainers = names == null ? null : Collections.unmodifiableList(new ArrayList<>(names));
            return this;
        }

        /**
         * Many jobs in one deployment: job name (1-64 letters, digits, '.', '_' or '-') to what it runs and the settings
         * in which it differs; the settings of this builder are every job's defaults. With jobs, taskDefinition,
         * containerName and essentialContainers belong to each job. Default: none, the construct is the one job of its
         * {@link #taskDefinition}.
         */
        public Builder jobs(Map<String, EcsRetrierJob> jobs) {
            this.jobs = jobs == null ? null : new LinkedHashMap<>(jobs);
            return this;
        }

        public EcsRetrierProps build() {
            return new EcsRetrierProps(this);
        }
    }
}
