package dev.edgebench.compare;

import dev.edgebench.results.Stats;

import java.util.List;
import java.util.Map;

/**
 * The outcome of comparing a current result set with a baseline: per matched benchmark and
 * metric a ratio with its confidence interval and a verdict; latency percentiles likewise;
 * what did not match; how the environments differ. Immutable. The printers
 * ({@link MarkdownReport}, {@link HtmlReport}, {@link JsonReport}) read only this.
 *
 * @param baseline      the baseline side
 * @param current       the current side
 * @param suite         the settings used (thresholds, metrics, statistic)
 * @param resamples     bootstrap replicates
 * @param seed          bootstrap seed
 * @param paired        whether metrics were compared round by round (an interleaved A/B)
 * @param metrics       one per matched benchmark × compared metric
 * @param latencies     one per matched benchmark × latency tag × percentile
 * @param curves        benchmark id → tag → percentile curves of both sides (for plots)
 * @param onlyBaseline  benchmark ids only the baseline has
 * @param onlyCurrent   benchmark ids only the current side has
 * @param environment   environment differences
 * @param notes         other remarks (missing metrics, failed benchmarks, load warnings)
 */
public record Comparison(ResultSet baseline, ResultSet current, CompareConfig.Suite suite, int resamples, long seed,
                         boolean paired, List<MetricResult> metrics, List<LatencyResult> latencies, Map<String, Map<String, Curves>> curves,
                         List<String> onlyBaseline, List<String> onlyCurrent, List<EnvironmentDiff.Difference> environment,
                         List<String> notes) {
    /** Exit code when no regression was found. */
    public static final int EXIT_OK = 0;
    /** Exit code when a gating metric regressed beyond its threshold, or a benchmark failed that measured before. */
    public static final int EXIT_REGRESSION = 1;

    /**
     * @param id        benchmark id
     * @param metric    metric name
     * @param unit      its unit
     * @param higherIsBetter direction
     * @param base      baseline statistics (mean, median, Student-t CI of the mean)
     * @param cur       current statistics; null when the benchmark failed in the current run
     * @param baseForks forks on the baseline side
     * @param curForks  forks on the current side
     * @param ratio     current ÷ baseline of the statistic, with its bootstrap interval
     * @param threshold the threshold applied
     * @param verdict   the verdict
     * @param reason    why the verdict is inconclusive beyond the interval itself (too noisy), or null
     * @param runNoise  the run-to-run CV folded into the interval (0: none)
     */
    public record MetricResult(String id, String metric, String unit, boolean higherIsBetter, Stats base, Stats cur, int baseForks,
                               int curForks, Bootstrap.Interval ratio, double threshold, Verdict verdict, String reason,
                               double runNoise) {
        public boolean regression() {
            return verdict == Verdict.SLOWER || verdict == Verdict.FAILED;
        }
    }

    /**
     * @param id         benchmark id
     * @param tag        itl, ttft or prefill
     * @param percentile e.g. 99
     * @param baseUs     baseline percentile, µs
     * @param curUs      current percentile, µs
     * @param baseCount  values behind the baseline figure
     * @param curCount   values behind the current figure
     * @param ratio      current ÷ baseline with its interval (lower is better)
     * @param threshold  the threshold applied
     * @param verdict    the verdict
     * @param gating     whether a regression here fails the comparison
     * @param reason     why the verdict is inconclusive beyond the interval itself (too noisy), or null
     * @param runNoise   the run-to-run CV folded into the interval (0: none)
     */
    public record LatencyResult(String id, String tag, double percentile, double baseUs, double curUs, long baseCount, long curCount,
                                Bootstrap.Interval ratio, double threshold, Verdict verdict, boolean gating, String reason,
                                double runNoise) {
        public boolean regression() {
            return gating && verdict == Verdict.SLOWER;
        }
    }

    /** Percentile curve points (percentile, µs) of both sides. */
    public record Curves(double[][] baseline, double[][] current) {
    }

    /** @return regressions (metrics and gating latency percentiles) */
    public long regressions() {
        return metrics.stream().filter(MetricResult::regression).count() + latencies.stream().filter(LatencyResult::regression).count();
    }

    /** @return {@link #EXIT_REGRESSION} when any regression was found, else {@link #EXIT_OK} */
    public int exitCode() {
        return regressions() > 0 ? EXIT_REGRESSION : EXIT_OK;
    }

    /** @return the headline: how many regressions and improvements */
    public String headline() {
        long reg = regressions();
        long faster = metrics.stream().filter(m -> m.verdict() == Verdict.FASTER).count();
        long inconclusive = metrics.stream().filter(m -> m.verdict() == Verdict.INCONCLUSIVE).count();
        StringBuilder sb = new StringBuilder(reg > 0 ? reg + " regression" + (reg > 1 ? "s" : "") : "no regression");
        if (faster > 0) {
            sb.append(", ").append(faster).append(" faster");
        }
        if (inconclusive > 0) {
            sb.append(", ").append(inconclusive).append(" inconclusive");
        }
        return sb.toString();
    }
}
