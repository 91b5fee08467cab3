package dev.ecsretrier.core;

import dev.ecsretrier.json.JsonBindingException;
import dev.ecsretrier.json.JsonForm;
import java.util.ArrayList;
import java.util.List;

/**
 * How an attempt's launch differs from the configured one: a fallback capacity provider strategy,
 * a larger task size, the configured subnets rotated so that another one comes first. Adjustments
 * carry over to later attempts. Null fields mean "as configured".
 *
 * <p>In JSON (a start request's {@code launch}) the size is ECS's two strings, {@code "cpu":"1024",
 * "memory":"4096"}, as RunTask's overrides take them; in a tag it is {@link AttemptLaunch}'s text.
 *
 * @param size         the task size, or null for the task definition's
 * @param subnetOffset how far the configured subnet list is rotated (1: the second subnet first)
 * @param changes      what was changed and why, one entry per adaptation, oldest first
 */
public record LaunchAdjustment(List<CapacityProviderItem> capacityProviderStrategy, TaskSize size,
                               Integer subnetOffset, List<String> changes) implements JsonForm {

    public static final LaunchAdjustment NONE = new LaunchAdjustment(null, null, null, List.of());

    public LaunchAdjustment {
        capacityProviderStrategy = capacityProviderStrategy == null ? null : NullTolerantLists.copy(capacityProviderStrategy);
        changes = changes == null ? List.of() : NullTolerantLists.copy(changes);
    }

    public boolean isNone() {
        return capacityProviderStrategy == null && size == null && subnetOffset == null;
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

    /** What the history keeps of this launch: the launch without the reasons; null when as configured. */
    public AttemptLaunch launched() {
        return isNone() ? null : new AttemptLaunch(capacityProviderStrategy, size, subnetOffset);
    }

    LaunchAdjustment withCapacity(List<CapacityProviderItem> strategy, String change) {
        return new LaunchAdjustment(strategy, size, subnetOffset, plus(change));
    }

    LaunchAdjustment withSize(TaskSize to, String change) {
        return new LaunchAdjustment(capacityProviderStrategy, to, subnetOffset, plus(change));
    }

    LaunchAdjustment withSubnetOffset(int offset, String change) {
        return new LaunchAdjustment(capacityProviderStrategy, size, offset, plus(change));
    }

    private List<String> plus(String change) {
        List<String> all = new ArrayList<>(changes);
        all.add(change);
        return all;
    }

    /** The launch as one ECS tag value ({@link AttemptLaunch#toTagValue()}); empty when as configured. */
    public String toTagValue() {
        return new AttemptLaunch(capacityProviderStrategy, size, subnetOffset).toTagValue();
    }

    /** Reads {@link #toTagValue()}; the change descriptions are not in tags. */
    static LaunchAdjustment fromTagValue(String value) {
        AttemptLaunch launch = AttemptLaunch.fromTagValue(value);
        return new LaunchAdjustment(launch.capacityProviderStrategy(), launch.size(), launch.subnetOffset(), List.of());
    }

    /** The JSON form, as start requests have always carried it. */
    @Override
    public Object toJson() {
        return new Form(capacityProviderStrategy, size == null ? null : size.cpuText(),
                size == null ? null : size.memoryText(), subnetOffset, changes);
    }

    /**
     * Reads the JSON form.
     *
     * @throws JsonBindingException naming {@code cpu} or {@code memory} when the size does not read
     */
    static LaunchAdjustment fromJson(Form form) {
        TaskSize size;
        try {
            size = TaskSize.fromText("cpu", form.cpu(), "memory", form.memory());
        } catch (TaskSize.TaskSizeException e) {
            throw JsonBindingException.at(e.part(), e.problem());
        }
        return new LaunchAdjustment(form.capacityProviderStrategy(), size, form.subnetOffset(), form.changes());
    }

    /** The wire shape of a launch adjustment: ECS's strings for the size. */
    record Form(List<CapacityProviderItem> capacityProviderStrategy, String cpu, String memory, Integer subnetOffset,
                List<String> changes) {
    }
}
