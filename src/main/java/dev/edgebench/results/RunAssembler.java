package dev.edgebench.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.edgebench.telemetry.TelemetryReport;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds {@code run.json} (schema {@value #SCHEMA}, described in {@code results/README.md} and
 * {@code results/run.schema.json}) from what a run left in its folder: the plan written at the
 * start, each benchmark's per-iteration samples and latency log, and recorded failures. Because
 * it reads only files, it produces the same document after a complete run, a run with failed
 * benchmarks, and an interrupted one.
 */
public final class RunAssembler {
    /** The schema id written into every run.json. */
    public static final String SCHEMA = "edgebench.run/1";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** How a metric of the samples file is published: name, unit, direction. */
    private record MetricDef(String sampleKey, String name, String unit, boolean higherIsBetter, double scale) {
    }

    private static final List<MetricDef> METRICS = List.of(
            new MetricDef("prefillTokS", "prefill.tok_s", "tok/s", true, 1),
            new MetricDef("prefillMeanMs", "prefill.ms", "ms", false, 1),
            new MetricDef("decodeTokS", "decode.tok_s", "tok/s", true, 1),
            new MetricDef("decodeWeightGBps", "decode.weight_GBps", "GB/s", true, 1),
            new MetricDef("generationTokS", "generation.tok_s", "tok/s", true, 1),
            new MetricDef("e2eNs", "generation.ms", "ms", false, 1e-6),
            new MetricDef("itlMeanNs", "itl.mean_ms", "ms", false, 1e-6),
            new MetricDef("jmhScore", "sample.ms", "ms", false, 1),
            new MetricDef("peakRssBytes", "memory.peak_rss_MiB", "MiB", false, 1.0 / (1 << 20)),
            new MetricDef("gpuUsedBytes", "memory.gpu_used_MiB", "MiB", false, 1.0 / (1 << 20)));

    private RunAssembler() {
    }

    /**
     * @param runDir   the run folder
     * @param header   run-level fields written at the start (schema, runId, preset, environment,
     *                 engine, models, plan), as read back from {@code run.json}
     * @param status   "complete", "partial" or "interrupted"
     * @return the full run.json document
     */
    public static Map<String, Object> assemble(Path runDir, Map<String, Object> header, String status) throws IOException {
        Map<String, Object> run = new LinkedHashMap<>(header);
        run.put("schema", SCHEMA);
        run.put("status", status);
        run.put("finishedAt", java.time.Instant.now().toString());
        List<Map<String, Object>> benches = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> plan = (List<Map<String, Object>>) header.getOrDefault("plan", List.of());
        int failed = 0;
        for (Map<String, Object> planned : plan) {
            Map<String, Object> b = benchmark(runDir, planned);
            if (!"ok".equals(b.get("status"))) {
                failed++;
            }
            benches.add(b);
        }
        run.put("benchmarks", benches);
        List<String> warnings = new ArrayList<>();
        for (Map<String, Object> b : benches) {
            if (b.get("telemetry") instanceof Map<?, ?> t) {
                if (Boolean.TRUE.equals(t.get("throttled"))) {
                    warnings.add(b.get("id") + ": THROTTLED during measurement (" + t.get("throttleReasons") + "): not comparable"
                            + " with an unthrottled run");
                }
                if (Boolean.FALSE.equals(t.get("clocksLocked"))) {
                    warnings.add(b.get("id") + ": clocks were not locked (jetson_clocks): figures vary with DVFS");
                }
            }
        }
        if (!warnings.isEmpty()) {
            run.put("warnings", warnings);
        }
        if ("complete".equals(status) && failed > 0) {
            run.put("status", "partial");
        }
        run.put("failedBenchmarks", failed);
        return run;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> benchmark(Path runDir, Map<String, Object> planned) throws IOException {
        String id = (String) planned.get("id");
        String file = fileName(id);
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("id", id);
        b.put("benchmark", planned.get("benchmark"));
        b.put("jmhBenchmark", planned.get("jmhBenchmark"));
        b.put("params", planned.get("params"));

        Path samplesFile = runDir.resolve("samples").resolve(file + ".jsonl");
        List<Map<String, Object>> measured = new ArrayList<>();
        int warmups = 0;
        if (Files.isRegularFile(samplesFile)) {
            for (String line : Files.readAllLines(samplesFile)) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> s = JSON.readValue(line, Map.class);
                if (Boolean.TRUE.equals(s.get("warmup"))) {
                    warmups++;
                } else {
                    measured.add(s);
                }
            }
        }
        Path failure = runDir.resolve("failures").resolve(file + ".json");
        int expected = ((Number) planned.getOrDefault("samples", 0)).intValue() * ((Number) planned.getOrDefault("forks", 1)).intValue();
        if (Files.isRegularFile(failure)) {
            JsonNode f = JSON.readTree(failure.toFile());
            b.put("status", "failed");
            b.put("error", f.path("error").asText() + ": " + f.path("message").asText());
        } else if (measured.isEmpty()) {
            b.put("status", "failed");
            b.put("error", warmups > 0 ? "stopped during warm-up: no measured sample (interrupted, or the forked JVM died)"
                    : "no result: the benchmark did not run, or its forked JVM died before measuring (a native crash?);"
                    + " see the console log");
        } else if (expected > 0 && measured.size() < expected) {
            b.put("status", "incomplete");
            b.put("error", "measured " + measured.size() + " of " + expected + " samples (interrupted, or a fork died)");
        } else {
            b.put("status", "ok");
        }
        b.put("samples", measured.size());
        b.put("warmups", warmups);

        Map<String, Object> metrics = new LinkedHashMap<>();
        Map<Object, Integer> forkIndex = new LinkedHashMap<>();
        for (MetricDef d : METRICS) {
            List<Map<String, Object>> with = measured.stream().filter(s -> s.get(d.sampleKey()) instanceof Number).toList();
            double[] v = with.stream().mapToDouble(s -> ((Number) s.get(d.sampleKey())).doubleValue() * d.scale()).toArray();
            if (v.length == 0) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("unit", d.unit());
            m.put("higherIsBetter", d.higherIsBetter());
            m.put("values", v);
            m.put("stats", Stats.of(v).toMap());
            // the fork (0, 1, ... in order of appearance) of each value, when the forks said who they were
            if (with.stream().allMatch(s -> s.get("pid") != null)) {
                m.put("forks", with.stream().mapToInt(s -> forkIndex.computeIfAbsent(s.get("pid"), k -> forkIndex.size())).toArray());
            }
            metrics.put(d.name(), m);
        }
        b.put("metrics", metrics);

        Path hlog = runDir.resolve("hlog").resolve(file + ".hlog");
        if (Files.isRegularFile(hlog)) {
            Map<String, Object> lat = new LinkedHashMap<>();
            for (Map.Entry<String, Histogram> e : LatencyLog.read(hlog).entrySet()) {
                lat.put(e.getKey(), LatencyLog.summarize(e.getValue()));
            }
            b.put("latency", lat);
            b.put("hlog", runDir.relativize(hlog).toString());
        }
        Path telemetry = runDir.resolve("telemetry").resolve(file + ".json");
        if (Files.isRegularFile(telemetry)) {
            addTelemetry(b, metrics, TelemetryReport.read(telemetry));
        }
        return b;
    }

    /**
     * Records why a benchmark has no result ({@code failures/<id>.json}); run.json quotes it.
     * Used by the benchmark JVM (setup errors) and by the host (JMH could not run at all).
     */
    public static void writeFailure(Path runDir, String id, String error, String message, String detail) throws IOException {
        Path dir = runDir.resolve("failures");
        Files.createDirectories(dir);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("error", error);
        m.put("message", message);
        m.put("stackTrace", detail);
        writeJson(dir.resolve(fileName(id) + ".json"), m);
    }

    /**
     * Adds a benchmark's telemetry: per-sample energy metrics (so that compare treats them like
     * throughput), and a summary: power source, energy source, throttling, power mode, warnings.
     */
    static void addTelemetry(Map<String, Object> b, Map<String, Object> metrics, TelemetryReport r) {
        List<TelemetryReport.Iteration> its = r.measurementIterations();
        addSeries(metrics, "power.avg_W", "W", false, its.stream().map(TelemetryReport.Iteration::powerAvgW).toList());
        addSeries(metrics, "energy.sample_J", "J", false, its.stream().map(TelemetryReport.Iteration::energyJ).toList());
        addSeries(metrics, "energy.from_power_J", "J", false, its.stream().map(TelemetryReport.Iteration::energyFromPowerJ).toList());
        addSeries(metrics, "energy.per_token_J", "J/tok", false, its.stream().map(TelemetryReport.Iteration::jPerToken).toList());
        addSeries(metrics, "tok_per_s_per_W", "tok/s/W", true, its.stream().map(TelemetryReport.Iteration::tokPerSPerW).toList());
        addSeries(metrics, "temp.max_C", "C", false, its.stream().map(TelemetryReport.Iteration::tempMaxC).toList());
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("powerSource", r.powerSource().orElse(null));
        t.put("energySources", its.stream().map(TelemetryReport.Iteration::energySource).distinct().toList());
        t.put("throttled", r.throttled());
        t.put("throttleReasons", its.stream().flatMap(i -> i.clockEventReasonNames().stream()).distinct().toList());
        t.put("powerMode", r.powerMode().orElse(null));
        t.put("clocksLocked", r.clocksLocked().orElse(null));
        t.put("gpuClockMinMHz", its.stream().map(TelemetryReport.Iteration::gpuClockMinMhz).filter(java.util.Objects::nonNull)
                .min(Double::compare).orElse(null));
        t.put("gpuClockMaxMHz", its.stream().map(TelemetryReport.Iteration::gpuClockMaxMhz).filter(java.util.Objects::nonNull)
                .max(Double::compare).orElse(null));
        t.put("gpuMemoryPeakMiB", its.stream().map(TelemetryReport.Iteration::gpuMemoryPeakMib).filter(java.util.Objects::nonNull)
                .max(Double::compare).orElse(null));
        t.put("samplerCpuMeanUs", its.stream().map(TelemetryReport.Iteration::samplerCpuMeanUs).filter(java.util.Objects::nonNull)
                .mapToDouble(Double::doubleValue).average().stream().boxed().findFirst().orElse(null));
        // the hardware counter against power integrated over the same windows: should agree within a few %
        double sumCounter = 0;
        double sumPower = 0;
        for (TelemetryReport.Iteration i : its) {
            if ("counter".equals(i.energySource()) && i.energyJ() != null && i.energyFromPowerJ() != null) {
                sumCounter += i.energyJ();
                sumPower += i.energyFromPowerJ();
            }
        }
        t.put("counterVsIntegratedRatio", sumPower > 0 ? sumCounter / sumPower : null);
        t.put("warnings", r.warnings());
        t.put("report", "telemetry/" + TelemetryReport.fileName(r.benchmarkId()));
        b.put("telemetry", t);
    }

    private static void addSeries(Map<String, Object> metrics, String name, String unit, boolean higherIsBetter, List<Double> raw) {
        double[] v = raw.stream().filter(java.util.Objects::nonNull).mapToDouble(Double::doubleValue).toArray();
        if (v.length == 0 || v.length != raw.size()) {
            return;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", unit);
        m.put("higherIsBetter", higherIsBetter);
        m.put("values", v);
        m.put("stats", Stats.of(v).toMap());
        metrics.put(name, m);
    }

    /**
     * The file-name form of a benchmark id, shared by the benchmark JVM (which writes the files)
     * and the host (which reads them).
     */
    public static String fileName(String id) {
        return id.replaceAll("[^A-Za-z0-9._=,+-]", "_");
    }

    /** Writes JSON atomically (temporary file, then rename). */
    public static void writeJson(Path file, Object doc) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), doc);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Reads a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readJson(Path file) throws IOException {
        return JSON.readValue(file.toFile(), Map.class);
    }
}
