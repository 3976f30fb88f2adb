package dev.edgebench.results;

import dev.edgebench.run.Metric;
import dev.edgebench.run.RunDocument.BenchmarkResult;
import dev.edgebench.run.SpeculativeOptions;
import dev.edgebench.run.Workload;
import dev.edgebench.speculative.AcceptanceMode;

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
                + " | Prefill tokens | Generation tok/s | Accept rate (τ) | α | Speedup | Predicted | Break-even α |\n"
                + "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
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
                    .append(" |\n");
        }
        sb.append("\nAccept rate is τ, tokens per sequence per verify step (accepted + the target's own); α is accepted ÷ drafted."
                + " Speedup is generation tok/s ÷ plain greedy decoding of the same target, prompts and seed in the same sample;"
                + " both rates count the tokens after the first over the time after it. Predicted is the cost model"
                + " (k · draft step + verify of k + 1) against the plain step, at the measured α, from draft and verify steps measured"
                + " apart; break-even α is where it predicts 1 (above 1: cannot pay at this k and batch). Mode synthetic: the"
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
