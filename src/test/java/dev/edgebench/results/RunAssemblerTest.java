package dev.edgebench.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.run.Metric;
import dev.edgebench.run.PlannedBenchmark;
import dev.edgebench.run.RunDocument;
import dev.edgebench.run.RunDocuments;
import dev.edgebench.run.RunFolder;
import dev.edgebench.run.SampleLine;
import dev.edgebench.run.Workload;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** run.json from a hand-made run folder: one benchmark complete, one failed in setup, one that never ran. */
class RunAssemblerTest {
    static final ObjectMapper JSON = RunFolder.json();

    static PlannedBenchmark planned(String id, Workload w) {
        return new PlannedBenchmark(id, w, Map.of("model", "edgebench-tiny:Q4_0", "batch", "1", "nGen", "4"), 3, 1);
    }

    static RunDocument header(List<PlannedBenchmark> plan) throws Exception {
        return new RunDocument(RunDocument.SCHEMA, "fixture", "2026-11-22T00:00:00Z", null, "running", "run", new RunDocument.PresetInfo(
                "quick", "", 1, 3, 1, null),
                JSON.readTree("{\"host\":{\"os\":\"Linux\",\"arch\":\"amd64\",\"logicalCpus\":2},\"jvm\":{\"version\":\"25\"},\"gpus\":[]}"),
                JSON.readTree("{\"name\":\"llama.cpp\",\"build\":{\"name\":\"cpu\"}}"),
                List.of(new RunDocument.ModelInfo("edgebench-tiny:Q4_0", "/m.gguf", "0".repeat(64),
                        JSON.readTree("{\"architecture\":\"llama\",\"parameters\":1,\"fileBytes\":1,\"weightBytesPerToken\":1}"))),
                plan, null, null, null, null, null);
    }

    static String line(SampleLine s) throws Exception {
        return JSON.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(s) + "\n";
    }

    @Test
    void completeFailedAndMissingBenchmarksAreAllReported(@TempDir Path dir) throws Exception {
        RunFolder folder = new RunFolder(dir);
        String ok = "DecodeBenchmark.decode[batch=1,model=edgebench-tiny:Q4_0,nGen=4]";
        String bad = "DecodeBenchmark.decode[batch=1,model=broken.gguf,nGen=4]";
        String never = "PrefillBenchmark.prefill[batch=1,model=edgebench-tiny:Q4_0,nPrompt=8]";
        Files.createDirectories(folder.samples(ok).getParent());
        Files.createDirectories(folder.hlog(ok).getParent());
        StringBuilder lines = new StringBuilder(line(new SampleLine(1, true, 7, Map.of(Metric.DECODE_TOK_S.key(), 50.0))));
        double[] tokS = {100, 110, 90};
        for (int i = 0; i < 3; i++) {
            lines.append(line(new SampleLine(i + 2, false, 7, Map.of(Metric.DECODE_TOK_S.key(), tokS[i], Metric.SAMPLE_MS.key(), 40.0,
                    Metric.PEAK_RSS_MIB.key(), 100.0))));
        }
        // a line cut by a kill mid-write is skipped, the ones before it stand
        lines.append("{\"iteration\":9,\"warm");
        Files.writeString(folder.samples(ok), lines);
        Histogram h = new Histogram(1, 3_600_000_000_000L, 3);
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 10_000L);
        }
        h.setTag("itl");
        try (PrintStream ps = new PrintStream(new FileOutputStream(folder.hlog(ok).toFile()))) {
            HistogramLogWriter w = new HistogramLogWriter(ps);
            w.outputLogFormatVersion();
            w.outputLegend();
            w.outputIntervalHistogram(h);
        }
        RunAssembler.writeFailure(folder, bad, "dev.edgebench.engine.llama.LlamaException", "llama_model_load_from_file returned NULL", "");

        RunDocument run = RunAssembler.assemble(folder, header(List.of(planned(ok, Workload.DECODE), planned(bad, Workload.DECODE),
                planned(never, Workload.PREFILL))), "complete");
        assertEquals("partial", run.status());
        assertEquals(2, run.failedBenchmarks());
        RunDocument.BenchmarkResult b0 = run.benchmarks().get(0);
        assertEquals("ok", b0.status());
        assertEquals(3, b0.samples());
        assertEquals(1, b0.warmups());
        assertEquals(100.0, b0.metric(Metric.DECODE_TOK_S).stats().mean(), 1e-9);
        assertEquals(h.getValueAtPercentile(99) / 1000.0, b0.latency().get("itl").get("p99Us"), 1e-9);
        assertEquals(100.0, b0.metric(Metric.PEAK_RSS_MIB).values()[0], 1e-9);
        RunDocument.BenchmarkResult b1 = run.benchmarks().get(1);
        assertEquals("failed", b1.status());
        assertTrue(b1.error().contains("llama_model_load_from_file returned NULL"));
        RunDocument.BenchmarkResult b2 = run.benchmarks().get(2);
        assertEquals("failed", b2.status());
        assertTrue(b2.error().contains("did not run"));

        RunDocuments.write(folder.runJson(), run);
        JsonNode doc = JSON.readTree(folder.runJson().toFile());
        RunSchema.assertValid(doc);
        assertEquals(RunDocument.SCHEMA, doc.path("schema").asText());
        // the document reads back into the same records
        assertEquals(run.benchmarks().get(0).metric(Metric.DECODE_TOK_S).stats(), RunDocuments.read(folder.runJson()).benchmarks()
                .get(0).metric(Metric.DECODE_TOK_S).stats());
        String md = Summary.markdown(run);
        assertTrue(md.contains("| Model | Precision | Batch | Prefill ms | Prefill tokens | Prefill tok/s | Generation tok/s |"));
        assertTrue(md.contains("## Failed or incomplete"));
        assertTrue(md.contains(bad));
    }

    @Test
    void interruptedRunKeepsFinishedSamplesAndMarksTheRest(@TempDir Path dir) throws Exception {
        RunFolder folder = new RunFolder(dir);
        String a = "DecodeBenchmark.decode[batch=1,model=m:Q4_0,nGen=4]";
        Files.createDirectories(folder.samples(a).getParent());
        Files.writeString(folder.samples(a), line(new SampleLine(1, false, 7, Map.of(Metric.DECODE_TOK_S.key(), 10.0))));
        RunDocument run = RunAssembler.assemble(folder, header(List.of(planned(a, Workload.DECODE))), "interrupted");
        assertEquals("interrupted", run.status());
        RunDocument.BenchmarkResult b = run.benchmarks().get(0);
        assertEquals("incomplete", b.status());
        assertEquals(1, b.samples());
        assertNull(b.metric(Metric.DECODE_TOK_S).stats().stddev(), "one sample has no spread");
        RunSchema.assertValid(JSON.valueToTree(run));
    }

    /** Issue 14 #3: a run whose process died is re-assembled as interrupted by the next command that meets it. */
    @Test
    void aKilledRunIsReassembledAsInterrupted(@TempDir Path dir) throws Exception {
        RunFolder folder = new RunFolder(dir);
        String a = "DecodeBenchmark.decode[batch=1,model=m:Q4_0,nGen=4]";
        RunDocuments.write(folder.runJson(), header(List.of(planned(a, Workload.DECODE))));
        Files.createDirectories(folder.samples(a).getParent());
        Files.writeString(folder.samples(a), line(new SampleLine(2, false, 7, Map.of(Metric.DECODE_TOK_S.key(), 10.0))));
        // a pid that no process has: the run's owner is gone
        Files.writeString(dir.resolve("run.lock"), String.valueOf(Long.MAX_VALUE));
        assertTrue(RunWriter.recover(dir));
        RunDocument run = RunDocuments.read(folder.runJson());
        assertEquals("interrupted", run.status());
        assertEquals(1, run.benchmarks().get(0).samples());
        assertTrue(Files.isRegularFile(folder.summary()));
        assertTrue(Files.notExists(dir.resolve("run.lock")));
        // a live owner is left alone
        Files.writeString(dir.resolve("run.lock"), String.valueOf(ProcessHandle.current().pid()));
        assertEquals(false, RunWriter.recover(dir));
    }

    /** An edgebench.run/1 document written by the version before this one still reads. */
    @Test
    void aRunOneDocumentStillReads() throws Exception {
        Path v1 = RunSchema.projectDir().resolve("results/reference/nvidia-h100-80gb-hbm3/quick-Llama-3_2-1B_Q4_0/run.json");
        RunDocument run = RunDocuments.read(v1);
        assertEquals(RunDocument.SCHEMA_V1, run.schema());
        assertEquals(2, run.benchmarks().size());
        assertTrue(run.preset().options().has("models"), "run/1's preset.overridden reads as preset.options");
        assertTrue(run.benchmarks().get(1).metric(Metric.DECODE_TOK_S).stats().mean() > 900);
        assertTrue(Summary.markdown(run).contains("| Llama-3.2-1B | Q4_0 | 1 |"));
    }
}
