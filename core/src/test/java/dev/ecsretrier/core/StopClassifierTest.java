package dev.ecsretrier.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.input.TaskStateChangeParser;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.testutil.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The default policy of docs/policy.md, row by row, fed the fixture events through the real parser. */
class StopClassifierTest {

    private static final String TASK = "arn:aws:ecs:us-east-1:111122223333:task/batch/0123456789abcdef0123456789abcdef";
    private static final Instant AT = Instant.parse("2025-03-14T09:17:36Z");

    /** The sample stack's classifier: no user rules, exit code 2 retryable, every container essential. */
    private static final StopClassifier SAMPLE = StopClassifier.of(List.of(), Set.of(2), Set.of());

    private static AttemptStop stopOf(String fixture) {
        return Fixtures.parsed(fixture).stop();
    }

    private static Verdict classify(String fixture) {
        return SAMPLE.classify(stopOf(fixture));
    }

    private static AttemptStop stop(String stopCode, String stoppedReason, ContainerExit... containers) {
        return new AttemptStop(TASK, stopCode, stoppedReason, List.of(containers), AT, AT, AT);
    }

    private static void assertVerdict(Verdict verdict, Action action, String rule) {
        assertThat(verdict.action()).as("action of %s", verdict).isEqualTo(action);
        assertThat(verdict.rule()).as("rule of %s", verdict).isEqualTo(rule);
        assertThat(verdict.reason()).as("reason").isNotBlank();
    }

    // Row 1 -----------------------------------------------------------------------------------

    @Test
    void row1_everyEssentialContainerExitedZero_succeeds() {
        Verdict verdict = classify("succeeded.json");
        assertVerdict(verdict, Action.SUCCEED, "default:succeeded");
        assertThat(verdict.reason()).isEqualTo("every essential container exited 0");
    }

    @Test
    void row1_sidecarAndAppBothExitedZero_succeeds() {
        assertVerdict(classify("succeeded-with-sidecar.json"), Action.SUCCEED, "default:succeeded");
    }

    @Test
    void row1_essentialSidecarExitedOne_isNotSuccess_fails() {
        Verdict verdict = classify("multi-container-sidecar-failed.json");
        assertVerdict(verdict, Action.FAIL, "default:failed");
        assertThat(verdict.reason()).contains("envoy exit 1").contains("app exit 0");
    }

    @Test
    void row1_essentialContainersConfigured_onlyThoseCount() {
        AttemptStop stop = stopOf("multi-container-sidecar-failed.json");
        assertVerdict(StopClassifier.of(List.of(), Set.of(), Set.of("app")).classify(stop),
                Action.SUCCEED, "default:succeeded");
        assertVerdict(StopClassifier.of(List.of(), Set.of(), Set.of("envoy")).classify(stop),
                Action.FAIL, "default:failed");
        assertVerdict(StopClassifier.of(List.of(), Set.of(), Set.of("app", "envoy")).classify(stop),
                Action.FAIL, "default:failed");
    }

    @Test
    void row1_configuredEssentialContainerMissingFromTheEvent_isNotSuccess() {
        Verdict verdict = StopClassifier.of(List.of(), Set.of(), Set.of("worker")).classify(stopOf("succeeded.json"));
        assertThat(verdict.action()).isEqualTo(Action.FAIL);
        assertThat(verdict.reason()).contains("no containers");
    }

    @Test
    void row1_missingExitCode_isNotSuccess() {
        // cannot-start-container.json: EssentialContainerExited, but the app never got an exit code.
        assertVerdict(classify("cannot-start-container.json"), Action.RETRY, "default:transient-error");
        assertVerdict(SAMPLE.classify(stop("EssentialContainerExited", "Essential container in task exited",
                new ContainerExit("app", null, null))), Action.FAIL, "default:failed");
    }

    @Test
    void row1_exitZeroUnderAnotherStopCode_isNotSuccess() {
        assertVerdict(classify("service-scheduler-initiated.json"), Action.FAIL, "default:failed");
    }

    @Test
    void row1_noContainersAtAll_isNotSuccess() {
        assertVerdict(SAMPLE.classify(stop("EssentialContainerExited", "Essential container in task exited")),
                Action.FAIL, "default:failed");
    }

    // Row 2 -----------------------------------------------------------------------------------

    @Test
    void row2_userInitiatedStopByAPerson_fails() {
        Verdict verdict = classify("user-initiated.json");
        assertVerdict(verdict, Action.FAIL, "default:user-initiated");
        assertThat(verdict.reason()).contains("Task stopped by user");
    }

    @Test
    void row2_userInitiatedStop_outranksARetryableExitCode() {
        // user-initiated.json: the app exits 143 when stopped.
        Verdict verdict = StopClassifier.of(List.of(), Set.of(143), Set.of()).classify(stopOf("user-initiated.json"));
        assertVerdict(verdict, Action.FAIL, "default:user-initiated");
    }

    @Test
    void row2_userInitiatedWithoutReason_isStillAPersons() {
        assertVerdict(SAMPLE.classify(stop("UserInitiated", null, new ContainerExit("app", 143, null))),
                Action.FAIL, "default:user-initiated");
    }

    @Test
    void row2_stopByEcsRetrierItself_isNotAPersons_andFollowsThePolicy() {
        AttemptStop own = stop("UserInitiated", "ecs-retrier: attempt 2 timed out after 3600 s",
                new ContainerExit("app", 143, null));
        assertVerdict(SAMPLE.classify(own), Action.FAIL, "default:failed");
        assertVerdict(StopClassifier.of(List.of(), Set.of(143), Set.of()).classify(own),
                Action.RETRY, "default:retryable-exit-code");
    }

    @Test
    void row2_attemptTimeoutStopByEcsRetrier_retriesUnlessConfiguredNotTo() {
        AttemptStop timedOut = stop("UserInitiated",
                "ecs-retrier: attempt timeout after 3600 s (attempt 1 of run run-7f3a)", new ContainerExit("app", 143, null));
        Verdict verdict = SAMPLE.classify(timedOut);
        assertVerdict(verdict, Action.RETRY, "default:attempt-timeout");
        assertThat(verdict.kind()).isEqualTo(FailureKind.APPLICATION);
        assertVerdict(new StopClassifier(List.of(), Set.of(), Set.of(), false).classify(timedOut),
                Action.FAIL, "default:attempt-timeout");
    }

    // Row 3 -----------------------------------------------------------------------------------

    @Test
    void row3_outOfMemory_fails() {
        Verdict verdict = classify("out-of-memory.json");
        assertVerdict(verdict, Action.FAIL, "default:out-of-memory");
        assertThat(verdict.reason()).contains("OutOfMemoryError: Container killed due to memory usage");
    }

    @Test
    void row3_outOfMemory_outranksARetryableExitCode137() {
        Verdict verdict = StopClassifier.of(List.of(), Set.of(137), Set.of()).classify(stopOf("out-of-memory.json"));
        assertVerdict(verdict, Action.FAIL, "default:out-of-memory");
    }

    @Test
    void row3_outOfMemoryOfASidecar_fails() {
        assertVerdict(SAMPLE.classify(stop("EssentialContainerExited", "Essential container in task exited",
                        new ContainerExit("log-router", 137, "OutOfMemoryError: Container killed due to memory usage"),
                        new ContainerExit("app", 2, null))),
                Action.FAIL, "default:out-of-memory");
    }

    // Row 4 -----------------------------------------------------------------------------------

    @Test
    void row4_imageTagNotFound_fails() {
        Verdict verdict = classify("cannot-pull-not-found.json");
        assertVerdict(verdict, Action.FAIL, "default:permanent-start-error");
        assertThat(verdict.reason()).contains("sample:1.4.3: not found");
    }

    @Test
    void row4_pullAccessDenied_fails() {
        assertVerdict(classify("cannot-pull-access-denied.json"), Action.FAIL, "default:permanent-start-error");
    }

    @Test
    void row4_secretResourceNotFound_fails() {
        assertVerdict(classify("resource-initialization-secret-missing.json"), Action.FAIL,
                "default:permanent-start-error");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "CannotPullContainerError: failed to resolve ref docker.io/library/app:9: not found",
            "CannotPullContainerError: manifest unknown: requested image not found",
            "CannotPullContainerError: Error response from daemon: pull access denied for app",
            "CannotPullContainerError: access denied",
            "CannotPullContainerError: failed to authorize: 401 Unauthorized",
            "ResourceInitializationError: failed to fetch secret: ResourceNotFoundException: gone",
            "ResourceInitializationError: AccessDeniedException: User is not authorized to perform",
            "CannotPullContainerError: repository does not exist",
            "CannotPullContainerError: failed with status code [manifests 1.4.2]: 403 Forbidden"})
    void row4_everyPermanentMarker_fails(String reason) {
        assertVerdict(SAMPLE.classify(stop("TaskFailedToStart", reason, new ContainerExit("app", null, null))),
                Action.FAIL, "default:permanent-start-error");
    }

    @Test
    void row4_permanentMarkerOnTheContainerReason_fails() {
        assertVerdict(SAMPLE.classify(stop("TaskFailedToStart", "Task failed to start",
                        new ContainerExit("app", null, "CannotPullContainerError: manifest unknown"))),
                Action.FAIL, "default:permanent-start-error");
    }

    @Test
    void row4_markerOutsideAPullOrInitError_isNotPermanent() {
        // "not found" in an application's own stopped reason is no start error.
        AttemptStop stop = stop("EssentialContainerExited", "Essential container in task exited",
                new ContainerExit("app", 2, "file not found"));
        assertVerdict(SAMPLE.classify(stop), Action.RETRY, "default:retryable-exit-code");
    }

    // Row 5 -----------------------------------------------------------------------------------

    @Test
    void row5_pullTimeout_retries() {
        assertVerdict(classify("cannot-pull-transient.json"), Action.RETRY, "default:transient-error");
    }

    @Test
    void row5_resourceInitializationTimeout_retries() {
        assertVerdict(classify("resource-initialization.json"), Action.RETRY, "default:transient-error");
    }

    @Test
    void row5_eniProvisioningTimeout_retries() {
        Verdict verdict = classify("eni-timeout.json");
        assertVerdict(verdict, Action.RETRY, "default:transient-error");
        assertThat(verdict.reason()).contains("Timeout waiting for network interface provisioning");
    }

    @Test
    void row5_internalError_retries() {
        assertVerdict(classify("internal-error.json"), Action.RETRY, "default:transient-error");
    }

    @Test
    void row5_cannotStartContainerOnTheContainerReason_retries() {
        assertVerdict(classify("cannot-start-container.json"), Action.RETRY, "default:transient-error");
    }

    @ParameterizedTest
    @ValueSource(strings = {"CannotPullContainerError", "ResourceInitializationError", "CannotStartContainerError",
            "CannotCreateContainerError", "CannotInspectContainerError", "CannotStopContainerError",
            "ContainerRuntimeError", "ContainerRuntimeTimeoutError", "DockerTimeoutError", "InternalError",
            "Timeout waiting for network interface provisioning"})
    void row5_everyTransientPrefix_retries(String prefix) {
        assertVerdict(SAMPLE.classify(stop("EssentialContainerExited", prefix + ": context deadline exceeded",
                new ContainerExit("app", null, null))), Action.RETRY, "default:transient-error");
        assertVerdict(SAMPLE.classify(stop("EssentialContainerExited", "Essential container in task exited",
                new ContainerExit("app", 1, prefix + ": context deadline exceeded"))), Action.RETRY, "default:transient-error");
    }

    @Test
    void row5_prefixMustStartTheReason() {
        assertVerdict(SAMPLE.classify(stop("EssentialContainerExited", "app said: InternalError happened",
                new ContainerExit("app", 1, null))), Action.FAIL, "default:failed");
    }

    @Test
    void row5_transientError_outranksARetryableExitCodeAndItsStopCode() {
        assertVerdict(SAMPLE.classify(stop("SpotInterruption", "DockerTimeoutError: timeout",
                new ContainerExit("app", 2, null))), Action.RETRY, "default:transient-error");
    }

    // Row 6 -----------------------------------------------------------------------------------

    @Test
    void row6_spotInterruption_retriesAlthoughTheContainerExited143() {
        Verdict verdict = classify("spot-interruption.json");
        assertVerdict(verdict, Action.RETRY, "default:infrastructure-stop");
        assertThat(verdict.reason()).contains("SpotInterruption").contains("Your Spot Task was interrupted.");
    }

    @Test
    void row6_spotInterruption_stopCodeBeatsARetryableOrFailingExitCode() {
        AttemptStop spot = stopOf("spot-interruption.json");
        assertThat(spot.containers()).extracting(ContainerExit::exitCode).containsExactly(143);
        assertVerdict(StopClassifier.of(List.of(), Set.of(), Set.of()).classify(spot),
                Action.RETRY, "default:infrastructure-stop");
    }

    @Test
    void row6_terminationNotice_retries() {
        assertVerdict(classify("termination-notice.json"), Action.RETRY, "default:infrastructure-stop");
    }

    @Test
    void row6_taskFailedToStartWithoutExitCode_retries() {
        AttemptStop stop = stopOf("no-exit-code.json");
        assertThat(stop.startedAt()).isNull();
        assertThat(stop.containers()).extracting(ContainerExit::exitCode).containsOnlyNulls();
        assertVerdict(SAMPLE.classify(stop), Action.RETRY, "default:infrastructure-stop");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TaskFailedToStart", "SpotInterruption", "TerminationNotice", "InfrastructureHealth"})
    void row6_everyInfrastructureStopCode_retries(String stopCode) {
        assertVerdict(SAMPLE.classify(stop(stopCode, "Task stopped", new ContainerExit("app", 1, null))),
                Action.RETRY, "default:infrastructure-stop");
    }

    // Row 7 -----------------------------------------------------------------------------------

    @Test
    void row7_retryableExitCode_retries() {
        Verdict verdict = classify("app-exit-2.json");
        assertVerdict(verdict, Action.RETRY, "default:retryable-exit-code");
        assertThat(verdict.reason()).isEqualTo("container app exited 2, a retryable exit code");
    }

    @Test
    void row7_retryableSetIsEmptyByDefault() {
        assertVerdict(StopClassifier.of(List.of(), Set.of(), Set.of()).classify(stopOf("app-exit-2.json")),
                Action.FAIL, "default:failed");
    }

    @Test
    void row7_onlyEssentialContainersExitCodesCount() {
        AttemptStop stop = stop("EssentialContainerExited", "Essential container in task exited",
                new ContainerExit("envoy", 2, null), new ContainerExit("app", 1, null));
        assertVerdict(StopClassifier.of(List.of(), Set.of(2), Set.of("app")).classify(stop),
                Action.FAIL, "default:failed");
        assertVerdict(StopClassifier.of(List.of(), Set.of(2), Set.of("envoy")).classify(stop),
                Action.RETRY, "default:retryable-exit-code");
    }

    // Row 8 -----------------------------------------------------------------------------------

    @Test
    void row8_otherExitCode_fails() {
        Verdict verdict = classify("app-exit-1.json");
        assertVerdict(verdict, Action.FAIL, "default:failed");
        assertThat(verdict.reason()).contains("EssentialContainerExited").contains("app exit 1");
    }

    @Test
    void row8_emptyStopCode_fails() {
        assertVerdict(SAMPLE.classify(stop("", "", new ContainerExit("app", 1, null))), Action.FAIL, "default:failed");
    }

    @Test
    void row8_unknownStopCode_fails() {
        Verdict verdict = classify("unknown-stop-code.json");
        assertVerdict(verdict, Action.FAIL, "default:failed");
        assertThat(verdict.reason()).contains("SomeFutureStopCode");
    }

    /** ECS leaves out {@code stopCode} on some stops (older agents, EC2 tasks); the policy must still decide. */
    @Test
    void row8_eventWithoutStopCode_failsWithoutCrashing() throws IOException {
        ObjectNode event = (ObjectNode) TestJson.tree(Fixtures.eventText("app-exit-1.json"));
        ((ObjectNode) event.get("detail")).remove("stopCode");
        AttemptStop stop = TaskStateChangeParser.parse(TestJson.bytes(event)).stop();
        assertThat(stop.stopCode()).isNull();
        Verdict verdict = SAMPLE.classify(stop);
        assertVerdict(verdict, Action.FAIL, "default:failed");
        assertThat(verdict.reason()).contains("stop code -").contains("app exit 1");
    }

    @Test
    void row8_stopWithNothingKnown_failsWithoutCrashing() {
        Verdict verdict = SAMPLE.classify(new AttemptStop(TASK, null, null, null, null, null, null));
        assertVerdict(verdict, Action.FAIL, "default:failed");
        assertThat(verdict.reason()).contains("stop code -").contains("no containers").contains("reason -");
    }

    // The long tail: what happens to ECS's texts on their way ---------------------------------

    @Nested
    class LongTail {

        private final StopClassifier noExitCodes = StopClassifier.of(List.of(), Set.of(), Set.of());

        private Verdict failedToStart(String reason) {
            return noExitCodes.classify(stop("TaskFailedToStart", reason, new ContainerExit("app", null, null)));
        }

        /** A reason as ECS stores it: at most 255 characters. */
        private String cutByEcs(String reason) {
            assertThat(reason.length()).as("the example must be longer than ECS keeps").isGreaterThan(255);
            return reason.substring(0, 255);
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "Resourceinitializationerror: unable to pull secrets or registry auth: AccessDeniedException: denied",
                "RESOURCEINITIALIZATIONERROR: FAILED TO DOWNLOAD ENV FILES: ACCESSDENIED: ACCESS DENIED",
                "cannotpullcontainererror: pull image manifest has been retried 5 time(s): failed to resolve ref x: not found"})
        void case_ofPrefixesAndMarkers_doesNotMatter(String reason) {
            assertVerdict(failedToStart(reason), Action.FAIL, "default:permanent-start-error");
        }

        @Test
        void case_ofATransientPrefix_doesNotMatter_evenWithoutItsStopCode() {
            AttemptStop stop = stop("EssentialContainerExited", "Essential container in task exited",
                    new ContainerExit("app", null, "cannotstartcontainererror: failed to get container status: EOF"));
            assertVerdict(noExitCodes.classify(stop), Action.RETRY, "default:transient-error");
        }

        @Test
        void typographicApostrophes_matchTheirPlainForm() {
            assertVerdict(failedToStart("CannotPullContainerError: The task can\u2019t pull the image. Check whether the"
                    + " image exists. Error response from daemon: manifest for sample:9 missing"),
                    Action.FAIL, "default:permanent-start-error");
        }

        @Test
        void permanentCause_winsThroughEveryLayerOfPrefixes() {
            Verdict verdict = failedToStart("CannotStartContainerError: ResourceInitializationError: failed to create new"
                    + " container runtime task: failed to create shim task: OCI runtime create failed: runc create failed:"
                    + " unable to start container process: exec: \"run.sh\": executable file not found in $PATH: unknown");
            assertVerdict(verdict, Action.FAIL, "default:permanent-start-error");
            assertThat(verdict.reason()).contains("(executable file not found)");
        }

        @Test
        void networkCause_beatsAPermanentWordInTheSameText() {
            // The image's name says "not found"; the registry was never reached to say anything.
            assertVerdict(failedToStart("CannotPullContainerError: failed to resolve ref docker.io/acme/not found-page:1:"
                    + " dial tcp: lookup registry-1.docker.io: no such host"), Action.RETRY, "default:transient-error");
            assertVerdict(failedToStart("ResourceInitializationError: failed to fetch secret db (not found in cache):"
                    + " dial tcp 10.0.0.2:443: i/o timeout"), Action.RETRY, "default:transient-error");
        }

        @Test
        void permanentCause_inAnyReason_failsTheStart() {
            // A sidecar pulled fine after a timeout; the app's image does not exist: no retry will fix that.
            AttemptStop stop = stop("TaskFailedToStart", "CannotPullContainerError: context canceled",
                    new ContainerExit("log-router", null, "CannotPullContainerError: context canceled"),
                    new ContainerExit("app", null, "CannotPullContainerError: manifest unknown"));
            assertVerdict(noExitCodes.classify(stop), Action.FAIL, "default:permanent-start-error");
        }

        @Test
        void permanentCause_withoutAPrefix_failsATaskThatFailedToStart() {
            AttemptStop stop = stop("TaskFailedToStart", "Task failed to start",
                    new ContainerExit("app", null, "exec: \"/entrypoint.sh\": no such file or directory"));
            assertVerdict(noExitCodes.classify(stop), Action.FAIL, "default:permanent-start-error");
        }

        @Test
        void cutReason_aPermanentMarkerCutInHalf_stillFails() {
            String reason = cutByEcs("CannotPullContainerError: ref pull has been retried 5 time(s): failed to resolve ref"
                    + " 111122223333.dkr.ecr.us-east-1.amazonaws.com/sample:1.4.3: unexpected status code https://"
                    + "111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/sample/manifests/1.4.3: 403 Forbidden");
            assertThat(reason).endsWith(": 403 Forb");
            Verdict verdict = failedToStart(reason);
            assertVerdict(verdict, Action.FAIL, "default:permanent-start-error");
            assertThat(verdict.reason()).contains("(forbidden, cut)");
        }

        @Test
        void cutReason_aNetworkMarkerCutInHalf_isRetried() {
            String reason = cutByEcs("ResourceInitializationError: unable to pull secrets or registry auth: execution"
                    + " resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 5"
                    + " time(s): RequestCanceled: request context canceled caused by: context deadline exceeded.");
            assertThat(reason).endsWith("context deadline ");
            assertVerdict(failedToStart(reason), Action.RETRY, "default:transient-error");
        }

        @Test
        void cutReason_thatCouldEndEitherWay_isRetried() {
            // "no such" begins both "no such host" (network) and "no such file or directory" (permanent).
            String reason = "CannotPullContainerError: " + "x".repeat(193) + ": dial tcp: lookup registry: no such";
            assertThat(reason.length()).isEqualTo(255);
            assertVerdict(failedToStart(reason), Action.RETRY, "default:transient-error");
        }

        @Test
        void shortReason_endingInPartOfAMarker_isNotCut() {
            assertVerdict(failedToStart("CannotPullContainerError: failed open: 403 Forb"), Action.RETRY,
                    "default:transient-error");
        }

        @Test
        void cutReason_whoseCauseIsCutOff_afterOneTry_fails() {
            // The agent's SDK gives up after one try only on what it will not retry (denied, missing).
            String reason = cutByEcs("ResourceInitializationError: unable to pull secrets or registry auth: execution"
                    + " resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1"
                    + " time(s): failed to fetch secret arn:aws:secretsmanager:eu-central-1:111122223333:secret:"
                    + "app-dev-secret-EaPYTy from secrets manager: AccessDeniedException: Access to KMS is not allowed");
            assertThat(reason).doesNotContain("AccessDenied");
            assertVerdict(failedToStart(reason), Action.FAIL, "default:permanent-start-error");
        }

        @Test
        void cutReason_whoseCauseIsCutOff_afterFiveTries_isRetried_andTheReasonSaysItWasCut() {
            String reason = cutByEcs("ResourceInitializationError: unable to pull secrets or registry auth: execution"
                    + " resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5"
                    + " time(s): failed to fetch secret arn:aws:secretsmanager:eu-west-2:111122223333:secret:"
                    + "prod/backup/db-credentials-AbCdEf from secrets manager: RequestCanceled: context deadline exceeded");
            Verdict verdict = failedToStart(reason);
            assertVerdict(verdict, Action.RETRY, "default:transient-error");
            assertThat(verdict.reason()).endsWith(StopClassifier.CUT_NOTE);
        }

        @Test
        void retriedOnce_inAReasonThatKeptItsCause_isReadForThatCause() {
            assertVerdict(failedToStart("ResourceInitializationError: unable to retrieve secrets from ssm: service call"
                    + " has been retried 1 time(s): RequestCanceled: request context canceled caused by: context deadline"
                    + " exceeded"), Action.RETRY, "default:transient-error");
        }

        @ParameterizedTest
        @ValueSource(strings = {"UserInitiated", "EssentialContainerExited", "ServiceSchedulerInitiated", "TerminationNotice",
                "SomeFutureStopCode"})
        void maintenance_isRetriedWhateverTheStopCode(String stopCode) {
            Verdict verdict = noExitCodes.classify(stop(stopCode,
                    "ECS is performing maintenance on the underlying infrastructure hosting the task",
                    new ContainerExit("app", 137, null)));
            assertVerdict(verdict, Action.RETRY, "default:infrastructure-maintenance");
            assertThat(verdict.kind()).isEqualTo(FailureKind.INFRASTRUCTURE);
        }

        @Test
        void maintenance_outranksAFailingExitCodeAndIsReadOnContainersToo() {
            AttemptStop stop = stop(null, null, new ContainerExit("app", 1,
                    "Task is being retired: ecs is performing maintenance on the underlying infrastructure hosting the task"));
            assertVerdict(noExitCodes.classify(stop), Action.RETRY, "default:infrastructure-maintenance");
        }

        @Test
        void maintenance_doesNotTurnAFinishedTaskIntoARetry() {
            assertVerdict(noExitCodes.classify(stop("EssentialContainerExited",
                            "ECS is performing maintenance on the underlying infrastructure hosting the task",
                            new ContainerExit("app", 0, null))), Action.SUCCEED, "default:succeeded");
        }

        @Test
        void catchAll_saysThatItKnewNoPattern() {
            Verdict verdict = failedToStart("SomeNewError: the hypervisor declined");
            assertVerdict(verdict, Action.RETRY, "default:infrastructure-stop");
            assertThat(verdict.reason()).startsWith("no known pattern; retried as a start failure (TaskFailedToStart): ")
                    .endsWith("SomeNewError: the hypervisor declined");
        }

        @Test
        void catchAll_isNotSaidOfStopCodesThatAreThemselvesTheCause() {
            assertThat(classify("spot-interruption.json").reason()).doesNotContain("no known pattern");
            assertThat(SAMPLE.classify(AttemptStop.synchronousFailure("RESOURCE:MEMORY", null, AT)).reason())
                    .doesNotContain("no known pattern");
        }

        static Stream<StopPattern> everyPattern() {
            return StopPattern.DEFAULTS.stream();
        }

        /** Each pattern of the table does what its kind says, written as documented, in upper and in lower case. */
        @ParameterizedTest(name = "{0}")
        @MethodSource("everyPattern")
        void everyPattern_decidesAsItsKindSays(StopPattern pattern) {
            for (String text : List.of(pattern.text(), pattern.text().toUpperCase(java.util.Locale.ROOT),
                    pattern.text().toLowerCase(java.util.Locale.ROOT))) {
                switch (pattern.kind()) {
                    case MAINTENANCE -> assertVerdict(noExitCodes.classify(stop("EssentialContainerExited", text,
                            new ContainerExit("app", 137, null))), Action.RETRY, "default:infrastructure-maintenance");
                    case START_ERROR -> assertVerdict(noExitCodes.classify(stop("EssentialContainerExited",
                            "Essential container in task exited", new ContainerExit("app", null, text + ": EOF"))),
                            Action.RETRY, "default:transient-error");
                    case TRANSIENT -> assertVerdict(failedToStart("CannotPullContainerError: image not found: " + text),
                            Action.RETRY, "default:transient-error");
                    case PERMANENT -> assertVerdict(failedToStart("ResourceInitializationError: failed: " + text),
                            Action.FAIL, "default:permanent-start-error");
                    case PERMANENT_WHEN_CUT -> {
                        String cut = ("ResourceInitializationError: x: " + text + " " + "y".repeat(300)).substring(0, 255);
                        assertVerdict(failedToStart(cut), Action.FAIL, "default:permanent-start-error");
                        assertVerdict(failedToStart("ResourceInitializationError: x: " + text + ": EOF"), Action.RETRY,
                                "default:transient-error");
                    }
                }
            }
        }
    }

    // Synchronous RunTask failures (the starter's own stops) ------------------------------------

    @Nested
    class SynchronousFailures {

        private Verdict classifySync(String reason, String detail) {
            return SAMPLE.classify(AttemptStop.synchronousFailure(reason, detail, AT));
        }

        @Test
        void resourceMemory_retries() {
            Verdict verdict = classifySync("RESOURCE:MEMORY", null);
            assertVerdict(verdict, Action.RETRY, "default:infrastructure-stop");
            assertThat(verdict.reason()).contains("RunTask failed: RESOURCE:MEMORY");
        }

        @Test
        void capacityUnavailable_retries() {
            assertVerdict(classifySync("Capacity is unavailable at this time. Please try again later or in a"
                    + " different availability zone", null), Action.RETRY, "default:infrastructure-stop");
        }

        @Test
        void throttling_retries() {
            assertVerdict(classifySync("ThrottlingException", "Rate exceeded"), Action.RETRY,
                    "default:infrastructure-stop");
        }

        @Test
        void serverError_retries() {
            assertVerdict(classifySync("ServerException", "Service unavailable"), Action.RETRY,
                    "default:infrastructure-stop");
        }

        @ParameterizedTest
        @ValueSource(strings = {"InvalidParameterException", "ClusterNotFoundException", "AccessDeniedException",
                "ClientException", "PlatformTaskDefinitionIncompatibilityException", "UnsupportedFeatureException",
                "PlatformUnknownException"})
        void permanentError_fails(String reason) {
            Verdict verdict = classifySync(reason, "the request cannot succeed");
            assertVerdict(verdict, Action.FAIL, "default:permanent-start-error");
            assertThat(verdict.reason()).contains(reason);
        }

        @Test
        void accessDeniedDetail_fails() {
            assertVerdict(classifySync("AccessDeniedException", "User: arn:aws:sts::111122223333:assumed-role/starter"
                    + " is not authorized to perform: ecs:RunTask"), Action.FAIL, "default:permanent-start-error");
        }

        @Test
        void synchronousFailure_hasNoTaskAndTheTaskFailedToStartStopCode() {
            AttemptStop stop = AttemptStop.synchronousFailure("RESOURCE:MEMORY", "not enough memory", AT);
            assertThat(stop.synchronous()).isTrue();
            assertThat(stop.taskArn()).isNull();
            assertThat(stop.stopCode()).isEqualTo("TaskFailedToStart");
            assertThat(stop.stoppedReason()).isEqualTo("RunTask failed: RESOURCE:MEMORY (not enough memory)");
            assertThat(AttemptStop.synchronousFailure("RESOURCE:MEMORY", " ", AT).stoppedReason())
                    .isEqualTo("RunTask failed: RESOURCE:MEMORY");
        }
    }

    // Every fixture in the folder ------------------------------------------------------------

    /** What each fixture must give with the sample stack's classifier; a new fixture needs a line here. */
    private static final Map<String, Verdict> EXPECTED = new LinkedHashMap<>();

    static {
        expect("succeeded.json", Action.SUCCEED, "default:succeeded", FailureKind.APPLICATION);
        expect("succeeded-with-sidecar.json", Action.SUCCEED, "default:succeeded", FailureKind.APPLICATION);
        expect("user-initiated.json", Action.FAIL, "default:user-initiated", FailureKind.APPLICATION);
        expect("out-of-memory.json", Action.FAIL, "default:out-of-memory", FailureKind.APPLICATION);
        expect("cannot-pull-not-found.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("cannot-pull-access-denied.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-initialization-secret-missing.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("cannot-pull-transient.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("resource-initialization.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("eni-timeout.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("internal-error.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("cannot-start-container.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("no-exit-code.json", Action.RETRY, "default:infrastructure-stop", FailureKind.INFRASTRUCTURE);
        expect("spot-interruption.json", Action.RETRY, "default:infrastructure-stop", FailureKind.INFRASTRUCTURE);
        expect("termination-notice.json", Action.RETRY, "default:infrastructure-stop", FailureKind.INFRASTRUCTURE);
        expect("app-exit-2.json", Action.RETRY, "default:retryable-exit-code", FailureKind.APPLICATION);
        expect("app-exit-1.json", Action.FAIL, "default:failed", FailureKind.APPLICATION);
        expect("multi-container-sidecar-failed.json", Action.FAIL, "default:failed", FailureKind.APPLICATION);
        expect("unknown-stop-code.json", Action.FAIL, "default:failed", FailureKind.APPLICATION);
        expect("service-scheduler-initiated.json", Action.FAIL, "default:failed", FailureKind.APPLICATION);
        // The long tail: one fixture per documented message (events/README.md gives each its source).
        expect("maintenance-exit-137.json", Action.RETRY, "default:infrastructure-maintenance", FailureKind.INFRASTRUCTURE);
        expect("maintenance-user-initiated.json", Action.RETRY, "default:infrastructure-maintenance", FailureKind.INFRASTRUCTURE);
        expect("maintenance-task-retired.json", Action.RETRY, "default:infrastructure-maintenance", FailureKind.INFRASTRUCTURE);
        expect("resource-init-efs-path-missing.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-efs-timeout.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-efs-access-denied.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-efs-wrong-id.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-envfile-403.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-envfile-access-denied.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-envfile-no-such-key.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-envfile-no-such-bucket.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-envfile-timeout.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-ssm-access-denied.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-lower-case.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-ssm-invalid-parameters.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-ssm-timeout-cut.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-asm-kms-denied.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-asm-timeout-cut.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-asm-not-found.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-asm-invalid-arn.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-asm-json-key.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-log-group-missing.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-logger-access-denied-cut.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-log-group-create-denied.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-logger-killed.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-ecr-auth-timeout.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("pull-dns-no-such-host.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("pull-forbidden-cut-in-half.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("pull-request-canceled.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("pull-context-canceled.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("pull-api-404-repository.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("pull-api-error.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("pull-no-space-left.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("pull-docker-hub-rate-limit.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("pull-copy-403-cut.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("pull-check-image-exists.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("pull-check-role-permissions.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("pull-check-network.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("pull-platform-mismatch.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("pull-manifest-unknown.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("pull-unauthorized.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("pull-no-basic-auth.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("pull-unknown-blob-container-only.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("pull-connection-reset.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("pull-lower-case-not-found.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("pull-extract-layer-digest.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("pull-platform-descriptor.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("pull-digest-not-found-after-retirement.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-asm-marked-for-deletion.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("resource-init-envfile-wrong-region.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("start-container-status-not-found.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("start-executable-not-found.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("start-entrypoint-missing-container-only.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("start-permission-denied.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("start-exec-format-error.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("start-logging-credentials.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("start-log-group-missing.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("start-mount-not-a-directory.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("create-thin-pool-full.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("create-bind-source-missing.json", Action.FAIL, "default:permanent-start-error", FailureKind.INFRASTRUCTURE);
        expect("create-name-conflict.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("inspect-container-timeout.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("runtime-timeout.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("docker-timeout.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("stop-container-error.json", Action.RETRY, "default:transient-error", FailureKind.INFRASTRUCTURE);
        expect("unknown-start-failure.json", Action.RETRY, "default:infrastructure-stop", FailureKind.INFRASTRUCTURE);
    }

    private static void expect(String fixture, Action action, String rule, FailureKind kind) {
        EXPECTED.put(fixture, new Verdict(action, rule, null, kind, null, Set.of()));
    }

    /** docs/policy.md's row of each default rule (its attempt timeout is checked with row 3). */
    private static final Map<String, Integer> ROW = Map.of(
            "default:succeeded", 1, "default:infrastructure-maintenance", 2, "default:user-initiated", 3,
            "default:out-of-memory", 4, "default:permanent-start-error", 5, "default:transient-error", 6,
            "default:infrastructure-stop", 7, "default:retryable-exit-code", 8, "default:failed", 9,
            "default:attempt-timeout", 3);

    static Stream<String> validEvents() {
        return Fixtures.validEvents().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validEvents")
    void everyFixture_isDecidedByItsExpectedRule(String fixture) {
        Verdict expected = EXPECTED.get(fixture);
        if (expected == null) {
            fail("events/" + fixture + " has no expectation in StopClassifierTest.EXPECTED");
        }
        Verdict verdict = classify(fixture);
        assertVerdict(verdict, expected.action(), expected.rule());
        assertThat(verdict.kind()).as("whose failure").isEqualTo(expected.kind());
    }

    @Test
    void everyExpectation_hasItsFixture() {
        assertThat(Fixtures.validEvents()).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
    }

    /** The rows named here and in the fixtures' README are the rows of the table in docs/policy.md. */
    @Test
    void everyDefaultRule_hasTheRowOfThePolicyTable() throws IOException {
        String policy = Files.readString(Path.of("..", "docs", "policy.md"));
        Matcher row = Pattern.compile("(?m)^\\| (\\d) \\| `(default:[\\w-]+)` \\|").matcher(policy);
        Map<String, Integer> documented = new HashMap<>();
        while (row.find()) {
            documented.put(row.group(2), Integer.parseInt(row.group(1)));
        }
        Map<String, Integer> tabled = new HashMap<>(ROW);
        tabled.remove("default:attempt-timeout");
        assertThat(documented).isEqualTo(tabled);
    }

    /** The fixtures' README says which row decides each event; the code must agree with it. */
    @Test
    void everyFixture_isDecidedByTheRowItsReadmeNames() throws IOException {
        String readme = Files.readString(Fixtures.root().resolve("README.md"));
        Matcher row = Pattern.compile("(?m)^\\| `([\\w.-]+\\.json)` \\|.*\\| (\\d) → (\\w+)").matcher(readme);
        List<String> mismatches = new ArrayList<>();
        List<String> documented = new ArrayList<>();
        while (row.find()) {
            String fixture = row.group(1);
            documented.add(fixture);
            Verdict verdict = classify(fixture);
            int actualRow = ROW.get(verdict.rule());
            if (actualRow != Integer.parseInt(row.group(2))) {
                mismatches.add(fixture + ": README row " + row.group(2) + ", decided by row " + actualRow
                        + " (" + verdict.rule() + ")");
            }
        }
        assertThat(mismatches).isEmpty();
        assertThat(documented).containsExactlyInAnyOrderElementsOf(Fixtures.validEvents());
    }
}
