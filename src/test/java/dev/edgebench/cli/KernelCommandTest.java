package dev.edgebench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.bench.kernel.KernelStudy;
import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.kernel.KernelGraph;
import dev.edgebench.kernel.Phase;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.ModelForge;
import dev.edgebench.model.Models;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernels command: its arguments, bad input (exit code 2, no exception class names), and one short run on edgebench-tiny. */
class KernelCommandTest {
    private static KernelStudy.Request parse(String... args) {
        KernelCommand c = new KernelCommand();
        Cli.commandLine(c).parseArgs(args);
        return c.request();
    }

    private static Captured.Result run(String... args) {
        return Captured.run(a -> Cli.execute(new KernelCommand(), a), args);
    }

    private static void rejected(String expected, String... args) {
        Captured.rejected(a -> Cli.execute(new KernelCommand(), a), expected, args);
        Captured.Result r = run(args);
        assertFalse(r.err().contains("Exception"), () -> "no exception class in: " + r.err());
    }

    @Test
    void parsesItsOptions() {
        KernelStudy.Request a = parse("--model", "Qwen3-0.6B:Q4_0", "--phase", "prefill", "--tokens", "700",
                "--ubatch", "256", "--depth", "10", "--backend", "CUDA0", "--threads", "3", "--full", "--placement", "device",
                "--cold-mib", "64", "--no-flash-attn", "--ops", "MUL_MAT", "--compare-test-backend-ops", "--repeats", "7");
        assertEquals(Phase.prefill(700, 10, 256), a.phase());
        assertEquals("CUDA0", a.backend());
        assertEquals(3, a.threads());
        assertTrue(a.full());
        assertEquals(KernelGraph.Placement.DEVICE, a.placement());
        assertEquals(64, a.coldMiB());
        assertTrue(!a.attention().flashAttn() && a.compare() && !a.onlyCompare());
        assertEquals(7, a.repeats());
        KernelStudy.Request d = parse();
        assertEquals(Phase.decode(1, 512), d.phase());
        assertEquals("Llama-3.2-1B:Q4_0", d.model());
        assertEquals(KernelGraph.Placement.ENGINE, d.placement());
        assertEquals(KernelStudy.DEFAULT_COLD_MIB, d.coldMiB(), "weights read from memory, as in the real step");
        assertTrue(d.step() && d.profile() && !d.full());
        KernelStudy.Request only = parse("--only-compare");
        assertTrue(only.compare() && only.onlyCompare(), "--only-compare implies the comparison");
    }

    @Test
    void badArgumentsExitWithTwoAndNameTheOption() throws Exception {
        rejected("Missing required parameter for option '--threads'", "--threads");
        rejected("Invalid value for option '--threads': 'two' is not an int", "--threads", "two");
        rejected("--threads must be at least 1, was 0", "--threads", "0");
        rejected("--repeats must be at least 1, was 0", "--repeats", "0");
        rejected("--cold-mib must be 0 or more, was -1", "--cold-mib", "-1");
        rejected("Invalid value for option '--bandwidth-gbps'", "--bandwidth-gbps", "abc");
        rejected("Invalid value for option '--placement'", "--placement", "moon");
        rejected("Invalid value for option '--kv-type': unknown ggml type 'i33'", "--kv-type", "i33");
        rejected("Invalid value for option '--ops': not a regular expression", "--ops", "(");
        rejected("Unknown option: '--frobnicate'", "--frobnicate");
        rejected("--quick and --full exclude each other", "--quick", "--full");
        rejected("kernels: ", "--phase", "sideways");
        rejected("kernels: ", "--batch", "0");
        rejected("kernels: unknown model 'NoSuchModel'", "--model", "NoSuchModel:Q4_0", "--list");
        Path garbage = Files.createTempFile("kernels-test", ".gguf");
        try {
            Files.writeString(garbage, "this is not a model");
            rejected("kernels: " + garbage + ": not a GGUF file", "--model", garbage.toString(), "--list");
        } finally {
            Files.delete(garbage);
        }
    }

    @Test
    void helpListsTheOptions() {
        Captured.Result r = run("--help");
        assertEquals(0, r.rc());
        assertEquals("", r.err());
        for (String o : new String[]{"--model", "--phase", "--batch", "--depth", "--tokens", "--ubatch", "--backend", "--threads",
                "--quick", "--full", "--placement", "--cold-mib", "--no-flash-attn", "--kv-type", "--ops", "--no-step", "--no-profile",
                "--bandwidth-gbps", "--peak-gflops", "--out", "--compare-test-backend-ops", "--only-compare", "--repeats", "--list",
                "Exit codes"}) {
            assertTrue(r.out().contains(o), () -> o + " in " + r.out());
        }
    }

    @Test
    @Tag("native")
    void runsTheSuiteOnAModelAndWritesItsReport(@TempDir Path dir) throws Exception {
        Path model = new ModelForge(Catalog.builtin(), dir.resolve("models"), Models.vocabDir(), new LlamaQuantizer(), s -> { })
                .forge("edgebench-tiny", "Q4_0", 1);
        System.setProperty("jmh.ignoreLock", "true");
        Captured.Result r = run("--model", model.toString(), "--depth", "40", "--threads", "1",
                "--ops", "^MUL_MAT q4_0\\[64x256\\]|^SWIGLU", "--bandwidth-gbps", "20", "--out", dir.resolve("run").toString());
        assertEquals(0, r.rc(), r::err);
        String out = r.out();
        assertTrue(out.contains("MUL_MAT q4_0[64x256] f32[64x1] [ffn_gate+ffn_up]"), out);
        assertTrue(out.contains("SWIGLU f32[256x1] f32[256x1] [ffn_act]"), out);
        assertTrue(out.contains("real step: decode b1 d40"), out);
        assertTrue(out.contains("per-op profile of the real step"), out);
        assertTrue(out.contains("report   " + dir.resolve("run").resolve("kernels.json")), out);
        JsonNode report = new ObjectMapper().readTree(dir.resolve("run").resolve("kernels.json").toFile());
        assertEquals("edgebench.kernels/1", report.path("schema").asText());
        assertEquals(2, report.path("kernels").size());
        for (JsonNode k : report.path("kernels")) {
            assertTrue(k.path("usPerOp").asDouble() > 0, k.toString());
            assertTrue(k.path("rooflinePct").asDouble() > 0, k.toString());
            assertTrue(k.path("inStepUsPerOp").asDouble() > 0, k.toString());
            assertFalse(k.has("skipped"), "no null fields: " + k);
        }
        assertTrue(report.path("step").path("medianStepMs").asDouble() > 0);
        assertFalse(report.path("step").has("predictedMs"), "--ops selects part of the step: no prediction");
        assertTrue(report.path("step").path("ops").size() > 0);
        assertEquals(20.0, report.path("roofline").path("bandwidthGBps").asDouble());
        assertFalse(report.has("compare"));
        assertTrue(Files.size(dir.resolve("run").resolve("kernels-jmh.json")) > 100, "JMH's own result file");
        assertTrue(new String(Files.readAllBytes(dir.resolve("run").resolve("kernels.json")), StandardCharsets.UTF_8).contains("\n  "),
                "indented");
    }
}
