package dev.edgebench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgebench.load.RequestLog;
import dev.edgebench.load.RequestRecord;
import dev.edgebench.run.RunFolder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code run --engine llama-batched --concurrency 1,4} on the tiny model, end to end through JMH
 * forks: run.json holds the request metrics and latency tags, each request is in
 * requests/<id>.jsonl with every token, the summary has its Requests section, and compare takes
 * the run.
 */
@Tag("native")
class RequestsRunNativeTest {
    @TempDir
    Path tmp;

    @Test
    void llamaBatchedAtConcurrencyOneAndFour() throws Exception {
        System.setProperty("edgebench.models", Files.createDirectories(tmp.resolve("models")).toString());
        Path runs = tmp.resolve("runs");
        Captured.Result r = Captured.run(a -> Cli.execute(new RunCommand(), a), "--engine", "llama-batched", "--concurrency", "1,4",
                "--model", "edgebench-tiny:Q4_0", "--prompt", "16", "--gen", "8", "--requests", "8", "--warmup", "1", "--samples", "2",
                "--threads", "1", "--no-telemetry", "--slo", "ttft=10s", "--out", runs.toString(), "--run-id", "requests");
        assertEquals(0, r.rc(), r::err);
        RunFolder f = new RunFolder(runs.resolve("requests"));
        JsonNode run = RunFolder.json().readTree(f.runJson().toFile());
        assertEquals("complete", run.path("status").asText());
        JsonNode benches = run.path("benchmarks");
        assertEquals(2, benches.size());
        for (JsonNode b : benches) {
            assertEquals("requests", b.path("benchmark").asText());
            JsonNode m = b.path("metrics");
            for (String k : List.of("requests.output_tok_s", "requests.req_s", "requests.goodput_req_s", "requests.ttft_p50_ms",
                    "requests.tpot_mean_ms", "requests.error_rate")) {
                assertEquals(2, m.path(k).path("values").size(), () -> k + " in " + m);
            }
            assertEquals(1.0, m.path("requests.goodput_fraction").path("stats").path("mean").asDouble(), "TTFT under 10 s: all good");
            assertEquals(0.0, m.path("requests.error_rate").path("stats").path("mean").asDouble());
            for (String tag : List.of("ttft", "itl", "icl", "tpot", "e2e")) {
                assertTrue(b.path("latency").has(tag), () -> tag + " in " + b.path("latency"));
            }
            assertEquals(2 * 8, b.path("latency").path("ttft").path("count").asInt(), "8 requests × 2 samples");
            assertEquals(2 * 8 * 7, b.path("latency").path("itl").path("count").asInt(), "7 ITL values per 8-token request");
            // the engine's own account of each sample: iterations, tokens per iteration, time shares
            assertEquals(2, m.path("engine.iterations").path("values").size(), () -> "engine.iterations in " + m);
            double fwd = m.path("engine.decode_share").path("stats").path("mean").asDouble();
            double pick = m.path("engine.sample_share").path("stats").path("mean").asDouble();
            assertTrue(fwd > 0 && pick > 0 && fwd + pick <= 1.0, "forward pass " + fwd + ", choosing tokens " + pick);
            // 8 requests of 16 + 8 tokens: 8 × 16 prompt and 8 × 7 fed-back tokens over every iteration
            for (int i = 0; i < 2; i++) {
                double perIter = m.path("engine.batch_tokens").path("values").get(i).asDouble();
                double iters = m.path("engine.iterations").path("values").get(i).asDouble();
                assertEquals(8 * 16 + 8 * 7, perIter * iters, 1e-6, "sample " + i + ": tokens per iteration × iterations = the batch's tokens");
            }
            List<String> engineLines = Files.readAllLines(f.engineIterations(b.path("id").asText()));
            assertEquals(2, engineLines.size(), "one line of engine statistics per measured sample");
            JsonNode first = RunFolder.json().readTree(engineLines.get(0));
            assertEquals("llama", first.path("stats").path("backend").asText(), first::toString);
            assertTrue(first.path("stats").path("recent").size() > 0, first::toString);
            List<RequestRecord> recs = RequestLog.read(f.requests(b.path("id").asText()));
            assertEquals(16, recs.size(), "measured requests only");
            for (RequestRecord rec : recs) {
                assertEquals(8, rec.tokens());
                assertEquals(8, rec.tokenArrivalsNs().length);
                assertEquals("LENGTH", rec.finishReason());
                assertEquals(16, rec.promptTokens());
                assertTrue(rec.ttftNs() > 0 && rec.e2eNs() >= rec.ttftNs(), rec::toString);
            }
        }
        dev.edgebench.results.RunSchema.assertValid(run);
        String summary = Files.readString(f.summary());
        assertTrue(summary.contains("## Requests") && summary.contains("| llama-batched | edgebench-tiny:Q4_0 | 4 | closed loop |"),
                summary);
        assertTrue(summary.contains("### Inside the engine") && summary.contains("| llama-batched | 4 | closed loop | "), summary);
        Captured.Result cmp = Captured.run(a -> Cli.execute(new CompareCommand(), a), f.dir().toString(), f.dir().toString(),
                "--out", tmp.resolve("cmp").toString());
        assertNotEquals(2, cmp.rc(), cmp::err);
        JsonNode report = RunFolder.json().readTree(tmp.resolve("cmp").resolve("compare.json").toFile());
        try (Stream<Path> s = Files.list(tmp.resolve("cmp"))) {
            assertTrue(s.count() >= 1);
        }
        assertTrue(report.toString().contains("requests.output_tok_s"), report::toString);
    }

    /**
     * ab over two streaming engines, interleaved: A (llama-batched) measures; B is a TensorRT-LLM
     * engine directory that holds no engine, so each of its forks fails at setup with the reason
     * recorded in its run.json, and A's samples are all kept.
     */
    @Test
    void abOfTwoEnginesKeepsWhatOneSideMeasuredWhenTheOtherCannotOpen() throws Exception {
        System.setProperty("edgebench.models", Files.createDirectories(tmp.resolve("models")).toString());
        Path notAnEngine = Files.createDirectories(tmp.resolve("engines").resolve("empty"));
        Path runs = tmp.resolve("runs");
        Captured.Result r = Captured.run(a -> Cli.execute(new AbCommand(), a), "--engine-a", "llama-batched", "--engine-b",
                "trtllm:" + notAnEngine, "--rounds", "2", "--concurrency", "2", "--model", "edgebench-tiny:Q4_0", "--prompt", "16",
                "--gen", "8", "--requests", "4", "--warmup", "0", "--samples", "2", "--threads", "1", "--no-telemetry",
                "--runs-dir", runs.toString(), "--run-id", "ab-engines", "--resamples", "200");
        assertNotEquals(2, r.rc(), r::err);
        Path ab = runs.resolve("ab-engines");
        JsonNode a = RunFolder.json().readTree(ab.resolve("llama-batched").resolve("run.json").toFile());
        JsonNode b = RunFolder.json().readTree(ab.resolve(AbEngines.name("trtllm:" + notAnEngine))
                .resolve("run.json").toFile());
        JsonNode ma = a.path("benchmarks").get(0);
        assertEquals("ok", ma.path("status").asText(), ma::toString);
        assertEquals(4, ma.path("metrics").path("requests.output_tok_s").path("values").size(), "2 samples × 2 rounds");
        JsonNode mb = b.path("benchmarks").get(0);
        assertEquals("failed", mb.path("status").asText());
        assertTrue(mb.path("error").asText().contains("is not a TensorRT-LLM engine"), mb::toString);
    }
}
