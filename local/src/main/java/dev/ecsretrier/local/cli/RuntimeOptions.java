package dev.ecsretrier.local.cli;

import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.ecs.TaskProgram;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LaunchConditions;
import dev.ecsretrier.local.emulator.LaunchFault;
import dev.ecsretrier.local.emulator.TimeScale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** How the local runtime runs: time, tasks, files, and the faults to inject. */
final class RuntimeOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    Double timeScale;

    @Option(names = "--time-scale", paramLabel = "FACTOR",
            description = "Waits (backoffs, Lambda retries, provisioning) take FACTOR of their planned time, 0-"
                    + TimeScale.MAX_FACTOR + "; the decisions keep the real durations.")
    void timeScale(double factor) {
        if (!TimeScale.accepts(factor)) {
            throw UsageErrorHandler.invalid(spec, "--time-scale", factor, "is not between 0 and " + TimeScale.MAX_FACTOR);
        }
        this.timeScale = factor;
    }

    @Option(names = "--minute-precision",
            description = "Schedules fire anywhere in their minute, as EventBridge Scheduler's do.")
    boolean minutePrecision;

    @Option(names = "--aws-quotas",
            description = "AWS's default rate quotas (RunTask, DescribeTasks, CreateSchedule, Publish) and Lambda's"
                    + " concurrency: throttled calls are retried as the SDK and Lambda retry them (docs/reliability.md).")
    boolean awsQuotas;

    final java.util.Map<String, Integer> reservedConcurrency = new java.util.LinkedHashMap<>();

    @Option(names = "--reserved-concurrency", paramLabel = "FUNCTION=N",
            description = "Lambda reserved concurrency of starter or classifier, with --aws-quotas.")
    void reservedConcurrency(String value) {
        int equals = value.indexOf('=');
        String function = equals < 0 ? value : value.substring(0, equals);
        if (!function.equals(dev.ecsretrier.local.emulator.LocalSettings.STARTER_FUNCTION)
                && !function.equals(dev.ecsretrier.local.emulator.LocalSettings.CLASSIFIER_FUNCTION)) {
            throw UsageErrorHandler.invalid(spec, "--reserved-concurrency", value, "does not name starter or classifier");
        }
        int executions;
        try {
            executions = Integer.parseInt(value.substring(equals + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            executions = -1;
        }
        if (equals < 0 || executions < 0) {
            throw UsageErrorHandler.invalid(spec, "--reserved-concurrency", value, "is not FUNCTION=N with N 0 or more");
        }
        reservedConcurrency.put(function, executions);
    }

    @Option(names = "--seed", paramLabel = "N", description = "Seed of every random choice (jitter, faults, task ids).")
    Long seed;

    @Option(names = "--task-command", paramLabel = "COMMAND",
            description = "What a task runs, split on spaces; the command override is appended"
                    + " (default: java -jar sample-task/target/sample-task.jar).")
    String taskCommand;

    @Option(names = "--task-logs", paramLabel = "DIR", description = "Keep each task's output in DIR/<task id>.log.")
    Path taskLogs;

    Integer maxRunningTasks;

    @Option(names = "--max-running-tasks", paramLabel = "N", description = "More tasks wait for a free slot.")
    void maxRunningTasks(int count) {
        if (count < 1) {
            throw UsageErrorHandler.invalid(spec, "--max-running-tasks", count, "is not 1 or more");
        }
        this.maxRunningTasks = count;
    }

    @Option(names = "--forget-tasks",
            description = "Stopped tasks cannot be described: the classifier falls back to the event's environment.")
    boolean forgetTasks;

    @Option(names = "--dead-letters", paramLabel = "FILE",
            description = "JSON-lines file for invocations that failed three times (default: in the state folder).")
    Path deadLetters;

    @Option(names = "--notifications", paramLabel = "FILE",
            description = "The topic's JSON-lines file (default: in the state folder).")
    Path notifications;

    @Option(names = "--keep-state",
            description = "Keep the state folder (" + StateFolder.DESCRIPTION + ") when the command ends;"
                    + " by default it is removed.")
    boolean keepState;

    /** Where the files not given by an option go; made by {@link #builder}. */
    StateFolder state;

    @Option(names = {"-v", "--verbose"}, description = "Print the handlers' own log lines.")
    boolean verbose;

    @Option(names = "--fault", paramLabel = "KIND[:N]",
            description = "The next N launches (default 1) stop or fail with KIND, in the order given: cannot-pull,"
                    + " image-not-found, resource-init, eni-timeout, spot, oom, run-task-memory, throttling, or"
                    + " reason=TEXT (TaskFailedToStart with that stopped reason). Faults that depend on the launch,"
                    + " for every launch that meets them: spot-while-on-spot (a Spot interruption while the task runs"
                    + " on FARGATE_SPOT), oom-below:MIB (out of memory while the task has less than MIB),"
                    + " eni-in:SUBNET (an ENI timeout while the task's first subnet is SUBNET).")
    List<String> launchFaults;

    double duplicateEvents;
    double handlerCrashes;
    double schedulerDoubleFires;

    @Option(names = "--duplicate-events", paramLabel = "P", description = "Deliver each event twice with probability P.")
    void duplicateEvents(double p) {
        this.duplicateEvents = probability("--duplicate-events", p);
    }

    @Option(names = "--handler-crashes", paramLabel = "P",
            description = "Crash each asynchronous handler invocation with probability P (Lambda retries it).")
    void handlerCrashes(double p) {
        this.handlerCrashes = probability("--handler-crashes", p);
    }

    @Option(names = "--scheduler-double-fires", paramLabel = "P",
            description = "Fire each schedule twice with probability P.")
    void schedulerDoubleFires(double p) {
        this.schedulerDoubleFires = probability("--scheduler-double-fires", p);
    }

    /**
     * The runtime these options describe, writing its notifications and dead letters where the
     * options say, else in a new temporary folder named for the command; the command adds its printers.
     */
    LocalRuntime.Builder builder(String command, double defaultTimeScale, List<String> defaultFaults)
            throws IOException {
        Faults faults = faults(launchFaults != null ? launchFaults : defaultFaults);
        if (notifications == null || deadLetters == null) {
            state = StateFolder.create(command, keepState);
            notifications = notifications != null ? notifications : state.resolve("notifications.jsonl");
            deadLetters = deadLetters != null ? deadLetters : state.resolve("dead-letters.jsonl");
        }
        LocalRuntime.Builder builder = LocalRuntime.builder()
                .timeScale(timeScale != null ? timeScale : defaultTimeScale)
                .minutePrecision(minutePrecision)
                .forgetStoppedTasks(forgetTasks)
                .awsQuotas(awsQuotas)
                .faults(faults);
        reservedConcurrency.forEach(builder::reservedConcurrency);
        if (seed != null) {
            builder.seed(seed);
        }
        if (maxRunningTasks != null) {
            builder.maxRunningTasks(maxRunningTasks);
        }
        if (taskCommand != null) {
            builder.taskProgram(TaskProgram.process(Arrays.asList(taskCommand.trim().split("\\s+")), taskLogs));
        } else {
            builder.taskLogDirectory(taskLogs);
        }
        builder.deadLetterFile(deadLetters).notificationsFile(notifications);
        if (verbose) {
            builder.handlerLog(line -> {
                spec.commandLine().getOut().println("    | " + line);
                spec.commandLine().getOut().flush();
            });
        }
        return builder;
    }

    /** Whether {@code file} outlives the command: given by an option, or in a state folder that is kept. */
    boolean outlives(Path file) {
        return state == null || state.kept() || !file.toAbsolutePath().startsWith(state.path().toAbsolutePath());
    }

    /** Removes the state folder, unless --keep-state. */
    void closeState() {
        if (state != null) {
            state.close();
        }
    }

    /** Faults as written on the command line. */
    Faults faults(List<String> specs) {
        Faults.Builder faults = Faults.builder()
                .duplicateDelivery(duplicateEvents)
                .handlerCrash(handlerCrashes)
                .schedulerDoubleFire(schedulerDoubleFires);
        for (String written : specs) {
            if (conditional(faults, written)) {
                continue;
            }
            int colon = written.lastIndexOf(':');
            int count = 1;
            String kind = written;
            if (colon > 0 && !written.startsWith("reason=") && LaunchFault.named().containsKey(written.substring(0, colon))) {
                kind = written.substring(0, colon);
                String n = written.substring(colon + 1);
                if (!n.matches("\\d{1,4}") || Integer.parseInt(n) < 1) {
                    throw UsageErrorHandler.invalid(spec, "--fault", written, "has count '" + n
                            + "'; KIND:N needs N, the launches to fail, as a whole number of 1 or more");
                }
                count = Integer.parseInt(n);
            }
            String name = kind;
            LaunchFault fault = LaunchFault.byName(kind).orElseThrow(() -> UsageErrorHandler.invalid(spec, "--fault",
                    name, "is not a fault" + UsageErrorHandler.didYouMean(name, LaunchFault.named().keySet())
                            + " (one of " + String.join(", ", LaunchFault.named().keySet())
                            + ", reason=TEXT, spot-while-on-spot, oom-below:MIB, eni-in:SUBNET)"));
            faults.nextLaunches(count, fault);
        }
        return faults.build();
    }

    /** A fault that depends on the launch (a launch policy); false when {@code written} is not one. */
    private boolean conditional(Faults.Builder faults, String written) {
        if (written.equals("spot-while-on-spot")) {
            faults.when(LaunchConditions.onCapacityProvider("FARGATE_SPOT"), LaunchFault.spotInterruption());
            return true;
        }
        if (written.startsWith("oom-below:")) {
            String mib = written.substring("oom-below:".length());
            if (!mib.matches("\\d{1,6}")) {
                throw UsageErrorHandler.invalid(spec, "--fault", written, "has MiB '" + mib
                        + "'; oom-below:MIB needs MiB as a whole number");
            }
            faults.when(LaunchConditions.memoryBelow(Integer.parseInt(mib)), LaunchFault.outOfMemory());
            return true;
        }
        if (written.startsWith("eni-in:")) {
            String subnet = written.substring("eni-in:".length());
            if (subnet.isBlank()) {
                throw UsageErrorHandler.invalid(spec, "--fault", written, "has no subnet; eni-in:SUBNET needs a subnet id");
            }
            faults.when(LaunchConditions.inSubnet(subnet), LaunchFault.eniTimeout());
            return true;
        }
        return false;
    }

    /** A number of seconds to wait: 1 or more. */
    static int positiveSeconds(CommandSpec spec, String option, int seconds) {
        if (seconds < 1) {
            throw UsageErrorHandler.invalid(spec, option, seconds, "is not 1 second or more");
        }
        return seconds;
    }

    private double probability(String option, double p) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw UsageErrorHandler.invalid(spec, option, p, "is not a probability between 0 and 1");
        }
        return p;
    }
}
