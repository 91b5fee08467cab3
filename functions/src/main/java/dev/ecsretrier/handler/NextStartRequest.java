package dev.ecsretrier.handler;

import dev.ecsretrier.core.AttemptSummary;
import dev.ecsretrier.core.ContainerExit;
import dev.ecsretrier.core.StartRequest;
import dev.ecsretrier.input.StartRequestReader;
import dev.ecsretrier.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The next attempt's start request as its schedule carries it to the starter, which reads at most
 * {@link StartRequestReader#MAX_REQUEST_BYTES}. Ten attempts of ten containers with 255-character
 * reasons, next to overrides at ECS's limit, weigh more: when the request would, the earlier
 * attempts' texts are clipped, each to an equal share of the room left, in steps (container
 * reasons, then stopped reasons, then container names), every clipped text ending in
 * {@link #CLIPPED}. What decides stays whole: attempt numbers, decisions, rules, stop codes, exit
 * codes, task ARNs, times and the user's overrides.
 */
final class NextStartRequest {

    /** Ends every text clipped to fit; a text dropped entirely is {@code [clipped]}. */
    static final String CLIPPED = " [clipped]";

    /** The clipping steps, mildest first; each keeps less text of one summary. */
    private static final List<UnaryOperator<AttemptSummary>> STEPS = List.of(
            s -> withContainers(s, c -> new ContainerExit(c.name(), c.exitCode(), clip(c.reason(), 64))),
            s -> withContainers(s, c -> new ContainerExit(c.name(), c.exitCode(), clip(c.reason(), 0))),
            s -> withStoppedReason(s, clip(s.stoppedReason(), 64)),
            s -> withContainers(s, c -> new ContainerExit(clip(c.name(), 24), c.exitCode(), c.reason())),
            s -> withStoppedReason(s, clip(s.stoppedReason(), 0)));

    private NextStartRequest() {
    }

    /** The request as JSON, within the starter's limit whenever its history can be made to fit. */
    static String json(StartRequest next) {
        String whole = Json.write(next);
        if (bytes(whole) <= StartRequestReader.MAX_REQUEST_BYTES || next.history().isEmpty()) {
            return whole;
        }
        StartRequest bare = new StartRequest(next.runId(), next.attempt(), next.containerOverrides(), List.of(),
                next.launch());
        // Each summary gets the same share of what the rest of the request leaves (with its comma).
        int share = (StartRequestReader.MAX_REQUEST_BYTES - bytes(Json.write(bare))) / next.history().size() - 1;
        List<AttemptSummary> history = new ArrayList<>();
        for (AttemptSummary summary : next.history()) {
            AttemptSummary fitted = summary;
            for (int step = 0; step < STEPS.size() && bytes(Json.write(fitted)) > share; step++) {
                fitted = STEPS.get(step).apply(fitted);
            }
            history.add(fitted);
        }
        return Json.write(new StartRequest(next.runId(), next.attempt(), next.containerOverrides(), history,
                next.launch()));
    }

    private static int bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8).length;
    }

    /** {@code text} cut to {@code max} characters and marked; null and short texts stay as they are. */
    private static String clip(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        return max == 0 ? CLIPPED.strip() : text.substring(0, max) + CLIPPED;
    }

    private static AttemptSummary withContainers(AttemptSummary s, UnaryOperator<ContainerExit> change) {
        return s.withContainers(s.containers().stream().map(c -> c == null ? null : change.apply(c)).toList());
    }

    private static AttemptSummary withStoppedReason(AttemptSummary s, String stoppedReason) {
        return s.withStoppedReason(stoppedReason);
    }
}
