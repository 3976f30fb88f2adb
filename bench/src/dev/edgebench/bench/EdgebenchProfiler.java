package dev.edgebench.bench;

import dev.edgebench.latency.PercentileResult;
import dev.edgebench.latency.TokenClock;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.openjdk.jmh.runner.IterationType;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Publishes edgebench's metrics as JMH secondary results, per iteration, from what the
 * benchmarks recorded in {@link TokenClock}:
 *
 * <ul>
 *   <li>{@code prefill.tok_s}, {@code prefill.ms}: prompt tokens (all sequences) per second, ms per prefill;</li>
 *   <li>{@code decode.tok_s}: generated tokens (all sequences) per second of decode steps;</li>
 *   <li>{@code generation.tok_s}: end-to-end generated tokens per second (request start to last token);</li>
 *   <li>{@code itl.p50 .p90 .p95 .p99 .p99.9 .max} (µs): every decode step pooled (inter-token latency);</li>
 *   <li>{@code ttft.p50 .p95 .p99} (µs);</li>
 *   <li>{@code memory.peak_rss} (MiB): the fork's peak resident set ({@code VmHWM});</li>
 *   <li>{@code memory.gpu_used} (MiB): memory in use on the GPU(s) at the end of the iteration
 *       (total − free as the ggml backend reports it; the model, KV cache and compute buffers are
 *       allocated before measuring, so this is their footprint); GPU builds only;</li>
 *   <li>{@code model.weight_bytes_per_token} (MB) and {@code decode.weight_GBps}: weight bytes one
 *       decode step reads × steps per second, the achieved memory bandwidth of the weights.</li>
 * </ul>
 * Percentiles are pooled over all measurement iterations and forks ({@link PercentileResult}).
 * With system property {@code edgebench.run.dir} set it also writes each iteration's raw values
 * to {@code samples/<id>.jsonl} and each measurement iteration's histograms to
 * {@code hlog/<id>.hlog} (tags {@code itl}, {@code ttft}, {@code prefill}).
 *
 * <p>Use: {@code -prof dev.edgebench.bench.EdgebenchProfiler}. Runs in the benchmark JVM,
 * between iterations only.
 */
public final class EdgebenchProfiler implements InternalProfiler {
    private static final double[] ITL_PERCENTILES = {50, 90, 95, 99, 99.9, 100};
    private static final double[] TTFT_PERCENTILES = {50, 95, 99};
    private static final long PID = ProcessHandle.current().pid();

    private Histogram itlRecycle;
    private Histogram ttftRecycle;
    private Histogram prefillRecycle;
    private int iteration;

    @Override
    public String getDescription() {
        return "edgebench: token throughput, pooled latency percentiles, peak memory, weight bandwidth";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        TokenClock.resetTotals();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams bp, IterationParams ip, IterationResult ir) {
        TokenClock.Totals t = TokenClock.totals();
        Histogram itl = TokenClock.itl.getIntervalHistogram(itlRecycle);
        Histogram ttft = TokenClock.ttft.getIntervalHistogram(ttftRecycle);
        Histogram prefill = TokenClock.prefill.getIntervalHistogram(prefillRecycle);
        boolean warmup = ip.getType() == IterationType.WARMUP;
        iteration++;

        List<Result> out = new ArrayList<>();
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("iteration", iteration);
        sample.put("warmup", warmup);
        // which fork measured it: compare resamples forks as well as samples (fork-to-fork variance)
        sample.put("pid", PID);
        if (t.prefillTokens() > 0 && t.prefillNs() > 0) {
            double tokS = t.prefillTokens() * 1e9 / t.prefillNs();
            double ms = t.prefillNs() / 1e6 / Math.max(1, prefill.getTotalCount());
            out.add(new ScalarResult("prefill.tok_s", tokS, "tok/s", AggregationPolicy.AVG));
            out.add(new ScalarResult("prefill.ms", ms, "ms", AggregationPolicy.AVG));
            sample.put("prefillNs", t.prefillNs());
            sample.put("prefillCount", prefill.getTotalCount());
            sample.put("prefillMeanMs", ms);
            sample.put("prefillTokens", t.prefillTokens());
            sample.put("prefillTokS", tokS);
        }
        TokenClock.RunFacts facts = TokenClock.facts();
        if (t.decodeTokens() > 0 && t.decodeNs() > 0) {
            double tokS = t.decodeTokens() * 1e9 / t.decodeNs();
            out.add(new ScalarResult("decode.tok_s", tokS, "tok/s", AggregationPolicy.AVG));
            sample.put("decodeNs", t.decodeNs());
            sample.put("decodeTokens", t.decodeTokens());
            sample.put("decodeTokS", tokS);
            if (facts != null && facts.weightBytesPerToken() > 0) {
                double stepsPerS = tokS / Math.max(1, facts.nSeq());
                double gbps = facts.weightBytesPerToken() * stepsPerS / 1e9;
                out.add(new ScalarResult("decode.weight_GBps", gbps, "GB/s", AggregationPolicy.AVG));
                sample.put("decodeWeightGBps", gbps);
            }
        }
        if (t.e2eTokens() > 0 && t.e2eNs() > 0) {
            double tokS = t.e2eTokens() * 1e9 / t.e2eNs();
            out.add(new ScalarResult("generation.tok_s", tokS, "tok/s", AggregationPolicy.AVG));
            sample.put("e2eNs", t.e2eNs());
            sample.put("e2eTokens", t.e2eTokens());
            sample.put("generationTokS", tokS);
        }
        if (itl.getTotalCount() > 0) {
            for (double p : ITL_PERCENTILES) {
                out.add(new PercentileResult("itl." + label(p), itl.copy(), p));
            }
            sample.put("itlCount", itl.getTotalCount());
            sample.put("itlMeanNs", itl.getMean());
        }
        if (ttft.getTotalCount() > 0) {
            for (double p : TTFT_PERCENTILES) {
                out.add(new PercentileResult("ttft." + label(p), ttft.copy(), p));
            }
        }
        long rss = peakRssBytes();
        if (rss > 0) {
            out.add(new ScalarResult("memory.peak_rss", rss / (double) (1 << 20), "MiB", AggregationPolicy.MAX));
            sample.put("peakRssBytes", rss);
        }
        long gpuUsed = gpuUsedBytes();
        if (gpuUsed > 0) {
            out.add(new ScalarResult("memory.gpu_used", gpuUsed / (double) (1 << 20), "MiB", AggregationPolicy.MAX));
            sample.put("gpuUsedBytes", gpuUsed);
        }
        if (facts != null && facts.weightBytesPerToken() > 0) {
            out.add(new ScalarResult("model.weight_bytes_per_token", facts.weightBytesPerToken() / 1e6, "MB",
                    AggregationPolicy.AVG));
        }
        sample.put("jmhScore", ir.getPrimaryResult().getScore());
        sample.put("jmhUnit", ir.getPrimaryResult().getScoreUnit());
        writeFiles(BenchId.of(bp), warmup, sample, itl, ttft, prefill);
        itlRecycle = itl;
        ttftRecycle = ttft;
        prefillRecycle = prefill;
        return out;
    }

    private static String label(double p) {
        if (p >= 100) {
            return "max";
        }
        return p == Math.rint(p) ? "p" + (long) p : "p" + p;
    }

    private static void writeFiles(String id, boolean warmup, Map<String, Object> sample, Histogram itl, Histogram ttft,
                                   Histogram prefill) {
        try {
            Path samples = RunFiles.file("samples", id, ".jsonl");
            if (samples == null) {
                return;
            }
            RunFiles.appendJsonLine(samples, sample);
            if (warmup) {
                return;
            }
            Path hlog = RunFiles.file("hlog", id, ".hlog");
            boolean fresh = !Files.exists(hlog) || Files.size(hlog) == 0;
            try (PrintStream ps = new PrintStream(new FileOutputStream(hlog.toFile(), true), false, "UTF-8")) {
                HistogramLogWriter w = new HistogramLogWriter(ps);
                if (fresh) {
                    w.outputComment("edgebench " + id);
                    w.outputComment("values in nanoseconds; tags: itl = each decode step, ttft = time to first token,"
                            + " prefill = each prefill call; measurement iterations only");
                    w.outputLogFormatVersion();
                    w.outputBaseTime(0);
                    w.outputLegend();
                }
                for (Object[] e : new Object[][]{{"itl", itl}, {"ttft", ttft}, {"prefill", prefill}}) {
                    Histogram h = (Histogram) e[1];
                    if (h.getTotalCount() > 0) {
                        h.setTag((String) e[0]);
                        w.outputIntervalHistogram(h);
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("edgebench: could not write run files for " + id + ": " + e.getMessage());
        }
    }

    /** @return bytes in use on GPU devices, or 0 without a GPU (or before the engine is loaded) */
    static long gpuUsedBytes() {
        if (dev.edgebench.engine.llama.NativeLibraries.loadedOrNull() == null) {
            return 0;
        }
        long used = 0;
        for (var d : dev.edgebench.engine.llama.LlamaRuntime.get().devices()) {
            if (d.type().equals("gpu") || d.type().equals("igpu")) {
                used += Math.max(0, d.memoryTotalBytes() - d.memoryFreeBytes());
            }
        }
        return used;
    }

    /** @return this process's peak resident set in bytes ({@code VmHWM}), or 0 where unknown */
    static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] f = line.split("\\s+");
                    return Long.parseLong(f[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
