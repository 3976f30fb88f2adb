package dev.edgebench.telemetry;

import java.util.Objects;

/**
 * One value a sampler reads at every sample, e.g. {@code rail.VDD_IN.power} in mW.
 *
 * @param name     dotted name, unique within its sampler; {@link SamplerSet} prefixes the sampler's name
 * @param quantity what it measures, which fixes the unit
 */
public record Channel(String name, Quantity quantity) {
    public Channel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(quantity, "quantity");
    }

    /** @return the unit of the values, from the quantity */
    public String unit() {
        return quantity.unit();
    }
}
