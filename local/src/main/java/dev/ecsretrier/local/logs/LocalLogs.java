package dev.ecsretrier.local.logs;

import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.JsonBindingException;
import dev.ecsretrier.json.JsonRecords;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.emulator.internal.JsonLinesFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * CloudWatch Logs on one machine: each function's lines, as Lambda captures them, in the log group
 * {@code /aws/lambda/<function>}, one stream per execution environment (here: per function per start
 * of the runtime), named as Lambda names them, {@code yyyy/MM/dd/[<version>]<environment id>}
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html). Kept in memory,
 * and appended to a JSON-lines file when there is one (read back on the next start).
 */
public final class LocalLogs {

    /**
     * One log event.
     *
     * @param timestamp     when the line was written, epoch milliseconds
     * @param ingestionTime when the store took it, epoch milliseconds
     */
    public record LogEvent(String group, String stream, long timestamp, String message, long ingestionTime,
                           String eventId) {
    }

    /** A log group or stream's first moment, for DescribeLogGroups and DescribeLogStreams. */
    public record Created(String name, long creationTime) {
    }

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

    private final Clock clock;
    private final JsonLinesFile file;
    private final Random environmentIds;
    private final AtomicLong sequence = new AtomicLong();
    private final List<LogEvent> events = new ArrayList<>();
    private final Map<String, Long> groups = new LinkedHashMap<>();
    private final Map<String, Map<String, Long>> streams = new LinkedHashMap<>();

    /** @param file the store's JSON-lines file, read now when it exists; null to keep events in memory only */
    public LocalLogs(Clock clock, Path file, Random environmentIds) {
        this.clock = clock;
        this.environmentIds = environmentIds;
        this.file = file == null ? null : new JsonLinesFile(file);
        if (file != null && Files.exists(file)) {
            load(file);
        }
    }

    /**
     * Where one function's lines go for this start of the runtime: a new stream of its log group.
     *
     * @param version the version the function runs as ({@code 1} through its alias, {@code $LATEST})
     */
    public Consumer<String> sink(String function, String version) {
        String group = LocalSettings.logGroupOf(function);
        byte[] id = new byte[16];
        synchronized (environmentIds) {
            environmentIds.nextBytes(id);
        }
        String stream = DAY.format(clock.instant()) + "/[" + version + "]" + HexFormat.of().formatHex(id);
        return line -> put(group, stream, clock.instant(), line);
    }

    /** CreateLogGroup: the group exists from now on, events or not (the construct creates the functions' groups). */
    public void createGroup(String group) {
        synchronized (events) {
            groups.putIfAbsent(group, clock.millis());
        }
    }

    /** Appends one event (PutLogEvents' effect). */
    public void put(String group, String stream, Instant at, String message) {
        long now = clock.millis();
        LogEvent event = new LogEvent(group, stream, at.toEpochMilli(), message, now,
                String.format("%020d%016d", at.toEpochMilli(), sequence.incrementAndGet()));
        synchronized (events) {
            add(event);
            if (file != null) {
                file.append(Json.write(event));
            }
        }
    }

    /** Every event of a group, in the order written (which is timestamp order). */
    public List<LogEvent> events(String group) {
        synchronized (events) {
            return events.stream().filter(e -> e.group().equals(group)).toList();
        }
    }

    public boolean hasGroup(String group) {
        synchronized (events) {
            return groups.containsKey(group);
        }
    }

    /** The log groups, by name, with their creation times. */
    public List<Created> groups() {
        synchronized (events) {
            return groups.entrySet().stream().map(e -> new Created(e.getKey(), e.getValue()))
                    .sorted(java.util.Comparator.comparing(Created::name)).toList();
        }
    }

    /** A group's streams, by name, with their creation times. */
    public List<Created> streams(String group) {
        synchronized (events) {
            return streams.getOrDefault(group, Map.of()).entrySet().stream()
                    .map(e -> new Created(e.getKey(), e.getValue()))
                    .sorted(java.util.Comparator.comparing(Created::name)).toList();
        }
    }

    private void add(LogEvent event) {
        events.add(event);
        groups.putIfAbsent(event.group(), event.ingestionTime());
        streams.computeIfAbsent(event.group(), g -> new LinkedHashMap<>()).putIfAbsent(event.stream(), event.ingestionTime());
    }

    private void load(Path path) {
        try {
            for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    add(JsonRecords.fromPlain(Json.parse(line), LogEvent.class, JsonRecords.UnknownFields.SKIPPED));
                } catch (JsonBindingException e) {
                    throw new IOException("a line of the log store is not a log event: " + e.getMessage(), e);
                }
            }
            sequence.set(events.size());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the log store " + path + ": " + e.getMessage(), e);
        }
    }
}
