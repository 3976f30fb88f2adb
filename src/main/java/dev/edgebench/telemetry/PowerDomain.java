package dev.edgebench.telemetry;

/**
 * One independently measured power consumer (a GPU, a board input rail, a CPU package) whose
 * energy over a window is computed by {@link WindowAccumulator}: from the energy counter where
 * there is one, else by integrating the power readings (trapezoidal rule).
 *
 * @param label            short name shown in reports, e.g. {@code gpu0}, {@code VDD_IN}, {@code package-0}
 * @param powerChannel     index of the power channel ({@link Quantity#POWER_MW}) within the sampler, or -1
 * @param energyChannel    index of the energy counter channel ({@link Quantity#ENERGY_COUNTER_MJ}) within the
 *                         sampler, or -1 when the hardware has no counter
 * @param counterRangeMj   when positive, the counter wraps to zero after this many mJ (RAPL's
 *                         {@code max_energy_range_uj}) and a decrease is a wrap; when 0, a decrease is a reset
 *                         (NVML's counter restarts when the driver reloads) and that interval falls back to the
 *                         integrated power
 */
public record PowerDomain(String label, int powerChannel, int energyChannel, double counterRangeMj) {
    public PowerDomain {
        if (powerChannel < 0 && energyChannel < 0) {
            throw new IllegalArgumentException("power domain " + label + " has neither a power nor an energy channel");
        }
        if (counterRangeMj < 0 || Double.isNaN(counterRangeMj)) {
            throw new IllegalArgumentException("power domain " + label + ": counter range must be >= 0 mJ, got " + counterRangeMj);
        }
    }

    /** @return a domain read only through its power channel (energy integrated) */
    public static PowerDomain powerOnly(String label, int powerChannel) {
        return new PowerDomain(label, powerChannel, -1, 0);
    }
}
