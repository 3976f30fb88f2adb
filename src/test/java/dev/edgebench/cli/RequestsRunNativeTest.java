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
        JsonNode facts = run.path("engine").path("streamingEngine");
        assertEquals("llama-batched", facts.path("spec").asText(), run.path("engine")::toString);
        assertTrue(facts.path("library").asText().endsWith("libedgebench_request_llama.so") && facts.path("version").asText().startsWith("llama.cpp"),
                facts::toString);
        assertTrue(run.path("engine").has("devices"), "llama-batched runs on this machine's llama.cpp build, described as the step engine's");
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
        // a CPU build chooses greedy tokens on the host, and every run records where
        assertTrue(summary.lines().anyMatch(l -> l.startsWith("| llama-batched | 4 | closed loop | ") && l.contains("| host | ")), summary);
        assertTrue(run.toString().contains("engine.device_sampled_share") && run.toString().contains("engine.cpu_threads")
                && run.toString().contains("engine.steady_decode_tok_s"), "run.json");
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
     * ab over two streaming engines, interleaved: A (llama-batched) measures; B (llama-server given 1 ms
     * to start) passes the preflight (its program is built) but each of its forks fails at setup, with
     * the reason recorded in its run.json, and A's samples are all kept.
     */
    @Test
    void abOfTwoEnginesKeepsWhatOneSideMeasuredWhenTheOtherCannotOpen() throws Exception {
        System.setProperty("edgebench.models", Files.createDirectories(tmp.resolve("models")).toString());
        Path runs = tmp.resolve("runs");
        String slow = "llama-server,ready-ms=1";
        Captured.Result r = Captured.run(a -> Cli.execute(new AbCommand(), a), "--engine-a", "llama-batched", "--engine-b",
                slow, "--rounds", "2", "--concurrency", "2", "--model", "edgebench-tiny:Q4_0", "--prompt", "16",
                "--gen", "8", "--requests", "4", "--warmup", "0", "--samples", "2", "--threads", "1", "--no-telemetry",
                "--runs-dir", runs.toString(), "--run-id", "ab-engines", "--resamples", "200");
        assertNotEquals(2, r.rc(), r::err);
        Path ab = runs.resolve("ab-engines");
        JsonNode a = RunFolder.json().readTree(ab.resolve("llama-batched").resolve("run.json").toFile());
        JsonNode b = RunFolder.json().readTree(ab.resolve(AbEngines.name(slow)).resolve("run.json").toFile());
        assertEquals("in-process", a.path("engine").path("streamingEngine").path("kind").asText(), a.path("engine")::toString);
        assertEquals("local server", b.path("engine").path("streamingEngine").path("kind").asText(), b.path("engine")::toString);
        JsonNode ma = a.path("benchmarks").get(0);
        assertEquals("ok", ma.path("status").asText(), ma::toString);
        assertEquals(4, ma.path("metrics").path("requests.output_tok_s").path("values").size(), "2 samples × 2 rounds");
        JsonNode mb = b.path("benchmarks").get(0);
        assertEquals("failed", mb.path("status").asText());
        assertTrue(mb.path("error").asText().contains("llama-server"), mb::toString);
    }

    /**
     * A server edgebench did not start ({@code openai:<url>}, here a scripted loopback server): the
     * preflight finds it answering, run.json describes it as a server (no llama.cpp build fields, no
     * fit check against this machine), and each request's record keeps the server's own figures.
     */
    @Test
    void aRunningServerIsMeasuredAndDescribedAsAServer() throws Exception {
        System.setProperty("edgebench.models", Files.createDirectories(tmp.resolve("models")).toString());
        Path runs = tmp.resolve("runs");
        try (var server = dev.edgebench.engine.http.LoopbackStreamServer.start(req -> dev.edgebench.engine.http.StreamScripts.openAi(
                dev.edgebench.engine.http.StreamScripts.gaps(5, 1_000_000L), dev.edgebench.engine.http.StreamScripts.Usage.TOKEN_IDS, 8), 4)) {
            String spec = "openai:" + server.baseUri();
            Captured.Result r = Captured.run(a -> Cli.execute(new RunCommand(), a), "--engine", spec, "--concurrency", "2",
                    "--model", "edgebench-tiny:Q4_0", "--prompt", "8", "--gen", "5", "--requests", "4", "--warmup", "0", "--samples", "2",
                    "--no-telemetry", "--out", runs.toString(), "--run-id", "server");
            assertEquals(0, r.rc(), r::err);
            RunFolder f = new RunFolder(runs.resolve("server"));
            JsonNode run = RunFolder.json().readTree(f.runJson().toFile());
            assertEquals("complete", run.path("status").asText(), run::toString);
            JsonNode engine = run.path("engine");
            assertEquals("server", engine.path("streamingEngine").path("kind").asText(), engine::toString);
            assertEquals(server.baseUri().toString(), engine.path("streamingEngine").path("address").asText(), engine::toString);
            assertTrue(!engine.has("build") && !engine.has("devices"), "no local build described for a server: " + engine);
            dev.edgebench.results.RunSchema.assertValid(run);
            JsonNode b = run.path("benchmarks").get(0);
            List<RequestRecord> recs = RequestLog.read(f.requests(b.path("id").asText()));
            assertEquals(8, recs.size());
            for (RequestRecord rec : recs) {
                assertEquals(5, rec.tokens(), rec::toString);
                assertEquals("token-ids", rec.engineFigures().path("tokenCounting").asText(), rec::toString);
                assertEquals(5, rec.engineFigures().path("completionTokens").asInt(), rec::toString);
                assertEquals(0, rec.engineFigures().path("resends").asInt(), rec::toString);
            }
            assertTrue(!Files.exists(f.engineIterations(b.path("id").asText())), "a server keeps no iteration statistics");
            assertTrue(!Files.readString(f.summary()).contains("Inside the engine"));
        }
    }

    /**
     * server-cost end to end on the tiny model: three run folders (the step engine, llama-batched,
     * llama-server started here), rounds interleaved, and the report with each layer's difference.
     */
    @Test
    void serverCostMeasuresTheThreeEnginesAndReportsWhatEachAdds() throws Exception {
        System.setProperty("edgebench.models", Files.createDirectories(tmp.resolve("models")).toString());
        Path runs = tmp.resolve("runs");
        Captured.Result r = Captured.run(a -> Cli.execute(new ServerCostCommand(), a), "--model", "edgebench-tiny:Q4_0", "--prompt", "8",
                "--gen", "8", "--requests", "2", "--samples", "1", "--warmup", "0", "--rounds", "2", "--concurrency", "1,2",
                "--threads", "1", "--no-telemetry", "--runs-dir", runs.toString(), "--run-id", "cost");
        assertEquals(0, r.rc(), r::err);
        Path root = runs.resolve("cost");
        for (String side : List.of("step", "llama-batched", "llama-server")) {
            JsonNode run = RunFolder.json().readTree(root.resolve(side).resolve("run.json").toFile());
            assertEquals("complete", run.path("status").asText(), side + ": " + run);
            for (JsonNode b : run.path("benchmarks")) {
                assertEquals("ok", b.path("status").asText(), side + ": " + b);
                JsonNode first = b.path("metrics").elements().next();
                assertEquals(2, first.path("values").size(), side + ": one sample in each of 2 rounds: " + b.path("metrics"));
            }
            dev.edgebench.results.RunSchema.assertValid(run);
        }
        String report = Files.readString(root.resolve("server-cost.md"));
        assertTrue(report.contains("### Concurrency 1") && report.contains("### Concurrency 2"), report);
        assertTrue(report.contains("| the request engine (llama-batched − step) |") && report.contains("| the server (llama-server − llama-batched) |"),
                report);
        assertTrue(r.out().contains("## What a server costs"), r.out());
    }

    /** An engine that cannot be used is refused before any work, naming it, and leaves no run folder behind. */
    @Test
    void anEngineThatCannotBeUsedIsRefusedBeforeAnyFolderIsMade() throws Exception {
        System.setProperty("edgebench.models", Files.createDirectories(tmp.resolve("models")).toString());
        Path notAnEngine = Files.createDirectories(tmp.resolve("engines").resolve("empty"));
        Path runs = tmp.resolve("runs");
        Captured.Result ab = Captured.run(a -> Cli.execute(new AbCommand(), a), "--engine-a", "llama-batched", "--engine-b",
                "trtllm:" + notAnEngine, "--rounds", "2", "--model", "edgebench-tiny:Q4_0", "--prompt", "16", "--gen", "8",
                "--requests", "4", "--samples", "2", "--no-telemetry", "--runs-dir", runs.toString(), "--run-id", "ab-refused");
        assertEquals(2, ab.rc(), ab::err);
        assertTrue(ab.err().contains(notAnEngine.toString()), ab::err);
        assertTrue(!Files.exists(runs.resolve("ab-refused")), "no ab folder for a refused engine");
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String gone = "openai:http://127.0.0.1:" + closedPort;
        Captured.Result run = Captured.run(a -> Cli.execute(new RunCommand(), a), "--engine", gone, "--model", "edgebench-tiny:Q4_0",
                "--prompt", "16", "--gen", "8", "--requests", "4", "--samples", "2", "--no-telemetry", "--out", runs.toString(),
                "--run-id", "run-refused");
        assertEquals(2, run.rc(), run::err);
        assertTrue(run.err().contains("127.0.0.1:" + closedPort) && run.err().contains("does not answer"), run::err);
        assertTrue(!Files.exists(runs.resolve("run-refused")), "no run folder for a server that does not answer");
    }
}
