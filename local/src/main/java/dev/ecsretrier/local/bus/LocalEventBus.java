package dev.ecsretrier.local.bus;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.LaunchKey;
import dev.ecsretrier.local.emulator.TimeScale;
import dev.ecsretrier.local.emulator.TimelineEntry;
import dev.ecsretrier.local.emulator.internal.EmulatorContext;
import dev.ecsretrier.local.emulator.internal.PendingWork;
import dev.ecsretrier.local.emulator.internal.Timeline;
import dev.ecsretrier.local.lambda.LocalLambda;
import software.amazon.event.ruler.Machine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The default event bus: matches each event against the rules with AWS's own Event Ruler and
 * hands matches to their target function as an asynchronous invocation. Like EventBridge it
 * delivers at least once; the fault "duplicate delivery" makes that visible.
 */
public final class LocalEventBus {

    /** The default bus's name, as PutEvents entries name it. */
    public static final String DEFAULT_BUS = "default";
    /** A duplicate arrives up to this long (before time scale) after the first delivery. */
    static final long DUPLICATE_SPREAD_MILLIS = 2_000;

    /** What became of one event: its id and the rules that matched it (none: unmatched). */
    public record Put(String eventId, List<String> matchedRules) {
        public boolean matched() {
            return !matchedRules.isEmpty();
        }
    }

    private final String region;
    private final String account;
    private final Clock clock;
    private final LocalLambda lambda;
    private final ScheduledExecutorService executor;
    private final TimeScale timeScale;
    private final double duplicateProbability;
    private final Random duplicateRandom;
    private final Timeline timeline;
    private final PendingWork work;
    private final Machine machine = new Machine();
    private final Map<String, String> targets = new ConcurrentHashMap<>();
    private final List<String> unmatched = new ArrayList<>();

    /**
     * @param lambda          where matched events go, as asynchronous invocations
     * @param duplicateRandom decides, with the context's {@link Faults#duplicateDelivery()} probability,
     *                        whether an event is delivered twice
     */
    public LocalEventBus(EmulatorContext context, LocalLambda lambda, Random duplicateRandom) {
        this.region = context.region();
        this.account = context.account();
        this.clock = context.clock();
        this.lambda = lambda;
        this.executor = context.executor();
        this.timeScale = context.timeScale();
        this.duplicateProbability = context.faults().duplicateDelivery();
        this.duplicateRandom = duplicateRandom;
        this.timeline = context.timeline();
        this.work = context.work();
    }

    /** {@code PutRule} + {@code PutTargets}: events matching {@code patternJson} go to {@code targetFunction}. */
    public void addRule(String name, String patternJson, String targetFunction) {
        try {
            machine.addRule(name, patternJson);
        } catch (IOException e) {
            throw new IllegalArgumentException("rule " + name + " has an invalid event pattern: " + e.getMessage(), e);
        }
        targets.put(name, targetFunction);
    }

    /**
     * Puts one complete event (what ECS emits).
     *
     * @throws IllegalArgumentException when it is not a JSON object
     */
    public Put put(String eventJson) {
        Object plain;
        try {
            plain = Json.parse(eventJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event is not JSON: " + e.getMessage(), e);
        }
        if (!(plain instanceof Map<?, ?> fields)) {
            throw new IllegalArgumentException("event must be a JSON object");
        }
        Envelope event = Envelope.of(fields);
        List<String> rules;
        try {
            rules = machine.rulesForJSONEvent(eventJson);
        } catch (Exception e) {
            throw new IllegalArgumentException("event cannot be matched: " + e.getMessage(), e);
        }
        String id = event.id() == null ? "" : event.id();
        byte[] payload = eventJson.getBytes(StandardCharsets.UTF_8);
        if (rules.isEmpty()) {
            synchronized (unmatched) {
                unmatched.add(eventJson);
            }
            Optional<LaunchKey> key = LaunchKey.of(payload);
            timeline.record(TimelineEntry.Kind.EVENT_UNMATCHED, key.map(LaunchKey::runId).orElse(null),
                    key.map(LaunchKey::attempt).filter(a -> a > 0).orElse(null), null,
                    "event " + id + " matched no rule (source " + text(event.source(), "-")
                            + ", detail-type " + text(event.detailType(), "-") + describeDetail(event.detail()) + ")");
            return new Put(id, List.of());
        }
        for (String rule : rules) {
            String target = targets.get(rule);
            lambda.invokeAsync(target, payload);
            if (duplicateProbability > 0 && nextDuplicate()) {
                deliverAgain(event, target, payload);
            }
        }
        return new Put(id, List.copyOf(rules));
    }

    /**
     * The envelope members the bus names in its timeline, each kept only when it is text: an event
     * put whole may be anything. A map, not a record: {@code detail-type} is not a Java name.
     */
    private record Envelope(String id, String source, String detailType, Map<?, ?> detail) {
        static Envelope of(Map<?, ?> event) {
            return new Envelope(textOrNull(event.get("id")), textOrNull(event.get("source")),
                    textOrNull(event.get("detail-type")), event.get("detail") instanceof Map<?, ?> d ? d : Map.of());
        }

        private static String textOrNull(Object value) {
            return value instanceof String text ? text : null;
        }
    }

    private static String text(String value, String absent) {
        return value == null ? absent : value;
    }

    /**
     * {@code PutEvents}: builds the envelope EventBridge gives an entry, then puts it.
     *
     * @param detail the entry's {@code Detail}, a JSON object
     * @param time   null for now
     */
    public Put put(String source, String detailType, Map<?, ?> detail, List<String> resources, Instant time) {
        // The envelope's members in EventBridge's order (https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html);
        // "detail-type" is not a Java name, so the envelope is a map, written by the functions' one writer.
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", detailType);
        event.put("source", source);
        event.put("account", account);
        event.put("time", (time != null ? time : clock.instant()).truncatedTo(ChronoUnit.SECONDS).toString());
        event.put("region", region);
        event.put("resources", resources == null ? List.of() : resources);
        event.put("detail", detail);
        return put(Json.write(event));
    }

    /** Events no rule matched, as they were put. */
    public List<String> unmatched() {
        synchronized (unmatched) {
            return List.copyOf(unmatched);
        }
    }

    private boolean nextDuplicate() {
        synchronized (duplicateRandom) {
            return duplicateRandom.nextDouble() < duplicateProbability;
        }
    }

    private long nextDuplicateDelay() {
        synchronized (duplicateRandom) {
            return duplicateRandom.nextLong(DUPLICATE_SPREAD_MILLIS + 1);
        }
    }

    private void deliverAgain(Envelope event, String target, byte[] payload) {
        Optional<LaunchKey> key = LaunchKey.of(payload);
        timeline.record(TimelineEntry.Kind.EVENT_DUPLICATED, key.map(LaunchKey::runId).orElse(null),
                key.map(LaunchKey::attempt).filter(a -> a > 0).orElse(null),
                event.detail().get("taskArn") instanceof String taskArn ? taskArn : null,
                "event " + text(event.id(), "") + " will be delivered to " + target + " twice");
        work.begin();
        executor.schedule(() -> {
            try {
                lambda.invokeAsync(target, payload);
            } finally {
                work.end();
            }
        }, timeScale.millis(java.time.Duration.ofMillis(nextDuplicateDelay())), TimeUnit.MILLISECONDS);
    }

    private static String describeDetail(Map<?, ?> detail) {
        StringBuilder text = new StringBuilder();
        for (String field : List.of("lastStatus", "startedBy", "clusterArn")) {
            if (detail.get(field) instanceof String value) {
                text.append(", ").append(field).append(' ').append(value);
            }
        }
        return text.toString();
    }
}
