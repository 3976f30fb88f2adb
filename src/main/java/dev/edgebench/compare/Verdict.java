package dev.edgebench.compare;

/**
 * The verdict on one metric of one benchmark, from the confidence interval of current ÷ baseline
 * and the threshold t that applies:
 * <ul>
 *   <li>{@link #SLOWER}: the whole interval lies beyond t on the worse side (for a higher-is-better
 *       metric: upper end &lt; 1 − t; lower-is-better: lower end &gt; 1 + t). A regression;</li>
 *   <li>{@link #FASTER}: the whole interval lies beyond t on the better side;</li>
 *   <li>{@link #UNCHANGED}: the whole interval lies within [1 − t, 1 + t];</li>
 *   <li>{@link #INCONCLUSIVE}: the interval crosses 1 − t or 1 + t (too noisy to decide at this
 *       threshold), or there is no interval (fewer than 2 samples on a side), or the noise guard
 *       withheld the verdict (a side's sample CV above the suite's maxCv; see {@link Comparer});</li>
 *   <li>{@link #FAILED}: the benchmark measured in the baseline but failed in the current run.</li>
 * </ul>
 * Only {@link #SLOWER} and {@link #FAILED} count as regressions; noise widens the interval and
 * so yields {@link #INCONCLUSIVE}, never {@link #SLOWER}.
 */
public enum Verdict {
    SLOWER("slower", "worse"), FASTER("faster", "better"), UNCHANGED("unchanged", "unchanged"),
    INCONCLUSIVE("inconclusive", "inconclusive"), FAILED("failed", "failed");

    private final String throughput;
    private final String latency;

    Verdict(String throughput, String latency) {
        this.throughput = throughput;
        this.latency = latency;
    }

    /** @return the word for a throughput-like metric (slower/faster) */
    public String word() {
        return throughput;
    }

    /** @return the word for a latency percentile (worse/better) */
    public String latencyWord() {
        return latency;
    }

    /**
     * @param ci             current ÷ baseline with its interval
     * @param higherIsBetter direction of the metric
     * @param threshold      t, a fraction
     */
    public static Verdict of(Bootstrap.Interval ci, boolean higherIsBetter, double threshold) {
        if (!ci.hasCi()) {
            return INCONCLUSIVE;
        }
        double lo = 1 - threshold;
        double hi = 1 + threshold;
        boolean below = ci.high() < lo;
        boolean above = ci.low() > hi;
        if (below) {
            return higherIsBetter ? SLOWER : FASTER;
        }
        if (above) {
            return higherIsBetter ? FASTER : SLOWER;
        }
        if (ci.low() >= lo && ci.high() <= hi) {
            return UNCHANGED;
        }
        return INCONCLUSIVE;
    }
}
