package dev.ecsretrier.local.cli;

import dev.ecsretrier.operate.DeadLetterRedriver;
import dev.ecsretrier.operate.DeadLetterRedriver.Queue;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code retrier redrive}: replays the dead-letter queues' messages to the function they were going to. */
@Command(name = "redrive", mixinStandardHelpOptions = true, usageHelpWidth = 110,
        header = "Replay the dead-letter queues' messages to the starter or the classifier.",
        description = "For each message of the queue(s), invoke the function it was going to (the starter for"
                + " StarterFailures and ScheduleDeliveryFailures, the classifier for ClassifierFailures and"
                + " RuleDeliveryFailures) synchronously with the original payload; delete the message once the"
                + " invocation succeeded, leave it otherwise. A start request without a run id replays under the run"
                + " id the starter derived from the failed invocation's request id, so replaying twice launches"
                + " once. Prints, per queue, the messages replayed, failed and left; exits 1 when one failed.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  ./retrier redrive --endpoint-url http://localhost:4566 --dry-run",
            "  ./retrier redrive --endpoint-url http://localhost:4566 --queue StarterFailures",
            "  ./retrier redrive --stack EcsRetrierSample --queue StarterFailures --queue-url StarterFailures=URL"})
final class RedriveCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeploymentOptions deployment;

    Queue queue;

    @Option(names = "--queue", paramLabel = "NAME", description = "Only this queue: StarterFailures,"
            + " ClassifierFailures, RuleDeliveryFailures or ScheduleDeliveryFailures (default: all four).")
    void queue(String name) {
        queue = Queue.named(name).orElseThrow(() -> UsageErrorHandler.invalid(spec, "--queue", name, "is not one of "
                + names()));
    }

    private static String names() {
        return Arrays.stream(Queue.values()).map(Queue::queueName).collect(Collectors.joining(", "));
    }

    @Option(names = "--queue-url", paramLabel = "NAME=URL", description = "A queue's URL, e.g."
            + " StarterFailures=https://sqs.eu-west-1.amazonaws.com/111122223333/EcsRetrierSample-StarterFailures-AbC"
            + " (a deployed construct's queues have generated names; default: looked up by NAME, as serve names them).")
    Map<String, String> queueUrls = new LinkedHashMap<>();

    @Option(names = "--dry-run", description = "List what would be replayed; invoke and delete nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        for (String name : queueUrls.keySet()) {
            if (Queue.named(name).isEmpty()) {
                throw UsageErrorHandler.invalid(spec, "--queue-url", name, "is not one of " + names());
            }
        }
        List<Queue> queues = queue != null ? List.of(queue) : List.of(Queue.values());
        return deployment.operate((access, target) -> {
            List<DeadLetterRedriver.Count> counts = new ArrayList<>();
            try (var lambda = access.lambda(); var sqs = access.sqs()) {
                DeadLetterRedriver redriver = new DeadLetterRedriver(target, lambda, sqs, line -> {
                    out.println("  " + line);
                    out.flush();
                });
                for (Queue each : queues) {
                    counts.add(redriver.redrive(each, queueUrls.get(each.queueName()), dryRun));
                }
            }
            for (DeadLetterRedriver.Count count : counts) {
                out.println(count.queue().queueName() + ": " + (dryRun ? "would replay " + count.left()
                        : "replayed " + count.replayed() + ", failed " + count.failed() + ", left " + count.left()));
            }
            out.flush();
            return counts.stream().anyMatch(c -> c.failed() > 0) ? ExitStatus.UNEXPECTED_ERROR.code() : 0;
        });
    }
}
