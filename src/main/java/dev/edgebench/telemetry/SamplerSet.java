package dev.edgebench.telemetry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The opened samplers read together as one row of values: channel names qualified by the
 * sampler ({@code jetson.rail.VDD_IN.power}), the chosen {@link PowerSource} re-indexed into the
 * row, and the time each sampler took.
 *
 * <p>Threading: like its samplers, confined to one thread. Ownership: owns the samplers;
 * {@link #close()} closes them.
 */
public final class SamplerSet implements AutoCloseable {
    private final List<Sampler> samplers;
    private final int[] offsets;
    private final List<Channel> channels;
    private final PowerSource power;
    private final String powerSampler;
    private final long[] lastWallNsBy;

    private SamplerSet(List<Sampler> samplers) {
        this.samplers = List.copyOf(samplers);
        this.offsets = new int[samplers.size()];
        this.lastWallNsBy = new long[samplers.size()];
        List<Channel> all = new ArrayList<>();
        PowerSource best = null;
        String bestName = null;
        for (int k = 0; k < samplers.size(); k++) {
            Sampler s = samplers.get(k);
            offsets[k] = all.size();
            for (Channel c : s.channels()) {
                all.add(new Channel(s.name() + "." + c.name(), c.quantity()));
            }
            PowerSource p = s.powerSource();
            if (p != null && (best == null || p.scope().compareTo(best.scope()) > 0)) {
                List<PowerDomain> shifted = new ArrayList<>();
                for (PowerDomain d : p.domains()) {
                    shifted.add(new PowerDomain(d.label(), shift(d.powerChannel(), offsets[k]),
                            shift(d.energyChannel(), offsets[k]), d.counterRangeMj()));
                }
                best = new PowerSource(p.scope(), p.description(), shifted);
                bestName = s.name();
            }
        }
        this.channels = List.copyOf(all);
        this.power = best;
        this.powerSampler = bestName;
    }

    private static int shift(int index, int offset) {
        return index < 0 ? -1 : index + offset;
    }

    /** @return a set over these samplers, which it now owns */
    public static SamplerSet of(List<Sampler> samplers) {
        return new SamplerSet(samplers);
    }

    /** @return the samplers, in row order */
    public List<Sampler> samplers() {
        return samplers;
    }

    /** @return every channel, names qualified by sampler, in row order */
    public List<Channel> channels() {
        return channels;
    }

    /** @return the number of values in a row */
    public int width() {
        return channels.size();
    }

    /** @return the widest power source offered, indices into the row; null when no sampler reads power */
    public PowerSource power() {
        return power;
    }

    /** @return the name of the sampler the power source comes from, or null */
    public String powerSampler() {
        return powerSampler;
    }

    /** @return every sampler's facts, keys qualified by sampler ({@code jetson.power_mode}) */
    public Map<String, String> facts() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Sampler s : samplers) {
            s.facts().forEach((k, v) -> out.put(s.name() + "." + k, v));
        }
        return out;
    }

    /** @return every sampler's notes, each prefixed by the sampler's name */
    public List<String> notes() {
        List<String> out = new ArrayList<>();
        for (Sampler s : samplers) {
            s.notes().forEach(n -> out.add(s.name() + ": " + n));
        }
        return out;
    }

    /**
     * Reads every sampler once into {@code row}, timing each.
     *
     * @param row {@link #width()} values or more; NaN where a read failed
     * @return wall-clock nanoseconds the whole sample took
     */
    public long sample(double[] row) {
        long start = System.nanoTime();
        long t = start;
        for (int k = 0; k < samplers.size(); k++) {
            Sampler s = samplers.get(k);
            try {
                s.sample(row, offsets[k]);
            } catch (RuntimeException e) {
                s.errors().record(s.name() + " sample", e);
                Arrays.fill(row, offsets[k], offsets[k] + s.channels().size(), Double.NaN);
            }
            long now = System.nanoTime();
            lastWallNsBy[k] = now - t;
            t = now;
        }
        return t - start;
    }

    /** @return wall-clock nanoseconds each sampler took in the latest {@link #sample}, in sampler order; the array is reused */
    public long[] lastWallNsBy() {
        return lastWallNsBy;
    }

    /** @return the sampler names, in order */
    public List<String> samplerNames() {
        return samplers.stream().map(Sampler::name).toList();
    }

    /** Closes every sampler; never throws. */
    @Override
    public void close() {
        for (Sampler s : samplers) {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // a sampler that fails to close has nothing left to report
            }
        }
    }
}
