package dev.ecsretrier.testutil;

import dev.ecsretrier.port.AttemptScheduler;
import dev.ecsretrier.port.ScheduledAttempt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * EventBridge Scheduler in memory: a schedule name can be created once; a second create with the
 * same name changes nothing and answers {@code ALREADY_SCHEDULED}, as AWS's {@code ConflictException} does.
 */
public final class FakeAttemptScheduler implements AttemptScheduler {

    private final Map<String, ScheduledAttempt> schedules = new LinkedHashMap<>();
    private final List<ScheduledAttempt> requests = new ArrayList<>();

    @Override
    public Result schedule(ScheduledAttempt attempt) {
        requests.add(attempt);
        if (schedules.containsKey(attempt.name())) {
            return Result.ALREADY_SCHEDULED;
        }
        schedules.put(attempt.name(), attempt);
        return Result.CREATED;
    }

    /** The schedules that exist, in creation order. */
    public List<ScheduledAttempt> schedules() {
        return List.copyOf(schedules.values());
    }

    /** Every create request, duplicates included. */
    public List<ScheduledAttempt> requests() {
        return requests;
    }

    public ScheduledAttempt only() {
        if (schedules.size() != 1) {
            throw new AssertionError("expected exactly one schedule, got " + schedules.keySet());
        }
        return schedules.values().iterator().next();
    }
}
