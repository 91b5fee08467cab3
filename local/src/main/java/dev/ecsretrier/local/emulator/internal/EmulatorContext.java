package dev.ecsretrier.local.emulator.internal;

import dev.ecsretrier.local.emulator.Faults;
import dev.ecsretrier.local.emulator.TimeScale;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every local emulator (ECS, the event bus, Lambda, the scheduler, the topic) shares, built
 * once by the local runtime ({@code dev.ecsretrier.local.LocalRuntime}): where the emulated account is, the clock and how waits are
 * scaled, the threads that run scheduled work, the faults asked for, and where each emulator
 * records what happened and what is still in flight.
 *
 * @param region    the emulated region, in ARNs and events
 * @param account   the emulated account id, in ARNs and events
 * @param clock     the time events and timestamps carry
 * @param timeScale how much of each planned wait is really waited
 * @param executor  runs every delayed or asynchronous piece of work
 * @param faults    the faults each emulator injects (each reads its own)
 * @param timeline  what happened, in order
 * @param work      what is still in flight, so a caller can wait for rest
 */
public record EmulatorContext(String region, String account, Clock clock, TimeScale timeScale,
                              ScheduledExecutorService executor, Faults faults, Timeline timeline, PendingWork work) {

    public EmulatorContext {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(timeScale, "timeScale");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(faults, "faults");
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(work, "work");
    }
}
