package dev.ecsretrier.core;

import dev.ecsretrier.port.LaunchRequest.CapacityProviderItem;
import java.util.ArrayList;
import java.util.List;

/**
 * How an attempt's launch differs from the configured one: a fallback capacity provider strategy,
 * a larger task size, subnets in another order. Adjustments carry over to later attempts. Null
 * fields mean "as configured".
 *
 * @param changes what was changed and why, one entry per adaptation, oldest first
 */
public record LaunchAdjustment(List<CapacityProviderItem> capacityProviderStrategy, String cpu, String memory,
                               List<String> subnets, List<String> changes) {

    public LaunchAdjustment {
        capacityProviderStrategy = capacityProviderStrategy == null ? null : List.copyOf(capacityProviderStrategy);
        subnets = subnets == null ? null : List.copyOf(subnets);
        changes = changes == null ? List.of() : List.copyOf(changes);
    }

    public static final LaunchAdjustment NONE = new LaunchAdjustment(null, null, null, null, List.of());

    public boolean isNone() {
        return capacityProviderStrategy == null && cpu == null && memory == null && subnets == null;
    }

    LaunchAdjustment withCapacity(List<CapacityProviderItem> strategy, String change) {
        return new LaunchAdjustment(strategy, cpu, memory, subnets, plus(change));
    }

    LaunchAdjustment withSize(TaskSize size, String change) {
        return new LaunchAdjustment(capacityProviderStrategy, Integer.toString(size.cpu()),
                Integer.toString(size.memoryMiB()), subnets, plus(change));
    }

    LaunchAdjustment withSubnets(List<String> order, String change) {
        return new LaunchAdjustment(capacityProviderStrategy, cpu, memory, order, plus(change));
    }

    private List<String> plus(String change) {
        List<String> all = new ArrayList<>(changes);
        all.add(change);
        return all;
    }

    /** The launch as one ECS tag value (letters, digits, space and {@code + - = . _ : / @} only). */
    public String toTagValue() {
        StringBuilder tag = new StringBuilder();
        if (capacityProviderStrategy != null) {
            tag.append("capacity=");
            for (int i = 0; i < capacityProviderStrategy.size(); i++) {
                CapacityProviderItem item = capacityProviderStrategy.get(i);
                tag.append(i == 0 ? "" : "+").append(item.capacityProvider()).append(':').append(item.weight())
                        .append(':').append(item.base());
            }
        }
        if (cpu != null) {
            tag.append(tag.length() == 0 ? "" : " ").append("cpu=").append(cpu).append(" memory=").append(memory);
        }
        if (subnets != null) {
            tag.append(tag.length() == 0 ? "" : " ").append("subnets=").append(String.join("/", subnets));
        }
        String value = tag.toString();
        return value.length() <= AttemptSummary.TAG_VALUE_LIMIT ? value : value.substring(0, AttemptSummary.TAG_VALUE_LIMIT);
    }

    /** Reads {@link #toTagValue()}; the change descriptions are not in tags. */
    public static LaunchAdjustment fromTagValue(String value) {
        List<CapacityProviderItem> strategy = null;
        String cpu = null;
        String memory = null;
        List<String> subnets = null;
        for (String part : value.trim().split(" ")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = part.substring(0, eq);
            String v = part.substring(eq + 1);
            switch (key) {
                case "capacity" -> {
                    strategy = new ArrayList<>();
                    for (String item : v.split("\\+")) {
                        String[] f = item.split(":");
                        if (f.length != 3) {
                            throw new IllegalArgumentException("capacity item '" + item + "' is not provider:weight:base");
                        }
                        strategy.add(new CapacityProviderItem(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2])));
                    }
                }
                case "cpu" -> cpu = v;
                case "memory" -> memory = v;
                case "subnets" -> subnets = List.of(v.split("/"));
                default -> throw new IllegalArgumentException("unknown launch adjustment '" + key + "'");
            }
        }
        return new LaunchAdjustment(strategy, cpu, memory, subnets, List.of());
    }
}
