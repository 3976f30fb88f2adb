package dev.edgebench.compare;

import dev.edgebench.results.Stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The machine-readable printer: {@code compare.json} (schema {@value #SCHEMA}), every figure of the
 * comparison with full benchmark ids. The HTML report embeds the same document.
 */
public final class JsonReport {
    /** Schema id of compare.json. */
    public static final String SCHEMA = "edgebench.compare/1";

    private JsonReport() {
    }

    public static Map<String, Object> document(Comparison c) {
        Names names = new Names(c);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("schema", SCHEMA);
        d.put("headline", c.headline());
        d.put("regressions", c.regressions());
        d.put("exitCode", c.exitCode());
        d.put("baseline", side(c.baseline()));
        d.put("current", side(c.current()));
        Map<String, Object> method = new LinkedHashMap<>();
        CompareConfig.Suite s = c.suite();
        method.put("suite", s.name());
        method.put("statistic", s.statistic().name().toLowerCase(Locale.ROOT));
        method.put("confidence", Comparer.CONFIDENCE);
        method.put("ci", c.paired()
                ? "paired percentile bootstrap of an interleaved A/B: rounds with replacement, samples within each round's two forks;"
                + " estimate = geometric mean of the per-round ratios"
                : "percentile bootstrap, two-stage (forks with replacement, then samples within each drawn fork)");
        method.put("paired", c.paired());
        method.put("resamples", c.resamples());
        method.put("seed", c.seed());
        method.put("threshold", s.threshold());
        method.put("latencyThreshold", s.latencyThreshold());
        method.put("gateLatency", s.gateLatency());
        method.put("maxCv", s.maxCv());
        method.put("baselineRuns", c.baseline().runs());
        method.put("runNoise", "run-to-run CV folded into each interval as a log-normal term of variance ln(1+cv²)(1+1/baselineRuns)");
        method.put("verdictRule", "slower/faster when the whole CI lies beyond 1 ∓ threshold; unchanged when it lies within;"
                + " inconclusive otherwise, and when either side's robust CV (1.4826·MAD/median) exceeds maxCv (too noisy)");
        d.put("method", method);
        List<Map<String, Object>> ms = new ArrayList<>();
        for (Comparison.MetricResult m : c.metrics()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("id", m.id());
            x.put("name", names.of(m.id()));
            x.put("metric", m.metric());
            x.put("unit", m.unit());
            x.put("higherIsBetter", m.higherIsBetter());
            x.put("baseline", stats(m.base(), m.baseForks()));
            x.put("current", m.cur() == null ? null : stats(m.cur(), m.curForks()));
            x.put("ratio", interval(m.ratio()));
            x.put("threshold", m.threshold());
            x.put("verdict", m.verdict().word());
            x.put("reason", m.reason());
            x.put("runNoise", m.runNoise());
            x.put("regression", m.regression());
            ms.add(x);
        }
        d.put("metrics", ms);
        List<Map<String, Object>> ls = new ArrayList<>();
        for (Comparison.LatencyResult l : c.latencies()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("id", l.id());
            x.put("name", names.of(l.id()));
            x.put("tag", l.tag());
            x.put("percentile", l.percentile());
            x.put("baselineUs", l.baseUs());
            x.put("currentUs", l.curUs());
            x.put("baselineCount", l.baseCount());
            x.put("currentCount", l.curCount());
            x.put("ratio", interval(l.ratio()));
            x.put("threshold", l.threshold());
            x.put("verdict", l.verdict().latencyWord());
            x.put("reason", l.reason());
            x.put("runNoise", l.runNoise());
            x.put("gating", l.gating());
            x.put("regression", l.regression());
            ls.add(x);
        }
        d.put("latency", ls);
        List<Map<String, Object>> cs = new ArrayList<>();
        c.curves().forEach((id, tags) -> tags.forEach((tag, cv) -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("id", id);
            x.put("name", names.of(id));
            x.put("tag", tag);
            x.put("baseline", cv.baseline());
            x.put("current", cv.current());
            cs.add(x);
        }));
        d.put("curves", cs);
        d.put("onlyInBaseline", c.onlyBaseline());
        d.put("onlyInCurrent", c.onlyCurrent());
        List<Map<String, Object>> env = new ArrayList<>();
        for (EnvironmentDiff.Difference e : c.environment()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("category", e.category());
            x.put("what", e.what());
            x.put("baseline", e.baseline());
            x.put("current", e.current());
            env.add(x);
        }
        d.put("environmentDifferences", env);
        d.put("notes", c.notes());
        return d;
    }

    private static Map<String, Object> side(ResultSet r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", r.label());
        m.put("source", r.source().toString());
        m.put("format", r.format());
        m.put("suite", r.suite());
        m.put("benchmarks", r.benchmarks().size());
        m.put("runs", r.runs());
        return m;
    }

    private static Map<String, Object> stats(Stats s, int forks) {
        Map<String, Object> m = s.toMap();
        m.put("forks", forks);
        return m;
    }

    private static Map<String, Object> interval(Bootstrap.Interval i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("estimate", finite(i.estimate()));
        m.put("low", finite(i.low()));
        m.put("high", finite(i.high()));
        return m;
    }

    private static Double finite(double d) {
        return Double.isNaN(d) || Double.isInfinite(d) ? null : d;
    }
}
