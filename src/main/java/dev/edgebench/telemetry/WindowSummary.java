package dev.edgebench.telemetry;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the machine did during one window (one benchmark iteration): energy, power, temperature,
 * clocks, throttling, memory and the sampler's own cost. Values that could not be measured are
 * {@link Double#NaN}.
 *
 * @param durationS              time from the window's first sample to its last, seconds
 * @param samples                samples taken, both ends included
 * @param energyJ                energy of the chosen power source over the window, joules
 * @param energySource           where {@code energyJ} came from
 * @param energyFromPowerJ       the same energy integrated from the power readings alone (trapezoid),
 *                               whether or not a counter exists: the cross-check of the counter, joules
 * @param energyFromCounter      share of the counted domain-intervals taken from a hardware counter, 0 to 1
 *                               (NaN without energy)
 * @param counterResets          energy-counter decreases treated as resets (interval integrated instead)
 * @param counterWraps           energy-counter wrap-arounds undone with the counter's range
 * @param intervalsWithoutReading domain-intervals with neither a counter delta nor two power readings
 *                               (filled at that domain's mean power over the rest of the window)
 * @param powerAvgW              {@code energyJ / durationS}, watts
 * @param powerPeakW             highest sampled total power, watts
 * @param tempMaxC               highest temperature of any sensor, °C
 * @param gpuClockMinMhz         lowest GPU core clock seen, MHz
 * @param gpuClockMaxMhz         highest GPU core clock seen, MHz
 * @param clockEventReasons      every {@link ThrottleReason} bit seen in the window, ORed
 * @param throttledSamples       samples with a throttling reason set
 * @param rssPeakBytes           this process's peak resident set size at the window's end, bytes
 * @param gpuMemoryPeakBytes     highest sampled GPU memory in use (summed over GPUs), bytes
 * @param samplerWallMeanUs      mean wall-clock time one sample of all samplers took, microseconds
 * @param samplerWallMaxUs       longest sample, wall clock, microseconds
 * @param samplerCpuMeanUs       CPU time the sampling thread spent over the window divided by the samples,
 *                               microseconds (NaN when not measured)
 * @param samplerWallMeanUsBy    mean wall-clock time per sampler, microseconds
 * @param channels               per-channel min, mean and max
 */
public record WindowSummary(double durationS, int samples, double energyJ, EnergySource energySource,
                            double energyFromPowerJ, double energyFromCounter, int counterResets,
                            int counterWraps, int intervalsWithoutReading, double powerAvgW, double powerPeakW,
                            double tempMaxC, double gpuClockMinMhz, double gpuClockMaxMhz, long clockEventReasons,
                            int throttledSamples, double rssPeakBytes, double gpuMemoryPeakBytes, double samplerWallMeanUs,
                            double samplerWallMaxUs, double samplerCpuMeanUs, Map<String, Double> samplerWallMeanUsBy,
                            List<ChannelStats> channels) {
    public WindowSummary {
        samplerWallMeanUsBy = Collections.unmodifiableMap(new LinkedHashMap<>(samplerWallMeanUsBy));
        channels = List.copyOf(channels);
    }

    /** @return whether any throttling reason was seen */
    public boolean throttled() {
        return ThrottleReason.isThrottling(clockEventReasons);
    }

    /** Where a window's energy came from. */
    public enum EnergySource {
        /** Every interval from a hardware energy counter. */
        COUNTER("counter"),
        /** Every interval integrated from power readings (trapezoidal rule). */
        INTEGRATED("integrated"),
        /** A counter, with some intervals integrated (after a counter reset). */
        COUNTER_AND_INTEGRATED("counter+integrated"),
        /** No power reading at all. */
        NONE("none");

        private final String label;

        EnergySource(String label) {
            this.label = label;
        }

        /** @return the name used in reports */
        public String label() {
            return label;
        }
    }

    /**
     * One channel over the window.
     *
     * @param name    qualified channel name
     * @param unit    unit of the values
     * @param min     lowest value, NaN when never read
     * @param mean    mean of the samples read
     * @param max     highest value
     * @param samples samples that had a value
     */
    public record ChannelStats(String name, String unit, double min, double mean, double max, int samples) {
    }
}
