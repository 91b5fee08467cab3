package dev.ecsretrier.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ecsretrier.core.LaunchAdjustment;
import dev.ecsretrier.core.CapacityProviderItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How the timeline shows an adaptive retry's next launch: "on FARGATE (capacity FARGATE after 1 Spot
 * failure)" — where and how big the attempt runs, then the changes this decision made.
 */
final class NextLaunchText {

    private NextLaunchText() {
    }

    /**
     * @param subnets       the configured subnets, which the adjustment's offset rotates
     * @param changesBefore change texts the ended attempt carried already (the starter's requests
     *                      repeat them); left out
     */
    static String of(LaunchAdjustment launch, List<String> subnets, List<String> changesBefore) {
        List<String> where = new ArrayList<>();
        if (launch.capacityProviderStrategy() != null) {
            where.add("on " + String.join("+",
                    launch.capacityProviderStrategy().stream().map(CapacityProviderItem::capacityProvider).toList()));
        }
        if (launch.memory() != null) {
            where.add("with cpu " + launch.cpu() + " memory " + launch.memory());
        }
        if (launch.subnetOffset() != null && !subnets.isEmpty()) {
            where.add("in " + launch.order(subnets).get(0));
        }
        List<String> changes = launch.changes();
        boolean repeats = changes.size() >= changesBefore.size()
                && changes.subList(0, changesBefore.size()).equals(changesBefore);
        List<String> made = repeats ? changes.subList(changesBefore.size(), changes.size()) : changes;
        return String.join(" ", where) + (made.isEmpty() ? "" : " (" + String.join("; ", made) + ")");
    }

    /** A start request's {@code launch}, read leniently (it is shown, not checked); empty when it changes nothing. */
    static Optional<LaunchAdjustment> read(JsonNode launch) {
        if (launch == null || !launch.isObject()) {
            return Optional.empty();
        }
        List<CapacityProviderItem> strategy = null;
        if (launch.path("capacityProviderStrategy").isArray()) {
            strategy = new ArrayList<>();
            for (JsonNode item : launch.get("capacityProviderStrategy")) {
                strategy.add(new CapacityProviderItem(item.path("capacityProvider").asText(),
                        item.path("weight").isInt() ? item.get("weight").intValue() : null,
                        item.path("base").isInt() ? item.get("base").intValue() : null));
            }
        }
        List<String> changes = new ArrayList<>();
        launch.path("changes").forEach(change -> changes.add(change.asText()));
        LaunchAdjustment adjustment = new LaunchAdjustment(strategy, text(launch, "cpu"), text(launch, "memory"),
                launch.path("subnetOffset").isInt() ? launch.get("subnetOffset").intValue() : null, changes);
        return adjustment.isNone() ? Optional.empty() : Optional.of(adjustment);
    }

    private static String text(JsonNode node, String field) {
        return node.path(field).isTextual() ? node.get(field).textValue() : null;
    }
}
