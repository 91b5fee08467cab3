package dev.ecsretrier.local;

import dev.ecsretrier.core.ContainerOverride;
import dev.ecsretrier.core.Decision;
import dev.ecsretrier.core.EnvironmentVariable;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.local.ecs.TaskProgram;
import dev.ecsretrier.local.emulator.LaunchFault;
import dev.ecsretrier.local.emulator.LocalSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.StringJoiner;
import java.util.function.Supplier;

/**
 * A run whose every attempt is decided in advance: what ECS does with the launch (a fault, or
 * nothing) and, when the container runs, how it exits. From the script follow the outcome and the
 * number of attempts the default policy must reach, so a test can check every run of a load.
 *
 * @param failExitCode the exit code of an attempt scripted as {@link Attempt#APP_FAILS}: 2 (retryable) or 1
 * @param attempts     one entry per allowed attempt; those after the run's end are never used
 */
record ScriptedRun(String runId, int failExitCode, List<Attempt> attempts) {

    /**
     * sample-task's contract in {@code /bin/sh}, without a JVM per task: attempts listed in
     * {@code FAIL_ON_ATTEMPTS} exit {@code FAIL_EXIT_CODE} (2 by default), the others exit 0.
     */
    static final String SAMPLE_TASK_SH = "case \",${FAIL_ON_ATTEMPTS},\" in *\",${RETRIER_ATTEMPT:-1},\"*)"
            + " exit \"${FAIL_EXIT_CODE:-2}\";; esac; exit 0";

    /** {@link #SAMPLE_TASK_SH} as the local tasks' program. */
    static TaskProgram shellSampleTask() {
        return TaskProgram.process(List.of("/bin/sh", "-c", SAMPLE_TASK_SH), null);
    }

    /** What one attempt meets, and what the default policy makes of it. */
    enum Attempt {
        /** The container runs and exits 0. */
        SUCCEEDS(null, null),
        /** The container runs and exits with the run's {@code failExitCode}. */
        APP_FAILS(null, null),
        CANNOT_PULL(LaunchFault::cannotPullContainer, Decision.RETRY),
        RESOURCE_INIT(LaunchFault::resourceInitialization, Decision.RETRY),
        ENI_TIMEOUT(LaunchFault::eniTimeout, Decision.RETRY),
        SPOT(LaunchFault::spotInterruption, Decision.RETRY),
        IMAGE_NOT_FOUND(LaunchFault::imageNotFound, Decision.FAILED),
        /** RunTask answers {@code failures[]} RESOURCE:MEMORY: no task. */
        RUN_TASK_MEMORY(LaunchFault::resourceMemory, Decision.RETRY),
        /**
         * RunTask's first call throws ThrottlingException. That does not end the attempt: the
         * starter's invocation fails, Lambda retries it with the same client token, and the attempt's
         * task then starts (and, not being in FAIL_ON_ATTEMPTS, succeeds).
         */
        THROTTLED(LaunchFault::throttling, Decision.SUCCEEDED);

        private final Supplier<LaunchFault> fault;
        private final Decision decision;

        Attempt(Supplier<LaunchFault> fault, Decision decision) {
            this.fault = fault;
            this.decision = decision;
        }

        Optional<LaunchFault> fault() {
            return fault == null ? Optional.empty() : Optional.of(fault.get());
        }

        /** Whether a task is started (and a STOPPED event will come). */
        boolean startsTask() {
            return this != RUN_TASK_MEMORY;
        }
    }

    ScriptedRun {
        attempts = List.copyOf(attempts);
    }

    /**
     * A random script: about half the attempts succeed, a fifth meet a transient ECS failure, a
     * tenth fail synchronously, the rest fail in the application or for good (image not found).
     */
    static ScriptedRun random(String runId, int maxAttempts, Random random) {
        int failExitCode = random.nextDouble() < 0.8 ? 2 : 1;
        List<Attempt> attempts = new ArrayList<>();
        for (int i = 0; i < maxAttempts; i++) {
            double p = random.nextDouble();
            attempts.add(p < 0.45 ? Attempt.SUCCEEDS
                    : p < 0.62 ? Attempt.APP_FAILS
                    : p < 0.67 ? Attempt.CANNOT_PULL
                    : p < 0.72 ? Attempt.RESOURCE_INIT
                    : p < 0.77 ? Attempt.ENI_TIMEOUT
                    : p < 0.82 ? Attempt.SPOT
                    : p < 0.86 ? Attempt.IMAGE_NOT_FOUND
                    : p < 0.93 ? Attempt.RUN_TASK_MEMORY
                    : Attempt.THROTTLED);
        }
        return new ScriptedRun(runId, failExitCode, attempts);
    }

    /** What the default policy decides for attempt {@code n} (1-based), before the last-attempt rule. */
    Decision decision(int n) {
        Attempt attempt = attempts.get(n - 1);
        return switch (attempt) {
            case SUCCEEDS -> Decision.SUCCEEDED;
            case APP_FAILS -> failExitCode == 2 ? Decision.RETRY : Decision.FAILED;
            default -> attempt.decision;
        };
    }

    /** The attempt that ends the run. */
    int expectedAttempts() {
        for (int n = 1; n <= attempts.size(); n++) {
            if (decision(n) != Decision.RETRY) {
                return n;
            }
        }
        return attempts.size();
    }

    /** The run's one terminal outcome: a RETRY on the last attempt is RETRIES_EXHAUSTED. */
    Decision expectedOutcome() {
        Decision last = decision(expectedAttempts());
        return last == Decision.RETRY ? Decision.RETRIES_EXHAUSTED : last;
    }

    /** The attempts that start a task, each exactly once. */
    List<Integer> expectedLaunches() {
        List<Integer> launched = new ArrayList<>();
        for (int n = 1; n <= expectedAttempts(); n++) {
            if (attempts.get(n - 1).startsTask()) {
                launched.add(n);
            }
        }
        return launched;
    }

    /** The start request: the attempts scripted {@link Attempt#APP_FAILS} as sample-task's FAIL_ON_ATTEMPTS. */
    StartRequest startRequest() {
        StringJoiner failOn = new StringJoiner(",");
        for (int n = 1; n <= attempts.size(); n++) {
            if (attempts.get(n - 1) == Attempt.APP_FAILS) {
                failOn.add(Integer.toString(n));
            }
        }
        List<EnvironmentVariable> environment = new ArrayList<>();
        if (failOn.length() > 0) {
            environment.add(new EnvironmentVariable("FAIL_ON_ATTEMPTS", failOn.toString()));
        }
        environment.add(new EnvironmentVariable("FAIL_EXIT_CODE", Integer.toString(failExitCode)));
        return StartRequest.of(runId, null,
                List.of(new ContainerOverride(LocalSettings.CONTAINER_NAME, null, environment)), null);
    }

    /** Attempts as a short text, for failure messages: {@code exit1 [CANNOT_PULL, APP_FAILS, SUCCEEDS]}. */
    @Override
    public String toString() {
        return runId + " exit" + failExitCode + " " + attempts;
    }
}
