package dev.edgebench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.kernel.Phase;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.ModelForge;
import dev.edgebench.model.Models;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernels command: its arguments, and one short run on edgebench-tiny. */
class KernelCommandTest {
    @Test
    void parsesItsOptions() {
        KernelCommand.Args a = KernelCommand.parse(new String[]{"--model", "Qwen3-0.6B:Q4_0", "--phase", "prefill", "--tokens", "700",
                "--ubatch", "256", "--depth", "10", "--backend", "CUDA0", "--threads", "3", "--full", "--placement", "device",
                "--cold-mib", "64", "--no-flash-attn", "--ops", "MUL_MAT", "--compare-test-backend-ops", "--repeats", "7"});
        assertEquals(Phase.prefill(700, 10, 256), a.phase());
        assertEquals("CUDA0", a.backend());
        assertEquals(3, a.threads());
        assertTrue(a.full());
        assertEquals("device", a.placement());
        assertEquals(64, a.coldMiB());
        assertTrue(!a.attention().flashAttn() && a.compare() && !a.onlyCompare());
        assertEquals(7, a.repeats());
        KernelCommand.Args d = KernelCommand.parse(new String[]{});
        assertEquals(Phase.decode(1, 512), d.phase());
        assertEquals("Llama-3.2-1B:Q4_0", d.model());
        assertEquals("engine", d.placement());
        assertEquals(KernelCommand.DEFAULT_COLD_MIB, d.coldMiB(), "weights read from memory, as in the real step");
        assertNull(KernelCommand.parse(new String[]{"--help"}));
        assertThrows(IllegalArgumentException.class, () -> KernelCommand.parse(new String[]{"--threads"}));
        assertThrows(IllegalArgumentException.class, () -> KernelCommand.parse(new String[]{"--threads", "two"}));
        assertThrows(IllegalArgumentException.class, () -> KernelCommand.parse(new String[]{"--placement", "moon"}));
        assertThrows(IllegalArgumentException.class, () -> KernelCommand.parse(new String[]{"--phase", "sideways"}));
        assertThrows(IllegalArgumentException.class, () -> KernelCommand.parse(new String[]{"--frobnicate"}));
        assertEquals(2, KernelCommand.run(new String[]{"--batch", "0"}), "a bad argument is exit code 2");
    }

    @Test
    @Tag("native")
    void runsTheSuiteOnAModelAndWritesItsReport(@TempDir Path dir) throws Exception {
        Path model = new ModelForge(Catalog.builtin(), dir.resolve("models"), Models.vocabDir(), new LlamaQuantizer(), s -> { })
                .forge("edgebench-tiny", "Q4_0", 1);
        System.setProperty("jmh.ignoreLock", "true");
        KernelCommand.Args a = KernelCommand.parse(new String[]{"--model", model.toString(), "--depth", "40", "--threads", "1",
                "--ops", "^MUL_MAT q4_0\\[64x256\\]|^SWIGLU", "--bandwidth-gbps", "20", "--out", dir.resolve("run").toString()});
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        assertEquals(0, KernelCommand.execute(a, new PrintStream(buf, true, StandardCharsets.UTF_8)));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("MUL_MAT q4_0[64x256] f32[64x1] [ffn_gate+ffn_up]"), out);
        assertTrue(out.contains("SWIGLU f32[256x1] f32[256x1] [ffn_act]"), out);
        assertTrue(out.contains("real step: decode b1 d40"), out);
        assertTrue(out.contains("per-op profile of the real step"), out);
        JsonNode report = new ObjectMapper().readTree(dir.resolve("run").resolve("kernels.json").toFile());
        assertEquals(2, report.path("kernels").size());
        for (JsonNode k : report.path("kernels")) {
            assertTrue(k.path("usPerOp").asDouble() > 0, k.toString());
            assertTrue(k.path("rooflinePct").asDouble() > 0, k.toString());
            assertTrue(k.path("inStepUsPerOp").asDouble() > 0, k.toString());
        }
        assertTrue(report.path("step").path("medianStepMs").asDouble() > 0);
        assertTrue(Files.size(dir.resolve("run").resolve("kernels-jmh.json")) > 100, "JMH's own result file");
    }
}
