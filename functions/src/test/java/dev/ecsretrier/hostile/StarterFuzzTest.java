package dev.ecsretrier.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ecsretrier.core.InvalidStartRequestException;
import dev.ecsretrier.handler.StartResponse;
import dev.ecsretrier.handler.StarterHandler;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.port.LaunchResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * Random start requests — unknown containers, reserved names, oversized overrides, wrong types,
 * fields nobody may set — end in a launch or an {@link InvalidStartRequestException} naming the
 * field, and a refused request launches nothing.
 */
class StarterFuzzTest {

    private static final AtomicInteger TRIED = new AtomicInteger();
    private static final AtomicInteger LAUNCHED = new AtomicInteger();
    private static final AtomicInteger REFUSED = new AtomicInteger();
    /** Anything else that escaped the starter: each one also fails the property. */
    private static final AtomicInteger OTHER = new AtomicInteger();
    private static final List<String> FIELDS = List.of("runId", "attempt", "containerOverrides", "history", "launch",
            "taskRoleArn", "taskDefinition", "overrides", "cpu", "cluster");

    @AfterContainer
    static void report() {
        System.out.printf("starter fuzz: %d requests tried, %d launched, %d refused with InvalidStartRequestException,"
                + " %d other exceptions%n", TRIED.get(), LAUNCHED.get(), REFUSED.get(), OTHER.get());
    }

    @Property(tries = 3000, seed = "20261125")
    void everyRequestLaunchesOrIsRefusedByName(@ForAll("seeds") long seed, @ForAll boolean launchFailsSynchronously) {
        Random random = new Random(seed);
        byte[] request = random.nextInt(25) == 0
                ? randomText(random).getBytes(StandardCharsets.UTF_8)
                : Json.writeBytes(randomRequest(random));
        TRIED.incrementAndGet();
        InMemoryPorts ports = new InMemoryPorts();
        if (launchFailsSynchronously) {
            ports.nextLaunch = new LaunchResult.Failed("RESOURCE:MEMORY", "no container instance had enough memory");
        }
        StarterHandler starter = new StarterHandler(InMemoryPorts.config(Map.of()), ports, ports, ports,
                Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC), new SplittableRandom(1),
                ports.log::add);
        // A reader that refused everything, or accepted everything, would fail here (checked after all tries).
        Statistics.coverage(coverage -> {
            coverage.check("launched").count(launched -> launched > 0);
            coverage.check("refused").count(refused -> refused > 0);
        });
        StartResponse response;
        try {
            response = starter.start(request, "arn:aws:lambda:us-east-1:111122223333:function:starter:live");
        } catch (InvalidStartRequestException e) {
            assertThat(e.field()).isNotBlank();
            assertThat(e.getMessage()).contains(e.field());
            assertThat(ports.launches).isEmpty();
            REFUSED.incrementAndGet();
            Statistics.collect("refused");
            return;
        } catch (RuntimeException | Error e) {
            OTHER.incrementAndGet();
            throw e;
        }
        assertThat(ports.launches).hasSize(1);
        assertThat(ports.launches.get(0).containers()).singleElement().satisfies(c -> assertThat(c.name()).isEqualTo("app"));
        assertThat(ports.launches.get(0).containers().get(0).environment())
                .filteredOn(v -> v.name().startsWith("RETRIER_")).extracting(v -> v.name())
                .containsExactlyInAnyOrder("RETRIER_RUN_ID", "RETRIER_ATTEMPT", "RETRIER_MAX_ATTEMPTS", "RETRIER_JOB");
        assertThat(response.runId()).isNotBlank();
        LAUNCHED.incrementAndGet();
        Statistics.collect("launched");
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    private static Map<String, Object> randomRequest(Random random) {
        Map<String, Object> request = new LinkedHashMap<>();
        int fields = random.nextInt(4);
        for (int i = 0; i < fields; i++) {
            String field = FIELDS.get(random.nextInt(random.nextInt(4) == 0 ? FIELDS.size() : 5));
            request.put(field, switch (field) {
                case "runId" -> random.nextBoolean() ? "run-" + random.nextInt(1000) : randomValue(random);
                case "attempt" -> random.nextBoolean() ? 1 + random.nextInt(4) : randomValue(random);
                case "containerOverrides" -> random.nextInt(5) == 0 ? randomValue(random) : overrides(random);
                case "history" -> random.nextBoolean() ? List.of() : randomValue(random);
                case "launch" -> random.nextBoolean()
                        ? Map.of("cpu", random.nextBoolean() ? "1024" : "3", "memory", random.nextBoolean() ? "4096" : "999999")
                        : Map.of("subnets", List.of("subnet-b", random.nextBoolean() ? "subnet-a" : "subnet-z"));
                default -> randomValue(random);
            });
        }
        return request;
    }

    private static List<Object> overrides(Random random) {
        List<Object> overrides = new ArrayList<>();
        int count = random.nextInt(3);
        for (int i = 0; i < count; i++) {
            Map<String, Object> override = new LinkedHashMap<>();
            override.put("name", random.nextInt(4) == 0 ? "sidecar" : "app");
            if (random.nextBoolean()) {
                override.put("command", List.of("java", "-jar", "job.jar"));
            }
            List<Object> env = new ArrayList<>();
            int variables = random.nextInt(4);
            for (int v = 0; v < variables; v++) {
                String name = switch (random.nextInt(5)) {
                    case 0 -> "RETRIER_ATTEMPT";
                    case 1 -> "retrier_run_id";
                    default -> "VAR_" + random.nextInt(3);
                };
                String value = random.nextInt(6) == 0 ? "v".repeat(10_000) : "value-" + v;
                env.add(Map.of("name", name, "value", value));
            }
            override.put("environment", env);
            if (random.nextInt(8) == 0) {
                override.put("cpu", 4096);
            }
            overrides.add(override);
        }
        return overrides;
    }

    private static Object randomValue(Random random) {
        return switch (random.nextInt(7)) {
            case 0 -> null;
            case 1 -> random.nextInt();
            case 2 -> random.nextBoolean();
            case 3 -> List.of(random.nextInt(), "x");
            case 4 -> Map.of("unexpected", random.nextInt());
            case 5 -> "y".repeat(random.nextInt(40_000));
            default -> randomText(random);
        };
    }

    private static String randomText(Random random) {
        int length = random.nextInt(60);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append((char) (random.nextInt(0x2FF) + 1));
        }
        return text.toString();
    }
}
