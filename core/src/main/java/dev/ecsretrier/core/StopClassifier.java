package dev.ecsretrier.core;

import static dev.ecsretrier.core.StopPattern.ENI_TIMEOUT;
import static dev.ecsretrier.core.StopPattern.IMAGE_PULL;
import static dev.ecsretrier.core.StopPattern.NO_CAPACITY;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
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
    private static final String OUT_OF_MEMORY = "outofmemoryerror";
    private static final Comparator<Marker> LONGEST = Comparator.comparingInt(m -> m.normalized().length());

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
        List<StopText> reasons = reasons(stop);
        Set<Cause> causes = recognise(stop, reasons);
        for (int i = 0; i < rules.size(); i++) {
            RetryRule rule = rules.get(i);
            if (matches(i, rule, stop)) {
                String name = rule.name() != null ? rule.name() : "rules[" + i + "]";
                return Verdict.byUserRule(name, rule.action(), "user rule '" + name + "' matched",
                        kindOf(stop, reasons), causes);
            }
        }
        return classifyByDefault(stop, reasons, causes);
    }

    /**
     * What the stop is, whichever rule decides: its stop code, whether RunTask refused it, and the
     * reasons that name a cause ({@link StopPattern#ENI_TIMEOUT}, {@link StopPattern#IMAGE_PULL},
     * out of memory, maintenance), in any case.
     */
    private static Set<Cause> recognise(AttemptStop stop, List<StopText> reasons) {
        EnumSet<Cause> causes = EnumSet.noneOf(Cause.class);
        String stopCode = stop.stopCode() == null ? "" : stop.stopCode();
        switch (stopCode) {
            case "SpotInterruption" -> causes.add(Cause.SPOT_INTERRUPTION);
            case "TerminationNotice" -> causes.add(Cause.TERMINATION_NOTICE);
            case "InfrastructureHealth" -> causes.add(Cause.INFRASTRUCTURE_HEALTH);
            case "UserInitiated" -> {
                if (startsWith(stop.stoppedReason(), ATTEMPT_TIMEOUT_REASON_PREFIX)) {
                    causes.add(Cause.ATTEMPT_TIMEOUT);
                } else if (!startsWith(stop.stoppedReason(), OWN_STOP_REASON_PREFIX)) {
                    causes.add(Cause.STOPPED_BY_PERSON);
                }
            }
            default -> {
                // TaskFailedToStart is taken below: it depends on whether a task exists.
            }
        }
        if (stop.synchronous()) {
            causes.add(Cause.RUN_TASK_REFUSED);
            if (reasons.stream().anyMatch(r -> r.contains(NO_CAPACITY.normalized()))) {
                causes.add(Cause.NO_CAPACITY);
            }
        } else if (AttemptStop.SYNCHRONOUS_FAILURE_STOP_CODE.equals(stopCode)) {
            causes.add(Cause.TASK_FAILED_TO_START);
        }
        for (StopText reason : reasons) {
            if (reason.startsWith(OUT_OF_MEMORY)) {
                causes.add(Cause.OUT_OF_MEMORY);
            }
            if (reason.startsWith(ENI_TIMEOUT.normalized())) {
                causes.add(Cause.ENI_TIMEOUT);
            }
            if (IMAGE_PULL.stream().anyMatch(m -> reason.startsWith(m.normalized()))) {
                causes.add(Cause.IMAGE_PULL);
            }
            if (markers(StopPattern.Kind.MAINTENANCE).anyMatch(m -> reason.contains(m.normalized()))) {
                causes.add(Cause.MAINTENANCE);
            }
        }
        return causes;
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

    private Verdict classifyByDefault(AttemptStop stop, List<StopText> reasons, Set<Cause> causes) {
        List<ContainerExit> essential = essential(stop);
        if ("EssentialContainerExited".equals(stop.stopCode()) && !essential.isEmpty()
                && essential.stream().allMatch(c -> Integer.valueOf(0).equals(c.exitCode()))) {
            return Verdict.byDefault(DefaultRule.SUCCEEDED, Action.SUCCEED, "every essential container exited 0",
                    FailureKind.APPLICATION, causes);
        }
        if (causes.contains(Cause.ATTEMPT_TIMEOUT)) {
            return Verdict.byDefault(DefaultRule.ATTEMPT_TIMEOUT, retryOnTimeout ? Action.RETRY : Action.FAIL,
                    "the attempt ran past its timeout and ecs-retrier stopped it: " + stop.stoppedReason(),
                    FailureKind.APPLICATION, causes);
        }
        // AWS stopping a healthy task is no failure of the job, whatever the stop code and exit codes say.
        if (causes.contains(Cause.MAINTENANCE)) {
            StopText maintenance = reasons.stream()
                    .filter(r -> markers(StopPattern.Kind.MAINTENANCE).anyMatch(m -> r.contains(m.normalized())))
                    .findFirst().orElseThrow();
            return Verdict.byDefault(DefaultRule.INFRASTRUCTURE_MAINTENANCE, Action.RETRY,
                    "AWS stopped the task for maintenance, not the job: " + maintenance.text(),
                    FailureKind.INFRASTRUCTURE, causes);
        }
        if (causes.contains(Cause.STOPPED_BY_PERSON)) {
            return Verdict.byDefault(DefaultRule.USER_INITIATED, Action.FAIL,
                    "stopped by a person: " + orDash(stop.stoppedReason()), FailureKind.APPLICATION, causes);
        }
        if (causes.contains(Cause.OUT_OF_MEMORY)) {
            String outOfMemory = reasons.stream().filter(r -> r.startsWith(OUT_OF_MEMORY))
                    .map(StopText::text).findFirst().orElseThrow();
            return Verdict.byDefault(DefaultRule.OUT_OF_MEMORY, Action.FAIL,
                    "out of memory; more memory is needed, not time: " + outOfMemory, FailureKind.APPLICATION, causes);
        }
        List<StartFailure> startFailures = startFailures(stop, reasons);
        Optional<StartFailure> permanent = startFailures.stream().filter(StartFailure::permanent).findFirst();
        if (permanent.isPresent()) {
            return Verdict.byDefault(DefaultRule.PERMANENT_START_ERROR, Action.FAIL, "an error no retry will fix ("
                    + permanent.get().evidence() + "): " + permanent.get().text().text(), FailureKind.INFRASTRUCTURE,
                    causes);
        }
        Optional<StartFailure> transientError = startFailures.stream().filter(StartFailure::recognised).findFirst();
        if (transientError.isPresent()) {
            StopText text = transientError.get().text();
            return Verdict.byDefault(DefaultRule.TRANSIENT_ERROR, Action.RETRY, "transient ECS error: " + text.text()
                    + (text.cut() && transientError.get().evidence() == null ? CUT_NOTE : ""), FailureKind.INFRASTRUCTURE,
                    causes);
        }
        if (infrastructureStopCode(stop.stopCode())) {
            boolean unrecognised = causes.contains(Cause.TASK_FAILED_TO_START);
            return Verdict.byDefault(DefaultRule.INFRASTRUCTURE_STOP, Action.RETRY, (unrecognised
                    ? "no known pattern; retried as a start failure (" : "ECS could not start or keep the task (")
                    + stop.stopCode() + "): " + orDash(stop.stoppedReason()), FailureKind.INFRASTRUCTURE, causes);
        }
        Optional<ContainerExit> retryable = essential.stream()
                .filter(c -> c.exitCode() != null && retryableExitCodes.contains(c.exitCode()))
                .findFirst();
        if (retryable.isPresent()) {
            return Verdict.byDefault(DefaultRule.RETRYABLE_EXIT_CODE, Action.RETRY, "container "
                    + retryable.get().name() + " exited " + retryable.get().exitCode() + ", a retryable exit code",
                    FailureKind.APPLICATION, causes);
        }
        return Verdict.byDefault(DefaultRule.FAILED, Action.FAIL, "no rule retries this stop: stop code "
                + orDash(stop.stopCode()) + ", " + describeExits(essential) + ", reason " + orDash(stop.stoppedReason()),
                kindOf(stop, reasons), causes);
    }

    /**
     * For verdicts that do not imply a kind (user rules, the catch-all): ECS's failures are the
     * synchronous ones, the infrastructure stop codes and the start-error reasons; the rest are the
     * application's.
     */
    static FailureKind kindOf(AttemptStop stop, List<StopText> reasons) {
        boolean infrastructure = stop.synchronous() || infrastructureStopCode(stop.stopCode())
                || reasons.stream().anyMatch(StopClassifier::namesStartError);
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
