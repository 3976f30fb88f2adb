package dev.edgebench.bench;

import dev.edgebench.run.Metric;

import java.util.EnumMap;
import java.util.Map;

/**
 * Where {@link SpeculativeBenchmark} leaves a sample's figures for {@link EdgebenchProfiler} to
 * publish: the benchmark thread puts them at the end of each invocation, the profiler drains them
 * after the iteration. One sample's values replace the previous ones. Synchronized: two threads,
 * once per sample.
 */
public final class SpeculativeSink {
    private static final Map<Metric, Double> VALUES = new EnumMap<>(Metric.class);

    private SpeculativeSink() {
    }

    /** Sets one figure of the current sample (NaN and infinities are left out). */
    static synchronized void put(Metric m, double v) {
        if (Double.isFinite(v)) {
            VALUES.put(m, v);
        }
    }

    /** @return the figures since the last drain, and forgets them */
    static synchronized Map<Metric, Double> drain() {
        Map<Metric, Double> out = new EnumMap<>(Metric.class);
        out.putAll(VALUES);
        VALUES.clear();
        return out;
    }
}
