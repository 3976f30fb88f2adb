package dev.edgebench.bench;

import dev.edgebench.bench.PercentileResult;
import dev.edgebench.latency.RequestMetrics;
import dev.edgebench.latency.TokenClock;
import dev.edgebench.run.Metric;
import dev.edgebench.run.RunFolder;
import dev.edgebench.run.SampleLine;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
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
 * benchmarks recorded in {@link TokenClock}, under the names of the {@link Metric} vocabulary
 * (prefill, decode and generation rates, weight bandwidth, peak memory, GPU memory in use) and the
 * latency percentiles {@code itl.p50 .p90 .p95 .p99 .p99.9 .max} and {@code ttft.p50 .p95 .p99}
 * (µs; every decode step pooled).
 * Percentiles are pooled over all measurement iterations and forks ({@link PercentileResult}).
 * With system property {@code edgebench.run.dir} set it also writes each iteration's values
 * ({@link SampleLine}) to {@code samples/<id>.jsonl} and each measurement iteration's histograms to
 * {@code hlog/<id>.hlog} (tags {@code itl}, {@code ttft}, {@code prefill}).
 *
 * <p>Use: {@code -prof dev.edgebench.bench.EdgebenchProfiler}. Runs in the benchmark JVM,
 * between iterations only.
 */
public final class EdgebenchProfiler implements InternalProfiler {
    private static final double[] ITL_PERCENTILES = {50, 90, 95, 99, 99.9, 100};
    private static final double[] TTFT_PERCENTILES = {50, 95, 99};
    /** Percentiles of the request workloads' distributions (TTFT, ICL, TPOT, E2E). */
    private static final double[] REQUEST_PERCENTILES = {50, 90, 95, 99, 100};
    private static final long PID = ProcessHandle.current().pid();

    private Histogram itlRecycle;
    private Histogram ttftRecycle;
    private Histogram prefillRecycle;
    private Histogram iclRecycle;
    private Histogram tpotRecycle;
    private Histogram e2eRecycle;
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
        if (ir.getRawPrimaryResults().isEmpty()) {
            // the iteration never ran (its setup failed): no sample, and JMH reports the setup's own exception
            return List.of();
        }
        TokenClock.Totals t = TokenClock.totals();
        Histogram itl = TokenClock.itl.getIntervalHistogram(itlRecycle);
        Histogram ttft = TokenClock.ttft.getIntervalHistogram(ttftRecycle);
        Histogram prefill = TokenClock.prefill.getIntervalHistogram(prefillRecycle);
        Histogram icl = TokenClock.icl.getIntervalHistogram(iclRecycle);
        Histogram tpot = TokenClock.tpot.getIntervalHistogram(tpotRecycle);
        Histogram e2e = TokenClock.e2e.getIntervalHistogram(e2eRecycle);
        RequestMetrics.BatchStats batch = TokenClock.batch();
        boolean warmup = ip.getType() == IterationType.WARMUP;
        iteration++;

        List<Result> out = new ArrayList<>();
        Map<String, Double> values = new LinkedHashMap<>();
        if (t.prefillTokens() > 0 && t.prefillNs() > 0) {
            publish(out, values, Metric.PREFILL_TOK_S, t.prefillTokens() * 1e9 / t.prefillNs());
            publish(out, values, Metric.PREFILL_MS, t.prefillNs() / 1e6 / Math.max(1, prefill.getTotalCount()));
        }
        long settled = Settle.takeLastWaitMs();
        if (settled >= 0) {
            publish(out, values, Metric.SETTLE_MS, settled);
        }
        TokenClock.RunFacts facts = TokenClock.facts();
        if (facts != null && facts.cpuThreads() > 0) {
            publish(out, values, Metric.ENGINE_CPU_THREADS, facts.cpuThreads());
        }
        if (t.decodeTokens() > 0 && t.decodeNs() > 0) {
            double tokS = t.decodeTokens() * 1e9 / t.decodeNs();
            publish(out, values, Metric.DECODE_TOK_S, tokS);
            if (facts != null && facts.weightBytesPerToken() > 0) {
                double stepsPerS = tokS / Math.max(1, facts.nSeq());
                publish(out, values, Metric.DECODE_WEIGHT_GBPS, facts.weightBytesPerToken() * stepsPerS / 1e9);
            }
        }
        if (t.e2eTokens() > 0 && t.e2eNs() > 0) {
            publish(out, values, Metric.GENERATION_TOK_S, t.e2eTokens() * 1e9 / t.e2eNs());
            values.put(Metric.GENERATION_MS.key(), t.e2eNs() / 1e6);
        }
        if (itl.getTotalCount() > 0) {
            for (double p : ITL_PERCENTILES) {
                out.add(new PercentileResult(Metric.percentileName(Metric.ITL, p), itl.copy(), p));
            }
            values.put(Metric.ITL_MEAN_MS.key(), itl.getMean() / 1e6);
        }
        if (ttft.getTotalCount() > 0) {
            for (double p : batch != null ? REQUEST_PERCENTILES : TTFT_PERCENTILES) {
                out.add(new PercentileResult(Metric.percentileName(Metric.TTFT, p), ttft.copy(), p));
            }
        }
        if (batch != null) {
            publishRequests(out, values, batch, ttft, itl, icl, tpot, e2e);
        }
        long rss = peakRssBytes();
        if (rss > 0) {
            publish(out, values, Metric.PEAK_RSS_MIB, rss / (double) (1 << 20));
        }
        long gpuUsed = gpuUsedBytes();
        if (gpuUsed > 0) {
            publish(out, values, Metric.GPU_USED_MIB, gpuUsed / (double) (1 << 20));
        }
        if (facts != null && facts.weightBytesPerToken() > 0) {
            out.add(Metrics.scalar(Metric.WEIGHT_MB_PER_TOKEN, facts.weightBytesPerToken() / 1e6));
        }
        SpeculativeSink.drain().forEach((m, v) -> publish(out, values, m, v));
        values.put(Metric.SAMPLE_MS.key(), ir.getPrimaryResult().getScore());
        SampleLine sample = new SampleLine(iteration, warmup, PID, values);
        writeFiles(BenchId.of(bp), warmup, sample, new Object[][]{{"itl", itl}, {"ttft", ttft}, {"prefill", prefill}, {"icl", icl},
            {"tpot", tpot}, {"e2e", e2e}});
        itlRecycle = itl;
        ttftRecycle = ttft;
        prefillRecycle = prefill;
        iclRecycle = icl;
        tpotRecycle = tpot;
        e2eRecycle = e2e;
        return out;
    }

    /** A request batch's figures: throughput, goodput, errors, and per-sample latency percentiles (ms) for compare. */
    private static void publishRequests(List<Result> out, Map<String, Double> values, RequestMetrics.BatchStats b, Histogram ttft,
                                        Histogram itl, Histogram icl, Histogram tpot, Histogram e2e) {
        publish(out, values, Metric.REQUESTS_PER_S, b.requestsPerS());
        publish(out, values, Metric.OUTPUT_TOK_S, b.outputTokPerS());
        if (b.decodeTokPerS() > 0) {
            publish(out, values, Metric.REQUEST_DECODE_TOK_S, b.decodeTokPerS());
        }
        publish(out, values, Metric.GOODPUT_REQ_S, b.goodputPerS());
        publish(out, values, Metric.GOODPUT_FRACTION, b.goodFraction());
        publish(out, values, Metric.ERROR_RATE, b.errorRate());
        publish(out, values, Metric.ISSUE_DELAY_MAX_MS, b.maxIssueDelayNs() / 1e6);
        TokenClock.EngineTime et = TokenClock.engineTime();
        if (et != null && et.iterations() > 0) {
            publish(out, values, Metric.ENGINE_ITERATIONS, et.iterations());
            if (et.tokens() >= 0) {
                publish(out, values, Metric.ENGINE_BATCH_TOKENS, (double) et.tokens() / et.iterations());
            }
            if (b.durationNs() > 0 && et.decodeNs() >= 0) {
                publish(out, values, Metric.ENGINE_DECODE_SHARE, (double) et.decodeNs() / b.durationNs());
            }
            if (b.durationNs() > 0 && et.sampleNs() >= 0) {
                publish(out, values, Metric.ENGINE_SAMPLE_SHARE, (double) et.sampleNs() / b.durationNs());
            }
            if (et.generated() > 0) {
                publish(out, values, Metric.ENGINE_DEVICE_SAMPLED, (double) et.onDevice() / et.generated());
            }
            if (et.steadyDecodeTokPerS() > 0) {
                publish(out, values, Metric.ENGINE_STEADY_DECODE_TOK_S, et.steadyDecodeTokPerS());
            }
        }
        if (ttft.getTotalCount() > 0) {
            publish(out, values, Metric.TTFT_P50_MS, ttft.getValueAtPercentile(50) / 1e6);
            publish(out, values, Metric.TTFT_P99_MS, ttft.getValueAtPercentile(99) / 1e6);
            publish(out, values, Metric.E2E_P50_MS, e2e.getValueAtPercentile(50) / 1e6);
        }
        if (itl.getTotalCount() > 0) {
            publish(out, values, Metric.ITL_P50_MS, itl.getValueAtPercentile(50) / 1e6);
            publish(out, values, Metric.ITL_P99_MS, itl.getValueAtPercentile(99) / 1e6);
        }
        if (tpot.getTotalCount() > 0) {
            publish(out, values, Metric.TPOT_MEAN_MS, tpot.getMean() / 1e6);
        }
        String[] names = {Metric.ICL, Metric.TPOT, Metric.E2E};
        Histogram[] hs = {icl, tpot, e2e};
        for (int i = 0; i < names.length; i++) {
            if (hs[i].getTotalCount() > 0) {
                for (double p : REQUEST_PERCENTILES) {
                    out.add(new PercentileResult(Metric.percentileName(names[i], p), hs[i].copy(), p));
                }
            }
        }
    }

    /** Publishes a metric as a JMH secondary result and keeps it for the sample line. */
    private static void publish(List<Result> out, Map<String, Double> values, Metric m, double v) {
        out.add(Metrics.scalar(m, v));
        values.put(m.key(), v);
    }

    private static void writeFiles(String id, boolean warmup, SampleLine sample, Object[][] tagged) {
        try {
            RunFolder folder = RunFiles.folder();
            if (folder == null) {
                return;
            }
            RunFiles.appendSample(id, sample);
            if (warmup) {
                return;
            }
            Path hlog = folder.hlog(id);
            Files.createDirectories(hlog.getParent());
            boolean fresh = !Files.exists(hlog) || Files.size(hlog) == 0;
            try (PrintStream ps = new PrintStream(new FileOutputStream(hlog.toFile(), true), false, "UTF-8")) {
                HistogramLogWriter w = new HistogramLogWriter(ps);
                if (fresh) {
                    w.outputComment("edgebench " + id);
                    w.outputComment("values in nanoseconds; tags: itl = each decode step (request workloads: each token, a"
                            + " chunk's gap spread over its tokens), ttft = time to first token, prefill = each prefill call;"
                            + " request workloads also icl = each gap between chunks, tpot = each request's time per output"
                            + " token, e2e = each request's end-to-end latency; measurement iterations only");
                    w.outputLogFormatVersion();
                    w.outputBaseTime(0);
                    w.outputLegend();
                }
                for (Object[] e : tagged) {
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
