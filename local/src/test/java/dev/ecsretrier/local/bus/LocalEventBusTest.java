package dev.ecsretrier.local.bus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.local.Fixtures;
import dev.ecsretrier.local.JsonTrees;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.emulator.TimeScale;
import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.emulator.internal.EmulatorContext;
import dev.ecsretrier.local.emulator.internal.PendingWork;
import dev.ecsretrier.local.emulator.internal.Timeline;
import dev.ecsretrier.local.lambda.LocalLambda;
import dev.ecsretrier.rule.StoppedTaskPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The local bus runs the rule pattern the CDK stack deploys, with Event Ruler. */
class LocalEventBusTest {

    final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2);
    final Timeline timeline = new Timeline(Clock.systemUTC());
    final PendingWork work = new PendingWork();
    final List<String> delivered = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void close() {
        executor.shutdownNow();
    }

    LocalEventBus bus(boolean acceptTestEvents, double duplicates) {
        EmulatorContext context = new EmulatorContext(LocalSettings.REGION, LocalSettings.ACCOUNT, Clock.systemUTC(),
                new TimeScale(0.001), executor, Faults.builder().duplicateDelivery(duplicates).build(), timeline, work);
        LocalLambda lambda = new LocalLambda(context, dev.ecsretrier.local.quota.AwsQuotas.unlimited(), new Random(1), null);
        lambda.register("classifier", payload -> delivered.add(new String(payload, StandardCharsets.UTF_8)));
        LocalEventBus bus = new LocalEventBus(context, lambda, new Random(1));
        bus.addRule("stopped", new StoppedTaskPattern("ecs-retrier", LocalSettings.CLUSTER_ARN, acceptTestEvents).toJson(),
                "classifier");
        return bus;
    }

    ObjectNode ours() {
        return Fixtures.localEvent("app-exit-2.json", "bus-run");
    }

    @Test
    void ourStoppedTaskIsDeliveredToTheClassifier() throws Exception {
        LocalEventBus bus = bus(true, 0);

        LocalEventBus.Put put = bus.put(JsonTrees.write(ours()));

        assertThat(put.matchedRules()).containsExactly("stopped");
        assertThat(work.awaitNone(Duration.ofSeconds(5))).isTrue();
        assertThat(delivered).singleElement().isEqualTo(JsonTrees.write(ours()));
    }

    @Test
    void theTestSourceMatchesOnlyWhenTestEventsAreAccepted() {
        ObjectNode test = ours().put("source", StoppedTaskPattern.TEST_SOURCE);

        assertThat(bus(true, 0).put(JsonTrees.write(test)).matched()).isTrue();
        assertThat(bus(false, 0).put(JsonTrees.write(test)).matched()).isFalse();
    }

    @Test
    void tasksWeDidNotStartAreUnmatched() {
        LocalEventBus bus = bus(true, 0);
        ObjectNode otherStarter = ours();
        ((ObjectNode) otherStarter.get("detail")).put("startedBy", "ecs-svc/123");
        ObjectNode otherCluster = ours();
        ((ObjectNode) otherCluster.get("detail")).put("clusterArn", "arn:aws:ecs:local:000000000000:cluster/other");
        ObjectNode running = ours();
        ((ObjectNode) running.get("detail")).put("lastStatus", "RUNNING");
        ObjectNode otherType = ours().put("detail-type", "ECS Container Instance State Change");

        for (ObjectNode event : List.of(otherStarter, otherCluster, running, otherType)) {
            assertThat(bus.put(JsonTrees.write(event)).matched()).as(event.toString()).isFalse();
        }
        assertThat(bus.unmatched()).hasSize(4);
        assertThat(timeline.entries(TimelineEntry.Kind.EVENT_UNMATCHED)).first()
                .satisfies(e -> assertThat(e.text()).contains("matched no rule", "startedBy ecs-svc/123"));
        assertThat(delivered).isEmpty();
    }

    @Test
    void putEventsBuildsTheEnvelopeEventBridgeGivesAnEntry() throws Exception {
        LocalEventBus bus = bus(true, 0);

        LocalEventBus.Put put = bus.put(StoppedTaskPattern.TEST_SOURCE, StoppedTaskPattern.DETAIL_TYPE,
                JsonTrees.MAPPER.convertValue(ours().get("detail"), java.util.Map.class), List.of("arn:x"), null);

        assertThat(put.matched()).isTrue();
        assertThat(work.awaitNone(Duration.ofSeconds(5))).isTrue();
        var event = JsonTrees.tree(delivered.get(0));
        assertThat(event.path("id").asText()).isEqualTo(put.eventId());
        assertThat(event.path("version").asText()).isEqualTo("0");
        assertThat(event.path("account").asText()).isEqualTo(LocalSettings.ACCOUNT);
        assertThat(event.path("region").asText()).isEqualTo(LocalSettings.REGION);
        assertThat(event.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(event.path("resources").get(0).asText()).isEqualTo("arn:x");
    }

    @Test
    void withDuplicateDeliveryEveryEventArrivesTwice() throws Exception {
        LocalEventBus bus = bus(true, 1.0);

        bus.put(JsonTrees.write(ours()));

        assertThat(work.awaitNone(Duration.ofSeconds(5))).isTrue();
        assertThat(delivered).hasSize(2).containsOnly(JsonTrees.write(ours()));
        assertThat(timeline.entries(TimelineEntry.Kind.EVENT_DUPLICATED)).hasSize(1);
    }
}
