package dev.ecsretrier.bench;

import dev.ecsretrier.aws.EcsTaskLauncher;
import dev.ecsretrier.aws.SchedulerAttemptScheduler;
import dev.ecsretrier.aws.SnsNotifier;
import dev.ecsretrier.config.RetrierConfig;
import dev.ecsretrier.handler.ClassifierHandler;
import dev.ecsretrier.handler.StarterHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;

/**
 * One cold start, then exit: builds the starter the way Lambda's runtime would, handles one start
 * request {@code {}} against the local endpoint named by {@code AWS_ENDPOINT_URL}, and prints one
 * line of timings. Run by {@code run.sh}, one fresh JVM per measurement.
 *
 * <p>Variants (first argument):
 * <ul>
 *   <li>{@code urlconnection}: {@code new StarterHandler()}, the production wiring, unchanged;</li>
 *   <li>{@code classifier}: {@code new ClassifierHandler()}, one stopped-task event (DescribeTasks, CreateSchedule);</li>
 *   <li>{@code urlconnection-copy}: the same wiring rebuilt here from {@link BenchClients} with the
 *       URLConnection client — the control for {@code crt};</li>
 *   <li>{@code crt}: that wiring with the AWS CRT HTTP client;</li>
 *   <li>{@code probe-urlconnection}, {@code probe-crt}: a bare probe, one ECS client and one RunTask.</li>
 * </ul>
 */
public final class ColdStart {

    public static void main(String[] args) throws Exception {
        String variant = args[0];
        long mainAt = System.currentTimeMillis();
        String answer;
        if (variant.startsWith("probe-")) {
            answer = probe(variant.substring("probe-".length()));
        } else if (variant.equals("classifier")) {
            // The classifier's first event: app exit 2 (retryable here) -> DescribeTasks, then CreateSchedule.
            // The event is handed in, as Lambda's runtime hands it to the handler: run.sh puts the jar's
            // priming event in the environment, so that reading a jar resource is not measured.
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] event = System.getenv("BENCH_CLASSIFIER_EVENT").getBytes(StandardCharsets.UTF_8);
            new ClassifierHandler().handleRequest(new ByteArrayInputStream(event), out, null);
            answer = out.toString(StandardCharsets.UTF_8);
        } else {
            StarterHandler handler = switch (variant) {
                case "urlconnection" -> new StarterHandler();
                case "urlconnection-copy" -> wired("urlconnection");
                case "crt" -> wired("crt");
                default -> throw new IllegalArgumentException("unknown variant " + variant);
            };
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), out, null);
            answer = out.toString(StandardCharsets.UTF_8);
        }
        long doneAt = System.currentTimeMillis();
        if (!answer.contains("taskArn") && !answer.contains("scheduleName")) {
            throw new IllegalStateException("the first request was not handled: " + answer);
        }
        // Read after the measured work, so that loading the management classes is not measured.
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long launched = Long.parseLong(System.getProperty("bench.launchedAtMillis", Long.toString(jvmStart)));
        // CPU time of the whole process (all threads, JIT and GC included): steadier than wall time on a busy machine.
        long cpu = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis()).orElse(-1L);
        System.out.printf("variant=%s launch_to_response_ms=%d jvm_start_to_response_ms=%d main_to_response_ms=%d"
                + " process_cpu_ms=%d%n", variant, doneAt - launched, doneAt - jvmStart, doneAt - mainAt, cpu);
    }

    /** {@code AwsWiring.create} rebuilt over {@link BenchClients}: same clients, same adapters. */
    static StarterHandler wired(String http) {
        RetrierConfig config = RetrierConfig.fromEnvironment(System.getenv());
        BenchClients clients = new BenchClients(config.region(), http);
        return new StarterHandler(config, new EcsTaskLauncher(clients.ecs()),
                new SchedulerAttemptScheduler(clients.scheduler(), config.scheduleGroup(), config.schedulerRoleArn(),
                        config.scheduleDeadLetterArn()),
                new SnsNotifier(clients.sns(), config.topicArn()), Clock.systemUTC(), new SecureRandom(),
                System.out::println);
    }

    static String probe(String http) {
        EcsClient ecs = new BenchClients(System.getenv("AWS_REGION"), http).ecs();
        // The overload EcsTaskLauncher calls: the Lambda jar is shrunk (ProGuard), and it keeps only
        // the SDK methods the handlers use; runTask(Consumer<Builder>) is not one of them.
        RunTaskRequest request = RunTaskRequest.builder().cluster("batch").taskDefinition("sample:3").count(1).build();
        String taskArn = ecs.runTask(request).tasks().get(0).taskArn();
        return "{\"taskArn\":\"" + taskArn + "\"}";
    }
}
