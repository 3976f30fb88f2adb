package dev.edgebench.compare;

import dev.edgebench.latency.Quantiles;

import dev.edgebench.results.LatencyLog;
import dev.edgebench.results.Stats;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Matches two result sets by benchmark id (class, method and every parameter) and compares
 * each match: the configured metrics by the bootstrap ratio of means (or medians), the latency
 * percentiles from the hlogs by the bootstrap ratio of percentiles. Stateless.
 */
public final class Comparer {
    /** Confidence level of every interval. */
    public static final double CONFIDENCE = 0.95;
    /**
     * A percentile p is compared only when each side has at least this many values above it
     * ({@code count · (1 − p/100) ≥ 10}): a p99 of 200 values is its second-largest value, noise.
     */
    public static final int MIN_TAIL_VALUES = 10;

    private Comparer() {
    }

    /**
     * @throws BadInputException when the two sides have no benchmark in common
     */
    public static Comparison compare(ResultSet base, ResultSet cur, CompareConfig.Suite suite, int resamples, long seed)
            throws BadInputException {
        return compare(base, cur, suite, resamples, seed, null, false);
    }

    /**
     * @param runNoise the run-to-run CV to fold into every interval, overriding what the baseline
     *                 recorded and the suite's default (0 for an interleaved A/B); null: the
     *                 baseline's per-metric record, else the suite's {@code runToRunCv}
     * @param paired   fork i of each side ran in the same round of an interleaved A/B: compare round by
     *                 round ({@link Bootstrap#pairedRatio}) where both sides have the same fork count
     * @throws BadInputException when the two sides have no benchmark in common, or nothing could be compared
     */
    public static Comparison compare(ResultSet base, ResultSet cur, CompareConfig.Suite suite, int resamples, long seed,
                                     Double runNoise, boolean paired) throws BadInputException {
        List<String> common = new ArrayList<>();
        List<String> onlyBase = new ArrayList<>();
        for (String id : base.benchmarks().keySet()) {
            (cur.benchmarks().containsKey(id) ? common : onlyBase).add(id);
        }
        List<String> onlyCur = cur.benchmarks().keySet().stream().filter(id -> !base.benchmarks().containsKey(id)).toList();
        if (common.isEmpty()) {
            throw new BadInputException("no benchmark in common between the baseline " + base.source() + " (" + list(onlyBase)
                    + ") and the current " + cur.source() + " (" + list(onlyCur) + "); benchmarks match by class, method and every"
                    + " parameter (model, batch, threads, ...)");
        }
        List<String> notes = new ArrayList<>();
        base.warnings().forEach(w -> notes.add("baseline: " + w));
        cur.warnings().forEach(w -> notes.add("current: " + w));
        List<Comparison.MetricResult> metrics = new ArrayList<>();
        List<Comparison.LatencyResult> latencies = new ArrayList<>();
        Map<String, Map<String, Comparison.Curves>> curves = new LinkedHashMap<>();
        for (String id : common) {
            ResultSet.Bench b = base.benchmarks().get(id);
            ResultSet.Bench c = cur.benchmarks().get(id);
            if (!b.ok()) {
                notes.add(id + ": the baseline has no valid result (" + b.status() + "); not compared");
                continue;
            }
            List<String> names = metricNames(suite, b, c, notes);
            if (!c.ok() && !c.metrics().containsKey(b.primary())) {
                ResultSet.Metric m = b.metrics().get(b.primary());
                if (m != null) {
                    metrics.add(new Comparison.MetricResult(id, m.name(), m.unit(), m.higherIsBetter(), Stats.of(m.values()), null,
                            m.byFork().length, 0, new Bootstrap.Interval(Double.NaN, Double.NaN, Double.NaN),
                            suite.thresholdFor(id, m.name()), Verdict.FAILED, null, 0));
                }
                notes.add(id + ": failed in the current run (" + c.status() + (c.error() != null ? ": " + c.error() : "") + ")");
                continue;
            }
            if (!c.ok()) {
                notes.add(id + ": " + c.status() + " in the current run; compared on the samples it has");
            }
            for (String name : names) {
                ResultSet.Metric mb = b.metrics().get(name);
                ResultSet.Metric mc = c.metrics().get(name);
                if (mb.higherIsBetter() != mc.higherIsBetter() || !mb.unit().equals(mc.unit())) {
                    notes.add(id + " " + name + ": unit or direction differs (" + mb.unit() + " vs " + mc.unit() + "); not compared");
                    continue;
                }
                double[][] fb = mb.byFork();
                double[][] fc = mc.byFork();
                boolean byRound = paired && fb.length == fc.length && fb.length >= 2;
                // rounds of an interleaved A/B saw the same machine states: no run-to-run term
                double noise = byRound ? 0 : runNoise(base, suite, runNoise, id, name);
                Bootstrap.Interval ci = byRound
                        ? Bootstrap.pairedRatio(fb, fc, suite.statistic(), resamples, mix(seed, id, name), CONFIDENCE)
                        : Bootstrap.ratio(fb, fc, suite.statistic(), resamples, mix(seed, id, name), CONFIDENCE,
                        Bootstrap.runNoiseSd(noise, base.runs()), runNoise == null ? Bootstrap.logDeviations(base.runMeans(id, name)) : null);
                if (paired && !byRound) {
                    notes.add(id + " " + name + ": fork counts differ (" + fb.length + " vs " + fc.length + "); compared unpaired");
                }
                double t = suite.thresholdFor(id, name);
                Stats sb = Stats.of(mb.values());
                Stats sc = Stats.of(mc.values());
                String noisy = tooNoisy(suite, mb.values(), mc.values());
                Verdict v = noisy != null ? Verdict.INCONCLUSIVE : Verdict.of(ci, mb.higherIsBetter(), t);
                metrics.add(new Comparison.MetricResult(id, name, mb.unit(), mb.higherIsBetter(), sb, sc, fb.length, fc.length, ci, t, v,
                        noisy, noise));
            }
            ResultSet.Metric pb = b.metrics().get(b.primary());
            ResultSet.Metric pc = c.metrics().get(b.primary());
            String noisy = pb == null || pc == null ? null : tooNoisy(suite, pb.values(), pc.values());
            latency(id, b, c, base, suite, resamples, seed, runNoise, latencies, curves, noisy);
        }
        if (metrics.isEmpty()) {
            throw new BadInputException("nothing could be compared between " + base.source() + " and " + cur.source() + ": "
                    + (notes.isEmpty() ? "no compared metric (" + suite.metrics() + ") in the matched benchmarks" : String.join("; ", notes)));
        }
        return new Comparison(base, cur, suite, resamples, seed, paired, metrics, latencies, curves, onlyBase, onlyCur,
                EnvironmentDiff.diff(base.run(), cur.run()), notes);
    }

    private static List<String> metricNames(CompareConfig.Suite suite, ResultSet.Bench b, ResultSet.Bench c, List<String> notes) {
        List<String> out = new ArrayList<>();
        for (String m : suite.metrics()) {
            if (m.equals("all")) {
                b.metrics().keySet().stream().filter(k -> c.metrics().containsKey(k) && !out.contains(k)).forEach(out::add);
                continue;
            }
            String name = m.equals("primary") ? b.primary() : m;
            if (name == null || out.contains(name)) {
                continue;
            }
            boolean inB = b.metrics().containsKey(name);
            boolean inC = c.metrics().containsKey(name);
            if (inB && inC) {
                out.add(name);
            } else if ((inB || inC) && c.ok()) {
                notes.add(b.id() + ": metric " + name + " only in the " + (inB ? "baseline" : "current run") + "; not compared");
            }
        }
        return out;
    }

    /**
     * The noise guard: a side whose samples are spread beyond the suite's {@code maxCv} cannot
     * support a verdict at a few percent (the machine was disturbed for most of the measurement);
     * such a metric is inconclusive whatever its interval says, and the report says why. The
     * spread is the robust coefficient of variation, 1.4826 · MAD / |median|: a few disturbed
     * samples (which the bootstrap interval already accounts for) do not trip it, a disturbed
     * bulk does.
     *
     * @return the reason, or null when both sides are quiet enough
     */
    static String tooNoisy(CompareConfig.Suite suite, double[] b, double[] c) {
        double cb = robustCv(b);
        double cc = robustCv(c);
        if (Math.max(cb, cc) <= suite.maxCv()) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "too noisy (robust CV %.0f%% / %.0f%% > %.0f%%)", cb * 100, cc * 100,
                suite.maxCv() * 100);
    }

    /** @return 1.4826 · median absolute deviation / |median| (the CV of a normal sample, robust to outliers); 0 for n &lt; 3 */
    static double robustCv(double[] v) {
        if (v.length < 3) {
            return 0;
        }
        double med = Quantiles.median(v);
        double[] dev = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            dev[i] = Math.abs(v[i] - med);
        }
        return med == 0 ? Double.POSITIVE_INFINITY : 1.4826 * Quantiles.median(dev) / Math.abs(med);
    }

    /** The run-to-run CV that applies to a metric: the override, else the baseline's record, else the suite's default. */
    static double runNoise(ResultSet base, CompareConfig.Suite suite, Double override, String id, String metric) {
        if (override != null) {
            return override;
        }
        double r = base.runToRunCv(id, metric);
        return Double.isNaN(r) ? suite.runToRunCv() : r;
    }

    private static void latency(String id, ResultSet.Bench b, ResultSet.Bench c, ResultSet base, CompareConfig.Suite suite,
                                int resamples, long seed, Double runNoise, List<Comparison.LatencyResult> out,
                                Map<String, Map<String, Comparison.Curves>> curves, String noisy) {
        for (Map.Entry<String, List<Histogram>> e : b.latency().entrySet()) {
            String tag = e.getKey();
            if (!suite.latencyTags().contains(tag)) {
                continue;
            }
            List<Histogram> hc = c.latency().get(tag);
            if (hc == null || hc.isEmpty() || e.getValue().isEmpty()) {
                continue;
            }
            Histogram mb = LatencyLog.merge(e.getValue());
            Histogram mc = LatencyLog.merge(hc);
            long nb = mb.getTotalCount();
            long nc = mc.getTotalCount();
            if (Math.min(nb, nc) >= 20) {
                curves.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(tag, new Comparison.Curves(curve(mb), curve(mc)));
            }
            List<Double> eligible = new ArrayList<>();
            for (double p : suite.latencyPercentiles()) {
                if (Math.min(nb, nc) * (1 - p / 100) >= MIN_TAIL_VALUES) {
                    eligible.add(p);
                }
            }
            if (eligible.isEmpty()) {
                continue;
            }
            double[] ps = eligible.stream().mapToDouble(Double::doubleValue).toArray();
            double[] noise = new double[ps.length];
            double[] sd = new double[ps.length];
            double[][] dev = new double[ps.length][];
            for (int i = 0; i < ps.length; i++) {
                noise[i] = runNoise(base, suite, runNoise, id, latencyName(tag, ps[i]));
                sd[i] = Bootstrap.runNoiseSd(noise[i], base.runs());
                dev[i] = runNoise == null ? Bootstrap.logDeviations(base.runMeans(id, latencyName(tag, ps[i]))) : null;
            }
            Bootstrap.Interval[] cis = Bootstrap.percentileRatios(e.getValue(), hc, ps, resamples, mix(seed, id, "latency." + tag), CONFIDENCE,
                    sd, dev);
            for (int i = 0; i < ps.length; i++) {
                String name = latencyName(tag, ps[i]);
                double t = suite.thresholdFor(id, name);
                out.add(new Comparison.LatencyResult(id, tag, ps[i], mb.getValueAtPercentile(ps[i]) / 1000.0,
                        mc.getValueAtPercentile(ps[i]) / 1000.0, nb, nc, cis[i], t,
                        noisy != null ? Verdict.INCONCLUSIVE : Verdict.of(cis[i], false, t), suite.gateLatency(), noisy, noise[i]));
            }
        }
    }

    /** @return the metric name of a latency percentile: latency.itl.p99 */
    public static String latencyName(String tag, double p) {
        return "latency." + tag + "." + dev.edgebench.results.LatencyLog.key(p).replace("Us", "");
    }

    /** The percentile curve of a histogram: (percentile, µs) points, HdrHistogram's percentile iteration. */
    static double[][] curve(Histogram h) {
        List<double[]> pts = new ArrayList<>();
        for (HistogramIterationValue v : h.percentiles(5)) {
            double p = v.getPercentileLevelIteratedTo();
            if (p >= 100) {
                p = 100 * (1 - 1.0 / (2.0 * h.getTotalCount()));
            }
            pts.add(new double[]{p, h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0});
        }
        return pts.toArray(double[][]::new);
    }

    static long mix(long seed, String id, String metric) {
        long h = seed ^ (id.hashCode() * 0x9E3779B97F4A7C15L) ^ ((long) metric.hashCode() << 32);
        return h == 0 ? 1 : h;
    }

    private static String list(List<String> ids) {
        if (ids.isEmpty()) {
            return "no benchmark";
        }
        return ids.size() + " benchmark(s): " + String.join(", ", ids.subList(0, Math.min(4, ids.size())))
                + (ids.size() > 4 ? ", ..." : "");
    }
}
