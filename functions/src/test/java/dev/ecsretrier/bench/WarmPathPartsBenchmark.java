package dev.ecsretrier.bench;

import dev.ecsretrier.core.AttemptMetadata;
import dev.ecsretrier.core.Backoff;
import dev.ecsretrier.core.EndedAttempt;
import dev.ecsretrier.core.Jitter;
import dev.ecsretrier.core.RetryPlanner;
import dev.ecsretrier.core.RunOutcome;
import dev.ecsretrier.core.Step;
import dev.ecsretrier.core.StopClassifier;
import dev.ecsretrier.input.TaskStateChange;
import dev.ecsretrier.input.TaskStateChangeParser;
import dev.ecsretrier.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link WarmPathBenchmark}'s three parts alone, to tell which one a change made slower: reading the
 * ECS event, deciding (classify and plan), writing the step's JSON. Same events and settings. Uses
 * only what the classifier used before issue 12 too, so it runs on either side of
 * {@code bench/warm-path-compare.sh REV --parts}. Not run by default.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WarmPathPartsBenchmark {

    @Param({"app-exit-2.json", "cannot-pull-transient.json", "succeeded.json"})
    public String event;

    private byte[] json;
    private RetryPlanner planner;
    private TaskStateChange change;
    private Step step;
    private final AttemptMetadata run = AttemptMetadata.of("run-1", 1, 3, List.of());
    private final SplittableRandom random = new SplittableRandom(1);
    private final Instant now = Instant.parse("2026-11-25T12:00:00Z");

    @Setup
    public void load() throws IOException {
        try (InputStream in = WarmPathPartsBenchmark.class.getResourceAsStream("/events/" + event)) {
            json = in.readAllBytes();
        }
        planner = new RetryPlanner(StopClassifier.of(List.of(), Set.of(2), Set.of()),
                new Backoff(Duration.ofSeconds(60), 2, Duration.ofMinutes(15), Jitter.FULL));
        change = TaskStateChangeParser.parse(json);
        step = decide();
    }

    @Benchmark
    public TaskStateChange readTheEvent() {
        return TaskStateChangeParser.parse(json);
    }

    @Benchmark
    public Step decide() {
        return planner.plan(new EndedAttempt(run, change.stop(), List.of(), change.clusterArn(),
                change.taskDefinitionArn(), RunOutcome.MetadataSource.TAGS, null, change.size()), now, random);
    }

    @Benchmark
    public String writeTheStep() {
        return step instanceof Step.Retry retry ? Json.write(retry.next()) : Json.write(((Step.Finish) step).outcome());
    }
}
