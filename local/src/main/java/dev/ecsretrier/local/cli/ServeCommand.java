package dev.ecsretrier.local.cli;

import dev.ecsretrier.config.ConfigurationException;
import dev.ecsretrier.config.Setting;
import dev.ecsretrier.local.LocalRuntime;
import dev.ecsretrier.local.LocalSettings;
import dev.ecsretrier.local.serve.AwsEndpoint;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code retrier serve}: the loop behind the AWS APIs it uses, until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        header = "Serve the loop behind the AWS APIs it uses: Lambda, EventBridge, ECS, Scheduler, SNS.",
        description = "Keep the local runtime up behind an HTTP endpoint that speaks the AWS wire protocols of"
                + " Lambda Invoke (function 'starter', RequestResponse and Event) and EventBridge PutEvents, so the"
                + " AWS CLI and SDKs work against it with an endpoint override. Events with source aws.ecs or"
                + " ecs-retrier.test go through the real rule pattern; unmatched ones are reported. It also answers"
                + " the calls the functions make (ECS RunTask, DescribeTasks, StopTask; Scheduler CreateSchedule,"
                + " DeleteSchedule; SNS Publish), so the Lambda jar runs against it with AWS_ENDPOINT_URL."
                + " Notifications stream to stdout and the file. Stop with Ctrl-C.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./retrier serve --port 4566 --time-scale 0.01 --retryable-exit-codes 2",
            "  aws --endpoint-url http://localhost:4566 --region us-east-1 lambda invoke --function-name starter \\",
            "      --cli-binary-format raw-in-base64-out \\",
            "      --payload '{\"containerOverrides\":[{\"name\":\"app\",\"environment\":[{\"name\":\"FAIL_ON_ATTEMPTS\",\"value\":\"1\"}]}]}' out.json",
            "  aws --endpoint-url http://localhost:4566 --region us-east-1 lambda invoke --function-name starter \\",
            "      --invocation-type Event --cli-binary-format raw-in-base64-out --payload '{}' out.json",
            "  aws --endpoint-url http://localhost:4566 --region us-east-1 events put-events --entries \\",
            "      '[{\"Source\":\"ecs-retrier.test\",\"DetailType\":\"ECS Task State Change\",\"Detail\":\"{...}\"}]'",
            "  ./retrier serve --fault eni-timeout:2 --handler-crashes 0.2 --notifications out/notifications.jsonl"})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PolicyOptions policy;

    @Mixin
    RuntimeOptions runtimeOptions;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "4566", description = "Port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Map<Setting, String> settings = policy.settings();
        LocalRuntime runtime;
        try {
            runtime = runtimeOptions.builder("serve", 1.0, List.of())
                    .settings(settings)
                    .notificationPrinter(n -> {
                        out.println("NOTIFICATION " + n.subject());
                        out.println("  " + n.summary());
                        out.flush();
                    })
                    .build();
        } catch (ConfigurationException e) {
            spec.commandLine().getErr().println("serve: " + PolicyOptions.explain(e));
            return 2;
        }
        runtime.onTimeline(new TimelinePrinter(out, Instant.now(), true));
        AwsEndpoint endpoint = AwsEndpoint.start(runtime, host, port, line -> {
            out.println("  " + line);
            out.flush();
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            endpoint.close();
            runtime.close();
            stopped.countDown();
        }, "ecs-retrier-shutdown"));
        out.println("ecs-retrier local runtime listening on http://" + host + ":" + endpoint.port());
        out.println("  Lambda Invoke: function 'starter' (" + LocalSettings.STARTER_ARN + ")");
        out.println("  EventBridge PutEvents: bus 'default', rule " + LocalSettings.RULE_NAME + " (cluster "
                + runtime.config().cluster() + ", startedBy " + runtime.config().startedBy() + ")");
        out.println("  ECS RunTask, DescribeTasks, StopTask; Scheduler CreateSchedule, DeleteSchedule (group "
                + runtime.config().scheduleGroup() + "); SNS Publish (" + runtime.config().topicArn() + ")");
        out.println("  time scale " + runtime.timeScale() + ", seed " + runtime.seed());
        out.println("  notifications: " + runtimeOptions.notifications.toAbsolutePath());
        out.println("  dead letters:  " + runtimeOptions.deadLetters.toAbsolutePath());
        out.println("  Ctrl-C to stop");
        out.flush();
        stopped.await();
        return 0;
    }
}
