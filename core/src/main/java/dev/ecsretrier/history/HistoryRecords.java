package dev.ecsretrier.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ecsretrier.json.Json;
import dev.ecsretrier.json.JsonBindingException;
import dev.ecsretrier.json.JsonRecords;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * History records as log lines: {@code {"record":"ecs-retrier.history","version":1,"type":"launched"|"decided",
 * ...the record's fields}}. {@code record} and {@code version} let a reader tell them from the other
 * lines of the log (metrics, Lambda's own); the version changes only when a field changes meaning or
 * goes away, so a reader ignores fields it does not know (a newer writer may add some).
 */
public final class HistoryRecords {

    /** The {@code record} field of every history line. */
    public static final String NAME = "ecs-retrier.history";
    /** The {@code version} this code writes and reads. */
    public static final int VERSION = 1;
    public static final String LAUNCHED = "launched";
    public static final String DECIDED = "decided";

    private HistoryRecords() {
    }

    /**
     * The CloudWatch Logs filter pattern that selects one run's history lines: a JSON pattern on the
     * {@code record} and {@code runId} fields
     * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html),
     * so another run whose id contains this one, or a line that only mentions it, does not match. A run
     * id is letters, digits, '.', '_' and '-' ({@link dev.ecsretrier.core.AttemptMetadata#RUN_ID}): nothing
     * in it needs quoting.
     */
    public static String filterPattern(String runId) {
        return "{ $.record = \"" + NAME + "\" && $.runId = \"" + runId + "\" }";
    }

    /** The record as one log line (no line break: one CloudWatch Logs event). */
    public static String line(HistoryRecord record) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("record", NAME);
        line.put("version", VERSION);
        line.put("type", record instanceof HistoryRecord.Launched ? LAUNCHED : DECIDED);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) JsonRecords.toPlain(record);
        line.putAll(fields);
        return Json.write(line);
    }

    /**
     * The history record on one log line; empty when the line is not one (another log line, not JSON,
     * another record name).
     *
     * @throws IllegalArgumentException when the line is a history record this reader cannot read: another
     *                                  version, an unknown type, or a field of the wrong type (named)
     */
    public static Optional<HistoryRecord> read(String line) {
        String text = line.strip();
        if (!text.startsWith("{")) {
            return Optional.empty();
        }
        Object plain;
        try {
            plain = Json.parse(text);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        if (!(plain instanceof Map<?, ?> map) || !NAME.equals(map.get("record"))) {
            return Optional.empty();
        }
        Object version = map.get("version");
        if (!(version instanceof Number n) || n.intValue() != VERSION || n.doubleValue() != VERSION) {
            throw new IllegalArgumentException("history record version " + version + " is not the version this"
                    + " reader knows (" + VERSION + ")");
        }
        Object type = map.get("type");
        Class<? extends HistoryRecord> recordType;
        if (LAUNCHED.equals(type)) {
            recordType = HistoryRecord.Launched.class;
        } else if (DECIDED.equals(type)) {
            recordType = HistoryRecord.Decided.class;
        } else {
            throw new IllegalArgumentException("history record type " + type + " is neither " + LAUNCHED + " nor "
                    + DECIDED);
        }
        try {
            return Optional.of(JsonRecords.fromPlain(map, recordType,
                    // A newer writer's additions (and the envelope's record, version, type) are skipped, not refused.
                    JsonRecords.UnknownFields.SKIPPED));
        } catch (JsonBindingException e) {
            throw new IllegalArgumentException("history record (" + type + "): " + e.getMessage(), e);
        }
    }
}
