package dev.edgebench.results;

import dev.edgebench.run.Metric;
import dev.edgebench.run.RunDocument;
import dev.edgebench.run.RunDocument.BenchmarkResult;
import org.apache.commons.math3.distribution.TDistribution;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a server costs: the same model and request shape through the step engine (one sequence,
 * the floor), the in-process request engine ({@code llama-batched}) and llama-server over loopback,
 * measured in interleaved rounds (the {@code server-cost} command); one table per concurrency of
 * time to first token, time per output token and end-to-end time, then the differences each layer
 * adds, with 95% confidence intervals.
 *
 * <p>Per sample: the step engine's prefill ({@code prefill.ms}), mean decode step
 * ({@code itl.mean_ms}) and whole generation ({@code generation.ms}); a request engine's median
 * TTFT, mean TPOT and median E2E of the sample's requests. A difference is of the means over
 * every sample of every round, its CI Welch's (unequal variances).
 */
public final class ServerCostReport {
    /** The sides, in the order the rows are printed. */
    public static final String STEP = "step";
    public static final String BATCHED = "llama-batched";
    public static final String SERVER = "llama-server";

    private ServerCostReport() {
    }

    /** One figure of one side: every sample's value. */
    record Figure(double[] values) {
        double mean() {
            double s = 0;
            for (double v : values) {
                s += v;
            }
            return s / values.length;
        }

        double var() {
            double m = mean();
            double ss = 0;
            for (double v : values) {
                ss += (v - m) * (v - m);
            }
            return values.length > 1 ? ss / (values.length - 1) : Double.NaN;
        }
    }

    /**
     * The difference of two sides' means, b − a, with its 95% CI (Welch).
     *
     * @return {mean difference, CI low, CI high}; the CI is NaN with fewer than two samples on a side
     */
    static double[] difference(double[] a, double[] b) {
        Figure fa = new Figure(a);
        Figure fb = new Figure(b);
        double d = fb.mean() - fa.mean();
        double va = fa.var() / a.length;
        double vb = fb.var() / b.length;
        double se = Math.sqrt(va + vb);
        if (!(se > 0)) {
            return new double[] {d, Double.NaN, Double.NaN};
        }
        double df = (va + vb) * (va + vb) / (va * va / (a.length - 1) + vb * vb / (b.length - 1));
        double t = new TDistribution(null, df).inverseCumulativeProbability(0.975);
        return new double[] {d, d - t * se, d + t * se};
    }

    /**
     * @param step      the step engine's run (generation at concurrency 1), or null when it failed
     * @param batched   llama-batched's run, or null
     * @param server    llama-server's run, or null
     * @param concurrencies the concurrencies measured
     * @return the report, markdown
     */
    public static String markdown(RunDocument step, RunDocument batched, RunDocument server, List<Integer> concurrencies) {
        StringBuilder sb = new StringBuilder(2048);
        sb.append("## What a server costs\n\n");
        for (int c : concurrencies) {
            double[][] st = c == 1 ? figures(step, null, STEP) : null;
            double[][] ba = figures(batched, c, BATCHED);
            double[][] se = figures(server, c, SERVER);
            sb.append("### Concurrency ").append(c).append("\n\n| Engine | TTFT ms | Time per output token ms | E2E ms | Samples |\n")
                    .append("|---|---:|---:|---:|---:|\n");
            row(sb, "step engine, in-process (one sequence)", st, c == 1 ? "no request layer: prefill, decode steps" : "runs one sequence");
            row(sb, "llama-batched, in-process", ba, "not measured");
            row(sb, "llama-server over loopback", se, "not measured");
            sb.append("\n| Added by | TTFT ms | Time per output token ms | E2E ms |\n|---|---:|---:|---:|\n");
            diff(sb, "the request engine (llama-batched − step)", st, ba);
            diff(sb, "the server (llama-server − llama-batched)", ba, se);
            diff(sb, "both (llama-server − step)", st, se);
            sb.append('\n');
        }
        sb.append("Per sample: the step engine's prefill, mean decode step and whole generation of one sequence; a request engine's"
                + " median TTFT, mean TPOT and median E2E of the sample's requests (closed loop at the concurrency). Mean ± 95% CI"
                + " (Student t) over every sample of every round; differences of means with Welch's 95% CI; rounds interleave the"
                + " three engines, the order rotating.\n");
        return sb.toString();
    }

    /** @return {ttft, per-token, e2e} sample values of the side's benchmark at concurrency c (null c: its only one), or null */
    private static double[][] figures(RunDocument run, Integer c, String side) {
        if (run == null || run.benchmarks() == null) {
            return null;
        }
        for (BenchmarkResult b : run.benchmarks()) {
            if (!b.ok()) {
                continue;
            }
            if (side.equals(STEP)) {
                double[][] f = {values(b, Metric.PREFILL_MS), values(b, Metric.ITL_MEAN_MS), values(b, Metric.GENERATION_MS)};
                return f[0] == null || f[1] == null || f[2] == null ? null : f;
            }
            if (String.valueOf(c).equals(b.params().get("concurrency"))) {
                double[][] f = {values(b, Metric.TTFT_P50_MS), values(b, Metric.TPOT_MEAN_MS), values(b, Metric.E2E_P50_MS)};
                return f[0] == null || f[1] == null || f[2] == null ? null : f;
            }
        }
        return null;
    }

    private static double[] values(BenchmarkResult b, Metric m) {
        RunDocument.Series s = b.metric(m);
        return s == null || s.values() == null || s.values().length == 0 ? null : s.values();
    }

    private static void row(StringBuilder sb, String label, double[][] f, String missing) {
        sb.append("| ").append(label).append(" | ");
        if (f == null) {
            sb.append("— | — | — | ").append(missing).append(" |\n");
            return;
        }
        List<String> cells = new ArrayList<>();
        for (double[] v : f) {
            Stats s = Stats.of(v);
            cells.add(Double.isNaN(s.ciLow()) ? Summary.fmt(s.mean()) : Summary.fmt(s.mean()) + " ± " + Summary.fmt(s.ciHalfWidth()));
        }
        sb.append(String.join(" | ", cells)).append(" | ").append(f[0].length).append(" |\n");
    }

    private static void diff(StringBuilder sb, String label, double[][] a, double[][] b) {
        if (a == null || b == null) {
            return;
        }
        sb.append("| ").append(label);
        for (int k = 0; k < 3; k++) {
            double[] d = difference(a[k], b[k]);
            sb.append(" | ").append(String.format(Locale.ROOT, "%+.3f", d[0]));
            if (!Double.isNaN(d[1])) {
                sb.append(String.format(Locale.ROOT, " (%+.3f … %+.3f)", d[1], d[2]));
            }
        }
        sb.append(" |\n");
    }
}
