package dev.edgebench.compare;

import dev.edgebench.results.Stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The machine-readable printer: {@code compare.json} (schema {@value #SCHEMA}), every figure of the
 * comparison with full benchmark ids. The HTML report embeds the same document.
 */
public final class JsonReport {
    /** Schema id of compare.json. */
    public static final String SCHEMA = "edgebench.compare/1";

    private JsonReport() {
    }

    /** compare.json: the whole comparison. */
    public record Document(String schema, String headline, long regressions, int exitCode, Side baseline, Side current,
                           Method method, List<MetricRow> metrics, List<LatencyRow> latency, List<CurveRow> curves,
                           List<SweepRow> sweeps, List<String> onlyInBaseline, List<String> onlyInCurrent,
                           List<EnvironmentDiff.Difference> environmentDifferences, List<String> notes) {
    }

    /** One side of the comparison. */
    public record Side(String label, String source, String format, String suite, int benchmarks, int runs) {
    }

    /** How the comparison was made: the statistic, the interval, the thresholds and the verdict rule. */
    public record Method(String suite, String statistic, double confidence, String ci, boolean paired, int resamples, long seed,
                         double threshold, double latencyThreshold, boolean gateLatency, double maxCv, int baselineRuns,
                         String runNoise, String verdictRule) {
    }

    /** One metric of one benchmark, both sides. */
    public record MetricRow(String id, String name, String metric, String unit, boolean higherIsBetter, StatsRow baseline,
                            StatsRow current, IntervalRow ratio, double threshold, String verdict, String reason, double runNoise,
                            boolean regression) {
    }

    /** One latency percentile of one benchmark, both sides. */
    public record LatencyRow(String id, String name, String tag, double percentile, double baselineUs, double currentUs,
                             long baselineCount, long currentCount, IntervalRow ratio, double threshold, String verdict,
                             String reason, double runNoise, boolean gating, boolean regression) {
    }

    /** A benchmark's latency percentile curves. */
    public record CurveRow(String id, String name, String tag, double[][] baseline, double[][] current) {
    }

    /**
     * A request-load sweep: the requests benchmarks of both sides that differ only in their
     * concurrency (closed loop) or rate (open loop), one point per step, for the throughput-vs-latency
     * and goodput-per-step charts.
     *
     * @param name  the benchmarks' name without the swept parameter
     * @param axis  {@code concurrency} or {@code rate}
     * @param points the steps, in increasing order
     */
    public record SweepRow(String name, String axis, List<SweepPoint> points) {
    }

    /**
     * One step of a sweep: each side's mean over its samples (null where the side lacks it).
     *
     * @param step the concurrency or rate
     */
    public record SweepPoint(double step, Double baselineOutputTokS, Double currentOutputTokS, Double baselineTpotMs,
                             Double currentTpotMs, Double baselineTtftP50Ms, Double currentTtftP50Ms, Double baselineGoodputReqS,
                             Double currentGoodputReqS) {
    }

    /** Summary statistics of one side's samples (null where undefined) and its forks. */
    public record StatsRow(int n, Double mean, Double median, Double stddev, Double cv, Double ci95Low, Double ci95High, Double min,
                           Double max, int forks) {
        static StatsRow of(Stats s, int forks) {
            return new StatsRow(s.n(), finite(s.mean()), finite(s.median()), finite(s.stddev()), finite(s.cv()), finite(s.ciLow()),
                    finite(s.ciHigh()), finite(s.min()), finite(s.max()), forks);
        }
    }

    /** A ratio with its confidence interval (null where undefined). */
    public record IntervalRow(Double estimate, Double low, Double high) {
        static IntervalRow of(Bootstrap.Interval i) {
            return new IntervalRow(finite(i.estimate()), finite(i.low()), finite(i.high()));
        }
    }

    public static Document document(Comparison c) {
        Names names = new Names(c);
        CompareConfig.Suite s = c.suite();
        Method method = new Method(s.name(), s.statistic().name().toLowerCase(Locale.ROOT), Comparer.CONFIDENCE, c.paired()
                ? "paired percentile bootstrap of an interleaved A/B: rounds with replacement, samples within each round's two forks;"
                + " estimate = geometric mean of the per-round ratios"
                : "percentile bootstrap, two-stage (forks with replacement, then samples within each drawn fork)",
                c.paired(), c.resamples(), c.seed(), s.threshold(), s.latencyThreshold(), s.gateLatency(), s.maxCv(), c.baseline().runs(),
                "run-to-run CV folded into each interval as a log-normal term of variance ln(1+cv²)(1+1/baselineRuns)",
                "slower/faster when the whole CI lies beyond 1 ∓ threshold; unchanged when it lies within;"
                        + " inconclusive otherwise, and when either side's robust CV (1.4826·MAD/median) exceeds maxCv (too noisy)");
        List<MetricRow> ms = new ArrayList<>();
        for (Comparison.MetricResult m : c.metrics()) {
            ms.add(new MetricRow(m.id(), names.of(m.id()), m.metric(), m.unit(), m.higherIsBetter(), StatsRow.of(m.base(), m.baseForks()),
                    m.cur() == null ? null : StatsRow.of(m.cur(), m.curForks()), IntervalRow.of(m.ratio()), m.threshold(),
                    m.verdict().word(), m.reason(), m.runNoise(), m.regression()));
        }
        List<LatencyRow> ls = new ArrayList<>();
        for (Comparison.LatencyResult l : c.latencies()) {
            ls.add(new LatencyRow(l.id(), names.of(l.id()), l.tag(), l.percentile(), l.baseUs(), l.curUs(), l.baseCount(), l.curCount(),
                    IntervalRow.of(l.ratio()), l.threshold(), l.verdict().latencyWord(), l.reason(), l.runNoise(), l.gating(),
                    l.regression()));
        }
        List<CurveRow> cs = new ArrayList<>();
        c.curves().forEach((id, tags) -> tags.forEach((tag, cv) -> cs.add(new CurveRow(id, names.of(id), tag, cv.baseline(),
                cv.current()))));
        return new Document(SCHEMA, c.headline(), c.regressions(), c.exitCode(), side(c.baseline()), side(c.current()), method, ms, ls,
                cs, sweeps(c), c.onlyBaseline(), c.onlyCurrent(), c.environment(), c.notes());
    }

    /** The request-load sweeps in the benchmarks both sides have (two steps at least). */
    static List<SweepRow> sweeps(Comparison c) {
        java.util.Map<String, java.util.TreeMap<Double, SweepPoint>> groups = new java.util.LinkedHashMap<>();
        java.util.Map<String, String[]> named = new java.util.LinkedHashMap<>();
        for (String id : c.baseline().benchmarks().keySet()) {
            ResultSet.Bench b = c.baseline().benchmarks().get(id);
            ResultSet.Bench k = c.current().benchmarks().get(id);
            java.util.Map<String, String> p = b.params();
            if (k == null || !p.containsKey("concurrency") || !b.metrics().containsKey(dev.edgebench.run.Metric.OUTPUT_TOK_S.key())) {
                continue;
            }
            boolean open = p.containsKey("rate") && !p.get("rate").equals("0");
            String axis = open ? "rate" : "concurrency";
            double step;
            try {
                step = Double.parseDouble(p.get(axis));
            } catch (NumberFormatException e) {
                continue;
            }
            java.util.Map<String, String> rest = new java.util.TreeMap<>(p);
            rest.remove(axis);
            String key = axis + " " + rest;
            named.putIfAbsent(key, new String[] {axis, dev.edgebench.run.BenchmarkId.of(id.substring(0, Math.max(0, id.indexOf('['))), rest)});
            groups.computeIfAbsent(key, x -> new java.util.TreeMap<>()).put(step, new SweepPoint(step,
                    mean(b, dev.edgebench.run.Metric.OUTPUT_TOK_S), mean(k, dev.edgebench.run.Metric.OUTPUT_TOK_S),
                    mean(b, dev.edgebench.run.Metric.TPOT_MEAN_MS), mean(k, dev.edgebench.run.Metric.TPOT_MEAN_MS),
                    mean(b, dev.edgebench.run.Metric.TTFT_P50_MS), mean(k, dev.edgebench.run.Metric.TTFT_P50_MS),
                    mean(b, dev.edgebench.run.Metric.GOODPUT_REQ_S), mean(k, dev.edgebench.run.Metric.GOODPUT_REQ_S)));
        }
        List<SweepRow> out = new ArrayList<>();
        groups.forEach((key, pts) -> {
            if (pts.size() >= 2) {
                out.add(new SweepRow(named.get(key)[1], named.get(key)[0], List.copyOf(pts.values())));
            }
        });
        return out;
    }

    private static Double mean(ResultSet.Bench b, dev.edgebench.run.Metric m) {
        ResultSet.Metric x = b.metrics().get(m.key());
        if (x == null || x.values().length == 0) {
            return null;
        }
        double s = 0;
        for (double v : x.values()) {
            s += v;
        }
        return finite(s / x.values().length);
    }

    private static Side side(ResultSet r) {
        return new Side(r.label(), r.source().toString(), r.format(), r.suite(), r.benchmarks().size(), r.runs());
    }

    private static Double finite(double d) {
        return Double.isNaN(d) || Double.isInfinite(d) ? null : d;
    }
}
