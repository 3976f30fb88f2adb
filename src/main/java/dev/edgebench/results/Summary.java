package dev.edgebench.results;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgebench.run.Metric;
import dev.edgebench.run.RunDocument;
import dev.edgebench.run.RunDocument.BenchmarkResult;
import dev.edgebench.run.RunDocument.Series;
import dev.edgebench.run.RunDocument.TelemetrySummary;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one printer of {@code summary.md}: a table in the shape of the published TensorRT
 * Edge-LLM tables (Model | Precision | Batch | Prefill ms | Prefill tokens | Prefill tok/s |
 * Generation tok/s) plus inter-token latency p50/p99, every figure a mean ± 95% CI over the
 * samples; then every benchmark with its metrics, failures, the roofline and telemetry.
 */
public final class Summary {
    /** The metrics listed per benchmark, in this order. */
    private static final List<Metric> LISTED = List.of(Metric.PREFILL_TOK_S, Metric.DECODE_TOK_S, Metric.GENERATION_TOK_S,
            Metric.DECODE_WEIGHT_GBPS, Metric.OUTPUT_TOK_S, Metric.REQUESTS_PER_S, Metric.GOODPUT_REQ_S, Metric.SAMPLE_MS,
            Metric.PEAK_RSS_MIB, Metric.GPU_USED_MIB);

    private Summary() {
    }

    /** @return the summary of a run document, as markdown */
    public static String markdown(RunDocument run) {
        StringBuilder sb = new StringBuilder();
        List<BenchmarkResult> benches = run.benchmarks() == null ? List.of() : run.benchmarks();
        JsonNode engine = run.engine() == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : run.engine();
        JsonNode build = engine.path("build");
        JsonNode env = run.environment() == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : run.environment();
        JsonNode host = env.path("host");

        sb.append("# edgebench run ").append(run.runId()).append("\n\n");
        sb.append("- status: **").append(run.status()).append("**");
        if (run.failedBenchmarks() != null && run.failedBenchmarks() > 0) {
            sb.append(" (").append(run.failedBenchmarks()).append(" benchmark(s) failed, listed below)");
        }
        sb.append("\n");
        RunDocument.PresetInfo preset = run.preset();
        if (preset != null) {
            sb.append("- preset: ").append(preset.name()).append(" (").append(preset.warmups()).append(" warm-up, ")
                    .append(preset.samples()).append(" samples, ").append(preset.forks()).append(" fork(s))\n");
        }
        sb.append("- engine: ").append(engine.path("name").asText("?")).append(' ')
                .append(build.path("engine").path("release").asText("")).append(", build profile ")
                .append(build.path("name").asText("?"))
                .append(build.hasNonNull("cpuIsa") ? " (" + build.get("cpuIsa").asText() + ")" : "").append('\n');
        sb.append("- host: ").append(host.path("cpuModel").asText("?")).append(", ").append(host.path("logicalCpus").asText("?"))
                .append(" CPUs");
        for (JsonNode g : env.path("gpus")) {
            sb.append("; GPU ").append(g.path("name").asText()).append(" (driver ").append(g.path("driver").asText()).append(')');
        }
        sb.append("\n\n");

        List<Row> rows = rows(benches);
        if (!rows.isEmpty()) {
            sb.append("| Model | Precision | Batch | Prefill ms | Prefill tokens | Prefill tok/s | Generation tok/s | ITL p50 ms | ITL p99 ms |\n");
            sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Row r : rows) {
                sb.append("| ").append(r.model).append(" | ").append(r.precision).append(" | ").append(r.batch)
                        .append(r.depth > 0 ? " (depth " + r.depth + ")" : "").append(" | ")
                        .append(ci(r.prefill, Metric.PREFILL_MS)).append(" | ").append(r.prefillTokens == null ? "—" : r.prefillTokens)
                        .append(" | ").append(ci(r.prefill, Metric.PREFILL_TOK_S)).append(" | ").append(ci(r.decode, Metric.DECODE_TOK_S))
                        .append(" | ").append(latency(r.decode, "itl", "p50Us")).append(" | ").append(latency(r.decode, "itl", "p99Us"))
                        .append(" |\n");
            }
            sb.append("\nFigures are mean ± half-width of the 95% confidence interval of the mean (Student t, n − 1 degrees of"
                    + " freedom) over the samples. Batch B means B sequences in parallel; tok/s counts all sequences."
                    + " Generation tok/s is the decode benchmark's rate (each step = one llama_decode + synchronize);"
                    + " ITL percentiles pool every decode step of every sample (HdrHistogram, 3 significant digits).\n");
        }

        requests(sb, benches);

        sb.append("\n## All benchmarks\n\n| Benchmark | Status | Samples | Metric | Mean ± 95% CI | Median | CV |\n|---|---|---:|---|---:|---:|---:|\n");
        for (BenchmarkResult b : benches) {
            String head = "| `" + b.id() + "` | " + b.status() + " | " + b.samples() + " | ";
            boolean any = false;
            for (Metric key : LISTED) {
                Series m = b.metric(key);
                if (m == null) {
                    continue;
                }
                sb.append(head).append(key.key()).append(" (").append(m.unit()).append(") | ").append(ci(b, key)).append(" | ")
                        .append(fmt(m.stats().median())).append(" | ").append(pct(m.stats().cv())).append(" |\n");
                any = true;
                head = "| | | | ";
            }
            if (!any) {
                sb.append(head).append("— | — | — | — |\n");
            }
        }
        List<BenchmarkResult> failures = benches.stream().filter(b -> !b.ok()).toList();
        if (!failures.isEmpty()) {
            sb.append("\n## Failed or incomplete\n\n");
            for (BenchmarkResult b : failures) {
                sb.append("- `").append(b.id()).append("`: ").append(b.status()).append(" — ")
                        .append(String.valueOf(b.error()).lines().findFirst().orElse("")).append('\n');
            }
        }
        SpeculativeSummary.append(sb, benches);
        roofline(sb, run, benches);
        energy(sb, benches);
        List<String> warnings = run.warnings() == null ? List.of() : run.warnings();
        if (!warnings.isEmpty()) {
            sb.append("\n## Warnings\n\n");
            warnings.forEach(w -> sb.append("- ").append(w).append('\n'));
        }
        return sb.toString();
    }

    /** The request workloads' key (run.Workload.REQUESTS). */
    private static final String REQUESTS = "requests";

    /**
     * Request workloads: one row per engine, model, concurrency and rate, latency percentiles pooled
     * over every measured request (HdrHistogram), throughput and goodput as mean ± 95% CI over the samples.
     */
    private static void requests(StringBuilder sb, List<BenchmarkResult> benches) {
        List<BenchmarkResult> rs = benches.stream().filter(b -> REQUESTS.equals(b.benchmark())).toList();
        if (rs.isEmpty()) {
            return;
        }
        sb.append("\n## Requests\n\n| Engine | Model | Concurrency | Rate req/s | TTFT p50 ms | TTFT p99 ms | ITL p50 ms | ITL p99 ms"
                + " | TPOT ms | E2E p50 ms | Output tok/s | Decode tok/s | req/s | Goodput req/s | Good | Errors |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (BenchmarkResult b : rs) {
            String rate = b.params().getOrDefault("rate", "0");
            sb.append("| ").append(b.params().get("engine")).append(" | ").append(b.params().get("model")).append(" | ")
                    .append(b.params().get("concurrency")).append(" | ").append("0".equals(rate) ? "closed loop" : rate)
                    .append(" | ").append(latency(b, "ttft", "p50Us")).append(" | ").append(latency(b, "ttft", "p99Us"))
                    .append(" | ").append(latency(b, "itl", "p50Us")).append(" | ").append(latency(b, "itl", "p99Us"))
                    .append(" | ").append(ci(b, Metric.TPOT_MEAN_MS)).append(" | ").append(latency(b, "e2e", "p50Us"))
                    .append(" | ").append(ci(b, Metric.OUTPUT_TOK_S)).append(" | ").append(ci(b, Metric.REQUEST_DECODE_TOK_S))
                    .append(" | ").append(ci(b, Metric.REQUESTS_PER_S))
                    .append(" | ").append(ci(b, Metric.GOODPUT_REQ_S)).append(" | ").append(pct(mean(b, Metric.GOODPUT_FRACTION)))
                    .append(" | ").append(pct(mean(b, Metric.ERROR_RATE))).append(" |\n");
        }
        sb.append("\nLatencies count from each request's scheduled start (open loop: its time in the seeded arrival schedule),"
                + " so a driver or engine falling behind is not hidden. ITL is per token: a chunk of k tokens contributes k"
                + " values of its gap / k (chunk gaps are the icl percentiles in run.json); TPOT = (E2E − TTFT) / (tokens − 1)"
                + " per request. Decode tok/s = tokens after each request's first / the time some request was decoding. Percentiles pool every measured request (HdrHistogram); throughput, goodput (requests"
                + " meeting every SLO, slo parameter) and error share are per sample, mean ± 95% CI.\n");
        engineAccount(sb, rs);
    }

    /**
     * The engine's own account of its request batches (engines that keep iteration statistics):
     * where a batch's time went inside the engine, so a throughput difference can be traced to the
     * forward pass, to choosing tokens, or to neither (scheduling, event hand-off, waiting for work).
     */
    private static void engineAccount(StringBuilder sb, List<BenchmarkResult> rs) {
        List<BenchmarkResult> with = rs.stream().filter(b -> b.metric(Metric.ENGINE_ITERATIONS) != null).toList();
        if (with.isEmpty()) {
            return;
        }
        sb.append("\n### Inside the engine\n\n| Engine | Concurrency | Rate req/s | Iterations | Tokens / iteration"
                + " | Forward pass | Choosing tokens | Neither | Chosen on | Steady decode tok/s |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        for (BenchmarkResult b : with) {
            String rate = b.params().getOrDefault("rate", "0");
            Double fwd = mean(b, Metric.ENGINE_DECODE_SHARE);
            Double pick = mean(b, Metric.ENGINE_SAMPLE_SHARE);
            sb.append("| ").append(b.params().get("engine")).append(" | ").append(b.params().get("concurrency")).append(" | ")
                    .append("0".equals(rate) ? "closed loop" : rate).append(" | ").append(fmt(mean(b, Metric.ENGINE_ITERATIONS)))
                    .append(" | ").append(fmt(mean(b, Metric.ENGINE_BATCH_TOKENS))).append(" | ").append(pct(fwd)).append(" | ")
                    .append(pct(pick)).append(" | ").append(fwd == null || pick == null ? "—" : pct(Math.max(0, 1 - fwd - pick)))
                    .append(" | ").append(chosenOn(mean(b, Metric.ENGINE_DEVICE_SAMPLED))).append(" | ")
                    .append(fmt(mean(b, Metric.ENGINE_STEADY_DECODE_TOK_S))).append(" |\n");
        }
        sb.append("\nShares of each batch's time (first scheduled start to last final event), from the engine's own iteration"
                + " statistics, mean over samples: forward pass = its decode calls with the device work awaited; choosing tokens ="
                + " sampling from the logits, or reading the token the model's graph chose (chosen on: device); neither = scheduling,"
                + " handing events over, and waiting for requests. Steady decode: the engine's iterations with every sequence of the"
                + " concurrency decoding and no prompt in the batch, forward pass and token choice (llama-batched-bench's S_TG's"
                + " like; the Requests table's decode tok/s also spans prompt waves and a sample's ragged start and end).\n");
    }

    private static String chosenOn(Double deviceShare) {
        if (deviceShare == null) {
            return "—";
        }
        return deviceShare >= 0.999 ? "device" : deviceShare <= 0.001 ? "host" : pct(deviceShare) + " device";
    }

    private static Double mean(BenchmarkResult b, Metric m) {
        Series s = b.metric(m);
        return s == null ? null : s.stats().mean();
    }

    private static void energy(StringBuilder sb, List<BenchmarkResult> benches) {
        if (benches.stream().noneMatch(b -> b.telemetry() != null)) {
            return;
        }
        sb.append("\n## Energy and machine state\n\n| Benchmark | Power avg W | J/token | tok/s/W | Max temp C | GPU clock MHz | State | Energy from |\n")
                .append("|---|---:|---:|---:|---:|---:|---|---|\n");
        for (BenchmarkResult b : benches) {
            TelemetrySummary t = b.telemetry();
            if (t == null) {
                continue;
            }
            String state = t.throttled() ? "**THROTTLED** " + t.throttleReasons() : "ok";
            if (Boolean.FALSE.equals(t.clocksLocked())) {
                state += " **clocks unlocked**";
            }
            sb.append("| `").append(b.id()).append("` | ").append(ci(b, Metric.POWER_AVG_W)).append(" | ")
                    .append(ci(b, Metric.ENERGY_PER_TOKEN_J)).append(" | ").append(ci(b, Metric.TOK_PER_S_PER_W)).append(" | ")
                    .append(ci(b, Metric.TEMP_MAX_C)).append(" | ")
                    .append(t.gpuClockMinMHz() == null ? "—" : fmt(t.gpuClockMinMHz()) + "–" + fmt(t.gpuClockMaxMHz())).append(" | ")
                    .append(state).append(" | ").append(t.energySources()).append(" |\n");
        }
    }

    /**
     * Decode: weight bytes per step x steps/s against the measured bandwidth. Prefill: 2 FLOP per
     * matrix weight per token against the measured matrix rate (attention FLOPs left out, so long
     * prompts are slightly understated).
     */
    private static void roofline(StringBuilder sb, RunDocument run, List<BenchmarkResult> benches) {
        JsonNode c = run.ceilings();
        if (c == null || !c.isObject()) {
            return;
        }
        JsonNode bw = c.path("bandwidthGBps");
        JsonNode mm = c.path("matmulTflops");
        sb.append("\n## Roofline\n\nMeasured on ").append(c.path("device").asText()).append(" in this run: bandwidth ")
                .append(bw.isNumber() ? fmt(bw.asDouble()) + " GB/s" : "—").append(" (").append(c.path("bandwidthMethod").asText())
                .append("); matrix rate ").append(mm.isNumber() ? fmt(mm.asDouble()) + " TFLOP/s" : "—").append(" (")
                .append(c.path("matmulMethod").asText()).append(").\n\n| Benchmark | Achieved | % of ceiling |\n|---|---:|---:|\n");
        Map<String, Long> params = new HashMap<>();
        for (RunDocument.ModelInfo m : run.models() == null ? List.<RunDocument.ModelInfo>of() : run.models()) {
            JsonNode f = m.facts();
            JsonNode mp = f.has("matmulParameters") ? f.get("matmulParameters") : f.path("parameters");
            params.put(m.ref(), mp.asLong());
        }
        for (BenchmarkResult b : benches) {
            Series w = b.metric(Metric.DECODE_WEIGHT_GBPS);
            if (w != null && bw.isNumber()) {
                double mean = w.stats().mean();
                sb.append("| `").append(b.id()).append("` | ").append(fmt(mean)).append(" GB/s of weights | ")
                        .append(String.format(Locale.ROOT, "%.0f%%", 100 * mean / bw.asDouble())).append(" |\n");
            }
            Long np = params.get(b.params().get("model"));
            Series pf = b.metric(Metric.PREFILL_TOK_S);
            if (pf != null && mm.isNumber() && np != null && "prefill".equals(b.benchmark())) {
                double tflops = 2.0 * np * pf.stats().mean() / 1e12;
                sb.append("| `").append(b.id()).append("` | ").append(fmt(tflops)).append(" TFLOP/s (2 x matrix weights x prefill tok/s) | ")
                        .append(String.format(Locale.ROOT, "%.0f%%", 100 * tflops / mm.asDouble())).append(" |\n");
            }
        }
    }

    /** One line of the headline table. */
    private record Row(String model, String precision, String batch, int depth, String prefillTokens, BenchmarkResult prefill,
                       BenchmarkResult decode) {
    }

    /**
     * One row per model, batch and decode depth: the prefill of that model and batch beside each
     * decode (or, without a decode benchmark, the generation benchmark).
     */
    private static List<Row> rows(List<BenchmarkResult> benches) {
        Map<String, BenchmarkResult> prefills = new LinkedHashMap<>();
        Map<String, List<BenchmarkResult>> decodes = new LinkedHashMap<>();
        for (BenchmarkResult b : benches) {
            if ("speculative".equals(b.benchmark())) {
                continue; // its own table (SpeculativeSummary)
            }
            if (REQUESTS.equals(b.benchmark())) {
                continue;  // their own section
            }
            String key = b.params().get("model") + "|" + b.params().get("batch");
            if ("prefill".equals(b.benchmark())) {
                prefills.putIfAbsent(key, b);
                decodes.computeIfAbsent(key, k -> new ArrayList<>());
            } else {
                decodes.computeIfAbsent(key, k -> new ArrayList<>()).add(b);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, List<BenchmarkResult>> e : decodes.entrySet()) {
            List<BenchmarkResult> ds = new ArrayList<>(e.getValue());
            if (ds.stream().anyMatch(d -> "decode".equals(d.benchmark()))) {
                ds.removeIf(d -> !"decode".equals(d.benchmark()));
            }
            if (ds.isEmpty()) {
                ds.add(null);
            }
            BenchmarkResult prefill = prefills.get(e.getKey());
            for (BenchmarkResult d : ds) {
                BenchmarkResult any = d != null ? d : prefill;
                String model = String.valueOf(any.params().get("model"));
                int colon = model.lastIndexOf(':');
                boolean file = model.endsWith(".gguf") || colon <= 0;
                int depth = d != null && "decode".equals(d.benchmark()) ? Integer.parseInt(d.params().getOrDefault("depth", "0")) : 0;
                rows.add(new Row(file ? model : model.substring(0, colon), file ? "(file)" : model.substring(colon + 1),
                        any.params().get("batch"), depth, prefill == null ? null : prefill.params().get("nPrompt"), prefill, d));
            }
        }
        return rows;
    }

    /** @return "mean ± half CI" of a metric of a benchmark, or "—" */
    static String ci(BenchmarkResult bench, Metric metric) {
        if (bench == null) {
            return "—";
        }
        Series m = bench.metric(metric);
        if (m == null) {
            return "generation".equals(bench.benchmark()) && metric == Metric.DECODE_TOK_S ? ci(bench, Metric.GENERATION_TOK_S) : "—";
        }
        RunDocument.SummaryStats st = m.stats();
        if (st.ci95Low() == null || st.ci95High() == null) {
            return fmt(st.mean());
        }
        return fmt(st.mean()) + " ± " + fmt((st.ci95High() - st.ci95Low()) / 2);
    }

    private static String latency(BenchmarkResult bench, String tag, String key) {
        if (bench == null || bench.latency() == null || bench.latency().get(tag) == null) {
            return "—";
        }
        Double v = bench.latency().get(tag).get(key);
        return v == null ? "—" : fmt(v / 1000.0);
    }

    /** @return a number with 3–4 significant figures and thousands separators, or "—" for null */
    public static String fmt(Double d) {
        if (d == null) {
            return "—";
        }
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

    private static String pct(Double d) {
        return d == null ? "—" : String.format(Locale.ROOT, "%.1f%%", d * 100);
    }
}
