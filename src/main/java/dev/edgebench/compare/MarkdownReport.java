package dev.edgebench.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The markdown printer: compact enough for a pull-request comment or a CI job summary. The
 * changed and undecided results come first in a table; unchanged ones fold into a details block.
 */
public final class MarkdownReport {
    private MarkdownReport() {
    }

    public static String render(Comparison c) {
        Names names = new Names(c);
        StringBuilder sb = new StringBuilder();
        long reg = c.regressions();
        sb.append("### edgebench compare: ").append(reg > 0 ? "❌ " : "✅ ").append(c.headline()).append("\n\n");
        CompareConfig.Suite s = c.suite();
        sb.append("Baseline `").append(c.baseline().label()).append("` → current `").append(c.current().label()).append("` · suite `")
                .append(s.name()).append("` · threshold ").append(Format.pctExact(s.threshold())).append(" (latency ")
                .append(Format.pctExact(s.latencyThreshold())).append(s.gateLatency() ? "" : ", reported only").append(") · ratio of ")
                .append(s.statistic().name().toLowerCase(Locale.ROOT)).append("s, 95% CI by ")
                .append(c.paired() ? "paired (round by round) " : "hierarchical ").append("bootstrap (")
                .append(String.format(Locale.ROOT, "%,d", c.resamples())).append(" resamples)").append(runNoiseNote(c)).append("\n\n");

        List<Comparison.MetricResult> shown = new ArrayList<>();
        List<Comparison.MetricResult> unchanged = new ArrayList<>();
        for (Comparison.MetricResult m : c.metrics()) {
            (m.verdict() == Verdict.UNCHANGED ? unchanged : shown).add(m);
        }
        if (!shown.isEmpty()) {
            metricTable(sb, names, shown);
        }
        if (!unchanged.isEmpty()) {
            if (shown.isEmpty()) {
                metricTable(sb, names, unchanged);
            } else {
                sb.append("\n<details><summary>").append(unchanged.size()).append(" unchanged</summary>\n\n");
                metricTable(sb, names, unchanged);
                sb.append("\n</details>\n");
            }
        }
        if (!c.latencies().isEmpty()) {
            long bad = c.latencies().stream().filter(l -> l.verdict() == Verdict.SLOWER).count();
            sb.append("\n<details").append(bad > 0 ? " open" : "").append("><summary>Latency percentiles (")
                    .append(bad > 0 ? bad + " worse" : "none worse").append(")</summary>\n\n");
            sb.append("| Benchmark | Latency | Baseline ms | Current ms | Change (95% CI) | Verdict |\n|---|---|---:|---:|---:|---|\n");
            for (Comparison.LatencyResult l : c.latencies()) {
                sb.append("| ").append(names.of(l.id())).append(" | ").append(l.tag()).append(' ').append(Format.percentile(l.percentile()))
                        .append(" | ").append(Format.num(l.baseUs() / 1000)).append(" | ").append(Format.num(l.curUs() / 1000))
                        .append(" | ").append(Format.changeCi(l.ratio())).append(" | ").append(icon(l.verdict()))
                        .append(l.reason() != null ? "too noisy" : l.verdict().latencyWord())
                        .append(l.gating() || l.verdict() != Verdict.SLOWER ? "" : " (not gating)").append(" |\n");
            }
            sb.append("\n</details>\n");
        }
        if (!c.environment().isEmpty()) {
            sb.append("\n**The environments differ** (figures may not be comparable):\n\n");
            for (EnvironmentDiff.Difference d : c.environment()) {
                sb.append("- ").append(d.category()).append(": ").append(d).append('\n');
            }
        }
        if (!c.onlyBaseline().isEmpty() || !c.onlyCurrent().isEmpty()) {
            sb.append("\n**Unmatched** (not compared):\n\n");
            c.onlyBaseline().forEach(id -> sb.append("- only in the baseline: `").append(id).append("`\n"));
            c.onlyCurrent().forEach(id -> sb.append("- only in the current run: `").append(id).append("`\n"));
        }
        if (!c.notes().isEmpty()) {
            sb.append("\nNotes:\n\n");
            c.notes().forEach(n -> sb.append("- ").append(n).append('\n'));
        }
        sb.append("\n<sub>Baseline and current: mean ± 95% CI half-width (Student t). Change: current ÷ baseline − 1 with the 95%"
                + (c.paired() ? " paired percentile-bootstrap CI (rounds of the interleaved A/B, then samples within each round, resampled)."
                : " percentile-bootstrap CI (forks, then samples within forks, resampled).") + " slower/faster only when the whole CI lies"
                + " beyond the threshold; inconclusive when it crosses the threshold; too noisy when a side's robust CV (1.4826·MAD/median) exceeds "
                + Format.pctExact(c.suite().maxCv()) + ". Latency percentiles: HdrHistogram, pooled over"
                + " iterations; CI by resampling iterations.</sub>\n");
        return sb.toString();
    }

    private static void metricTable(StringBuilder sb, Names names, List<Comparison.MetricResult> rows) {
        sb.append("| Benchmark | Metric | Baseline | Current | Change (95% CI) | Threshold | Verdict |\n|---|---|---:|---:|---:|---:|---|\n");
        for (Comparison.MetricResult m : rows) {
            sb.append("| ").append(names.of(m.id())).append(" | ").append(m.metric()).append(" (").append(m.unit()).append(") | ")
                    .append(Format.meanCi(m.base())).append(" | ").append(Format.meanCi(m.cur())).append(" | ")
                    .append(Format.changeCi(m.ratio())).append(" | ±").append(Format.pctExact(m.threshold())).append(" | ")
                    .append(icon(m.verdict())).append(verdictText(m)).append(" |\n");
        }
    }

    /** " · run-to-run noise 3–12% folded in (baseline of 12 runs)", or "" when none was. */
    static String runNoiseNote(Comparison c) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (Comparison.MetricResult m : c.metrics()) {
            if (m.runNoise() > 0) {
                lo = Math.min(lo, m.runNoise());
                hi = Math.max(hi, m.runNoise());
            }
        }
        if (hi == 0) {
            return "";
        }
        String range = Format.pctExact(lo).equals(Format.pctExact(hi)) ? Format.pctExact(hi)
                : Format.pctExact(lo) + "–" + Format.pctExact(hi);
        return " · run-to-run noise " + range + " folded in" + (c.baseline().runs() > 1 ? " (baseline of " + c.baseline().runs() + " runs)" : "");
    }

    /** The verdict word; the noise guard's "too noisy (robust CV a% / b% > c%)" when it withheld the verdict. */
    static String verdictText(Comparison.MetricResult m) {
        return m.reason() != null ? m.reason() : m.verdict().word();
    }

    static String icon(Verdict v) {
        return switch (v) {
            case SLOWER -> "🔴 ";
            case FASTER -> "🟢 ";
            case UNCHANGED -> "⚪ ";
            case INCONCLUSIVE -> "🟡 ";
            case FAILED -> "❌ ";
        };
    }
}
