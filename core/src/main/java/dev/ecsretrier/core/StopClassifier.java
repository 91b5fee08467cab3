package dev.ecsretrier.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides what a stop means: user rules first, in order, then the default policy of docs/policy.md.
 * Pure: no I/O, no clock, no AWS.
 */
public final class StopClassifier {

    static final List<String> TRANSIENT_PREFIXES = List.of(
            "CannotPullContainerError", "ResourceInitializationError", "CannotStartContainerError",
            "CannotCreateContainerError", "CannotInspectContainerError", "CannotStopContainerError",
            "ContainerRuntimeError", "ContainerRuntimeTimeoutError", "DockerTimeoutError", "InternalError",
            "Timeout waiting for network interface provisioning");

    static final List<String> PERMANENT_MARKERS = List.of(
            "not found", "manifest unknown", "pull access denied", "access denied", "unauthorized",
            "resourcenotfoundexception", "accessdeniedexception", "does not exist", "403 forbidden");

    /** Errors of a synchronous RunTask failure that no retry will fix (a bad request, a missing cluster). */
    static final List<String> PERMANENT_SYNCHRONOUS_MARKERS = List.of(
            "clientexception", "invalidparameterexception", "notfoundexception", "platformunknownexception",
            "platformtaskdefinitionincompatibilityexception", "unsupportedfeatureexception");

    static final Set<String> INFRASTRUCTURE_STOP_CODES =
            Set.of("TaskFailedToStart", "SpotInterruption", "TerminationNotice", "InfrastructureHealth");

    /**
     * The reason ecs-retrier itself gives when it stops a task; a {@code UserInitiated} stop with
     * this reason is not a person's.
     */
    public static final String OWN_STOP_REASON_PREFIX = "ecs-retrier:";
    /** The stopped reason of a task that ecs-retrier stopped because its attempt timed out. */
    public static final String ATTEMPT_TIMEOUT_REASON_PREFIX = OWN_STOP_REASON_PREFIX + " attempt timeout";
    public static final String OUT_OF_MEMORY_RULE = "default:out-of-memory";

    private final List<RetryRule> rules;
    private final Set<Integer> retryableExitCodes;
    private final Set<String> essentialContainers;
    private final boolean retryOnTimeout;
    private final List<Glob> stoppedReasonGlobs = new ArrayList<>();
    private final List<Glob> containerReasonGlobs = new ArrayList<>();

    /**
     * @param essentialContainers the containers whose exit codes count; empty means every container
     * @param retryOnTimeout      whether an attempt that ecs-retrier stopped for running past its
     *                            timeout is retried (it always counts against the application budget)
     */
    public StopClassifier(List<RetryRule> rules, Set<Integer> retryableExitCodes, Set<String> essentialContainers,
                          boolean retryOnTimeout) {
        this.retryOnTimeout = retryOnTimeout;
        this.rules = List.copyOf(rules);
        this.retryableExitCodes = Set.copyOf(retryableExitCodes);
        this.essentialContainers = Set.copyOf(essentialContainers);
        for (RetryRule rule : this.rules) {
            stoppedReasonGlobs.add(rule.stoppedReason() == null ? null : Glob.of(rule.stoppedReason()));
            containerReasonGlobs.add(rule.containerReason() == null ? null : Glob.of(rule.containerReason()));
        }
    }

    /** The classifier with the default for timeouts: an attempt ecs-retrier stopped for its timeout is retried. */
    public static StopClassifier of(List<RetryRule> rules, Set<Integer> retryableExitCodes,
                                    Set<String> essentialContainers) {
        return new StopClassifier(rules, retryableExitCodes, essentialContainers, true);
    }

    public Verdict classify(AttemptStop stop) {
        for (int i = 0; i < rules.size(); i++) {
            RetryRule rule = rules.get(i);
            if (matches(i, rule, stop)) {
                String name = rule.name() != null ? rule.name() : "rules[" + i + "]";
                return new Verdict(rule.action(), name, "user rule '" + name + "' matched", kindOf(stop));
            }
        }
        return classifyByDefault(stop);
    }

    private boolean matches(int index, RetryRule rule, AttemptStop stop) {
        if (rule.stopCode() != null && !rule.stopCode().equals(stop.stopCode())) {
            return false;
        }
        Glob stoppedReason = stoppedReasonGlobs.get(index);
        if (stoppedReason != null && !stoppedReason.matches(stop.stoppedReason())) {
            return false;
        }
        Glob containerReason = containerReasonGlobs.get(index);
        boolean looksAtContainers = rule.containerName() != null || containerReason != null || rule.exitCodes() != null;
        if (!looksAtContainers) {
            return true;
        }
        return stop.containers().stream().anyMatch(c ->
                (rule.containerName() == null || rule.containerName().equals(c.name()))
                        && (containerReason == null || containerReason.matches(c.reason()))
                        && (rule.exitCodes() == null || (c.exitCode() != null && rule.exitCodes().contains(c.exitCode()))));
    }

    private Verdict classifyByDefault(AttemptStop stop) {
        List<ContainerExit> essential = essential(stop);
        if ("EssentialContainerExited".equals(stop.stopCode()) && !essential.isEmpty()
                && essential.stream().allMatch(c -> Integer.valueOf(0).equals(c.exitCode()))) {
            return new Verdict(Action.SUCCEED, "default:succeeded", "every essential container exited 0",
                    FailureKind.APPLICATION);
        }
        if ("UserInitiated".equals(stop.stopCode()) && startsWith(stop.stoppedReason(), ATTEMPT_TIMEOUT_REASON_PREFIX)) {
            return new Verdict(retryOnTimeout ? Action.RETRY : Action.FAIL, "default:attempt-timeout",
                    "the attempt ran past its timeout and ecs-retrier stopped it: " + stop.stoppedReason(),
                    FailureKind.APPLICATION);
        }
        if ("UserInitiated".equals(stop.stopCode()) && !startsWith(stop.stoppedReason(), OWN_STOP_REASON_PREFIX)) {
            return new Verdict(Action.FAIL, "default:user-initiated",
                    "stopped by a person: " + orDash(stop.stoppedReason()), FailureKind.APPLICATION);
        }
        Optional<String> outOfMemory = reasons(stop).stream().filter(r -> r.startsWith("OutOfMemoryError")).findFirst();
        if (outOfMemory.isPresent()) {
            return new Verdict(Action.FAIL, OUT_OF_MEMORY_RULE,
                    "out of memory; more memory is needed, not time: " + outOfMemory.get(), FailureKind.APPLICATION);
        }
        Optional<String> startError = startError(stop);
        Optional<String> permanent = (stop.synchronous() ? Optional.ofNullable(stop.stoppedReason()) : startError)
                .filter(r -> containsAny(r, PERMANENT_MARKERS)
                        || (stop.synchronous() && containsAny(r, PERMANENT_SYNCHRONOUS_MARKERS)));
        if (permanent.isPresent()) {
            return new Verdict(Action.FAIL, "default:permanent-start-error",
                    "an error no retry will fix: " + permanent.get(), FailureKind.INFRASTRUCTURE);
        }
        if (startError.isPresent()) {
            return new Verdict(Action.RETRY, "default:transient-error", "transient ECS error: " + startError.get(),
                    FailureKind.INFRASTRUCTURE);
        }
        if (infrastructureStopCode(stop.stopCode())) {
            return new Verdict(Action.RETRY, "default:infrastructure-stop",
                    "ECS could not start or keep the task (" + stop.stopCode() + "): " + orDash(stop.stoppedReason()),
                    FailureKind.INFRASTRUCTURE);
        }
        Optional<ContainerExit> retryable = essential.stream()
                .filter(c -> c.exitCode() != null && retryableExitCodes.contains(c.exitCode()))
                .findFirst();
        if (retryable.isPresent()) {
            return new Verdict(Action.RETRY, "default:retryable-exit-code", "container " + retryable.get().name()
                    + " exited " + retryable.get().exitCode() + ", a retryable exit code", FailureKind.APPLICATION);
        }
        return new Verdict(Action.FAIL, "default:failed", "no rule retries this stop: stop code "
                + orDash(stop.stopCode()) + ", " + describeExits(essential) + ", reason " + orDash(stop.stoppedReason()),
                kindOf(stop));
    }

    /**
     * For verdicts that do not imply a kind (user rules, the catch-all): ECS's failures are the
     * synchronous ones, the infrastructure stop codes and the start-error reasons; the rest are the
     * application's.
     */
    static FailureKind kindOf(AttemptStop stop) {
        boolean infrastructure = stop.synchronous() || infrastructureStopCode(stop.stopCode())
                || startError(stop).isPresent();
        return infrastructure ? FailureKind.INFRASTRUCTURE : FailureKind.APPLICATION;
    }

    /** The first reason (stopped reason, then containers') that names one of ECS's start errors. */
    private static Optional<String> startError(AttemptStop stop) {
        return reasons(stop).stream().filter(r -> TRANSIENT_PREFIXES.stream().anyMatch(r::startsWith)).findFirst();
    }

    /** {@code Set.of(...).contains(null)} throws; a stop without a stop code is simply not one of these. */
    private static boolean infrastructureStopCode(String stopCode) {
        return stopCode != null && INFRASTRUCTURE_STOP_CODES.contains(stopCode);
    }

    private List<ContainerExit> essential(AttemptStop stop) {
        if (essentialContainers.isEmpty()) {
            return stop.containers();
        }
        return stop.containers().stream().filter(c -> essentialContainers.contains(c.name())).toList();
    }

    /** The stopped reason first, then each container's reason. */
    private static List<String> reasons(AttemptStop stop) {
        List<String> reasons = new ArrayList<>();
        if (stop.stoppedReason() != null) {
            reasons.add(stop.stoppedReason().strip());
        }
        for (ContainerExit c : stop.containers()) {
            if (c.reason() != null) {
                reasons.add(c.reason().strip());
            }
        }
        return reasons;
    }

    private static boolean containsAny(String text, List<String> lowerCaseMarkers) {
        String lower = text.toLowerCase(Locale.ROOT);
        return lowerCaseMarkers.stream().anyMatch(lower::contains);
    }

    private static boolean startsWith(String text, String prefix) {
        return text != null && text.startsWith(prefix);
    }

    private static String orDash(String text) {
        return text == null || text.isBlank() ? "-" : text;
    }

    private static String describeExits(List<ContainerExit> containers) {
        if (containers.isEmpty()) {
            return "no containers";
        }
        return containers.stream()
                .map(c -> c.name() + " exit " + (c.exitCode() == null ? "-" : c.exitCode()))
                .collect(Collectors.joining(", "));
    }
}
