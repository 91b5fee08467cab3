package dev.ecsretrier.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.core.InvalidEventException;
import dev.ecsretrier.handler.ClassifierHandler;
import dev.ecsretrier.handler.StepResult;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.TestJson;
import dev.ecsretrier.port.DescribedTask;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Random and mutated ECS events: every input ends in a decision or in an
 * {@link InvalidEventException} whose message names the field. Nothing else escapes.
 */
class ClassifierFuzzTest {

    private static final List<String> FIXTURES = List.of("succeeded.json", "app-exit-2.json", "app-exit-1.json",
            "spot-interruption.json", "out-of-memory.json", "cannot-pull-transient.json", "eni-timeout.json",
            "multi-container-sidecar-failed.json", "no-exit-code.json", "user-initiated.json");
    private static final AtomicInteger TRIED = new AtomicInteger();
    private static final AtomicInteger DECIDED = new AtomicInteger();
    private static final AtomicInteger REFUSED = new AtomicInteger();
    /** Anything else that escaped the handler: each one also fails its property. */
    private static final AtomicInteger OTHER = new AtomicInteger();

    @AfterContainer
    static void report() {
        System.out.printf("classifier fuzz: %d inputs tried, %d decided, %d refused with InvalidEventException,"
                + " %d other exceptions%n", TRIED.get(), DECIDED.get(), REFUSED.get(), OTHER.get());
    }

    @Property(tries = 3000, seed = "20261125")
    void everyMutatedEventIsDecidedOrRefusedByName(@ForAll("fixtures") String fixture, @ForAll("seeds") long seed,
                                                   @ForAll boolean taskStillDescribable) {
        byte[] event = mutate(fixture, new Random(seed));
        // A parser that refused everything, or accepted everything, would fail here (checked after all tries).
        Statistics.coverage(coverage -> {
            coverage.check(DECIDED_LABEL).count(decided -> decided > 0);
            coverage.check(REFUSED_LABEL).count(refused -> refused > 0);
        });
        Statistics.collect(decideOrRefuse(event, taskStillDescribable));
    }

    @Property(tries = 500, seed = "20261125")
    void arbitraryTextIsRefusedByName(@ForAll("junk") String text) {
        String outcome = decideOrRefuse(text.getBytes(StandardCharsets.UTF_8), false);
        assertThat(outcome).as("what became of %s", text).isEqualTo(REFUSED_LABEL);
    }

    static final String DECIDED_LABEL = "decided";
    static final String REFUSED_LABEL = "refused";

    /** Runs the classifier on one input; returns which of the two allowed ends it came to. */
    private static String decideOrRefuse(byte[] event, boolean describable) {
        TRIED.incrementAndGet();
        InMemoryPorts ports = new InMemoryPorts();
        if (describable) {
            taskArn(event).ifPresent(arn -> ports.tasks.put(arn, new DescribedTask(arn,
                    Map.of("ecs-retrier:run-id", "run-1", "ecs-retrier:attempt", "1", "ecs-retrier:max-attempts", "3"),
                    List.of())));
        }
        ClassifierHandler handler = new ClassifierHandler(InMemoryPorts.config(Map.of()), ports, ports, ports,
                Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC), new SplittableRandom(1),
                ports.log::add);
        StepResult result;
        try {
            result = handler.handle(event);
        } catch (InvalidEventException e) {
            assertThat(e.field()).isNotBlank();
            assertThat(e.getMessage()).contains(e.field());
            assertThat(ports.schedules).isEmpty();
            assertThat(ports.notifications).isEmpty();
            REFUSED.incrementAndGet();
            return REFUSED_LABEL;
        } catch (RuntimeException | Error e) {
            OTHER.incrementAndGet();
            throw e;
        }
        assertThat(result.decision()).isNotNull();
        assertThat(ports.schedules.size() + ports.notifications.size()).isEqualTo(1);
        DECIDED.incrementAndGet();
        return DECIDED_LABEL;
    }

    private static java.util.Optional<String> taskArn(byte[] event) {
        try {
            JsonNode arn = TestJson.MAPPER.readTree(event).path("detail").path("taskArn");
            return arn.isTextual() ? java.util.Optional.of(arn.textValue()) : java.util.Optional.empty();
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    @Provide
    Arbitrary<String> fixtures() {
        return Arbitraries.of(FIXTURES);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Provide
    Arbitrary<String> junk() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(200),
                Arbitraries.of("", "null", "[]", "{}", "\"text\"", "42", "{\"detail-type\":", "{\"detail\":[]}",
                        "{\"detail-type\":\"ECS Task State Change\",\"detail\":null}",
                        "{\"detail-type\":\"ECS Task State Change\",\"detail\":{\"lastStatus\":\"STOPPED\"}}"));
    }

    /** One to three mutations: remove, null, wrong type, huge string, unknown stop code, empty containers. */
    static byte[] mutate(String fixture, Random random) {
        ObjectNode root = (ObjectNode) load(fixture);
        int mutations = 1 + random.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            List<Slot> slots = new ArrayList<>();
            collect(root, slots);
            Slot slot = slots.get(random.nextInt(slots.size()));
            switch (random.nextInt(9)) {
                case 0 -> slot.remove();
                case 1 -> slot.set(JsonNodeFactory.instance.nullNode());
                case 2 -> slot.set(JsonNodeFactory.instance.textNode("x".repeat(random.nextInt(100_000))));
                case 3 -> slot.set(JsonNodeFactory.instance.numberNode(random.nextInt() * (random.nextBoolean() ? 1.5 : 1)));
                case 4 -> slot.set(JsonNodeFactory.instance.booleanNode(random.nextBoolean()));
                case 5 -> slot.set(JsonNodeFactory.instance.arrayNode());
                case 6 -> slot.set(JsonNodeFactory.instance.objectNode());
                case 7 -> (root.path("detail").isObject() ? (ObjectNode) root.get("detail") : root)
                        .put("stopCode", "FutureStopCode" + random.nextInt(1000));
                default -> {
                    if (root.path("detail").isObject()) {
                        ((ObjectNode) root.get("detail")).set("containers", JsonNodeFactory.instance.arrayNode());
                    }
                }
            }
        }
        byte[] json = TestJson.bytes(root);
        // Now and then, not JSON at all: cut mid-document.
        return random.nextInt(20) == 0 ? java.util.Arrays.copyOf(json, random.nextInt(json.length)) : json;
    }

    private static JsonNode load(String fixture) {
        try (InputStream in = ClassifierFuzzTest.class.getResourceAsStream("/events/" + fixture)) {
            return TestJson.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A place in the tree a mutation can change. */
    private record Slot(JsonNode parent, String field, int index) {
        void remove() {
            if (parent instanceof ObjectNode object) {
                object.remove(field);
            } else {
                ((ArrayNode) parent).remove(index);
            }
        }

        void set(JsonNode value) {
            if (parent instanceof ObjectNode object) {
                object.set(field, value);
            } else {
                ((ArrayNode) parent).set(index, value);
            }
        }
    }

    private static void collect(JsonNode node, List<Slot> slots) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                slots.add(new Slot(object, name, -1));
                collect(object.get(name), slots);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                slots.add(new Slot(array, null, i));
                collect(array.get(i), slots);
            }
        }
    }
}
