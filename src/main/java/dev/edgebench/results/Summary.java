package dev.edgebench.results;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one printer of {@code summary.md}: a table in the shape of the published TensorRT
 * Edge-LLM tables (Model | Precision | Batch | Prefill ms | Prefill tokens | Prefill tok/s |
 * Generation tok/s) plus inter-token latency p50/p99, every figure a mean ± 95% CI over the
 * samples; then every benchmark with its metrics, and failures.
 */
public final class Summary {
    private Summary() {
    }

    /** @return the summary of a run.json document, as markdown */
    @SuppressWarnings("unchecked")
    public static String markdown(Map<String, Object> run) {
        StringBuilder sb = new StringBuilder();
        List<Map<String, Object>> benches = (List<Map<String, Object>>) run.getOrDefault("benchmarks", List.of());
        Map<String, Object> preset = (Map<String, Object>) run.getOrDefault("preset", Map.of());
        Map<String, Object> engine = (Map<String, Object>) run.getOrDefault("engine", Map.of());
        Map<String, Object> build = engine.get("build") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        Map<String, Object> engineSrc = build.get("engine") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        Map<String, Object> env = (Map<String, Object>) run.getOrDefault("environment", Map.of());
        Map<String, Object> host = env.get("host") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        List<Map<String, Object>> gpus = env.get("gpus") instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();

        sb.append("# edgebench run ").append(run.get("runId")).append("\n\n");
        sb.append("- status: **").append(run.get("status")).append("**");
        Object failed = run.get("failedBenchmarks");
        if (failed instanceof Number n && n.intValue() > 0) {
            sb.append(" (").append(n).append(" benchmark(s) failed, listed below)");
        }
        sb.append("\n");
        sb.append("- preset: ").append(preset.get("name")).append(" (").append(preset.get("warmups")).append(" warm-up, ")
                .append(preset.get("samples")).append(" samples, ").append(preset.get("forks")).append(" fork(s))\n");
        sb.append("- engine: ").append(engine.getOrDefault("name", "?")).append(' ')
                .append(engineSrc.getOrDefault("release", "")).append(", build profile ").append(build.getOrDefault("name", "?"))
                .append(build.get("cpuIsa") != null ? " (" + build.get("cpuIsa") + ")" : "").append('\n');
        sb.append("- host: ").append(host.getOrDefault("cpuModel", "?")).append(", ").append(host.getOrDefault("logicalCpus", "?"))
                .append(" CPUs");
        for (Map<String, Object> g : gpus) {
            sb.append("; GPU ").append(g.get("name")).append(" (driver ").append(g.get("driver")).append(')');
        }
        sb.append("\n\n");

        sb.append("| Model | Precision | Batch | Prefill ms | Prefill tokens | Prefill tok/s | Generation tok/s | ITL p50 ms | ITL p99 ms |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows(benches)) {
            sb.append("| ").append(r.model).append(" | ").append(r.precision).append(" | ").append(r.batch)
                    .append(r.depth > 0 ? " (depth " + r.depth + ")" : "").append(" | ")
                    .append(ci(r.prefill, "prefill.ms")).append(" | ").append(r.prefillTokens == null ? "—" : r.prefillTokens)
                    .append(" | ").append(ci(r.prefill, "prefill.tok_s")).append(" | ").append(ci(r.decode, "decode.tok_s"))
                    .append(" | ").append(latency(r.decode, "itl", "p50Us")).append(" | ").append(latency(r.decode, "itl", "p99Us"))
                    .append(" |\n");
        }
        sb.append("\nFigures are mean ± half-width of the 95% confidence interval of the mean (Student t, n − 1 degrees of"
                + " freedom) over the samples. Batch B means B sequences in parallel; tok/s counts all sequences."
                + " Generation tok/s is the decode benchmark's rate (each step = one llama_decode + synchronize);"
                + " ITL percentiles pool every decode step of every sample (HdrHistogram, 3 significant digits).\n");

        sb.append("\n## All benchmarks\n\n| Benchmark | Status | Samples | Metric | Mean ± 95% CI | Median | CV |\n|---|---|---:|---|---:|---:|---:|\n");
        for (Map<String, Object> b : benches) {
            Map<String, Object> metrics = (Map<String, Object>) b.getOrDefault("metrics", Map.of());
            String head = "| `" + b.get("id") + "` | " + b.get("status") + " | " + b.get("samples") + " | ";
            boolean any = false;
            for (String key : List.of("prefill.tok_s", "decode.tok_s", "generation.tok_s", "decode.weight_GBps", "sample.ms",
                    "memory.peak_rss_MiB", "memory.gpu_used_MiB")) {
                Map<String, Object> m = (Map<String, Object>) metrics.get(key);
                if (m == null) {
                    continue;
                }
                Map<String, Object> st = (Map<String, Object>) m.get("stats");
                sb.append(head).append(key).append(" (").append(m.get("unit")).append(") | ").append(ci(b, key)).append(" | ")
                        .append(fmt(st.get("median"))).append(" | ").append(pct(st.get("cv"))).append(" |\n");
                any = true;
                head = "| | | | ";
            }
            if (!any) {
                sb.append(head).append("— | — | — | — |\n");
            }
        }
        List<Map<String, Object>> failures = new ArrayList<>();
        for (Map<String, Object> b : benches) {
            if (!"ok".equals(b.get("status"))) {
                failures.add(b);
            }
        }
        if (!failures.isEmpty()) {
            sb.append("\n## Failed or incomplete\n\n");
            for (Map<String, Object> b : failures) {
                sb.append("- `").append(b.get("id")).append("`: ").append(b.get("status")).append(" — ")
                        .append(String.valueOf(b.get("error")).lines().findFirst().orElse("")).append('\n');
            }
        }
        roofline(sb, run, benches);
        if (benches.stream().anyMatch(b -> b.get("telemetry") != null)) {
            sb.append("\n## Energy and machine state\n\n| Benchmark | Power avg W | J/token | tok/s/W | Max temp C | GPU clock MHz | State | Energy from |\n")
                    .append("|---|---:|---:|---:|---:|---:|---|---|\n");
            for (Map<String, Object> b : benches) {
                if (!(b.get("telemetry") instanceof Map<?, ?> tm)) {
                    continue;
                }
                Map<String, Object> t = (Map<String, Object>) tm;
                String state = Boolean.TRUE.equals(t.get("throttled")) ? "**THROTTLED** " + t.get("throttleReasons") : "ok";
                if (Boolean.FALSE.equals(t.get("clocksLocked"))) {
                    state += " **clocks unlocked**";
                }
                Object lo = t.get("gpuClockMinMHz");
                Object hi = t.get("gpuClockMaxMHz");
                sb.append("| `").append(b.get("id")).append("` | ").append(ci(b, "power.avg_W")).append(" | ")
                        .append(ci(b, "energy.per_token_J")).append(" | ").append(ci(b, "tok_per_s_per_W")).append(" | ")
                        .append(ci(b, "temp.max_C")).append(" | ").append(lo == null ? "—" : fmt(lo) + "–" + fmt(hi)).append(" | ")
                        .append(state).append(" | ").append(t.get("energySources")).append(" |\n");
            }
        }
        List<String> warnings = run.get("warnings") instanceof List<?> l ? (List<String>) l : List.of();
        if (!warnings.isEmpty()) {
            sb.append("\n## Warnings\n\n");
            warnings.forEach(w -> sb.append("- ").append(w).append('\n'));
        }
        return sb.toString();
    }

    /**
     * Decode: weight bytes per step x steps/s against the measured bandwidth. Prefill: 2 FLOP per
     * matrix weight per token against the measured matrix rate (attention FLOPs left out, so long
     * prompts are slightly understated).
     */
    @SuppressWarnings("unchecked")
    private static void roofline(StringBuilder sb, Map<String, Object> run, List<Map<String, Object>> benches) {
        if (!(run.get("ceilings") instanceof Map<?, ?> cm)) {
            return;
        }
        Map<String, Object> c = (Map<String, Object>) cm;
        Object bw = c.get("bandwidthGBps");
        Object mm = c.get("matmulTflops");
        sb.append("\n## Roofline\n\nMeasured on ").append(c.get("device")).append(" in this run: bandwidth ")
                .append(bw instanceof Number ? fmt(bw) + " GB/s" : "—").append(" (").append(c.get("bandwidthMethod"))
                .append("); matrix rate ").append(mm instanceof Number ? fmt(mm) + " TFLOP/s" : "—").append(" (")
                .append(c.get("matmulMethod")).append(").\n\n| Benchmark | Achieved | % of ceiling |\n|---|---:|---:|\n");
        Map<String, Long> params = new java.util.HashMap<>();
        if (run.get("models") instanceof List<?> ms) {
            for (Object o : ms) {
                Map<String, Object> m = (Map<String, Object>) o;
                Map<String, Object> f = (Map<String, Object>) m.get("facts");
                Object mp = f.getOrDefault("matmulParameters", f.get("parameters"));
                params.put(String.valueOf(m.get("ref")), ((Number) mp).longValue());
            }
        }
        for (Map<String, Object> b : benches) {
            Map<String, Object> metrics = (Map<String, Object>) b.getOrDefault("metrics", Map.of());
            Map<String, Object> p = (Map<String, Object>) b.getOrDefault("params", Map.of());
            if (metrics.get("decode.weight_GBps") instanceof Map<?, ?> w && bw instanceof Number n) {
                double mean = ((Number) ((Map<String, Object>) w.get("stats")).get("mean")).doubleValue();
                sb.append("| `").append(b.get("id")).append("` | ").append(fmt(mean)).append(" GB/s of weights | ")
                        .append(String.format(java.util.Locale.ROOT, "%.0f%%", 100 * mean / n.doubleValue())).append(" |\n");
            }
            Long np = params.get(String.valueOf(p.get("model")));
            if (metrics.get("prefill.tok_s") instanceof Map<?, ?> pf && mm instanceof Number n && np != null
                    && "prefill".equals(b.get("benchmark"))) {
                double tokS = ((Number) ((Map<String, Object>) pf.get("stats")).get("mean")).doubleValue();
                double tflops = 2.0 * np * tokS / 1e12;
                sb.append("| `").append(b.get("id")).append("` | ").append(fmt(tflops)).append(" TFLOP/s (2 x matrix weights x prefill tok/s) | ")
                        .append(String.format(java.util.Locale.ROOT, "%.0f%%", 100 * tflops / n.doubleValue())).append(" |\n");
            }
        }
    }

    private static final class Row {
        String model;
        String precision;
        Object batch;
        int depth;
        Object prefillTokens;
        Map<String, Object> prefill;
        Map<String, Object> decode;
    }

    /**
     * One row per model, batch and decode depth: the prefill of that model and batch beside each
     * decode (or, without a decode benchmark, the generation benchmark).
     */
    @SuppressWarnings("unchecked")
    private static List<Row> rows(List<Map<String, Object>> benches) {
        Map<String, Map<String, Object>> prefills = new LinkedHashMap<>();
        Map<String, List<Map<String, Object>>> decodes = new LinkedHashMap<>();
        for (Map<String, Object> b : benches) {
            Map<String, Object> p = (Map<String, Object>) b.getOrDefault("params", Map.of());
            String key = p.get("model") + "|" + p.get("batch");
            String kind = String.valueOf(b.get("benchmark"));
            if ("prefill".equals(kind)) {
                prefills.putIfAbsent(key, b);
                decodes.computeIfAbsent(key, k -> new ArrayList<>());
            } else {
                decodes.computeIfAbsent(key, k -> new ArrayList<>()).add(b);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, List<Map<String, Object>>> e : decodes.entrySet()) {
            List<Map<String, Object>> ds = new ArrayList<>(e.getValue());
            if (ds.stream().anyMatch(d -> "decode".equals(d.get("benchmark")))) {
                ds.removeIf(d -> !"decode".equals(d.get("benchmark")));
            }
            if (ds.isEmpty()) {
                ds.add(null);
            }
            Map<String, Object> prefill = prefills.get(e.getKey());
            for (Map<String, Object> d : ds) {
                Map<String, Object> any = d != null ? d : prefill;
                Map<String, Object> p = (Map<String, Object>) any.getOrDefault("params", Map.of());
                String model = String.valueOf(p.get("model"));
                int colon = model.lastIndexOf(':');
                boolean file = model.endsWith(".gguf") || colon <= 0;
                Row r = new Row();
                r.model = file ? model : model.substring(0, colon);
                r.precision = file ? "(file)" : model.substring(colon + 1);
                r.batch = p.get("batch");
                Map<String, Object> dp = d == null ? Map.of() : (Map<String, Object>) d.getOrDefault("params", Map.of());
                r.depth = d != null && "decode".equals(d.get("benchmark")) ? Integer.parseInt(String.valueOf(dp.getOrDefault("depth", "0"))) : 0;
                r.prefill = prefill;
                r.prefillTokens = prefill == null ? null : ((Map<String, Object>) prefill.get("params")).get("nPrompt");
                r.decode = d;
                rows.add(r);
            }
        }
        return rows;
    }

    @SuppressWarnings("unchecked")
    static String ci(Map<String, Object> bench, String metric) {
        if (bench == null) {
            return "—";
        }
        Map<String, Object> metrics = (Map<String, Object>) bench.getOrDefault("metrics", Map.of());
        Map<String, Object> m = (Map<String, Object>) metrics.get(metric);
        if (m == null) {
            return "generation".equals(bench.get("benchmark")) && metric.equals("decode.tok_s")
                    ? ci(bench, "generation.tok_s") : "—";
        }
        Map<String, Object> st = (Map<String, Object>) m.get("stats");
        Object mean = st.get("mean");
        Object lo = st.get("ci95Low");
        Object hi = st.get("ci95High");
        if (!(lo instanceof Number l) || !(hi instanceof Number h)) {
            return fmt(mean);
        }
        return fmt(mean) + " ± " + fmt((h.doubleValue() - l.doubleValue()) / 2);
    }

    @SuppressWarnings("unchecked")
    private static String latency(Map<String, Object> bench, String tag, String key) {
        if (bench == null) {
            return "—";
        }
        Map<String, Object> lat = (Map<String, Object>) bench.get("latency");
        if (lat == null || !(lat.get(tag) instanceof Map<?, ?> t) || !(t.get(key) instanceof Number n)) {
            return "—";
        }
        return fmt(n.doubleValue() / 1000.0);
    }

    static String fmt(Object o) {
        if (!(o instanceof Number n)) {
            return "—";
        }
        double d = n.doubleValue();
        double a = Math.abs(d);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", d);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", d);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", d);
        }
        return String.format(Locale.ROOT, "%.3g", d);
    }

    private static String pct(Object o) {
        return o instanceof Number n ? String.format(Locale.ROOT, "%.1f%%", n.doubleValue() * 100) : "—";
    }
}
