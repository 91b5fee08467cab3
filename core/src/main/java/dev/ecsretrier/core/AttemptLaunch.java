package dev.ecsretrier.core;

import dev.ecsretrier.json.JsonForm;
import java.util.ArrayList;
import java.util.List;

/**
 * How one attempt was launched where that differed from the configured launch: another capacity
 * provider strategy, another task size, the configured subnets rotated. A {@link LaunchAdjustment}
 * without the reasons, as the run's history keeps it for each earlier attempt. Null fields mean
 * "as configured".
 *
 * <p>Its text ({@link #toTagValue()}, e.g. {@code capacity=FARGATE:1:- cpu=1024 memory=4096}) is
 * both its ECS tag value and its JSON: the history in start requests, notifications and records
 * has always carried it as that string.
 */
public record AttemptLaunch(List<CapacityProviderItem> capacityProviderStrategy, TaskSize size, Integer subnetOffset)
        implements JsonForm {

    /** Leaves room for the size and the subnet offset within ECS's 256 characters. */
    public static final int MAX_STRATEGY_TAG_CHARS = 200;

    public AttemptLaunch {
        capacityProviderStrategy = capacityProviderStrategy == null ? null : NullTolerantLists.copy(capacityProviderStrategy);
    }

    public boolean isNone() {
        return capacityProviderStrategy == null && size == null && subnetOffset == null;
    }

    /**
     * The launch as one ECS tag value (letters, digits, space and {@code + - = . _ : / @} only).
     * Subnets are an offset, not a list, so the value stays short; configuration refuses a fallback
     * strategy too long to fit ({@link #MAX_STRATEGY_TAG_CHARS}). Empty when as configured.
     */
    public String toTagValue() {
        StringBuilder tag = new StringBuilder();
        if (capacityProviderStrategy != null) {
            tag.append(strategyTag(capacityProviderStrategy));
        }
        if (size != null) {
            tag.append(tag.length() == 0 ? "" : " ").append("cpu=").append(size.cpu()).append(" memory=")
                    .append(size.memoryMiB());
        }
        if (subnetOffset != null) {
            tag.append(tag.length() == 0 ? "" : " ").append("subnet-offset=").append(subnetOffset);
        }
        return tag.toString();
    }

    /** {@code capacity=PROVIDER:WEIGHT:BASE+...}, {@code -} for an unset weight or base. */
    public static String strategyTag(List<CapacityProviderItem> strategy) {
        StringBuilder tag = new StringBuilder("capacity=");
        for (int i = 0; i < strategy.size(); i++) {
            CapacityProviderItem item = strategy.get(i);
            tag.append(i == 0 ? "" : "+").append(item.capacityProvider()).append(':').append(orDash(item.weight()))
                    .append(':').append(orDash(item.base()));
        }
        return tag.toString();
    }

    /**
     * Reads {@link #toTagValue()}: the text written by every version of ecs-retrier.
     *
     * @throws IllegalArgumentException naming the part that is unknown or broken
     */
    public static AttemptLaunch fromTagValue(String value) {
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
        return new AttemptLaunch(strategy, TaskSize.fromText("cpu", cpu, "memory", memory), offset);
    }

    /** The JSON form: the tag text. */
    @Override
    public Object toJson() {
        return toTagValue();
    }

    /** Reads the JSON form; empty text is as configured, which the history writes as no launch at all. */
    static AttemptLaunch fromJson(String text) {
        AttemptLaunch launch = fromTagValue(text);
        return launch.isNone() ? null : launch;
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
