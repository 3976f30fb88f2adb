package dev.edgebench.results;

import dev.edgebench.run.Metric;
import dev.edgebench.run.RunDocument.BenchmarkResult;
import dev.edgebench.run.SpeculativeOptions;
import dev.edgebench.run.Workload;
import dev.edgebench.speculative.AcceptanceMode;
import dev.edgebench.speculative.CostModel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The speculative section of {@code summary.md}: the table in the shape of TensorRT Edge-LLM's
 * EAGLE table (model, base and draft precision, batch, prefill ms, prefill tokens, generation
 * tok/s, accept rate, speedup), with the acceptance mode, k, α, and the cost model's predicted
 * speedup and break-even α beside the measured speedup; then where each step's time went.
 */
final class SpeculativeSummary {
    private SpeculativeSummary() {
    }

    /** Appends the section when the run has speculative benchmarks. */
    static void append(StringBuilder sb, List<BenchmarkResult> benches) {
        List<BenchmarkResult> spec = benches.stream().filter(b -> Workload.SPECULATIVE.key().equals(b.benchmark())).toList();
        if (spec.isEmpty()) {
            return;
        }
        sb.append("\n## Speculative decoding\n\n| Model | Base precision | Draft | Draft precision | Mode | Batch | k | Prefill ms"
                + " | Prefill tokens | Generation tok/s | Accept rate (τ) | α | Speedup | Predicted | Break-even α"
                + " | Predicted from parts alone |\n|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (BenchmarkResult b : spec) {
            Map<String, String> p = b.params();
            String[] t = split(p.get("model"));
            String[] d = split(p.get("draft"));
            sb.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | ").append(d[0]).append(" | ").append(d[1])
                    .append(" | ").append(mode(p)).append(" | ").append(p.get("batch")).append(" | ").append(p.get("draftTokens"))
                    .append(" | ").append(Summary.ci(b, Metric.PREFILL_MS)).append(" | ").append(p.get("nPrompt")).append(" | ")
                    .append(Summary.ci(b, Metric.SPEC_TOK_S)).append(" | ").append(Summary.ci(b, Metric.SPEC_TAU)).append(" | ")
                    .append(Summary.ci(b, Metric.SPEC_ALPHA)).append(" | ").append(Summary.ci(b, Metric.SPEC_SPEEDUP)).append(" | ")
                    .append(Summary.ci(b, Metric.SPEC_PREDICTED_SPEEDUP)).append(" | ").append(Summary.ci(b, Metric.SPEC_BREAK_EVEN_ALPHA))
                    .append(" | ").append(Summary.ci(b, Metric.SPEC_PREDICTED_ALONE)).append(" |\n");
        }
        sb.append("\nAccept rate is τ, tokens per sequence per verify step (accepted + the target's own); α is accepted ÷ drafted."
                + " Speedup is generation tok/s ÷ plain greedy decoding of the same target, prompts and seed in the same sample;"
                + " both rates count the tokens after the first over the time after it. Predicted is the cost model"
                + " (k · draft step + verify of k + 1 + bookkeeping) against the plain step, at the measured α, from those parts as"
                + " they ran in the loop; break-even α is where it predicts 1 (above 1: cannot pay at this k and batch). Predicted"
                + " from parts alone takes the draft and verify steps each timed by itself (probes): where it is higher, the loop's"
                + " turn-taking between the two models costs what the difference shows (the draft steps' ratio, in-loop ÷ alone,"
                + " is in the cost-model table). Mode synthetic: the"
                + " verdicts were drawn from the acceptance profile (acceptRate), the models did all their work.\n");
        sb.append("\n| Benchmark | Draft ms/step | Verify ms/step | Bookkeeping ms/step | Plain step ms | Probe draft ms"
                + " | Probe verify ms | α per position | Diverged |\n|---|---:|---:|---:|---:|---:|---:|---|---:|\n");
        for (BenchmarkResult b : spec) {
            StringBuilder pos = new StringBuilder();
            for (int i = 1; i <= Metric.SPEC_POSITIONS; i++) {
                Metric.alphaAtPosition(i).map(b::metric).ifPresent(s -> pos.append(pos.isEmpty() ? "" : " ")
                        .append(Summary.fmt(s.stats().mean())));
            }
            Map<String, String> p = b.params();
            sb.append("| ").append(p.get("model")).append(" ← ").append(p.get("draft")).append(", B ").append(p.get("batch"))
                    .append(", k ").append(p.get("draftTokens")).append(", ").append(p.get("acceptRate")).append(" | ")
                    .append(Summary.ci(b, Metric.SPEC_DRAFT_MS)).append(" | ").append(Summary.ci(b, Metric.SPEC_VERIFY_MS))
                    .append(" | ").append(Summary.ci(b, Metric.SPEC_BOOKKEEPING_MS)).append(" | ")
                    .append(Summary.ci(b, Metric.SPEC_VANILLA_STEP_MS)).append(" | ").append(Summary.ci(b, Metric.SPEC_PROBE_DRAFT_MS))
                    .append(" | ").append(Summary.ci(b, Metric.SPEC_PROBE_VERIFY_MS)).append(" | ")
                    .append(pos.isEmpty() ? "—" : pos).append(" | ").append(Summary.ci(b, Metric.SPEC_DIVERGED)).append(" |\n");
        }
        why(sb, spec);
    }

    /**
     * The cost model rebuilt from each cell's measured parts (means over samples), one row per
     * target, draft, batch and k (cells that differ only in acceptance share their parts, averaged).
     */
    private static void why(StringBuilder sb, List<BenchmarkResult> spec) {
        Map<String, double[]> parts = new LinkedHashMap<>();
        for (BenchmarkResult b : spec) {
            Map<String, String> p = b.params();
            Double draft = mean(b, Metric.SPEC_DRAFT_MS);
            Double verify = mean(b, Metric.SPEC_VERIFY_MS);
            Double book = mean(b, Metric.SPEC_BOOKKEEPING_MS);
            Double plain = mean(b, Metric.SPEC_VANILLA_STEP_MS);
            Double probe = mean(b, Metric.SPEC_PROBE_DRAFT_MS);
            if (draft == null || verify == null || plain == null) {
                continue;
            }
            int k = Integer.parseInt(p.get("draftTokens"));
            String key = p.get("model") + " ← " + p.get("draft") + " | " + p.get("batch") + " | " + k;
            double[] acc = parts.computeIfAbsent(key, x -> new double[6]);
            acc[0] += draft / k;
            acc[1] += verify;
            acc[2] += plain;
            acc[3]++;
            acc[4] += book == null ? 0 : book;
            acc[5] += probe == null || probe <= 0 ? Double.NaN : draft / k / probe;
        }
        if (parts.isEmpty()) {
            return;
        }
        sb.append("\n### Why it pays or not: the cost model from the measured parts\n\n| Pair | Batch | k | Plain step ms"
                + " | Draft step ms | Draft in loop ÷ alone | Verify ms | Bookkeeping ms | Verify in plain steps | Break-even α"
                + " | Predicted at α 0.4 | 0.6 | 0.8 | 1.0 |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, double[]> e : parts.entrySet()) {
            double[] a = e.getValue();
            String[] key = e.getKey().split(" \\| ");
            CostModel m = new CostModel(Integer.parseInt(key[2]), Integer.parseInt(key[1]), a[0] / a[3] * 1e6, a[1] / a[3] * 1e6,
                    a[4] / a[3] * 1e6, a[2] / a[3] * 1e6);
            sb.append("| ").append(key[0]).append(" | ").append(key[1]).append(" | ").append(key[2]).append(" | ")
                    .append(Summary.fmt(a[2] / a[3])).append(" | ").append(Summary.fmt(a[0] / a[3])).append(" | ")
                    .append(Double.isNaN(a[5]) ? "—" : Summary.fmt(a[5] / a[3])).append(" | ")
                    .append(Summary.fmt(a[1] / a[3])).append(" | ").append(Summary.fmt(a[4] / a[3])).append(" | ")
                    .append(Summary.fmt(m.verifyCostInSteps())).append(" | ")
                    .append(Summary.fmt(m.breakEvenAlpha())).append(" | ").append(Summary.fmt(m.speedup(0.4))).append(" | ")
                    .append(Summary.fmt(m.speedup(0.6))).append(" | ").append(Summary.fmt(m.speedup(0.8))).append(" | ")
                    .append(Summary.fmt(m.speedup(1.0))).append(" |\n");
        }
        sb.append("\nSpeedup(α) = (1 + k·α) · plain step ÷ (k · draft step + verify + bookkeeping), the parts as they ran in the"
                + " loop, averaged over the cells of one pair, batch and k. Verifying k + 1 tokens per sequence costs about one plain"
                + " step while a step is bound by reading the weights; as the batch grows it approaches k + 1 steps and the"
                + " break-even α passes 1 (no acceptance can pay). Draft in loop ÷ alone: a draft step inside the loop against the"
                + " same step timed by itself; above 1, the two models taking turns costs that much.\n");
    }

    private static Double mean(BenchmarkResult b, Metric m) {
        return b.metric(m) == null ? null : b.metric(m).stats().mean();
    }

    /** @return {name, precision} of a catalog NAME:TYPE[@SEED], or {file, "(file)"} */
    static String[] split(String model) {
        String m = String.valueOf(model);
        int colon = m.lastIndexOf(':');
        if (m.endsWith(".gguf") || colon <= 0) {
            return new String[] {m, "(file)"};
        }
        return new String[] {m.substring(0, colon), m.substring(colon + 1)};
    }

    /** @return the acceptance mode a benchmark's parameters imply */
    static String mode(Map<String, String> p) {
        boolean synthetic = !SpeculativeOptions.NO_PROFILE.equals(p.getOrDefault("acceptRate", SpeculativeOptions.NO_PROFILE));
        String[] t = split(p.get("model"));
        String[] d = split(p.get("draft"));
        boolean files = "(file)".equals(t[1]) || "(file)".equals(d[1]);
        AcceptanceMode m = AcceptanceMode.of(files ? null : t[0], seed(t[1]), files ? null : d[0], seed(d[1]), synthetic);
        return m.key() + (synthetic ? " " + p.get("acceptRate") : "");
    }

    private static long seed(String precision) {
        int at = precision.indexOf('@');
        try {
            return at < 0 ? -1 : Long.parseLong(precision.substring(at + 1));
        } catch (NumberFormatException e) {
            return -2;
        }
    }
}
