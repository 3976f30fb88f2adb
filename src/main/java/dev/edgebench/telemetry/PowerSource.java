package dev.edgebench.telemetry;

import java.util.List;

/**
 * What a sampler offers as "the machine's power": the domains to add up for power and energy
 * figures, and how wide their scope is. When several samplers offer one, {@link SamplerSet}
 * picks the widest scope (a Jetson board input beats a discrete GPU beats a CPU package).
 *
 * @param scope       how much of the machine the domains cover
 * @param description one line for reports, e.g. {@code VDD_IN (board input rail)} or {@code gpu0 + gpu1}
 * @param domains     the domains to add up; never empty
 */
public record PowerSource(Scope scope, String description, List<PowerDomain> domains) {
    public PowerSource {
        domains = List.copyOf(domains);
        if (domains.isEmpty()) {
            throw new IllegalArgumentException("a power source needs at least one domain: " + description);
        }
    }

    /** How much of the machine a power figure covers; later constants are wider. */
    public enum Scope {
        /** CPU package(s) only (RAPL). */
        CPU_PACKAGE,
        /** The discrete GPU(s) only (NVML). */
        GPU,
        /** A Jetson module or board: the INA3221 rails. */
        BOARD
    }
}
