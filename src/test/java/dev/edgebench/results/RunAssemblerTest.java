package dev.edgebench.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** run.json from a hand-made run folder: one benchmark complete, one failed in setup, one that never ran. */
class RunAssemblerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static Map<String, Object> planned(String id, String bench) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", id);
        p.put("benchmark", bench);
        p.put("jmhBenchmark", "dev.edgebench.bench.X." + bench);
        p.put("params", Map.of("model", "edgebench-tiny:Q4_0", "batch", "1", "nGen", "4"));
        p.put("samples", 3);
        p.put("forks", 1);
        return p;
    }

    static Map<String, Object> header(List<Map<String, Object>> plan) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("schema", RunAssembler.SCHEMA);
        h.put("runId", "fixture");
        h.put("startedAt", "2026-11-22T00:00:00Z");
        h.put("preset", Map.of("name", "quick", "warmups", 1, "samples", 3, "forks", 1));
        h.put("environment", Map.of("host", Map.of("os", "Linux", "arch", "amd64", "logicalCpus", 2),
                "jvm", Map.of("version", "25"), "gpus", List.of()));
        h.put("engine", Map.of("name", "llama.cpp", "build", Map.of("name", "cpu")));
        h.put("models", List.of(Map.of("ref", "edgebench-tiny:Q4_0", "path", "/m.gguf", "sha256", "0".repeat(64),
                "facts", Map.of("architecture", "llama", "parameters", 1, "fileBytes", 1, "weightBytesPerToken", 1))));
        h.put("plan", plan);
        return h;
    }

    @Test
    void completeFailedAndMissingBenchmarksAreAllReported(@TempDir Path dir) throws Exception {
        String ok = "DecodeBenchmark.decode[batch=1,model=edgebench-tiny:Q4_0,nGen=4]";
        String bad = "DecodeBenchmark.decode[batch=1,model=broken.gguf,nGen=4]";
        String never = "PrefillBenchmark.prefill[batch=1,model=edgebench-tiny:Q4_0,nPrompt=8]";
        Files.createDirectories(dir.resolve("samples"));
        Files.createDirectories(dir.resolve("hlog"));
        Files.createDirectories(dir.resolve("failures"));
        StringBuilder lines = new StringBuilder("{\"iteration\":1,\"warmup\":true,\"decodeTokS\":50.0}\n");
        double[] tokS = {100, 110, 90};
        for (int i = 0; i < 3; i++) {
            lines.append("{\"iteration\":").append(i + 2).append(",\"warmup\":false,\"decodeTokS\":").append(tokS[i])
                    .append(",\"decodeNs\":40000000,\"decodeTokens\":4,\"jmhScore\":40.0,\"peakRssBytes\":104857600}\n");
        }
        Files.writeString(dir.resolve("samples").resolve(RunAssembler.fileName(ok) + ".jsonl"), lines);
        Histogram h = new Histogram(1, 3_600_000_000_000L, 3);
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 10_000L);
        }
        h.setTag("itl");
        try (PrintStream ps = new PrintStream(new FileOutputStream(dir.resolve("hlog").resolve(RunAssembler.fileName(ok) + ".hlog").toFile()))) {
            HistogramLogWriter w = new HistogramLogWriter(ps);
            w.outputLogFormatVersion();
            w.outputLegend();
            w.outputIntervalHistogram(h);
        }
        Files.writeString(dir.resolve("failures").resolve(RunAssembler.fileName(bad) + ".json"),
                "{\"id\":\"" + bad + "\",\"error\":\"dev.edgebench.engine.llama.LlamaException\",\"message\":\"llama_model_load_from_file returned NULL\"}");

        Map<String, Object> run = RunAssembler.assemble(dir, header(List.of(planned(ok, "decode"), planned(bad, "decode"),
                planned(never, "prefill"))), "complete");
        assertEquals("partial", run.get("status"));
        assertEquals(2, run.get("failedBenchmarks"));
        JsonNode doc = JSON.valueToTree(run);
        JsonNode b0 = doc.path("benchmarks").get(0);
        assertEquals("ok", b0.path("status").asText());
        assertEquals(3, b0.path("samples").asInt());
        assertEquals(1, b0.path("warmups").asInt());
        assertEquals(100.0, b0.path("metrics").path("decode.tok_s").path("stats").path("mean").asDouble(), 1e-9);
        assertEquals(h.getValueAtPercentile(99) / 1000.0, b0.path("latency").path("itl").path("p99Us").asDouble(), 1e-9);
        assertEquals(100.0, b0.path("metrics").path("memory.peak_rss_MiB").path("values").get(0).asDouble(), 1e-9);
        JsonNode b1 = doc.path("benchmarks").get(1);
        assertEquals("failed", b1.path("status").asText());
        assertTrue(b1.path("error").asText().contains("llama_model_load_from_file returned NULL"));
        JsonNode b2 = doc.path("benchmarks").get(2);
        assertEquals("failed", b2.path("status").asText());
        assertTrue(b2.path("error").asText().contains("did not run"));

        assertValid(doc);
        String md = Summary.markdown(run);
        assertTrue(md.contains("| Model | Precision | Batch | Prefill ms | Prefill tokens | Prefill tok/s | Generation tok/s |"));
        assertTrue(md.contains("## Failed or incomplete"));
        assertTrue(md.contains(bad));
    }

    @Test
    void interruptedRunKeepsFinishedSamplesAndMarksTheRest(@TempDir Path dir) throws Exception {
        String a = "DecodeBenchmark.decode[batch=1,model=m:Q4_0,nGen=4]";
        Files.createDirectories(dir.resolve("samples"));
        Files.writeString(dir.resolve("samples").resolve(RunAssembler.fileName(a) + ".jsonl"),
                "{\"iteration\":1,\"warmup\":false,\"decodeTokS\":10.0}\n");
        Map<String, Object> run = RunAssembler.assemble(dir, header(List.of(planned(a, "decode"))), "interrupted");
        assertEquals("interrupted", run.get("status"));
        JsonNode b = JSON.valueToTree(run).path("benchmarks").get(0);
        assertEquals("incomplete", b.path("status").asText());
        assertEquals(1, b.path("samples").asInt());
        assertValid(JSON.valueToTree(run));
    }

    static void assertValid(JsonNode doc) throws Exception {
        RunSchema.assertValid(doc);
    }
}
