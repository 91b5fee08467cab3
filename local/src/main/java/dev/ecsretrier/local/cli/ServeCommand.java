package dev.ecsretrier.local.cli;

import dev.ecsretrier.config.Setting;
import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.serve.AwsEndpoint;
import dev.ecsretrier.local.serve.EndpointHistory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code retrier serve}: the loop behind the AWS APIs it uses, until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        header = "Serve the loop behind the AWS APIs it uses: Lambda, EventBridge, ECS, Scheduler, SNS.",
        description = "Keep the local runtime up behind an HTTP endpoint that speaks the AWS wire protocols of"
                + " Lambda Invoke (function 'starter', RequestResponse and Event) and EventBridge PutEvents, so the"
                + " AWS CLI and SDKs work against it with an endpoint override. Events with source aws.ecs or"
                + " ecs-retrier.test go through the real rule pattern; unmatched ones are reported. It also answers"
                + " the calls the functions make (ECS RunTask, DescribeTasks, StopTask; Scheduler CreateSchedule,"
                + " DeleteSchedule; SNS Publish), so the Lambda jar runs against it with AWS_ENDPOINT_URL, and the"
                + " reads the operate commands make (ECS ListTasks; Scheduler ListSchedules, GetSchedule)."
                + " Notifications stream to stdout and the file. Stop with Ctrl-C.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./retrier serve --port 4566 --time-scale 0.01 --retryable-exit-codes 2 &",
            "  # any dummy credentials do: serve does not check signatures",
            "  export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1",
            "  aws --endpoint-url http://localhost:4566 lambda invoke --function-name starter out.json",
            "  aws --endpoint-url http://localhost:4566 lambda invoke --function-name starter \\",
            "      --payload fileb://local/examples/start-request.json out.json",
            "  aws --endpoint-url http://localhost:4566 lambda invoke --function-name starter \\",
            "      --invocation-type Event out.json",
            "  aws --endpoint-url http://localhost:4566 events put-events --entries file://local/examples/entries.json",
            "  ./retrier serve --fault eni-timeout:2 --handler-crashes 0.2 --notifications out/notifications.jsonl"})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions policy;

    @Mixin
    RuntimeOptions runtimeOptions;

    int port = 4566;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "4566",
            description = "Port, 0-65535 (0: any free port; default ${DEFAULT-VALUE}).")
    void port(int port) {
        if (port < 0 || port > 65535) {
            throw UsageErrorHandler.invalid(spec, "--port", port, "is not a port (0-65535)");
        }
        this.port = port;
    }

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep serve's state in DIR (created if missing): tasks, pending schedules and invocations,"
                    + " the functions' logs, the dead-letter queues, notifications and dead letters. Started again on"
                    + " the same DIR, serve loses nothing: a pending retry still fires; a task that was running when"
                    + " serve stopped ends with TerminationNotice (and is retried). Without it, the state lives in the"
                    + " state folder and ends with serve.")
    Path dataDir;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on, one of this machine's (default ${DEFAULT-VALUE}).")
    String host;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Map<Setting, String> settings = policy.settings();
        policy.deployment(settings);
        InetAddress address = address();
        ServeOutput output = new ServeOutput(out, Instant.now());
        DataDirectoryLock lock = null;
        if (dataDir != null) {
            lock = DataDirectoryLock.acquire(spec, dataDir);
            runtimeOptions.notifications = runtimeOptions.notifications != null ? runtimeOptions.notifications
                    : dataDir.resolve("notifications.jsonl");
            runtimeOptions.deadLetters = runtimeOptions.deadLetters != null ? runtimeOptions.deadLetters
                    : dataDir.resolve("dead-letters.jsonl");
        }
        LocalRuntime.Builder builder = runtimeOptions.builder("serve", 1.0, List.of()).settings(settings);
        if (dataDir != null) {
            builder.dataDirectory(dataDir);
        }
        // The handlers read a run's history as in AWS: FilterLogEvents over the SDK, to this endpoint.
        EndpointHistory history = new EndpointHistory();
        LocalRuntime runtime = output.wire(builder).historyReader(history).build();
        DataDirectoryLock held = lock;
        AwsEndpoint endpoint;
        try {
            endpoint = AwsEndpoint.start(runtime, address.getHostAddress(), port, output::request);
            history.listening(address.isAnyLocalAddress()
                    ? URI.create("http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + endpoint.port())
                    : endpoint.uri());
        } catch (BindException e) {
            history.notListening(e);
            runtime.close();
            runtimeOptions.closeState();
            if (held != null) {
                held.close();
            }
            throw UsageErrorHandler.invalid(spec, "--port", port, "cannot be listened on at " + host + ": "
                    + (port == 0 ? e.getMessage() : "port " + port + " is in use (another serve?); choose another --port"));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            endpoint.close();
            runtime.close();
            output.flush();
            runtimeOptions.closeState();
            if (held != null) {
                held.close();
            }
            stopped.countDown();
        }, "ecs-retrier-shutdown"));
        synchronized (output) {
            out.println("ecs-retrier local runtime listening on http://" + host + ":" + endpoint.port());
            out.println("  Lambda Invoke: function 'starter' (" + LocalSettings.STARTER_ARN + "), "
                    + (runtime.deployment().names().size() == 1 ? "job " : "jobs ")
                    + String.join(", ", runtime.deployment().names()));
            out.println("  EventBridge PutEvents: bus 'default', rule " + LocalSettings.RULE_NAME + " (cluster "
                    + runtime.config().cluster() + ", startedBy " + runtime.config().startedBy() + ")");
            out.println("  ECS RunTask, DescribeTasks, StopTask, ListTasks; Scheduler CreateSchedule, GetSchedule,"
                    + " ListSchedules, DeleteSchedule (group "
                    + runtime.config().scheduleGroup() + "); SNS Publish (" + runtime.config().topicArn() + ")");
            out.println("  CloudWatch Logs FilterLogEvents, GetLogEvents, DescribeLogGroups/Streams (/aws/lambda/starter,"
                    + " /aws/lambda/classifier); SQS dead-letter queues " + String.join(", ", LocalSettings.DEAD_LETTER_QUEUES));
            out.println("  time scale " + runtime.timeScale() + ", seed " + runtime.seed());
            if (dataDir != null) {
                out.println("  data dir:      " + dataDir.toAbsolutePath() + " (a restart on it loses nothing)");
            }
            out.println("  notifications: " + runtimeOptions.notifications.toAbsolutePath());
            out.println("  dead letters:  " + runtimeOptions.deadLetters.toAbsolutePath());
            if (runtimeOptions.state != null) {
                out.println("  state folder:  " + runtimeOptions.state.path() + (runtimeOptions.state.kept() ? " (kept)"
                        : " (removed when serve stops; --keep-state keeps it)"));
            }
            out.println("  Ctrl-C to stop");
            out.flush();
        }
        stopped.await();
        return 0;
    }

    /** --host as an address of this machine, so that a wrong one is a usage error before anything starts. */
    private InetAddress address() {
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw UsageErrorHandler.invalid(spec, "--host", host, "is not a known host name or address");
        }
        try {
            if (!address.isAnyLocalAddress() && !address.isLoopbackAddress()
                    && NetworkInterface.getByInetAddress(address) == null) {
                throw UsageErrorHandler.invalid(spec, "--host", host, "is not an address of this machine ("
                        + address.getHostAddress() + ")");
            }
        } catch (SocketException e) {
            throw UsageErrorHandler.invalid(spec, "--host", host, "cannot be checked: " + e.getMessage());
        }
        return address;
    }
}
