package dev.ecsretrier.core;

import java.util.ArrayList;
import java.util.List;

/**
 * How an attempt's launch differs from the configured one: a fallback capacity provider strategy,
 * a larger task size, the configured subnets rotated so that another one comes first. Adjustments
 * carry over to later attempts. Null fields mean "as configured".
 *
 * @param subnetOffset how far the configured subnet list is rotated (1: the second subnet first)
 * @param changes      what was changed and why, one entry per adaptation, oldest first
 */
public record LaunchAdjustment(List<CapacityProviderItem> capacityProviderStrategy, String cpu, String memory,
                               Integer subnetOffset, List<String> changes) {

    public static final LaunchAdjustment NONE = new LaunchAdjustment(null, null, null, null, List.of());

    public LaunchAdjustment {
        capacityProviderStrategy = capacityProviderStrategy == null ? null : NullTolerantLists.copy(capacityProviderStrategy);
        changes = changes == null ? List.of() : NullTolerantLists.copy(changes);
    }

    public boolean isNone() {
        return capacityProviderStrategy == null && cpu == null && memory == null && subnetOffset == null;
    }

    /** The configured subnets in this attempt's order. */
    public List<String> order(List<String> configuredSubnets) {
        if (subnetOffset == null || configuredSubnets.isEmpty()) {
            return configuredSubnets;
        }
        int offset = Math.floorMod(subnetOffset, configuredSubnets.size());
        List<String> order = new ArrayList<>(configuredSubnets.subList(offset, configuredSubnets.size()));
        order.addAll(configuredSubnets.subList(0, offset));
        return order;
    }

    LaunchAdjustment withCapacity(List<CapacityProviderItem> strategy, String change) {
        return new LaunchAdjustment(strategy, cpu, memory, subnetOffset, plus(change));
    }

    LaunchAdjustment withSize(TaskSize size, String change) {
        return new LaunchAdjustment(capacityProviderStrategy, Integer.toString(size.cpu()),
                Integer.toString(size.memoryMiB()), subnetOffset, plus(change));
    }

    LaunchAdjustment withSubnetOffset(int offset, String change) {
        return new LaunchAdjustment(capacityProviderStrategy, cpu, memory, offset, plus(change));
    }

    private List<String> plus(String change) {
        List<String> all = new ArrayList<>(changes);
        all.add(change);
        return all;
    }

    /**
     * The launch as one ECS tag value (letters, digits, space and {@code + - = . _ : / @} only).
     * Subnets are an offset, not a list, so the value stays short; configuration refuses a fallback
     * strategy too long to fit ({@link #MAX_STRATEGY_TAG_CHARS}).
     */
    public String toTagValue() {
        StringBuilder tag = new StringBuilder();
        if (capacityProviderStrategy != null) {
            tag.append(strategyTag(capacityProviderStrategy));
        }
        if (cpu != null) {
            tag.append(tag.length() == 0 ? "" : " ").append("cpu=").append(cpu).append(" memory=").append(memory);
        }
        if (subnetOffset != null) {
            tag.append(tag.length() == 0 ? "" : " ").append("subnet-offset=").append(subnetOffset);
        }
        return tag.toString();
    }

    /** Leaves room for the size and the subnet offset within ECS's 256 characters. */
    public static final int MAX_STRATEGY_TAG_CHARS = 200;

    public static String strategyTag(List<CapacityProviderItem> strategy) {
        StringBuilder tag = new StringBuilder("capacity=");
        for (int i = 0; i < strategy.size(); i++) {
            CapacityProviderItem item = strategy.get(i);
            tag.append(i == 0 ? "" : "+").append(item.capacityProvider()).append(':').append(orDash(item.weight()))
                    .append(':').append(orDash(item.base()));
        }
        return tag.toString();
    }

    /** Reads {@link #toTagValue()}; the change descriptions are not in tags. */
    public static LaunchAdjustment fromTagValue(String value) {
        List<CapacityProviderItem> strategy = null;
        String cpu = null;
        String memory = null;
        Integer offset = null;
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
                        strategy.add(new CapacityProviderItem(f[0], number(f[1]), number(f[2])));
                    }
                }
                case "cpu" -> cpu = v;
                case "memory" -> memory = v;
                case "subnet-offset" -> offset = number(v);
                default -> throw new IllegalArgumentException("unknown launch adjustment '" + key + "'");
            }
        }
        return new LaunchAdjustment(strategy, cpu, memory, offset, List.of());
    }

    private static String orDash(Integer n) {
        return n == null ? "-" : n.toString();
    }

    private static Integer number(String text) {
        try {
            return text.equals("-") ? null : Integer.valueOf(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number");
        }
    }
}
