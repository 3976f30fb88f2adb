package dev.edgebench.cli;

import dev.edgebench.run.PlannedBenchmark;
import dev.edgebench.run.RunPlan;
import dev.edgebench.run.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request-workload options: the grid they make, and bad values refused up front naming the option (exit code 2). */
class RequestOptionsTest {
    @TempDir
    Path tmp;

    @Test
    void aStreamingEngineSweepsConcurrencyAndRate() {
        RunPlan plan = RunCommandTest.plan("--engine", "llama-batched", "--model", "edgebench-tiny:Q4_0", "--concurrency", "1,4",
                "--request-rate", "2,0.5", "--requests", "12", "--slo", "ttft=200ms, tpot=50ms");
        assertEquals(4, plan.benchmarks().size());
        for (PlannedBenchmark p : plan.benchmarks()) {
            assertEquals(Workload.REQUESTS, p.workload());
            assertEquals("llama-batched", p.params().get("engine"));
            assertEquals("12", p.params().get("nRequests"));
            assertEquals("ttft=200ms,tpot=50ms", p.params().get("slo"));
            assertEquals(new java.util.HashSet<>(Workload.REQUESTS.params()), p.params().keySet());
        }
        assertEquals(List.of("1", "4"), plan.paramValues(Workload.REQUESTS).get("concurrency"));
        assertEquals(List.of("2", "0.5"), plan.paramValues(Workload.REQUESTS).get("rate"));
        assertEquals(4L * (128 + 128), plan.maxContextTokens(), "concurrency 4 × (prompt + gen)");
        RunPlan closed = RunCommandTest.plan("--engine", "llama-batched", "--model", "edgebench-tiny:Q4_0");
        assertEquals(List.of("0"), closed.paramValues(Workload.REQUESTS).get("rate"), "no --request-rate: the closed loop");
        assertEquals(List.of("1"), closed.paramValues(Workload.REQUESTS).get("concurrency"));
        RunPlan drawn = RunCommandTest.plan("--engine", "llama-batched", "--model", "edgebench-tiny:Q4_0", "--concurrency", "2",
                "--length-range", "0.5");
        assertEquals(List.of("0.5"), drawn.paramValues(Workload.REQUESTS).get("lengthRange"));
        assertEquals(2L * (192 + 192), drawn.maxContextTokens(), "the longest drawn prompt and output: 128 × 1.5 each");
        RunPlan step = RunCommandTest.plan("--model", "edgebench-tiny:Q4_0");
        assertTrue(step.benchmarks().stream().noneMatch(p -> p.workload() == Workload.REQUESTS), "--engine llama: the step benchmarks");
    }

    @Test
    void badRequestOptionsAreNamed() throws Exception {
        String[] m = {"--model", "edgebench-tiny:Q4_0"};
        RunCommandTest.rejected("--engine: unknown engine 'vllm-ish'", cat(m, "--engine", "vllm-ish"));
        RunCommandTest.rejected("--concurrency must be positive, was 0", cat(m, "--engine", "llama-batched", "--concurrency", "0"));
        RunCommandTest.rejected("--concurrency 300 exceeds the 256", cat(m, "--engine", "llama-batched", "--concurrency", "300"));
        RunCommandTest.rejected("--request-rate must be positive", cat(m, "--engine", "llama-batched", "--request-rate", "-1"));
        RunCommandTest.rejected("--burstiness must be positive", cat(m, "--engine", "llama-batched", "--burstiness", "0"));
        RunCommandTest.rejected("--requests must be positive", cat(m, "--engine", "llama-batched", "--requests", "0"));
        RunCommandTest.rejected("--slo: unknown objective 'speed'", cat(m, "--engine", "llama-batched", "--slo", "speed=3ms"));
        RunCommandTest.rejected("--slo: ttft=200 is not a positive duration", cat(m, "--engine", "llama-batched", "--slo", "ttft=200"));
        RunCommandTest.rejected("need a streaming engine", cat(m, "--concurrency", "4"));
        RunCommandTest.rejected("--benchmarks requests needs a streaming engine", cat(m, "--benchmarks", "requests"));
        RunCommandTest.rejected("runs the requests workload only; decode is a step-engine benchmark",
                cat(m, "--engine", "llama-batched", "--benchmarks", "decode"));
        RunCommandTest.rejected("--length-range must be at least 0 and below 1, was 1.0",
                cat(m, "--engine", "llama-batched", "--length-range", "1"));
        RunCommandTest.rejected("--batch is for the step engine", cat(m, "--engine", "llama-batched", "--batch", "4"));
        RunCommandTest.rejected("concurrency 4 × (prompt 128 + nGen 128) = 1024 tokens exceeds the context of 512 (--ctx)",
                cat(m, "--engine", "llama-batched", "--concurrency", "4", "--ctx", "512"));
        // a TensorRT-LLM engine directory is checked when the engine is opened; the specification itself is known
        Path notEngine = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(1, RunCommandTest.plan(cat(m, "--engine", "trtllm:" + notEngine)).benchmarks().size());
    }

    private static String[] cat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
