package dev.ecsretrier.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Decides what a stop means: user rules first, in order, then the default policy of docs/policy.md.
 * Pure: no I/O, no clock, no AWS.
 */
public final class StopClassifier {

    /** Errors of a synchronous RunTask failure that no retry will fix (a bad request, a missing cluster). */
    static final List<StopPattern> PERMANENT_SYNCHRONOUS_MARKERS = List.of(
            "ClientException", "InvalidParameterException", "NotFoundException", "PlatformUnknownException",
            "PlatformTaskDefinitionIncompatibilityException", "UnsupportedFeatureException").stream()
            .map(text -> new StopPattern(text, StopPattern.Kind.PERMANENT,
                    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#API_RunTask_Errors"))
            .toList();

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
    public static final String MAINTENANCE_RULE = "default:infrastructure-maintenance";
    public static final String PERMANENT_RULE = "default:permanent-start-error";
    public static final String TRANSIENT_RULE = "default:transient-error";
    public static final String INFRASTRUCTURE_RULE = "default:infrastructure-stop";

    /** Said of a start error retried on its prefix alone whose text ECS cut at its limit. */
    static final String CUT_NOTE = " (ECS cut this reason at " + StopText.ECS_REASON_LIMIT
            + " characters; its cause may be in the part cut off)";

    /** A pattern with its text prepared for matching, once. */
    private record Marker(StopPattern pattern, String normalized) {
        static Marker of(StopPattern pattern) {
            return new Marker(pattern, pattern.normalized());
        }
    }

    private static final Map<StopPattern.Kind, List<Marker>> MARKERS = StopPattern.DEFAULTS.stream()
            .map(Marker::of).collect(Collectors.groupingBy(m -> m.pattern().kind()));
    private static final List<Marker> SYNCHRONOUS_MARKERS =
            PERMANENT_SYNCHRONOUS_MARKERS.stream().map(Marker::of).toList();
    private static final Comparator<Marker> LONGEST = Comparator.comparingInt(m -> m.normalized().length());

    private final List<RetryRule> rules;
    private final Set<Integer> retryableExitCodes;
    private final Set<String> essentialContainers;
    private final boolean retryOnTimeout;
    private final List<Glob> stoppedReasonGlobs = new ArrayList<>();
    private final List<Glob> containerReasonGlobs = new ArrayList<>();

    /**
     * @param essentialContainers the containers whose exit codes count; empty means every container
     */
    public StopClassifier(List<RetryRule> rules, Set<Integer> retryableExitCodes, Set<String> essentialContainers) {
        this(rules, retryableExitCodes, essentialContainers, true);
    }

    /**
     * @param retryOnTimeout whether an attempt that ecs-retrier stopped for running past its
     *                       timeout is retried (it always counts against the application budget)
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
        List<StopText> reasons = reasons(stop);
        // AWS stopping a healthy task is no failure of the job, whatever the stop code and exit codes say.
        Optional<StopText> maintenance = reasons.stream()
                .filter(r -> markers(StopPattern.Kind.MAINTENANCE).anyMatch(m -> r.contains(m.normalized()))).findFirst();
        if (maintenance.isPresent()) {
            return new Verdict(Action.RETRY, MAINTENANCE_RULE, "AWS stopped the task for maintenance, not the job: "
                    + maintenance.get().text(), FailureKind.INFRASTRUCTURE);
        }
        if ("UserInitiated".equals(stop.stopCode()) && !startsWith(stop.stoppedReason(), OWN_STOP_REASON_PREFIX)) {
            return new Verdict(Action.FAIL, "default:user-initiated",
                    "stopped by a person: " + orDash(stop.stoppedReason()), FailureKind.APPLICATION);
        }
        Optional<String> outOfMemory = reasons.stream().filter(r -> r.normalized().startsWith("outofmemoryerror"))
                .map(StopText::text).findFirst();
        if (outOfMemory.isPresent()) {
            return new Verdict(Action.FAIL, OUT_OF_MEMORY_RULE,
                    "out of memory; more memory is needed, not time: " + outOfMemory.get(), FailureKind.APPLICATION);
        }
        List<StartFailure> startFailures = startFailures(stop, reasons);
        Optional<StartFailure> permanent = startFailures.stream().filter(StartFailure::permanent).findFirst();
        if (permanent.isPresent()) {
            return new Verdict(Action.FAIL, PERMANENT_RULE, "an error no retry will fix ("
                    + permanent.get().evidence() + "): " + permanent.get().text().text(), FailureKind.INFRASTRUCTURE);
        }
        Optional<StartFailure> transientError = startFailures.stream().filter(StartFailure::recognised).findFirst();
        if (transientError.isPresent()) {
            StopText text = transientError.get().text();
            return new Verdict(Action.RETRY, TRANSIENT_RULE, "transient ECS error: " + text.text()
                    + (text.cut() && transientError.get().evidence() == null ? CUT_NOTE : ""), FailureKind.INFRASTRUCTURE);
        }
        if (infrastructureStopCode(stop.stopCode())) {
            boolean unrecognised = AttemptStop.SYNCHRONOUS_FAILURE_STOP_CODE.equals(stop.stopCode()) && !stop.synchronous();
            return new Verdict(Action.RETRY, INFRASTRUCTURE_RULE, (unrecognised
                    ? "no known pattern; retried as a start failure (" : "ECS could not start or keep the task (")
                    + stop.stopCode() + "): " + orDash(stop.stoppedReason()), FailureKind.INFRASTRUCTURE);
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
                || reasons(stop).stream().anyMatch(StopClassifier::namesStartError);
        return infrastructure ? FailureKind.INFRASTRUCTURE : FailureKind.APPLICATION;
    }

    /**
     * What one reason of a failed start says.
     *
     * @param text       the reason
     * @param recognised whether it names one of ECS's start errors or a known cause
     * @param permanent  whether its cause is one no retry fixes
     * @param evidence   the pattern that decided, or null when only the start error's name is known
     */
    record StartFailure(StopText text, boolean recognised, boolean permanent, String evidence) {
    }

    /**
     * The reasons of this stop that describe a failed start, each read for its cause: those that
     * begin with a start error's name (the stopped reason or a container's, however many layers
     * follow), and every reason of a {@code TaskFailedToStart} stop, where ECS has said as much.
     * Within one text a network cause beats a permanent word (a DNS lookup that timed out says
     * nothing of the image it was looking for), and a permanent cause beats the start error's name.
     */
    private List<StartFailure> startFailures(AttemptStop stop, List<StopText> reasons) {
        boolean failedToStart = AttemptStop.SYNCHRONOUS_FAILURE_STOP_CODE.equals(stop.stopCode());
        return reasons.stream()
                .filter(r -> failedToStart || namesStartError(r))
                .map(r -> read(r, stop.synchronous()))
                .toList();
    }

    private StartFailure read(StopText text, boolean synchronous) {
        boolean named = namesStartError(text);
        // The longest marker found names the cause best ("executable file not found", not "not found").
        Optional<Marker> network = markers(StopPattern.Kind.TRANSIENT)
                .filter(m -> text.contains(m.normalized())).max(LONGEST);
        Optional<Marker> permanent = Stream.concat(markers(StopPattern.Kind.PERMANENT),
                        synchronous ? SYNCHRONOUS_MARKERS.stream() : Stream.empty())
                .filter(m -> text.contains(m.normalized())).max(LONGEST);
        if (synchronous) {
            // RunTask's own failures: RESOURCE:*, capacity, throttling are row 7's; only a permanent cause is read.
            return new StartFailure(text, false, permanent.isPresent() && network.isEmpty(),
                    permanent.map(m -> m.pattern().text()).orElse(null));
        }
        if (network.isPresent()) {
            return new StartFailure(text, true, false, network.get().pattern().text());
        }
        if (permanent.isPresent()) {
            return new StartFailure(text, true, true, permanent.get().pattern().text());
        }
        // A cut reason may have lost its cause. A marker cut in half still counts, unless the cut
        // leaves it as likely a network cause: a wrong retry costs one attempt of a bounded budget,
        // a wrong FAILED ends a run that would have recovered.
        Optional<Marker> cutNetwork = markers(StopPattern.Kind.TRANSIENT)
                .filter(m -> text.endsWithStartOf(m.normalized())).findFirst();
        Optional<Marker> cutPermanent = markers(StopPattern.Kind.PERMANENT)
                .filter(m -> text.endsWithStartOf(m.normalized())).findFirst();
        if (cutNetwork.isPresent()) {
            return new StartFailure(text, true, false, cutNetwork.get().pattern().text() + ", cut");
        }
        if (cutPermanent.isPresent()) {
            return new StartFailure(text, true, true, cutPermanent.get().pattern().text() + ", cut");
        }
        Optional<Marker> retriedOnce = markers(StopPattern.Kind.PERMANENT_WHEN_CUT)
                .filter(m -> text.cut() && text.contains(m.normalized())).findFirst();
        if (retriedOnce.isPresent()) {
            return new StartFailure(text, true, true, retriedOnce.get().pattern().text() + " and its cause cut off");
        }
        return new StartFailure(text, named, false, null);
    }

    /** Whether a reason begins with the name of one of ECS's start errors, in any case. */
    private static boolean namesStartError(StopText text) {
        return markers(StopPattern.Kind.START_ERROR).anyMatch(m -> text.startsWith(m.normalized()));
    }

    private static Stream<Marker> markers(StopPattern.Kind kind) {
        return MARKERS.getOrDefault(kind, List.of()).stream();
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
    private static List<StopText> reasons(AttemptStop stop) {
        List<StopText> reasons = new ArrayList<>();
        if (stop.stoppedReason() != null && !stop.stoppedReason().isBlank()) {
            reasons.add(StopText.of(stop.stoppedReason()));
        }
        for (ContainerExit c : stop.containers()) {
            if (c.reason() != null && !c.reason().isBlank()) {
                reasons.add(StopText.of(c.reason()));
            }
        }
        return reasons;
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
