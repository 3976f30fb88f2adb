package dev.edgebench.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.results.Stats;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Synthetic run folders for tests: run.json in the real schema with per-sample values split over
 * forks, and hlogs with one interval histogram per iteration. Seeded, so every test sees the same data.
 */
public final class Fixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One benchmark to put into a fixture run. */
    public static final class B {
        String kind = "decode";
        String model = "Qwen3-0.6B:Q4_0";
        int batch = 1;
        double mean = 20;
        double cv = 0.01;
        int forks = 2;
        int perFork = 8;
        /** mean inter-token latency in µs for the hlog (0: no hlog) */
        double itlUs = 50_000;
        double itlTailFactor = 1.0;
        String status = "ok";

        public B kind(String k) {
            kind = k;
            return this;
        }

        public B batch(int b) {
            batch = b;
            return this;
        }

        public B mean(double m) {
            mean = m;
            return this;
        }

        public B cv(double c) {
            cv = c;
            return this;
        }

        public B itl(double us, double tail) {
            itlUs = us;
            itlTailFactor = tail;
            return this;
        }

        public B status(String s) {
            status = s;
            return this;
        }

        public String id() {
            String cls = kind.equals("prefill") ? "PrefillBenchmark.prefill" : "DecodeBenchmark.decode";
            return cls + "[batch=" + batch + ",model=" + model + ",threads=0]";
        }
    }

    public static B bench() {
        return new B();
    }

    /** Writes {@code dir/run.json} (+ hlog/) with the given benchmarks; values drawn with the seed. */
    public static Path run(Path dir, String runId, long seed, Map<String, Object> envOverrides, B... benches) throws IOException {
        Files.createDirectories(dir.resolve("hlog"));
        Random rnd = new Random(seed);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("schema", dev.edgebench.run.RunDocument.SCHEMA);
        run.put("runId", runId);
        run.put("startedAt", "2026-11-22T00:00:00Z");
        run.put("finishedAt", "2026-11-22T00:10:00Z");
        run.put("command", "run --preset ci");
        run.put("status", "complete");
        Map<String, Object> preset = new LinkedHashMap<>();
        preset.put("name", "ci");
        preset.put("warmups", 2);
        preset.put("samples", 8);
        preset.put("forks", 2);
        run.put("preset", preset);
        Map<String, Object> env = new LinkedHashMap<>();
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("os", "Linux 6.1");
        host.put("arch", "amd64");
        host.put("cpuModel", "Test CPU @ 2.0GHz");
        host.put("logicalCpus", 2);
        host.put("cpuFlags", List.of("avx2", "avx512f"));
        env.put("host", host);
        env.put("jvm", Map.of("version", "25"));
        env.put("gpus", new ArrayList<>());
        run.put("environment", env);
        Map<String, Object> build = new LinkedHashMap<>();
        build.put("name", "cpu");
        build.put("profile", "cpu");
        build.put("cpuIsa", "avx2");
        build.put("ggmlOptions", "GGML_AVX2 GGML_CPU");
        build.put("engine", Map.of("release", "v0.5.0", "gitCommit", "de3ff815"));
        build.put("cuda", Map.of("enabled", false));
        Map<String, Object> engine = new LinkedHashMap<>();
        engine.put("name", "llama.cpp");
        engine.put("profile", "cpu");
        engine.put("build", build);
        run.put("engine", engine);
        run.put("models", List.of(Map.of("ref", "Qwen3-0.6B:Q4_0", "path", "/m.gguf", "sha256", "a".repeat(64),
                "facts", Map.of("architecture", "qwen3", "parameters", 1, "fileBytes", 1, "weightBytesPerToken", 1))));
        envOverrides.forEach((path, v) -> set(run, path, v));
        List<Map<String, Object>> plan = new ArrayList<>();
        List<Map<String, Object>> out = new ArrayList<>();
        int failed = 0;
        for (B b : benches) {
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("batch", String.valueOf(b.batch));
            params.put("model", b.model);
            params.put("threads", "0");
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("id", b.id());
            p.put("benchmark", b.kind);
            p.put("jmhBenchmark", "dev.edgebench.bench." + b.id().substring(0, b.id().indexOf('[')));
            p.put("params", params);
            p.put("samples", b.perFork);
            p.put("forks", b.forks);
            plan.add(p);
            Map<String, Object> x = new LinkedHashMap<>(p);
            x.remove("samples");
            x.remove("forks");
            x.put("status", b.status);
            if (!b.status.equals("ok")) {
                failed++;
                x.put("error", "java.lang.IllegalStateException: boom");
                x.put("samples", 0);
                x.put("metrics", Map.of());
                out.add(x);
                continue;
            }
            int n = b.forks * b.perFork;
            double[] v = new double[n];
            int[] forks = new int[n];
            Histogram[] itl = new Histogram[n];
            for (int f = 0; f < b.forks; f++) {
                double forkOffset = 1 + rnd.nextGaussian() * b.cv * 0.5;
                for (int i = 0; i < b.perFork; i++) {
                    int k = f * b.perFork + i;
                    v[k] = b.mean * forkOffset * (1 + rnd.nextGaussian() * b.cv);
                    forks[k] = f;
                    if (b.itlUs > 0) {
                        Histogram h = new Histogram(1, 3_600_000_000_000L, 3);
                        for (int t = 0; t < 64; t++) {
                            double us = b.itlUs * (1 + Math.abs(rnd.nextGaussian()) * 0.05);
                            if (t % 32 == 31) {
                                us *= 1.5 * b.itlTailFactor;
                            }
                            h.recordValue((long) (us * 1000));
                        }
                        itl[k] = h;
                    }
                }
            }
            String metric = b.kind + ".tok_s";
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("unit", "tok/s");
            m.put("higherIsBetter", true);
            m.put("values", v);
            m.put("forks", forks);
            m.put("stats", dev.edgebench.results.RunAssembler.summary(Stats.of(v)));
            x.put("samples", n);
            x.put("warmups", 2 * b.forks);
            x.put("metrics", Map.of(metric, m));
            if (b.itlUs > 0) {
                String file = "hlog/" + dev.edgebench.run.RunFolder.fileName(b.id()) + ".hlog";
                try (PrintStream ps = new PrintStream(new FileOutputStream(dir.resolve(file).toFile()), false, "UTF-8")) {
                    HistogramLogWriter w = new HistogramLogWriter(ps);
                    w.outputLogFormatVersion();
                    w.outputBaseTime(0);
                    w.outputLegend();
                    for (Histogram h : itl) {
                        h.setTag("itl");
                        w.outputIntervalHistogram(h);
                    }
                }
                x.put("hlog", file);
            }
            out.add(x);
        }
        run.put("plan", plan);
        run.put("benchmarks", out);
        run.put("failedBenchmarks", failed);
        if (failed > 0) {
            run.put("status", "partial");
        }
        dev.edgebench.run.RunFolder.writeJson(dir.resolve("run.json"), run);
        return dir;
    }

    public static Path run(Path dir, String runId, long seed, B... benches) throws IOException {
        return run(dir, runId, seed, Map.of(), benches);
    }

    @SuppressWarnings("unchecked")
    private static void set(Map<String, Object> doc, String path, Object v) {
        String[] p = path.split("\\.");
        Map<String, Object> m = doc;
        for (int i = 0; i < p.length - 1; i++) {
            Object next = m.get(p[i]);
            if (!(next instanceof Map<?, ?>)) {
                next = new LinkedHashMap<String, Object>();
                m.put(p[i], next);
            } else if (!(next instanceof LinkedHashMap<?, ?>)) {
                next = new LinkedHashMap<>((Map<String, Object>) next);
                m.put(p[i], next);
            }
            m = (Map<String, Object>) next;
        }
        m.put(p[p.length - 1], v);
    }

    /** A JMH JSON result file of kernel-like benchmarks (op/type/shape parameters), avgt µs/op. */
    public static Path jmhKernels(Path file, long seed, double matMulFactor) throws IOException {
        Random rnd = new Random(seed);
        List<Map<String, Object>> out = new ArrayList<>();
        for (String[] k : new String[][]{{"MUL_MAT", "q4_0", "4096x14336", "812"}, {"ADD", "f32", "4096x512", "40"}}) {
            double base = Double.parseDouble(k[3]) * (k[0].equals("MUL_MAT") ? matMulFactor : 1);
            List<List<Double>> raw = new ArrayList<>();
            for (int f = 0; f < 3; f++) {
                List<Double> it = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    it.add(base * (1 + rnd.nextGaussian() * 0.01));
                }
                raw.add(it);
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("jmhVersion", "1.37");
            r.put("benchmark", "dev.edgebench.kernel.OpBenchmark.op");
            r.put("mode", "avgt");
            r.put("forks", 3);
            r.put("params", Map.of("op", k[0], "type", k[1], "shape", k[2]));
            r.put("primaryMetric", Map.of("score", base, "scoreUnit", "us/op", "rawData", raw));
            r.put("secondaryMetrics", Map.of());
            out.add(r);
        }
        JSON.writeValue(file.toFile(), out);
        return file;
    }
}
