package dev.ecsretrier.core;

/** One item of a capacity provider strategy; weight and base are ECS's defaults (0) when null. */
public record CapacityProviderItem(String capacityProvider, Integer weight, Integer base) {
}
