package dev.edgebench.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.run.Metric;
import dev.edgebench.run.PlannedBenchmark;
import dev.edgebench.run.RunDocument;
import dev.edgebench.run.RunDocument.BenchmarkResult;
import dev.edgebench.run.RunDocument.Series;
import dev.edgebench.run.RunDocument.TelemetrySummary;
import dev.edgebench.run.RunFolder;
import dev.edgebench.run.SampleLine;
import dev.edgebench.telemetry.TelemetryReport;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Builds {@code run.json}'s results from what a run left in its folder: the plan written at the
 * start, each benchmark's per-iteration samples ({@link SampleLine}) and latency log, telemetry
 * reports and recorded failures. Because it reads only files, it produces the same document after
 * a complete run, a run with failed benchmarks, an interrupted one, and a run whose process was
 * killed (re-assembled later by the next command that finds it).
 */
public final class RunAssembler {
    private static final ObjectMapper JSON = RunFolder.json();

    private RunAssembler() {
    }

    /**
     * @param folder the run folder
     * @param header the run as written at its start (plan, environment, engine, models)
     * @param status "running", "complete" or "interrupted"; "complete" becomes "partial" when a benchmark failed
     * @return the full document
     */
    public static RunDocument assemble(RunFolder folder, RunDocument header, String status) throws IOException {
        List<BenchmarkResult> benches = new ArrayList<>();
        int failed = 0;
        for (PlannedBenchmark planned : header.plan()) {
            BenchmarkResult b = benchmark(folder, planned);
            if (!b.ok()) {
                failed++;
            }
            benches.add(b);
        }
        // the warnings the run started with (its plan's), then what the results show
        List<String> warnings = new ArrayList<>(header.warnings() == null ? List.of() : header.warnings());
        for (BenchmarkResult b : benches) {
            TelemetrySummary t = b.telemetry();
            if (t == null) {
                continue;
            }
            if (t.throttled()) {
                warnings.add(b.id() + ": THROTTLED during measurement (" + t.throttleReasons() + "): not comparable"
                        + " with an unthrottled run");
            }
            if (Boolean.FALSE.equals(t.clocksLocked())) {
                warnings.add(b.id() + ": clocks were not locked (jetson_clocks): figures vary with DVFS");
            }
        }
        String s = "complete".equals(status) && failed > 0 ? "partial" : status;
        return header.withResults(s, java.time.Instant.now().toString(), benches, warnings, failed);
    }

    static BenchmarkResult benchmark(RunFolder folder, PlannedBenchmark planned) throws IOException {
        String id = planned.id();
        List<SampleLine> measured = new ArrayList<>();
        int warmups = 0;
        Path samplesFile = folder.samples(id);
        if (Files.isRegularFile(samplesFile)) {
            for (String line : Files.readAllLines(samplesFile)) {
                if (line.isBlank()) {
                    continue;
                }
                SampleLine s;
                try {
                    s = JSON.readValue(line, SampleLine.class);
                } catch (IOException e) {
                    // a line cut by a kill mid-write: everything before it stands
                    continue;
                }
                if (s.warmup()) {
                    warmups++;
                } else {
                    measured.add(s);
                }
            }
        }
        int expected = planned.samples() * planned.forks();
        String status;
        String error = null;
        Path failure = folder.failure(id);
        if (Files.isRegularFile(failure)) {
            JsonNode f = JSON.readTree(failure.toFile());
            status = "failed";
            error = f.path("error").asText() + ": " + f.path("message").asText();
        } else if (measured.isEmpty()) {
            status = "failed";
            error = warmups > 0 ? "stopped during warm-up: no measured sample (interrupted, or the forked JVM died)"
                    : "no result: the benchmark did not run, or its forked JVM died before measuring (a native crash?);"
                    + " see the console log";
        } else if (expected > 0 && measured.size() < expected) {
            status = "incomplete";
            error = "measured " + measured.size() + " of " + expected + " samples (interrupted, or a fork died)";
        } else {
            status = "ok";
        }

        Map<String, Series> metrics = new LinkedHashMap<>();
        Map<Long, Integer> forkIndex = new LinkedHashMap<>();
        for (Metric m : Metric.values()) {
            List<SampleLine> with = measured.stream().filter(s -> s.metrics() != null && s.metrics().get(m.key()) != null).toList();
            if (with.isEmpty()) {
                continue;
            }
            double[] v = with.stream().mapToDouble(s -> s.metrics().get(m.key())).toArray();
            int[] forks = with.stream().mapToInt(s -> forkIndex.computeIfAbsent(s.pid(), k -> forkIndex.size())).toArray();
            metrics.put(m.key(), series(m, v, forks));
        }

        Map<String, Map<String, Double>> latency = null;
        String hlogName = null;
        Path hlog = folder.hlog(id);
        if (Files.isRegularFile(hlog) && Files.size(hlog) > 0) {
            try {
                Map<String, Map<String, Double>> lat = new LinkedHashMap<>();
                for (Map.Entry<String, Histogram> e : LatencyLog.read(hlog).entrySet()) {
                    lat.put(e.getKey(), LatencyLog.summarize(e.getValue()));
                }
                latency = lat;
                hlogName = folder.dir().relativize(hlog).toString();
            } catch (IllegalArgumentException e) {
                // a log the fork was still writing when the run was stopped: the samples stand, without percentiles
                latency = null;
            }
        }
        TelemetrySummary telemetry = null;
        Path t = folder.telemetry(id);
        if (Files.isRegularFile(t)) {
            TelemetryReport r = TelemetryReport.read(t);
            addTelemetrySeries(metrics, r);
            telemetry = telemetrySummary(r, folder.dir().relativize(t).toString());
        }
        return new BenchmarkResult(id, planned.workload().key(), planned.jmhBenchmark(), planned.params(), status, error,
                measured.size(), warmups, metrics, latency, hlogName, telemetry);
    }

    /** @return a series with its summary statistics */
    public static Series series(Metric m, double[] v, int[] forks) {
        return new Series(m.unit(), m.higherIsBetter(), v, summary(Stats.of(v)), forks);
    }

    /** @return statistics as stored in run.json (NaN becomes null) */
    public static RunDocument.SummaryStats summary(Stats s) {
        return new RunDocument.SummaryStats(s.n(), num(s.mean()), num(s.median()), num(s.stddev()), num(s.cv()), num(s.ciLow()),
                num(s.ciHigh()), num(s.min()), num(s.max()));
    }

    private static Double num(double d) {
        return Double.isNaN(d) || Double.isInfinite(d) ? null : d;
    }

    /** Per-sample energy metrics from the telemetry report, so that compare treats them like throughput. */
    private static void addTelemetrySeries(Map<String, Series> metrics, TelemetryReport r) {
        List<TelemetryReport.Iteration> its = r.measurementIterations();
        add(metrics, Metric.POWER_AVG_W, its, TelemetryReport.Iteration::powerAvgW);
        add(metrics, Metric.ENERGY_SAMPLE_J, its, TelemetryReport.Iteration::energyJ);
        add(metrics, Metric.ENERGY_FROM_POWER_J, its, TelemetryReport.Iteration::energyFromPowerJ);
        add(metrics, Metric.ENERGY_PER_TOKEN_J, its, TelemetryReport.Iteration::jPerToken);
        add(metrics, Metric.TOK_PER_S_PER_W, its, TelemetryReport.Iteration::tokPerSPerW);
        add(metrics, Metric.TEMP_MAX_C, its, TelemetryReport.Iteration::tempMaxC);
    }

    private static void add(Map<String, Series> metrics, Metric m, List<TelemetryReport.Iteration> its,
                            Function<TelemetryReport.Iteration, Double> f) {
        List<Double> raw = its.stream().map(f).toList();
        double[] v = raw.stream().filter(Objects::nonNull).mapToDouble(Double::doubleValue).toArray();
        if (v.length == 0 || v.length != raw.size()) {
            return;
        }
        metrics.put(m.key(), series(m, v, null));
    }

    private static TelemetrySummary telemetrySummary(TelemetryReport r, String report) {
        List<TelemetryReport.Iteration> its = r.measurementIterations();
        // the hardware counter against power integrated over the same windows: should agree within a few %
        double sumCounter = 0;
        double sumPower = 0;
        for (TelemetryReport.Iteration i : its) {
            if ("counter".equals(i.energySource()) && i.energyJ() != null && i.energyFromPowerJ() != null) {
                sumCounter += i.energyJ();
                sumPower += i.energyFromPowerJ();
            }
        }
        return new TelemetrySummary(r.powerSource().orElse(null),
                its.stream().map(TelemetryReport.Iteration::energySource).distinct().toList(),
                r.throttled(),
                its.stream().flatMap(i -> i.clockEventReasonNames().stream()).distinct().toList(),
                r.powerMode().orElse(null), r.clocksLocked().orElse(null),
                its.stream().map(TelemetryReport.Iteration::gpuClockMinMhz).filter(Objects::nonNull).min(Double::compare).orElse(null),
                its.stream().map(TelemetryReport.Iteration::gpuClockMaxMhz).filter(Objects::nonNull).max(Double::compare).orElse(null),
                its.stream().map(TelemetryReport.Iteration::gpuMemoryPeakMib).filter(Objects::nonNull).max(Double::compare)
                        .orElse(null),
                its.stream().map(TelemetryReport.Iteration::samplerCpuMeanUs).filter(Objects::nonNull)
                        .mapToDouble(Double::doubleValue).average().stream().boxed().findFirst().orElse(null),
                sumPower > 0 ? sumCounter / sumPower : null, r.warnings(), report);
    }

    /**
     * Records why a benchmark has no result ({@code failures/<id>.json}); run.json quotes it.
     * Used by the benchmark JVM (setup errors) and by the host (JMH could not run at all).
     */
    public static void writeFailure(RunFolder folder, String id, String error, String message, String detail) throws IOException {
        RunFolder.writeJson(folder.failure(id), new Failure(id, error, message, detail));
    }

    /** The failure file's content. */
    record Failure(String id, String error, String message, String stackTrace) {
    }
}
