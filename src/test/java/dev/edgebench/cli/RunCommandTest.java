package dev.edgebench.cli;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input is rejected before any long work, with a message naming the problem. */
class RunCommandTest {
    /** Runs the command, returns {exit code, stderr}. */
    static Object[] run(String... args) {
        Captured.Result r = Captured.run(RunCommand::run, args);
        return new Object[]{r.rc(), r.err()};
    }

    static void rejected(String expected, String... args) {
        Captured.rejected(RunCommand::run, expected, args);
    }

    @Test
    void unknownPreset() {
        rejected("unknown preset 'fastest'", "--preset", "fastest");
    }

    @Test
    void unknownModelAndType() {
        rejected("unknown model 'Llama-9'", "--model", "Llama-9:Q4_0");
        rejected("unknown model type 'Q9_9'", "--model", "Llama-3.2-1B:Q9_9");
        rejected("model file not found", "--model", "/nonexistent/model.gguf");
    }

    @Test
    void zeroOrNegativeSizes() {
        rejected("nGen must be positive, was 0", "--gen", "0");
        rejected("nPrompt must be positive", "--prompt", "-5");
        rejected("batch must be positive", "--batch", "0");
        rejected("samples must be positive", "--samples", "0");
        rejected("--gen needs an integer", "--gen", "many");
        rejected("--prefill-repeat must be auto or positive, was 0", "--prefill-repeat", "0");
    }

    @Test
    void batchBeyondTheContext() {
        rejected("batch 8 × (depth 0 + nGen 128) = 1024 tokens exceeds the context of 512", "--benchmarks", "decode",
                "--batch", "8", "--ctx", "512");
        rejected("exceeds llama.cpp's limit of 256 parallel sequences", "--batch", "1000");
    }

    @Test
    void depthPlusGenerationBeyondTheContext() {
        rejected("depth 131000 + nGen 128 = 131128 tokens per sequence exceeds Llama-3.2-1B's trained context of 131072",
                "--benchmarks", "decode", "--depth", "131000");
        rejected("depth 2000 + nGen 128 = 2128 tokens per sequence exceeds edgebench-tiny's trained context of 2048",
                "--model", "edgebench-tiny:Q4_0", "--benchmarks", "decode", "--depth", "2000");
    }

    @Test
    void unknownOptionsAndBenchmarks() {
        rejected("unknown option --turbo", "--turbo", "1");
        rejected("unknown benchmark 'train'", "--benchmarks", "prefill,train");
        rejected("--fa must be auto, on or off", "--fa", "maybe");
        rejected("unknown ggml type 'q3'", "--cache-type", "q3");
    }

    @Test
    void planExpandsTheGridWithEveryParameterSet() {
        RunCommand.Args a = RunCommand.parse(new String[]{"--preset", "seed-2026", "--model", "Qwen3-0.6B:Q4_0,Llama-3.2-1B:F16"});
        List<Map<String, Object>> plan = RunCommand.plan(a);
        // 3 benchmarks x 2 models x 3 batches
        assertEquals(18, plan.size());
        assertTrue(plan.stream().allMatch(p -> ((Map<?, ?>) p.get("params")).size() == RunCommand.PARAMS.get((String) p.get("benchmark")).size()));
        assertEquals(plan.size(), plan.stream().map(p -> p.get("id")).distinct().count());
    }

    @Test
    void runnerSetsExactlyTheParametersEachBenchmarkDeclares() throws Exception {
        for (Map.Entry<String, List<String>> e : RunCommand.PARAMS.entrySet()) {
            Class<?> bench = Class.forName(Preset.benchmarkClass(e.getKey()));
            Class<?> state = Class.forName(bench.getName() + "$Session");
            List<String> declared = new ArrayList<>();
            for (Class<?> c = state; c != null; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.isAnnotationPresent(Param.class)) {
                        declared.add(f.getName());
                    }
                }
            }
            assertEquals(declared, e.getValue(), "parameters of " + bench.getSimpleName());
        }
    }

    @Test
    void aModelLargerThanTheGpuIsRefusedBeforeRunning() {
        RunCommand.Args a = RunCommand.parse(new String[]{"--model", "Llama-3.1-8B:F16", "--batch", "1,8"});
        Map<String, Object> engine = Map.of("gpuOffload", true, "devices", List.of(
                Map.of("type", "cpu", "memoryFreeBytes", 1L << 40, "memoryTotalBytes", 1L << 40),
                Map.of("type", "gpu", "memoryFreeBytes", 7L << 30, "memoryTotalBytes", 8L << 30)));
        List<Map<String, Object>> models = List.of(Map.of("ref", "Llama-3.1-8B:F16",
                "facts", Map.of("tensorBytes", 16_060_000_000L, "kvBytesPerToken", 131_072L)));
        String why = RunCommand.gpuFit(Map.of("engine", engine), models, a);
        assertTrue(why != null && why.contains("Llama-3.1-8B:F16 does not fit the GPU") && why.contains("7.0 GiB free of 8.0 GiB"), why);
        // the same model fits an 80 GB GPU; and nothing is checked with --ngl 0
        Map<String, Object> big = Map.of("gpuOffload", true, "devices", List.of(
                Map.of("type", "gpu", "memoryFreeBytes", 79L << 30, "memoryTotalBytes", 80L << 30)));
        assertEquals(null, RunCommand.gpuFit(Map.of("engine", big), models, a));
        RunCommand.Args cpuOnly = RunCommand.parse(new String[]{"--model", "Llama-3.1-8B:F16", "--ngl", "0"});
        assertEquals(null, RunCommand.gpuFit(Map.of("engine", engine), models, cpuOnly));
    }

    /** ab's hook: the forks of one side load that side's engine build, whatever this JVM was given. */
    @Test
    void forksCanBeGivenTheirOwnEngineBuild() {
        java.nio.file.Path run = java.nio.file.Path.of("/tmp/run");
        List<String> own = RunCommand.forkJvmArgs(run, java.nio.file.Path.of("/builds/cpu-avx512/lib"));
        assertTrue(own.contains("-Dedgebench.native.lib=/builds/cpu-avx512/lib"), own::toString);
        assertEquals(1, own.stream().filter(x -> x.startsWith("-Dedgebench.native.lib=")).count());
        assertTrue(RunCommand.forkJvmArgs(run).stream().noneMatch(x -> x.equals("-Dedgebench.native.lib=/builds/cpu-avx512/lib")));
    }
}
