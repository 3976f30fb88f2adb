package dev.edgebench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.bench.RunPreflight;
import dev.edgebench.run.ForkProperties;
import dev.edgebench.run.RunDocument;
import dev.edgebench.run.RunPlan;
import dev.edgebench.run.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.annotations.Param;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input is rejected before any long work, with a message naming the option and the value; exit code 2. */
class RunCommandTest {
    static void rejected(String expected, String... args) {
        Captured.rejected(a -> Cli.execute(new RunCommand(), a), expected, args);
    }

    static RunPlan plan(String... args) {
        RunArgs a = new RunArgs();
        Cli.commandLine(a).parseArgs(args);
        return RunPlan.of(a.toOptions());
    }

    /** The forks' JVM switches take true or false; anything else is refused before a model is forged or a fork starts. */
    @Test
    void aForkSwitchThatIsNeitherTrueNorFalse() {
        String[][] cases = {
                {dev.edgebench.run.ForkProperties.JIT_PROPERTY, "maybe"},
                {dev.edgebench.run.ForkProperties.LOG_GATE_PROPERTY, "off"},
                {dev.edgebench.run.ForkProperties.SETTLE_PROPERTY, "later"}};
        for (String[] c : cases) {
            System.setProperty(c[0], c[1]);
            try {
                rejected("system property " + c[0] + " is '" + c[1] + "'; it takes true or false", "--model", "Llama-3.2-1B:Q4_0", "--dry-run");
            } finally {
                System.clearProperty(c[0]);
            }
        }
        System.setProperty(dev.edgebench.run.ForkProperties.JIT_PROPERTY, "false");
        try {
            assertFalse(dev.edgebench.run.ForkProperties.jvmArgs(null, null).stream().anyMatch(x -> x.contains("CompileThresholdScaling")));
        } finally {
            System.clearProperty(dev.edgebench.run.ForkProperties.JIT_PROPERTY);
        }
        assertTrue(dev.edgebench.run.ForkProperties.jvmArgs(null, null).contains("-XX:CompileCommand=CompileThresholdScaling,dev.edgebench.*::*,0.02"));
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
        rejected("--gen must be positive, was 0", "--gen", "0");
        rejected("--prompt must be positive", "--prompt", "-5");
        rejected("--batch must be positive", "--batch", "0");
        rejected("--samples must be positive", "--samples", "0");
        rejected("--gen", "--gen", "many");
        rejected("'many' is not an int", "--gen", "many");
        rejected("--prefill-repeat must be auto or a positive number, was '0'", "--prefill-repeat", "0");
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
        rejected("Unknown option: '--turbo'", "--turbo", "1");
        rejected("unknown benchmark 'train'", "--benchmarks", "prefill,train");
        rejected("--fa must be auto, on or off", "--fa", "maybe");
    }

    /** Issue 14 #5: only the KV cache types the engine accepts; i32 and friends aborted the fork on a GGML_ASSERT. */
    @Test
    void onlyKvCacheTypesTheEngineSupports() {
        for (String t : List.of("i32", "i8", "f64", "q3")) {
            rejected("--cache-type " + t + " is not a KV cache type the engine supports; supported: f32, f16, bf16, q8_0", "--cache-type", t);
        }
        assertEquals("q8_0", plan("--cache-type", "Q8_0").benchmarks().get(0).params().get("cacheType"));
    }

    /** Issue 14 #4: thousands of threads crashed the fork in the OpenMP runtime. */
    @Test
    void threadsBoundedByTheMachine() {
        int cpus = Runtime.getRuntime().availableProcessors();
        rejected("--threads 10000 is more than the " + cpus + " logical CPUs of this machine", "--threads", "10000");
        rejected("--threads must be 0 (all) or positive", "--threads", "-1");
        assertEquals(String.valueOf(cpus), plan("--threads", String.valueOf(cpus)).benchmarks().get(0).params().get("threads"));
    }

    /** Issue 14 #7: a bad JMH option is refused up front, not inside the benchmark loop. */
    @Test
    void jmhOptionsCheckedUpFront() {
        rejected("bad JMH option after --", "--", "-f", "notanumber");
        rejected("unexpected argument 'stray'; JMH options go after --", "stray");
    }

    /** Issue 14 #15: a model twice is refused; a path with a comma is taken whole. */
    @Test
    void modelsOnceEachAndPathsWithCommas(@TempDir Path dir) throws Exception {
        rejected("--model: Qwen3-0.6B:Q4_0 is given twice", "--model", "Qwen3-0.6B:Q4_0,Llama-3.2-1B:F16", "--model", "Qwen3-0.6B:Q4_0");
        Path comma = dir.resolve("a,b.gguf");
        Files.write(comma, new byte[]{1, 2, 3});
        RunArgs a = new RunArgs();
        Cli.commandLine(a).parseArgs("--model", comma.toString(), "--model", "edgebench-tiny:Q4_0");
        assertEquals(List.of(comma.toString(), "edgebench-tiny:Q4_0"), a.toOptions().models());
    }

    /** Issue 14 #2: a run id is a name, not a path. */
    @Test
    void runIdsAreNames() {
        rejected("--run-id must be a name", "--run-id", "../../x", "--dry-run");
        rejected("--run-id must be a name", "--run-id", "a/b", "--dry-run");
    }

    @Test
    void planExpandsTheGridWithEveryParameterSet() {
        RunPlan plan = plan("--preset", "seed-2026", "--model", "Qwen3-0.6B:Q4_0,Llama-3.2-1B:F16");
        // 3 benchmarks x 2 models x 3 batches
        assertEquals(18, plan.benchmarks().size());
        assertTrue(plan.benchmarks().stream().allMatch(p -> p.params().keySet().equals(new java.util.HashSet<>(p.workload().params()))));
        assertEquals(18, plan.benchmarks().stream().map(p -> p.id()).distinct().count());
    }

    @Test
    void runnerSetsExactlyTheParametersEachBenchmarkDeclares() throws Exception {
        for (Workload w : Workload.values()) {
            Class<?> bench = Class.forName(w.jmhClass());
            Class<?> state = Class.forName(bench.getName() + "$Session");
            List<String> declared = new ArrayList<>();
            for (Class<?> c = state; c != null; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.isAnnotationPresent(Param.class)) {
                        declared.add(f.getName());
                    }
                }
            }
            assertEquals(declared, w.params(), "parameters of " + bench.getSimpleName());
        }
    }

    @Test
    void aModelLargerThanTheGpuIsRefusedBeforeRunning() throws Exception {
        ObjectMapper json = new ObjectMapper();
        RunPlan plan = plan("--model", "Llama-3.1-8B:F16", "--batch", "1,8");
        JsonNode engine = json.readTree("{\"gpuOffload\":true,\"devices\":[{\"type\":\"cpu\",\"memoryFreeBytes\":1099511627776,"
                + "\"memoryTotalBytes\":1099511627776},{\"type\":\"gpu\",\"memoryFreeBytes\":7516192768,\"memoryTotalBytes\":8589934592}]}");
        List<RunDocument.ModelInfo> models = List.of(new RunDocument.ModelInfo("Llama-3.1-8B:F16", "x", "y",
                json.readTree("{\"tensorBytes\":16060000000,\"kvBytesPerToken\":131072}")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunPreflight.checkFit(plan, models, engine, 0));
        assertTrue(e.getMessage().contains("Llama-3.1-8B:F16 does not fit the GPU") && e.getMessage().contains("7.0 GiB free of 8.0 GiB"),
                e.getMessage());
        JsonNode big = json.readTree("{\"gpuOffload\":true,\"devices\":[{\"type\":\"gpu\",\"memoryFreeBytes\":84825604096,"
                + "\"memoryTotalBytes\":85899345920}]}");
        RunPreflight.checkFit(plan, models, big, 0);
    }

    /** Issue 14 #14: a KV cache larger than the machine is refused up front, against available memory, with the figures. */
    @Test
    void aKvCacheLargerThanAvailableMemoryIsRefusedUpFront() throws Exception {
        ObjectMapper json = new ObjectMapper();
        RunPlan plan = plan("--model", "Llama-3.1-8B:Q4_0", "--benchmarks", "decode", "--batch", "64", "--depth", "100000", "--ngl", "0");
        List<RunDocument.ModelInfo> models = List.of(new RunDocument.ModelInfo("Llama-3.1-8B:Q4_0", "x", "y",
                json.readTree("{\"tensorBytes\":4600000000,\"kvBytesPerToken\":131072}")));
        JsonNode cpu = json.readTree("{\"gpuOffload\":false,\"devices\":[]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunPreflight.checkFit(plan, models, cpu, 20L << 30));
        assertTrue(e.getMessage().contains("does not fit this machine's memory") && e.getMessage().contains("20.0 GiB is available"),
                e.getMessage());
        RunPreflight.checkFit(plan("--model", "Llama-3.1-8B:Q4_0", "--ngl", "0"), models, cpu, 20L << 30);
    }

    /** ab's hook: the forks of one side load that side's engine build, whatever this JVM was given. */
    @Test
    void forksCanBeGivenTheirOwnEngineBuild() {
        Path run = Path.of("/tmp/run");
        List<String> own = ForkProperties.jvmArgs(run, Path.of("/builds/cpu-avx512/lib"));
        assertTrue(own.contains("-Dedgebench.native.lib=/builds/cpu-avx512/lib"), own::toString);
        assertEquals(1, own.stream().filter(x -> x.startsWith("-Dedgebench.native.lib=")).count());
        assertFalse(ForkProperties.jvmArgs(run, null).contains("-Dedgebench.native.lib=/builds/cpu-avx512/lib"));
    }

    @Test
    void profilingHooksAreOffUnlessAskedAndNamedWhenWrong() throws Exception {
        rejected("--profile must be async, was 'perf'", "--model", "edgebench-tiny:Q4_0", "--profile", "perf");
        ProfilingArgs p = new ProfilingArgs();
        Cli.commandLine(p).parseArgs();
        assertEquals(dev.edgebench.run.ProfileHooks.NONE, p.hooks());
        Cli.commandLine(p).parseArgs("--jfr", "--profile", "async");
        assertEquals(new dev.edgebench.run.ProfileHooks(false, true, true), p.hooks());

        RunPlan plan = plan("--model", "edgebench-tiny:Q4_0", "--benchmarks", "decode");
        var folder = new dev.edgebench.run.RunFolder(Path.of("/tmp/runs/r1"));
        var b = plan.benchmarks().get(0);
        var off = dev.edgebench.bench.RunExecutor.options(plan, b, folder, null, Path.of("/tmp/r.json")).build();
        assertTrue(off.getProfilers().stream().noneMatch(x -> x.getKlass().equals("async")), off.getProfilers()::toString);
        assertTrue(off.getJvmArgsAppend().get().stream().noneMatch(a -> a.contains("FlightRecording") || a.contains("edgebench.jfr")));
        var on = dev.edgebench.bench.RunExecutor.options(plan, b, folder, null, Path.of("/tmp/r.json"),
                new dev.edgebench.run.ProfileHooks(false, true, true)).build();
        assertTrue(on.getProfilers().stream().anyMatch(x -> x.getKlass().equals("async") && x.getOpts().contains("output=flamegraph")
                && x.getOpts().contains("dir=/tmp/runs/r1/async-profiler")), on.getProfilers()::toString);
        assertTrue(on.getJvmArgsAppend().get().contains("-Dedgebench.jfr=true"), on.getJvmArgsAppend()::toString);
    }
}
