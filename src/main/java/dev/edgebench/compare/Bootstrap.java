package dev.edgebench.compare;

import dev.edgebench.latency.Quantiles;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Confidence intervals of current ÷ baseline ratios by a seeded percentile bootstrap.
 *
 * <p><b>Ratio of two metrics</b> ({@link #ratio}): two-stage (hierarchical) resampling on each
 * side independently: draw the side's forks with replacement, then, within each drawn fork, its
 * samples with replacement; the statistic (mean or median) of everything drawn on the current
 * side divided by that of the baseline side is one bootstrap ratio. Samples of one fork share
 * the fork's JIT state, memory layout and machine state, so they are not independent; resampling
 * forks carries fork-to-fork variance into the interval. With one fork per side it is the
 * ordinary bootstrap of samples. The interval is the percentile interval of the bootstrap
 * ratios; the estimate is the ratio of the observed statistics.
 *
 * <p><b>Ratio of latency percentiles</b> ({@link #percentileRatios}): the resampling unit is one
 * measurement iteration's histogram from the hlog (values within an iteration are consecutive
 * decode steps, not independent); a bootstrap replicate merges the drawn iterations and takes
 * HdrHistogram's percentile of the merge.
 *
 * <p>Deterministic: the same inputs, resample count and seed give the same interval. Not
 * thread-safe per call; calls are independent.
 */
public final class Bootstrap {
    /** Default number of bootstrap replicates. */
    public static final int DEFAULT_RESAMPLES = 10_000;
    /** Default seed; each comparison mixes in a hash of its benchmark id and metric. */
    public static final long DEFAULT_SEED = 0x5EED_2026L;

    /** Mean or median of the samples. */
    public enum Statistic {
        MEAN, MEDIAN;

        double of(double[] v, int n) {
            if (this == MEAN) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += v[i];
                }
                return s / n;
            }
            double[] c = Arrays.copyOf(v, n);
            Arrays.sort(c);
            return n % 2 == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
        }
    }

    /**
     * @param estimate the observed ratio
     * @param low      lower end of the interval (NaN when there is too little data)
     * @param high     upper end
     */
    public record Interval(double estimate, double low, double high) {
        public boolean hasCi() {
            return !Double.isNaN(low) && !Double.isNaN(high);
        }
    }

    private Bootstrap() {
    }

    /**
     * @param baseline   baseline values grouped by fork (each fork at least one value)
     * @param current    current values grouped by fork
     * @param statistic  mean or median
     * @param resamples  bootstrap replicates, e.g. {@link #DEFAULT_RESAMPLES}
     * @param seed       random seed
     * @param confidence e.g. 0.95
     * @param runNoise   run-to-run noise to add, as the standard deviation of a log ratio (0: none); see
     *                   {@link #runNoiseSd}
     * @return current ÷ baseline with its percentile interval; no interval when a side has fewer than 2 values
     */
    public static Interval ratio(double[][] baseline, double[][] current, Statistic statistic, int resamples, long seed,
                                 double confidence, double runNoise) {
        return ratio(baseline, current, statistic, resamples, seed, confidence, runNoise, null);
    }

    /**
     * @param runDeviations when not null, the run-to-run noise is drawn from these instead: the
     *                      deviations of log(run mean) from their average over the runs of a pooled
     *                      baseline. The observed ratio is the build's effect times the current run's
     *                      own run effect, a draw from that distribution; so each replicate divides by
     *                      exp of one deviation picked at random, and the machine's real spread of
     *                      states, however skewed or bimodal, reaches the interval
     */
    public static Interval ratio(double[][] baseline, double[][] current, Statistic statistic, int resamples, long seed,
                                 double confidence, double runNoise, double[] runDeviations) {
        double b = statistic.of(flat(baseline), count(baseline));
        double c = statistic.of(flat(current), count(current));
        double est = c / b;
        if (count(baseline) < 2 || count(current) < 2 || b == 0) {
            return new Interval(est, Double.NaN, Double.NaN);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] bufB = new double[Math.max(count(baseline), 1) * 2];
        double[] bufC = new double[Math.max(count(current), 1) * 2];
        double[] ratios = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double sb = draw(baseline, statistic, rnd, bufB);
            double sc = draw(current, statistic, rnd, bufC);
            ratios[r] = sc / sb * (runDeviations != null ? Math.exp(-runDeviations[rnd.nextInt(runDeviations.length)])
                    : runEffect(rnd, runNoise));
        }
        return interval(est, ratios, confidence);
    }

    /**
     * Current ÷ baseline for an interleaved A/B, paired by round: fork i of each side ran in the
     * same round, next to each other in time, so what disturbed the machine during that round
     * weighs on both. The estimate is the geometric mean over rounds of each round's ratio
     * (statistic of B's fork ÷ statistic of A's fork); a replicate draws rounds with replacement
     * and, within each drawn round, each fork's samples with replacement.
     *
     * @param baseline  side A's values by fork, fork i from round i
     * @param current   side B's values by fork, as many forks as A
     * @return the paired ratio with its percentile interval; no interval with fewer than 2 rounds
     * @throws IllegalArgumentException when the sides have different fork counts
     */
    public static Interval pairedRatio(double[][] baseline, double[][] current, Statistic statistic, int resamples, long seed,
                                       double confidence) {
        int k = baseline.length;
        if (current.length != k) {
            throw new IllegalArgumentException("paired comparison needs as many forks on each side, got " + k + " and " + current.length);
        }
        double logSum = 0;
        for (int i = 0; i < k; i++) {
            logSum += Math.log(statistic.of(current[i], current[i].length) / statistic.of(baseline[i], baseline[i].length));
        }
        double est = Math.exp(logSum / k);
        if (k < 2) {
            return new Interval(est, Double.NaN, Double.NaN);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] reps = new double[resamples];
        double[] buf = new double[64];
        for (int r = 0; r < resamples; r++) {
            double s = 0;
            for (int j = 0; j < k; j++) {
                int i = rnd.nextInt(k);
                buf = fit(buf, Math.max(baseline[i].length, current[i].length));
                s += Math.log(resampleStat(current[i], statistic, rnd, buf) / resampleStat(baseline[i], statistic, rnd, buf));
            }
            reps[r] = Math.exp(s / k);
        }
        return interval(est, reps, confidence);
    }

    private static double[] fit(double[] buf, int n) {
        return buf.length >= n ? buf : new double[n * 2];
    }

    private static double resampleStat(double[] v, Statistic statistic, SplittableRandom rnd, double[] buf) {
        for (int j = 0; j < v.length; j++) {
            buf[j] = v[rnd.nextInt(v.length)];
        }
        return statistic.of(buf, v.length);
    }

    /**
     * The run-to-run noise term of one replicate: exp(N(0, sd²)). A baseline and a current run
     * measured at different times differ by the machine's state as well (other load, heat,
     * frequency), which no within-run resampling can see; this term, calibrated from repeated
     * runs of one build, carries it into the interval.
     */
    private static double runEffect(SplittableRandom rnd, double sd) {
        if (sd <= 0) {
            return 1;
        }
        // Box-Muller from the same seeded stream
        double u1 = 1 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.exp(sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }

    /**
     * @param runCv        the coefficient of variation of a run's mean between runs of one build (0.12 = 12%)
     * @param baselineRuns how many runs the baseline pools (its own mean carries 1/n of that variance)
     * @return the standard deviation of log(current ÷ baseline) that run-to-run noise alone gives:
     *         sqrt(ln(1 + cv²) · (1 + 1/n))
     */
    public static double runNoiseSd(double runCv, int baselineRuns) {
        if (!(runCv > 0)) {
            return 0;
        }
        return Math.sqrt(Math.log(1 + runCv * runCv) * (1 + 1.0 / Math.max(1, baselineRuns)));
    }

    /** @return log(x) − mean(log x) of each run mean: the empirical run effects; null for fewer than 3 runs */
    public static double[] logDeviations(double[] runMeans) {
        if (runMeans == null || runMeans.length < 3) {
            return null;
        }
        double[] d = new double[runMeans.length];
        double m = 0;
        for (int i = 0; i < d.length; i++) {
            if (!(runMeans[i] > 0)) {
                return null;
            }
            d[i] = Math.log(runMeans[i]);
            m += d[i];
        }
        m /= d.length;
        for (int i = 0; i < d.length; i++) {
            d[i] -= m;
        }
        return d;
    }

    /** One two-stage replicate of one side. */
    private static double draw(double[][] forks, Statistic statistic, SplittableRandom rnd, double[] buf) {
        int k = forks.length;
        int n = 0;
        for (int i = 0; i < k; i++) {
            double[] f = forks[k == 1 ? 0 : rnd.nextInt(k)];
            if (n + f.length > buf.length) {
                buf = Arrays.copyOf(buf, (n + f.length) * 2);
            }
            for (int j = 0; j < f.length; j++) {
                buf[n++] = f[rnd.nextInt(f.length)];
            }
        }
        return statistic.of(buf, n);
    }

    private static Interval interval(double est, double[] replicates, double confidence) {
        double[] r = Arrays.stream(replicates).filter(x -> !Double.isNaN(x) && !Double.isInfinite(x)).sorted().toArray();
        if (r.length < 2) {
            return new Interval(est, Double.NaN, Double.NaN);
        }
        double alpha = (1 - confidence) / 2;
        return new Interval(est, Quantiles.sorted(r, alpha), Quantiles.sorted(r, 1 - alpha));
    }

    private static int count(double[][] g) {
        int n = 0;
        for (double[] f : g) {
            n += f.length;
        }
        return n;
    }

    private static double[] flat(double[][] g) {
        double[] out = new double[count(g)];
        int i = 0;
        for (double[] f : g) {
            System.arraycopy(f, 0, out, i, f.length);
            i += f.length;
        }
        return out;
    }

    /**
     * Current ÷ baseline of latency percentiles, resampling measurement iterations.
     *
     * @param baseline    the baseline's interval histograms (values in ns)
     * @param current     the current side's
     * @param percentiles e.g. {50, 99}
     * @return one interval per percentile; no interval when a side has fewer than 2 iterations
     */
    public static Interval[] percentileRatios(List<Histogram> baseline, List<Histogram> current, double[] percentiles,
                                              int resamples, long seed, double confidence, double[] runNoise) {
        return percentileRatios(baseline, current, percentiles, resamples, seed, confidence, runNoise, new double[percentiles.length][]);
    }

    /** @param runDeviations per percentile: empirical run deviations (see {@link #ratio}) or null */
    public static Interval[] percentileRatios(List<Histogram> baseline, List<Histogram> current, double[] percentiles,
                                              int resamples, long seed, double confidence, double[] runNoise,
                                              double[][] runDeviations) {
        TreeMap<Long, Integer> index = new TreeMap<>();
        for (List<Histogram> side : List.of(baseline, current)) {
            for (Histogram h : side) {
                for (HistogramIterationValue v : h.recordedValues()) {
                    index.put(v.getValueIteratedTo(), 0);
                }
            }
        }
        long[] values = new long[index.size()];
        int u = 0;
        for (var e : index.entrySet()) {
            values[u] = e.getKey();
            e.setValue(u++);
        }
        Sparse[] b = sparse(baseline, index);
        Sparse[] c = sparse(current, index);
        double[] eb = percentiles(all(b), values, percentiles);
        double[] ec = percentiles(all(c), values, percentiles);
        Interval[] out = new Interval[percentiles.length];
        if (b.length < 2 || c.length < 2) {
            for (int i = 0; i < percentiles.length; i++) {
                out[i] = new Interval(ec[i] / eb[i], Double.NaN, Double.NaN);
            }
            return out;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] reps = new double[percentiles.length][resamples];
        long[] countsB = new long[values.length];
        long[] countsC = new long[values.length];
        for (int r = 0; r < resamples; r++) {
            double[] pb = percentiles(resample(b, rnd, countsB), values, percentiles);
            double[] pc = percentiles(resample(c, rnd, countsC), values, percentiles);
            for (int i = 0; i < percentiles.length; i++) {
                double[] dev = runDeviations[i];
                reps[i][r] = pc[i] / pb[i] * (dev != null ? Math.exp(-dev[rnd.nextInt(dev.length)]) : runEffect(rnd, runNoise[i]));
            }
        }
        for (int i = 0; i < percentiles.length; i++) {
            out[i] = interval(ec[i] / eb[i], reps[i], confidence);
        }
        return out;
    }

    /** An interval histogram as (bucket index, count) pairs over the shared bucket values. */
    private record Sparse(int[] idx, long[] count) {
    }

    private static Sparse[] sparse(List<Histogram> hs, TreeMap<Long, Integer> index) {
        Sparse[] out = new Sparse[hs.size()];
        for (int i = 0; i < hs.size(); i++) {
            int n = 0;
            for (HistogramIterationValue ignored : hs.get(i).recordedValues()) {
                n++;
            }
            int[] idx = new int[n];
            long[] cnt = new long[n];
            int j = 0;
            for (HistogramIterationValue v : hs.get(i).recordedValues()) {
                idx[j] = index.get(v.getValueIteratedTo());
                cnt[j++] = v.getCountAtValueIteratedTo();
            }
            out[i] = new Sparse(idx, cnt);
        }
        return out;
    }

    private static long[] all(Sparse[] s) {
        int max = 0;
        for (Sparse x : s) {
            for (int i : x.idx) {
                max = Math.max(max, i + 1);
            }
        }
        long[] counts = new long[max];
        for (Sparse x : s) {
            for (int j = 0; j < x.idx.length; j++) {
                counts[x.idx[j]] += x.count[j];
            }
        }
        return counts;
    }

    private static long[] resample(Sparse[] s, SplittableRandom rnd, long[] counts) {
        Arrays.fill(counts, 0);
        for (int k = 0; k < s.length; k++) {
            Sparse x = s[rnd.nextInt(s.length)];
            for (int j = 0; j < x.idx.length; j++) {
                counts[x.idx[j]] += x.count[j];
            }
        }
        return counts;
    }

    /**
     * HdrHistogram's percentile rule on merged bucket counts: the value of the first bucket whose
     * cumulative count reaches {@code max(1, round(p/100 · total))}.
     */
    static double[] percentiles(long[] counts, long[] values, double[] ps) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double[] out = new double[ps.length];
        for (int i = 0; i < ps.length; i++) {
            long target = Math.max(1, (long) (ps[i] / 100.0 * total + 0.5));
            long cum = 0;
            out[i] = Double.NaN;
            for (int j = 0; j < counts.length; j++) {
                cum += counts[j];
                if (cum >= target) {
                    out[i] = values[j];
                    break;
                }
            }
        }
        return out;
    }
}
