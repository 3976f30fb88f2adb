package dev.edgebench.results;

import dev.edgebench.run.Metric;
import dev.edgebench.run.RunDocument;
import dev.edgebench.run.RunDocument.BenchmarkResult;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpeculativeSummaryTest {
    static BenchmarkResult bench(String model, String draft, String acceptRate, int batch, double speedup) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("nPrompt", "128");
        p.put("nGen", "128");
        p.put("draft", draft);
        p.put("draftTokens", "4");
        p.put("acceptRate", acceptRate);
        p.put("model", model);
        p.put("batch", String.valueOf(batch));
        Map<String, RunDocument.Series> m = new LinkedHashMap<>();
        m.put(Metric.SPEC_SPEEDUP.key(), RunAssembler.series(Metric.SPEC_SPEEDUP, new double[] {speedup, speedup}, null));
        m.put(Metric.SPEC_TAU.key(), RunAssembler.series(Metric.SPEC_TAU, new double[] {3.4, 3.4}, null));
        m.put(Metric.SPEC_ALPHA_P1.key(), RunAssembler.series(Metric.SPEC_ALPHA_P1, new double[] {0.9, 0.9}, null));
        m.put(Metric.SPEC_ALPHA_P2.key(), RunAssembler.series(Metric.SPEC_ALPHA_P2, new double[] {0.7, 0.7}, null));
        if (batch == 8) {
            m.put(Metric.SPEC_PROBE_DRAFT_MS.key(), RunAssembler.series(Metric.SPEC_PROBE_DRAFT_MS, new double[] {1, 1}, null));
            m.put(Metric.SPEC_PROBE_VERIFY_MS.key(), RunAssembler.series(Metric.SPEC_PROBE_VERIFY_MS, new double[] {9, 11}, null));
            m.put(Metric.SPEC_VANILLA_STEP_MS.key(), RunAssembler.series(Metric.SPEC_VANILLA_STEP_MS, new double[] {10, 10}, null));
            // the parts as they ran in the loop: 4 draft steps of 1.3 ms (1.3 × the probe), verify 10 ms, bookkeeping 0.6 ms
            m.put(Metric.SPEC_DRAFT_MS.key(), RunAssembler.series(Metric.SPEC_DRAFT_MS, new double[] {5.2, 5.2}, null));
            m.put(Metric.SPEC_VERIFY_MS.key(), RunAssembler.series(Metric.SPEC_VERIFY_MS, new double[] {9, 11}, null));
            m.put(Metric.SPEC_BOOKKEEPING_MS.key(), RunAssembler.series(Metric.SPEC_BOOKKEEPING_MS, new double[] {0.6, 0.6}, null));
        }
        return new BenchmarkResult("id-" + batch + acceptRate, "speculative", "dev.edgebench.bench.SpeculativeBenchmark.speculate",
                p, "ok", null, 2, 1, m, null, null, null);
    }

    @Test
    void theEagleTableNamesPrecisionsModeAndSpeedup() {
        StringBuilder sb = new StringBuilder();
        SpeculativeSummary.append(sb, List.of(bench("Qwen3-8B:Q4_0", "Qwen3-0.6B:Q4_0", "0.6", 8, 0.83),
                bench("Qwen3-0.6B:F16", "Qwen3-0.6B:Q4_0", "none", 1, 1.4),
                bench("Llama-3.1-8B:Q4_0", "/m/draft.gguf", "none", 1, 1.1)));
        String md = sb.toString();
        assertTrue(md.contains("| Qwen3-8B | Q4_0 | Qwen3-0.6B | Q4_0 | synthetic 0.6 | 8 | 4 |"), md);
        assertTrue(md.contains("| Qwen3-0.6B | F16 | Qwen3-0.6B | Q4_0 | self | 1 | 4 |"), md);
        assertTrue(md.contains("| Llama-3.1-8B | Q4_0 | /m/draft.gguf | (file) | real | 1 |"), md);
        assertTrue(md.contains("| 3.40 ± 0.00 |") && md.contains("| 0.830 ± 0.00 |"), md);
        assertTrue(md.contains("| 0.900 0.700 |"), "α per position: " + md);
        // the cost model from the parts as they ran: step = 4 × 1.3 + 10 + 0.6 = 15.8 ms against a plain step of 10 ms;
        // speedup(α) = (1 + 4α) · 10 / 15.8, break-even α = (1.58 − 1) / 4
        assertTrue(md.contains("| Qwen3-8B:Q4_0 ← Qwen3-0.6B:Q4_0 | 8 | 4 | 10.00 | 1.30 | 1.30 | 10.00 | 0.600 | 1.00 | 0.145 | 1.65 | 2.15"
                + " | 2.66 | 3.16 |"), md);
    }

    @Test
    void runsWithoutSpeculationPrintNoSection() {
        StringBuilder sb = new StringBuilder();
        SpeculativeSummary.append(sb, List.of());
        assertFalse(sb.toString().contains("Speculative"));
        assertEquals("self", SpeculativeSummary.mode(Map.of("model", "A:F16@7", "draft", "A:Q4_0@7", "acceptRate", "none")));
        assertEquals("real", SpeculativeSummary.mode(Map.of("model", "A:F16@7", "draft", "A:Q4_0@8", "acceptRate", "none")));
    }
}
