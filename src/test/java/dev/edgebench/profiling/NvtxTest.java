package dev.edgebench.profiling;

import dev.edgebench.TestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The NVTX wrapper built from native/profiling with the CUDA headers (skipped where there are
 * none), loaded and called with no profiler attached, where every range is a no-op; and the
 * committed bindings match the header.
 */
class NvtxTest {
    private static final Path HEADER = TestSupport.projectDir().resolve("native/profiling/edgebench_nvtx.h");

    @Test
    void theHeaderIsTheOneTheBindingsWereGeneratedFrom() throws IOException {
        List<String> lines = Files.readAllLines(TestSupport.projectDir().resolve("bindings/nvtx-header.sha256"));
        String record = lines.stream().filter(l -> !l.startsWith("#") && !l.isBlank()).findFirst().orElseThrow();
        assertEquals(TestSupport.sha256(HEADER) + "  native/profiling/edgebench_nvtx.h", record,
                "edgebench_nvtx.h changed since the nvtx bindings were generated; run `make bindings` and commit both");
    }

    @Test
    void builtLoadedAndCalledWithoutAProfiler(@TempDir Path dir) throws Exception {
        Path cuda = Path.of(System.getenv().getOrDefault("CUDA_INCLUDE", "/usr/local/cuda/include"));
        assumeTrue(Files.isRegularFile(cuda.resolve("nvtx3/nvToolsExt.h")), "no NVTX 3 headers at " + cuda);
        TestSupport.Result b = TestSupport.run(List.of("bash", TestSupport.projectDir().resolve("native/profiling/build.sh").toString(),
                dir.toString(), cuda.toString()), 120);
        assertEquals(0, b.exitCode(), b::toString);
        Path lib = dir.resolve("profiling").resolve(Nvtx.LIBRARY);
        assertEquals(lib.toString(), b.stdout().strip());
        System.setProperty("edgebench.nvtx.lib", lib.toString());
        try {
            assertEquals(lib, Nvtx.load());
            assertEquals(List.of("load", "warmup", "prefill", "decode", "kernel"),
                    List.of(Nvtx.phaseName(Nvtx.LOAD), Nvtx.phaseName(Nvtx.WARMUP), Nvtx.phaseName(Nvtx.PREFILL),
                            Nvtx.phaseName(Nvtx.DECODE), Nvtx.phaseName(Nvtx.KERNEL)));
            assertEquals("?", Nvtx.phaseName(99));
            Nvtx.push(Nvtx.DECODE);
            try (Arena a = Arena.ofConfined()) {
                Nvtx.push(Nvtx.name(a, "MUL_MAT q4_0[2048x2048]"));
                Nvtx.pop();
            }
            Nvtx.pop();
            Nvtx.mark("steady begin");
            assertTrue(new StepHooks(true, false).any());
        } finally {
            System.clearProperty("edgebench.nvtx.lib");
        }
    }
}
