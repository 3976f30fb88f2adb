package dev.edgebench.cli;

import dev.edgebench.compare.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ab --engine-a/--engine-b: the option pairs, refused mixes named, and the sides matched by every parameter but the engine. */
class AbEnginesTest {
    @TempDir
    Path tmp;

    private static void bad(String expected, String... args) {
        Captured.rejected(a -> Cli.execute(new AbCommand(), a), expected, args);
    }

    @Test
    void badPairs() {
        bad("--engine-a and --engine-b go together: missing --engine-b", "--engine-a", "llama-batched");
        bad("are alternatives: give one pair", "--engine-a", "llama-batched", "--engine-b", "trtllm:/x", "--a", "/tmp");
        bad("--engine-b must name an engine", "--engine-a", "llama-batched", "--engine-b", " ");
        bad("are the same engine", "--engine-a", "llama-batched", "--engine-b", "llama-batched");
        bad("are the same engine", "--engine-a", "llama", "--engine-b", "llama-step");
        bad("--engine is not an option of ab", "--engine-a", "llama-batched", "--engine-b", "trtllm:/x", "--engine", "llama-batched");
        bad("--engine: unknown engine 'what'", "--engine-a", "llama-batched", "--engine-b", "what", "--model", "edgebench-tiny:Q4_0");
        bad("Missing required option: '--a=BUILD'", "--model", "edgebench-tiny:Q4_0");
    }

    @Test
    void dryRunPlansTheRequestsWorkload() {
        Captured.Result r = Captured.run(a -> Cli.execute(new AbCommand(), a), "--engine-a", "llama-batched", "--engine-b",
                "trtllm:" + tmp, "--model", "edgebench-tiny:Q4_0", "--concurrency", "1,4", "--dry-run");
        assertEquals(0, r.rc(), r::err);
        assertTrue(r.out().contains("RequestsBenchmark.requests[") && r.out().contains("concurrency=4"), r.out());
        assertEquals("trtllm_engines_llama3b", AbEngines.name("trtllm:/engines/llama3b"));
    }

    @Test
    void theStepEngineIsASideAsLlamaStep() {
        assertEquals("llama-step", AbEngines.spec("llama"));
        assertEquals("llama-batched", AbEngines.spec(" llama-batched "));
        Captured.Result r = Captured.run(a -> Cli.execute(new AbCommand(), a), "--engine-a", "llama", "--engine-b", "llama-batched",
                "--model", "edgebench-tiny:Q4_0", "--concurrency", "2", "--dry-run");
        assertEquals(0, r.rc(), r::err);
        assertTrue(r.out().contains("RequestsBenchmark.requests[") && r.out().contains("engine=llama-step"), r.out());
    }

    @Test
    void sidesAreMatchedWithoutTheEngine() {
        ResultSet.Bench b = new ResultSet.Bench("RequestsBenchmark.requests[concurrency=4,engine=llama-batched,model=m]", "requests",
                Map.of("concurrency", "4", "engine", "llama-batched", "model", "m"), "ok", null, "requests.output_tok_s", Map.of(),
                Map.of(), Map.of());
        ResultSet r = new ResultSet(tmp, "edgebench.run/2", "a", "quick", null, Map.of(b.id(), b), List.of(), 1, Map.of());
        ResultSet s = AbEngines.withoutEngine(r);
        assertEquals(List.of("RequestsBenchmark.requests[concurrency=4,model=m]"), List.copyOf(s.benchmarks().keySet()));
        assertTrue(!s.benchmarks().values().iterator().next().params().containsKey("engine"));
    }
}
