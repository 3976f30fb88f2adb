package dev.edgebench.bench;

import dev.edgebench.latency.TokenClock;

import org.HdrHistogram.Histogram;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.Aggregator;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ResultRole;

import java.util.Collection;

/**
 * A JMH secondary result that is one percentile of a latency distribution. Unlike a scalar,
 * it keeps the histogram, so that JMH's aggregation over iterations and forks merges the
 * distributions and the published figure is the percentile of all measured values pooled, not
 * an average of per-iteration percentiles.
 *
 * <p>Percentiles follow HdrHistogram's definition: the smallest recorded value (at its
 * histogram bucket's resolution, 3 significant digits) such that at least p% of values are at
 * or below it. Values are published in microseconds.
 */
public final class PercentileResult extends Result<PercentileResult> {
    private static final long serialVersionUID = 1L;

    private final Histogram histogram;
    private final double percentile;

    /**
     * @param label      e.g. "itl.p99"
     * @param histogram  values in ns (kept, not copied: do not modify it afterwards)
     * @param percentile 0..100; 100 = max
     */
    public PercentileResult(String label, Histogram histogram, double percentile) {
        super(ResultRole.SECONDARY, label, of(valueUs(histogram, percentile)), "us", AggregationPolicy.AVG);
        this.histogram = histogram;
        this.percentile = percentile;
    }

    static double valueUs(Histogram h, double percentile) {
        if (h.getTotalCount() == 0) {
            return Double.NaN;
        }
        long ns = percentile >= 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile);
        return ns / 1000.0;
    }

    /** @return the histogram in ns */
    public Histogram histogram() {
        return histogram;
    }

    /** @return the percentile, 0..100 */
    public double percentile() {
        return percentile;
    }

    @Override
    protected Aggregator<PercentileResult> getThreadAggregator() {
        return PercentileResult::merge;
    }

    @Override
    protected Aggregator<PercentileResult> getIterationAggregator() {
        return PercentileResult::merge;
    }

    private static PercentileResult merge(Collection<PercentileResult> results) {
        Histogram merged = TokenClock.newHistogram();
        String label = null;
        double p = 50;
        for (PercentileResult r : results) {
            merged.add(r.histogram);
            label = r.label;
            p = r.percentile;
        }
        return new PercentileResult(label, merged, p);
    }

    @Override
    public String extendedInfo() {
        return "";
    }
}
