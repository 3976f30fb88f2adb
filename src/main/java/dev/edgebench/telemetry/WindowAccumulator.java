package dev.edgebench.telemetry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds the samples of one window into a {@link WindowSummary} as they arrive, so nothing is
 * stored per sample.
 *
 * <p>Energy, per {@link PowerDomain}, for each interval between consecutive samples: the counter
 * delta when both counter readings exist and it did not go backwards; a backwards step is a wrap
 * when the domain's counter has a range (add the range) and a reset otherwise, and a reset
 * interval, like an interval without a counter, is integrated from the two power readings with
 * the trapezoidal rule (mean of the two readings times the interval). An interval with neither is
 * counted in {@link WindowSummary#intervalsWithoutReading()} and filled at the domain's mean power
 * over the intervals it was read (a domain never read contributes nothing). The domains' energies
 * add up; the mean power is the energy over the window's length.
 *
 * <p>Not thread-safe: the sampling thread feeds it; {@link #summary()} may be called by that
 * thread at any time.
 */
public final class WindowAccumulator {
    private final List<Channel> channels;
    private final Quantity[] quantity;
    private final List<PowerDomain> domains;
    private final List<String> samplerNames;

    private final double[] min;
    private final double[] max;
    private final double[] sum;
    private final int[] count;

    private final double[] prevPowerMw;
    private final double[] prevEnergyMj;
    private final double[] energyMj;
    private final long[] coveredNs;
    /** Energy integrated from power readings alone, beside the counter, to cross-check it. */
    private final double[] powerEnergyMj;
    private final long[] powerCoveredNs;
    private int counterIntervals;
    private int integratedIntervals;
    private int missingIntervals;
    private int resets;
    private int wraps;

    private long firstNs;
    private long lastNs;
    private int samples;
    private long reasons;
    private int throttledSamples;
    private double peakPowerMw = Double.NaN;
    private double peakGpuMemoryBytes = Double.NaN;
    private long costSumNs;
    private long costMaxNs;
    private long threadCpuNs = -1;
    private final long[] costSumNsBy;

    /**
     * @param channels     the row's channels
     * @param power        the power source (indices into the row), or null when there is none
     * @param samplerNames names for the per-sampler costs, in the order of the cost arrays passed to {@link #add}
     */
    public WindowAccumulator(List<Channel> channels, PowerSource power, List<String> samplerNames) {
        this.channels = List.copyOf(channels);
        this.quantity = channels.stream().map(Channel::quantity).toArray(Quantity[]::new);
        this.domains = power == null ? List.of() : power.domains();
        this.samplerNames = List.copyOf(samplerNames);
        int n = channels.size();
        min = new double[n];
        max = new double[n];
        sum = new double[n];
        count = new int[n];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        prevPowerMw = new double[domains.size()];
        prevEnergyMj = new double[domains.size()];
        energyMj = new double[domains.size()];
        coveredNs = new long[domains.size()];
        powerEnergyMj = new double[domains.size()];
        powerCoveredNs = new long[domains.size()];
        costSumNsBy = new long[samplerNames.size()];
    }

    /** @return an accumulator for the rows of a sampler set */
    public static WindowAccumulator of(SamplerSet set) {
        return new WindowAccumulator(set.channels(), set.power(), set.samplerNames());
    }

    /**
     * Adds one sample.
     *
     * @param timeNs    when it was taken ({@link System#nanoTime()}); not before the previous sample
     * @param row       the values, in channel units, NaN where unread
     * @param costNs    wall-clock time the whole sample took, ns
     * @param costNsBy  wall-clock time each sampler took, ns, in {@code samplerNames} order
     */
    public void add(long timeNs, double[] row, long costNs, long[] costNsBy) {
        double gpuMemory = 0;
        boolean anyGpuMemory = false;
        long sampleReasons = 0;
        for (int c = 0; c < quantity.length; c++) {
            double v = row[c];
            if (Double.isNaN(v)) {
                continue;
            }
            min[c] = Math.min(min[c], v);
            max[c] = Math.max(max[c], v);
            sum[c] += v;
            count[c]++;
            if (quantity[c] == Quantity.CLOCK_EVENT_REASONS) {
                sampleReasons |= (long) v;
            } else if (quantity[c] == Quantity.GPU_MEMORY_USED_BYTES) {
                gpuMemory += v;
                anyGpuMemory = true;
            }
        }
        reasons |= sampleReasons;
        if (ThrottleReason.isThrottling(sampleReasons)) {
            throttledSamples++;
        }
        if (anyGpuMemory && !(gpuMemory <= peakGpuMemoryBytes)) {
            peakGpuMemoryBytes = gpuMemory;
        }

        double totalPowerMw = 0;
        boolean totalComplete = !domains.isEmpty();
        for (int d = 0; d < domains.size(); d++) {
            PowerDomain dom = domains.get(d);
            double p = dom.powerChannel() >= 0 ? row[dom.powerChannel()] : Double.NaN;
            double e = dom.energyChannel() >= 0 ? row[dom.energyChannel()] : Double.NaN;
            if (Double.isNaN(p)) {
                totalComplete = false;
            } else {
                totalPowerMw += p;
            }
            if (samples > 0) {
                double dtMs = (timeNs - lastNs) / 1e6;
                double delta = e - prevEnergyMj[d];
                boolean counted = false;
                if (!Double.isNaN(delta)) {
                    if (delta >= 0) {
                        counted = true;
                    } else if (dom.counterRangeMj() > 0) {
                        delta += dom.counterRangeMj();
                        wraps++;
                        counted = true;
                    } else {
                        resets++;
                    }
                }
                if (!Double.isNaN(p) && !Double.isNaN(prevPowerMw[d])) {
                    powerEnergyMj[d] += (p + prevPowerMw[d]) / 2 * dtMs / 1000.0;
                    powerCoveredNs[d] += timeNs - lastNs;
                }
                if (counted) {
                    energyMj[d] += delta;
                    coveredNs[d] += timeNs - lastNs;
                    counterIntervals++;
                } else if (!Double.isNaN(p) && !Double.isNaN(prevPowerMw[d])) {
                    // mW * ms = µJ; / 1000 = mJ
                    energyMj[d] += (p + prevPowerMw[d]) / 2 * dtMs / 1000.0;
                    coveredNs[d] += timeNs - lastNs;
                    integratedIntervals++;
                } else {
                    missingIntervals++;
                }
            }
            prevPowerMw[d] = p;
            prevEnergyMj[d] = e;
        }
        if (totalComplete && !(totalPowerMw <= peakPowerMw)) {
            peakPowerMw = totalPowerMw;
        }

        if (samples == 0) {
            firstNs = timeNs;
        }
        lastNs = timeNs;
        samples++;
        costSumNs += costNs;
        costMaxNs = Math.max(costMaxNs, costNs);

        for (int k = 0; k < costSumNsBy.length && k < costNsBy.length; k++) {
            costSumNsBy[k] += costNsBy[k];
        }
    }

    /**
     * Records the CPU time the sampling thread spent over the window (sampling, this accumulator,
     * its own scheduling), measured by the caller at the window's ends; the summary divides it by
     * the samples. Two CPU-clock reads a window instead of two a sample keep the measurement cheap.
     *
     * @param ns CPU nanoseconds, or negative when the JVM cannot tell
     */
    public void threadCpuNs(long ns) {
        threadCpuNs = ns;
    }

    /** @return the window so far */
    public WindowSummary summary() {
        double durationS = samples < 2 ? 0 : (lastNs - firstNs) / 1e9;
        double energy = Double.NaN;
        double avg = Double.NaN;
        WindowSummary.EnergySource source = WindowSummary.EnergySource.NONE;
        if (!domains.isEmpty() && (counterIntervals > 0 || integratedIntervals > 0) && durationS > 0) {
            // each domain's mean power over the time it was read; gaps are filled at that mean
            avg = 0;
            for (int d = 0; d < domains.size(); d++) {
                if (coveredNs[d] > 0) {
                    avg += energyMj[d] / (coveredNs[d] / 1e6);
                }
            }
            energy = avg * durationS;
            source = integratedIntervals == 0 ? WindowSummary.EnergySource.COUNTER
                    : counterIntervals == 0 ? WindowSummary.EnergySource.INTEGRATED
                    : WindowSummary.EnergySource.COUNTER_AND_INTEGRATED;
        }
        double tempMax = Double.NaN;
        double clockMin = Double.NaN;
        double clockMax = Double.NaN;
        double rssPeak = Double.NaN;
        List<WindowSummary.ChannelStats> stats = new ArrayList<>();
        for (int c = 0; c < quantity.length; c++) {
            boolean any = count[c] > 0;
            stats.add(new WindowSummary.ChannelStats(channels.get(c).name(), channels.get(c).unit(),
                    any ? min[c] : Double.NaN, any ? sum[c] / count[c] : Double.NaN, any ? max[c] : Double.NaN, count[c]));
            if (!any) {
                continue;
            }
            switch (quantity[c]) {
                case TEMPERATURE_C -> tempMax = maxOf(tempMax, max[c]);
                case GPU_CLOCK_MHZ -> {
                    clockMin = Double.isNaN(clockMin) ? min[c] : Math.min(clockMin, min[c]);
                    clockMax = maxOf(clockMax, max[c]);
                }
                case PROCESS_RSS_PEAK_BYTES -> rssPeak = maxOf(rssPeak, max[c]);
                default -> {
                }
            }
        }
        Map<String, Double> costBy = new LinkedHashMap<>();
        for (int k = 0; k < samplerNames.size(); k++) {
            costBy.put(samplerNames.get(k), samples == 0 ? Double.NaN : costSumNsBy[k] / 1e3 / samples);
        }
        double fromCounter = counterIntervals + integratedIntervals == 0 ? Double.NaN
                : counterIntervals / (double) (counterIntervals + integratedIntervals);
        double fromPower = Double.NaN;
        if (!domains.isEmpty() && durationS > 0) {
            double pw = 0;
            boolean any = false;
            for (int d = 0; d < domains.size(); d++) {
                if (powerCoveredNs[d] > 0) {
                    pw += powerEnergyMj[d] / (powerCoveredNs[d] / 1e6);
                    any = true;
                }
            }
            fromPower = any ? pw * durationS : Double.NaN;
        }
        return new WindowSummary(durationS, samples, energy, source, fromPower, fromCounter, resets, wraps, missingIntervals, avg,
                Double.isNaN(peakPowerMw) ? Double.NaN : peakPowerMw / 1000.0, tempMax, clockMin, clockMax, reasons,
                throttledSamples, rssPeak, peakGpuMemoryBytes, samples == 0 ? Double.NaN : costSumNs / 1e3 / samples,
                samples == 0 ? Double.NaN : costMaxNs / 1e3, threadCpuNs < 0 || samples == 0 ? Double.NaN : threadCpuNs / 1e3 / samples,
                costBy, stats);
    }

    private static double maxOf(double a, double b) {
        return Double.isNaN(a) ? b : Math.max(a, b);
    }
}
