package dev.ecsretrier.sample;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A task that fails on demand, so the retry loop can be watched without waiting for ECS to fail.
 *
 * <ul>
 *   <li>{@code RETRIER_ATTEMPT}: the attempt number ecs-retrier sets (1 when absent);</li>
 *   <li>{@code FAIL_ON_ATTEMPTS}: comma-separated attempts that fail, e.g. {@code 1,2};</li>
 *   <li>{@code FAIL_EXIT_CODE}: the exit code of a failing attempt (default 2);</li>
 *   <li>{@code WORK_SECONDS}: how long to "work" before ending (default 0).</li>
 * </ul>
 */
public final class SampleTask {

    static final int DEFAULT_FAIL_EXIT_CODE = 2;

    private SampleTask() {
    }

    public static void main(String[] args) throws InterruptedException {
        int exitCode = run(System.getenv(), System.out);
        System.exit(exitCode);
    }

    /** Does the work and returns the exit code; a bad setting is exit code 64 with a message. */
    static int run(Map<String, String> env, PrintStream out) throws InterruptedException {
        Plan plan;
        try {
            plan = Plan.from(env);
        } catch (IllegalArgumentException e) {
            out.println("sample-task: " + e.getMessage());
            return 64;
        }
        out.printf("sample-task: run %s, attempt %d of %s%n", env.getOrDefault("RETRIER_RUN_ID", "-"),
                plan.attempt(), env.getOrDefault("RETRIER_MAX_ATTEMPTS", "-"));
        if (plan.workMillis() > 0) {
            out.printf("sample-task: working for %.1f s%n", plan.workMillis() / 1000.0);
            Thread.sleep(plan.workMillis());
        }
        if (plan.failsThisAttempt()) {
            out.printf("sample-task: attempt %d is in FAIL_ON_ATTEMPTS %s: exiting with %d%n",
                    plan.attempt(), plan.failOnAttempts(), plan.failExitCode());
            return plan.failExitCode();
        }
        out.printf("sample-task: attempt %d succeeded%n", plan.attempt());
        return 0;
    }

    record Plan(int attempt, Set<Integer> failOnAttempts, int failExitCode, long workMillis) {

        static Plan from(Map<String, String> env) {
            int attempt = integer(env, "RETRIER_ATTEMPT", "1");
            Set<Integer> failOn = Arrays.stream(env.getOrDefault("FAIL_ON_ATTEMPTS", "").split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .map(s -> parse("FAIL_ON_ATTEMPTS", s))
                    .collect(Collectors.toCollection(java.util.TreeSet::new));
            int exitCode = integer(env, "FAIL_EXIT_CODE", String.valueOf(DEFAULT_FAIL_EXIT_CODE));
            if (exitCode < 1 || exitCode > 255) {
                throw new IllegalArgumentException("FAIL_EXIT_CODE must be 1-255, got " + exitCode);
            }
            double seconds;
            String work = env.getOrDefault("WORK_SECONDS", "0");
            try {
                seconds = Double.parseDouble(work);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("WORK_SECONDS must be a number of seconds, got '" + work + "'");
            }
            if (seconds < 0) {
                throw new IllegalArgumentException("WORK_SECONDS must not be negative, got " + work);
            }
            return new Plan(attempt, failOn, exitCode, Math.round(seconds * 1000));
        }

        boolean failsThisAttempt() {
            return failOnAttempts.contains(attempt);
        }

        private static int integer(Map<String, String> env, String name, String fallback) {
            return parse(name, env.getOrDefault(name, fallback).trim());
        }

        private static int parse(String name, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
            }
        }
    }
}
