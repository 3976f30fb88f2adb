package dev.edgebench.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.GgufKv;
import dev.edgebench.model.GgufWriter;
import dev.edgebench.results.LatencyLog;
import dev.edgebench.results.RunAssembler;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;


import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JMH suite end to end on the built CPU engine and a forged toy model: secondary results,
 * latency logs, run.json, a failing benchmark, an interrupted run. Needs {@code make native}.
 */
@Tag("native")
class BenchSuiteNativeTest {
    static final String MODEL = "edgebench-tiny:Q4_0";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path models;

    @BeforeAll
    static void isolateModelCache() {
        System.setProperty("edgebench.models", models.toString());
    }

    static List<String> forkArgs(Path runDir) {
        List<String> a = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "-Dedgebench.run.dir=" + runDir,
                "-Dedgebench.models=" + models));
        for (String p : List.of("edgebench.native.dir", "edgebench.project.dir", "edgebench.profile")) {
            if (System.getProperty(p) != null) {
                a.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        a.add("-Dedgebench.home=" + System.getProperty("edgebench.project.dir", "."));
        return a;
    }

    @Test
    void secondaryResultsAndTheirLatencyLogAgree(@TempDir Path runDir) throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("^" + DecodeBenchmark.class.getName() + "\\.decode$")
                .param("model", MODEL).param("nGen", "16").param("threads", "2")
                .warmupIterations(1).measurementIterations(3).forks(1)
                .addProfiler(EdgebenchProfiler.class)
                .jvmArgsAppend(forkArgs(runDir).toArray(String[]::new))
                .build()).run();
        assertEquals(1, results.size());
        Map<String, Result> sec = results.iterator().next().getSecondaryResults();
        for (String k : List.of("decode.tok_s", "itl.p50", "itl.p90", "itl.p95", "itl.p99", "itl.p99.9", "itl.max",
                "memory.peak_rss_MiB", "model.weight_MB_per_token", "decode.weight_GBps")) {
            assertNotNull(sec.get(k), "secondary result " + k + " in " + sec.keySet());
        }
        assertTrue(sec.get("decode.tok_s").getScore() > 0);
        assertTrue(sec.get("memory.peak_rss_MiB").getScore() > 10, "peak RSS in MiB");

        try (var files = Files.list(runDir.resolve("hlog"))) {
            Path hlog = files.findFirst().orElseThrow();
            Histogram itl = LatencyLog.read(hlog).get("itl");
            assertEquals(3 * 16, itl.getTotalCount(), "one value per decode step of the 3 measured samples");
            for (double p : new double[]{50, 90, 95, 99, 99.9}) {
                String label = p == Math.rint(p) ? "itl.p" + (long) p : "itl.p" + p;
                assertEquals(itl.getValueAtPercentile(p) / 1000.0, sec.get(label).getScore(), 1e-9, label);
            }
            assertEquals(itl.getMaxValue() / 1000.0, sec.get("itl.max").getScore(), 1e-9);
        }
        try (var files = Files.list(runDir.resolve("samples"))) {
            List<String> lines = Files.readAllLines(files.findFirst().orElseThrow());
            assertEquals(4, lines.size(), "one warm-up and three measured iterations");
        }
    }

    static int run(String... args) throws Exception {
        // the run command as a user types it: through the top-level command line
        Method m = Class.forName("dev.edgebench.cli.Main").getDeclaredMethod("execute", String[].class);
        m.setAccessible(true);
        String[] all = new String[args.length + 1];
        all[0] = "run";
        System.arraycopy(args, 0, all, 1, args.length);
        return (int) m.invoke(null, (Object) all);
    }

    @Test
    void runCommandWritesAValidRunFolder(@TempDir Path out) throws Exception {
        int rc = run("--model", MODEL, "--benchmarks", "prefill,decode,generation", "--prompt", "16", "--gen", "8",
                "--warmup", "1", "--samples", "2", "--threads", "2", "--out", out.toString(), "--run-id", "ok");
        assertEquals(0, rc);
        Path dir = out.resolve("ok");
        JsonNode run = JSON.readTree(dir.resolve("run.json").toFile());
        assertEquals("complete", run.path("status").asText());
        assertEquals(3, run.path("benchmarks").size());
        for (JsonNode b : run.path("benchmarks")) {
            assertEquals("ok", b.path("status").asText(), b.toString());
            assertEquals(2, b.path("samples").asInt());
        }
        // the wait for quiet before each sample is reported where the engine's 2 threads fill every core, and only there
        boolean fills = 2 >= Runtime.getRuntime().availableProcessors();
        for (JsonNode b : run.path("benchmarks")) {
            if (b.path("benchmark").asText().matches("prefill|decode")) {
                JsonNode w = b.path("metrics").path("setup.settle_ms");
                assertEquals(fills, !w.isMissingNode(), b::toString);
                for (JsonNode v : w.path("values")) {
                    assertTrue(v.asDouble() >= 0 && v.asDouble() < Settle.MAX_WAIT_MS + 1000, w::toString);
                }
            }
        }
        assertTrue(run.path("models").get(0).path("sha256").asText().matches("[0-9a-f]{64}"));
        assertFalse(run.path("engine").path("build").path("engine").path("gitCommit").asText().isEmpty());
        dev.edgebench.results.RunSchema.assertValid(run);
        String md = Files.readString(dir.resolve("summary.md"));
        assertTrue(md.contains("| edgebench-tiny | Q4_0 | 1 |"), md);
        for (JsonNode b : run.path("plan")) {
            // JMH's own result of every benchmark, named like its other files
            assertTrue(Files.exists(dir.resolve("jmh").resolve(dev.edgebench.run.RunFolder.fileName(b.path("id").asText()) + ".json")), b::toString);
        }
    }

    @Test
    void aBenchmarkThatFailsIsRecordedWhileTheOthersAreKept(@TempDir Path out) throws Exception {
        // a well-formed GGUF of an architecture the engine knows, without the hyper-parameters and tensors a model
        // needs: passes every check before the run, then fails to load inside the benchmark's fork
        Path broken = out.resolve("hollow-llama.gguf");
        GgufWriter w = new GgufWriter();
        w.put(GgufKv.ofString("general.architecture", "llama"));
        w.put(GgufKv.ofU32("llama.context_length", 2048));
        w.addTensor("token_embd.weight", new long[]{32, 8}, GgmlType.F32, (info, ch) -> ch.write(ByteBuffer.allocate((int) info.nBytes())));
        w.write(broken);
        int rc = run("--model", MODEL + "," + broken, "--benchmarks", "decode", "--gen", "8", "--warmup", "0", "--samples", "2",
                "--threads", "2", "--out", out.toString(), "--run-id", "mixed");
        assertEquals(1, rc, "a failed benchmark makes the run's exit code non-zero");
        JsonNode run = JSON.readTree(out.resolve("mixed").resolve("run.json").toFile());
        assertEquals("partial", run.path("status").asText());
        JsonNode good = run.path("benchmarks").get(0);
        JsonNode bad = run.path("benchmarks").get(1);
        assertEquals("ok", good.path("status").asText());
        assertEquals(2, good.path("samples").asInt());
        assertEquals("failed", bad.path("status").asText());
        assertTrue(bad.path("error").asText().contains("llama_model_load_from_file"), bad.path("error").asText());
        // llama.cpp's own reason reaches the summary's first line
        String first = bad.path("error").asText().lines().findFirst().orElse("");
        assertTrue(first.contains("llama"), first);
    }

    /** Issue 14 #9: a GGUF of an architecture the engine does not know is refused before the run, with the list. */
    @Test
    void anUnknownArchitectureIsRefusedUpFront(@TempDir Path out) throws Exception {
        Path broken = out.resolve("unknown-arch.gguf");
        GgufWriter w = new GgufWriter();
        w.put(GgufKv.ofString("general.architecture", "nosucharch"));
        w.put(GgufKv.ofU32("nosucharch.context_length", 2048));
        w.addTensor("token_embd.weight", new long[]{32, 8}, GgmlType.F32, (info, ch) -> ch.write(ByteBuffer.allocate((int) info.nBytes())));
        w.write(broken);
        int rc = run("--model", broken.toString(), "--benchmarks", "decode", "--gen", "8", "--out", out.toString(), "--run-id", "x");
        assertEquals(2, rc, "bad input");
        assertTrue(java.nio.file.Files.notExists(out.resolve("x")), "nothing was started");
    }

    @Test
    void anInterruptedRunKeepsWhatItFinished(@TempDir Path out) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", cp, "-Dedgebench.models=" + models, "-Djmh.ignoreLock=true",
                "-Dedgebench.home=" + System.getProperty("edgebench.project.dir", ".")));
        if (System.getProperty("edgebench.native.dir") != null) {
            cmd.add("-Dedgebench.native.dir=" + System.getProperty("edgebench.native.dir"));
        }
        cmd.addAll(List.of("dev.edgebench.cli.Main", "run", "--model", MODEL, "--benchmarks", "prefill,decode", "--prompt", "16",
                "--warmup", "0", "--samples", "100000", "--threads", "2", "--out", out.toString(), "--run-id", "int"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.resolve("console.log").toFile()).start();
        Path samples = out.resolve("int").resolve("samples");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (Files.isDirectory(samples)) {
                try (var s = Files.list(samples)) {
                    List<Path> f = s.toList();
                    if (!f.isEmpty() && Files.readAllLines(f.get(0)).size() >= 3) {
                        break;
                    }
                }
            }
            Thread.sleep(100);
        }
        assertTrue(p.isAlive(), () -> "the run ended by itself: " + read(out.resolve("console.log")));
        p.destroy();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the run did not stop on SIGTERM");
        JsonNode run = JSON.readTree(out.resolve("int").resolve("run.json").toFile());
        assertEquals("interrupted", run.path("status").asText(), () -> read(out.resolve("console.log")));
        JsonNode prefill = run.path("benchmarks").get(0);
        assertEquals("incomplete", prefill.path("status").asText());
        assertTrue(prefill.path("samples").asInt() >= 3);
        assertTrue(prefill.path("metrics").path("prefill.tok_s").path("values").size() >= 3);
        assertEquals("failed", run.path("benchmarks").get(1).path("status").asText());
        assertTrue(Files.exists(out.resolve("int").resolve("summary.md")));
        dev.edgebench.results.RunSchema.assertValid(run);
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "(no log)";
        }
    }

}
