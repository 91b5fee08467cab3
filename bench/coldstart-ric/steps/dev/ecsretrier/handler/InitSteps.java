package dev.ecsretrier.handler;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.ecsretrier.aws.EcsTaskDescriber;
import dev.ecsretrier.aws.EcsTaskLauncher;
import dev.ecsretrier.config.Deployment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a handler's cold start goes, step by step, as its Lambda constructor takes them: the JVM's CPU time
 * (all threads, from schedstat, so a loaded machine disturbs it little) and wall time of reading the
 * configuration, building the AWS wiring (ECS and Scheduler clients), the handler, the dry run at init, and the
 * first invocation (against bench/coldstart/fake_ecs.py). The probe: its client, its invocation. In this
 * package because the steps are the handlers' package-private ones (bench/coldstart-ric/steps.sh runs it).
 *
 * <p>Usage: {@code InitSteps probe|starter|classifier EVENT_FILE [nodry]}; prints one line on stderr,
 * {@code STEPS variant step=cpu_ms/wall_ms ...}.
 */
public final class InitSteps {

    private static final List<String> steps = new ArrayList<>();
    private static long cpu0;
    private static long wall0;

    private static long cpuNanos() throws Exception {
        long sum = 0;
        File[] threads = new File("/proc/self/task").listFiles();
        for (File thread : threads == null ? new File[0] : threads) {
            try {
                String stat = Files.readString(Path.of(thread.getPath(), "schedstat"));
                sum += Long.parseLong(stat.substring(0, stat.indexOf(' ')));
            } catch (Exception ended) {
                // a thread that ended meanwhile
            }
        }
        return sum;
    }

    private static void step(String name) throws Exception {
        long cpu = cpuNanos();
        long wall = System.nanoTime();
        steps.add(name + "=" + (cpu - cpu0) / 1_000_000 + "/" + (wall - wall0) / 1_000_000);
        cpu0 = cpuNanos();
        wall0 = System.nanoTime();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        String variant = args[0];
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        boolean dry = !(args.length > 2 && args[2].equals("nodry"));
        cpuNanos();
        steps.add("jvm=" + cpuNanos() / 1_000_000);
        cpu0 = cpuNanos();
        wall0 = System.nanoTime();
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        if (variant.equals("probe")) {
            RequestStreamHandler probe = (RequestStreamHandler) Class.forName("dev.ecsretrier.bench.ric.ProbeHandler")
                    .getConstructor().newInstance();
            step("client");
            probe.handleRequest(new ByteArrayInputStream(event), response, null);
            step("invoke");
        } else {
            Deployment deployment = Deployment.fromEnvironment(env);
            step("config");
            AwsWiring aws = AwsWiring.withSchedulerBuilt(deployment.shared());
            step("clients");
            RequestStreamHandler handler;
            if (variant.equals("starter")) {
                handler = new StarterHandler(deployment, new EcsTaskLauncher(aws.ecs()), aws.scheduler(), aws.notifier(),
                        aws.history(), Clock.systemUTC(), new SecureRandom(), System.out::println);
                step("handler");
                if (dry) {
                    SnapStartPriming.atInitialization(env, deployment.shared(), aws::buildAllClients,
                            () -> StarterHandler.dryRun(deployment));
                }
            } else {
                handler = new ClassifierHandler(deployment, new EcsTaskDescriber(aws.ecs()), aws.scheduler(),
                        aws.notifier(), aws.history(), Clock.systemUTC(), new SecureRandom(), System.out::println);
                step("handler");
                if (dry) {
                    SnapStartPriming.atInitialization(env, deployment.shared(), aws::buildAllClients,
                            () -> ClassifierHandler.dryRun(deployment));
                }
            }
            step("dryrun");
            handler.handleRequest(new ByteArrayInputStream(event), response, null);
            step("invoke");
        }
        System.err.println("STEPS " + variant + (dry ? "" : ":nodry") + " " + String.join(" ", steps)
                + " total=" + cpuNanos() / 1_000_000);
    }
}
