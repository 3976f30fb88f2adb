package dev.edgebench.kernel;

import dev.edgebench.bindings.ggml.Ggml;
import dev.edgebench.engine.llama.LlamaRuntime;
import dev.edgebench.model.GgmlType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Single-op graphs on the built CPU engine: numbers against a float64 reference, skips, placement. */
@Tag("native")
class KernelNativeTest {
    private static GgmlBackend cpu;

    @BeforeAll
    static void open() {
        LlamaRuntime.get();
        cpu = GgmlBackend.open("CPU", 2);
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    /**
     * The CPU's product of seeded random inputs against a float64 product of the same floats before
     * they were converted to the weight type. The tolerance is the type's own error: the normalized
     * mean squared error (sum of squared differences over sum of squares) that rounding uniform
     * values to that type and the activations to its dot-product type gives, with headroom — far
     * below the ~1 of wrong data, a wrong layout or zeros.
     */
    @ParameterizedTest(name = "{0} weights, {1} placement")
    @CsvSource({"f32, DEVICE, 1e-9", "f16, DEVICE, 1e-5", "q8_0, DEVICE, 2e-4", "q4_0, DEVICE, 1.5e-2", "q4_0, ENGINE, 1.5e-2",
            "q6_K, DEVICE, 1e-3"})
    void smallMatrixProductMatchesAFloat64Reference(String type, String placement, double tolerance) throws Exception {
        int k = 256;
        int m = 64;
        int n = 3;
        KernelSpec spec = KernelSpec.parse("MUL_MAT " + type + "[" + k + "x" + m + "] f32[" + k + "x" + n + "]");
        long seed = 7;
        try (KernelGraph g = KernelGraph.build(cpu, spec, new KernelGraph.Options(4, KernelGraph.Placement.valueOf(placement), 0, seed))) {
            g.run();
            float[] out = g.output();
            float[] w = InputData.uniform(InputData.sourceSeed(seed, 0), k * m);
            float[] x = InputData.uniform(InputData.sourceSeed(seed, 1), k * n);
            double err = 0;
            double ref2 = 0;
            for (int col = 0; col < n; col++) {
                for (int row = 0; row < m; row++) {
                    double ref = 0;
                    for (int i = 0; i < k; i++) {
                        ref += (double) w[row * k + i] * x[col * k + i];
                    }
                    double d = out[col * m + row] - ref;
                    err += d * d;
                    ref2 += ref * ref;
                }
            }
            assertTrue(ref2 > 1.0, "inputs must not be zeros");
            double nmse = err / ref2;
            assertTrue(nmse < tolerance, type + ": NMSE " + nmse + " >= " + tolerance);
            if (placement.equals("ENGINE") && Ggml.ggml_cpu_has_avx2() != 0) {
                assertEquals("CPU_REPACK", g.weightBuffer(), "llama.cpp repacks q4_0 weights for AVX2");
            }
        }
    }

    /**
     * Flash attention over K/V laid out as llama.cpp's cache views, against a float64 softmax
     * attention of the same floats: each row sees exactly the positions its mask opens.
     */
    @Test
    void flashAttentionOverCacheViewsMatchesAFloat64Reference() throws Exception {
        int d = 64;
        int tokens = 3;
        int heads = 4;
        int kvHeads = 2;
        int cells = 256;
        KernelSpec spec = KernelSpec.parse("FLASH_ATTN_EXT f32[64x3x4] f16[64x256x2] f16[64x256x2] f16[256x3] scale=0.125"
                + " softcap=0 past=10 causal=1");
        long seed = 11;
        try (KernelGraph g = KernelGraph.build(cpu, spec, new KernelGraph.Options(2, KernelGraph.Placement.DEVICE, 0, seed))) {
            g.run();
            float[] out = g.output();
            // stored orders: Q [d, heads, tokens]; K and V [d x kvHeads, cells]; output [d, heads, tokens]
            float[] q = InputData.uniform(InputData.sourceSeed(seed, 0), d * heads * tokens);
            float[] k = InputData.uniform(InputData.sourceSeed(seed, 1), d * kvHeads * cells);
            float[] v = InputData.uniform(InputData.sourceSeed(seed, 2), d * kvHeads * cells);
            double err = 0;
            double ref2 = 0;
            for (int t = 0; t < tokens; t++) {
                long first = spec.firstAttendedPosition(t);
                long n = spec.attendedPositions(t);
                assertEquals(11 + t, n, "causal row " + t);
                for (int h = 0; h < heads; h++) {
                    int kh = h / (heads / kvHeads);
                    double[] w = new double[(int) n];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < n; c++) {
                        double dot = 0;
                        for (int j = 0; j < d; j++) {
                            dot += (double) q[t * heads * d + h * d + j] * k[(int) (first + c) * kvHeads * d + kh * d + j];
                        }
                        w[c] = 0.125 * dot;
                        max = Math.max(max, w[c]);
                    }
                    double sum = 0;
                    for (int c = 0; c < n; c++) {
                        w[c] = Math.exp(w[c] - max);
                        sum += w[c];
                    }
                    for (int j = 0; j < d; j++) {
                        double ref = 0;
                        for (int c = 0; c < n; c++) {
                            ref += w[c] / sum * v[(int) (first + c) * kvHeads * d + kh * d + j];
                        }
                        double diff = out[t * heads * d + h * d + j] - ref;
                        err += diff * diff;
                        ref2 += ref * ref;
                    }
                }
            }
            assertTrue(ref2 > 1e-3, "inputs must not be zeros");
            // K and V are f16 (rounding 2^-11); the CPU kernel also rounds Q to f16
            assertTrue(err / ref2 < 1e-4, "NMSE " + err / ref2);
        }
    }

    @Test
    void anUnsupportedTypeCombinationIsSkippedWithItsReason() {
        // the CPU takes a q4_0 matrix with f32 or q8_0 activations only
        KernelGraph.Skip s = assertThrows(KernelGraph.Skip.class, () -> KernelGraph.build(cpu,
                KernelSpec.parse("MUL_MAT q4_0[256x64] f16[256x1]"), KernelGraph.Options.testBackendOps()));
        assertTrue(s.reason().contains("CPU does not support MUL_MAT q4_0[256x64] f16[256x1]"), s.reason());
    }

    @Test
    void aTypeGgmlCannotProduceIsSkippedWithItsReason() {
        KernelGraph.Skip s = assertThrows(KernelGraph.Skip.class, () -> KernelGraph.build(cpu,
                KernelSpec.parse("MUL_MAT q8_K[256x64] f32[256x1]"), KernelGraph.Options.testBackendOps()));
        assertTrue(s.reason().contains("q8_K") && s.reason().contains("quantize"), s.reason());
    }

    @Test
    void anAbsentDeviceOrAMalformedKernelIsAnErrorNotACrash() {
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> GgmlBackend.open("CUDA7", 1));
        assertTrue(d.getMessage().contains("CUDA7") && d.getMessage().contains("CPU"), d.getMessage());
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> KernelGraph.build(cpu,
                KernelSpec.parse("MUL_MAT q4_0[100x64] f32[100x1]"), KernelGraph.Options.testBackendOps()));
        assertTrue(m.getMessage().contains("block size"), m.getMessage());
    }

    @Test
    void copiesAreSizedLikeTestBackendOpsAndColdCopiesRotateOverDistinctWeights() throws Exception {
        KernelSpec mm = KernelSpec.parse("MUL_MAT q4_0[2048x2048] f32[2048x1]");
        assertEquals((int) (8e9 / (2.0 * 2048 * 2048)) + 1, SourceData.autoCopies(mm, true));
        KernelSpec small = KernelSpec.parse("MUL_MAT q4_0[256x256] f32[256x1]");
        try (KernelGraph g = KernelGraph.build(cpu, small, new KernelGraph.Options(100, KernelGraph.Placement.DEVICE, 4L << 20, 1))) {
            assertEquals(100, g.copies());
            // 256 x 256 q4_0 is 36 KiB: 4 MiB of copies is 114 distinct weight tensors, capped at the 100 copies
            assertEquals(100, g.variants());
            g.run();
        }
        // a small op rotated over the default 256 MiB with auto copies: thousands of variants would overflow the
        // graph's nodes (a ggml assertion that ended the fork); the variants are capped to what the graph holds
        KernelSpec kq = KernelSpec.parse("MUL_MAT f16[64x32x2] f32[64x1x2] attn=kq");
        try (KernelGraph g = KernelGraph.build(cpu, kq, new KernelGraph.Options(0, KernelGraph.Placement.DEVICE, 256L << 20, 1))) {
            assertTrue(g.variants() > 1 && g.variants() <= KernelGraph.GRAPH_NODES / 9, g.variants() + " variants");
            assertTrue(g.copies() <= KernelGraph.GRAPH_NODES, g.copies() + " copies");
            g.run();
        }
        try (KernelGraph g = KernelGraph.build(cpu, small, new KernelGraph.Options(10, KernelGraph.Placement.DEVICE, 0, 1))) {
            assertEquals(1, g.variants());
            KernelTiming t = KernelTiming.measure(g, 0, 1_000_000L);
            assertTrue(t.meanUsPerOp() > 0 && t.usPerOp().length >= 1, t.toString());
            assertTrue(t.gflops() > 0 && t.gbps() > 0, t.toString());
        }
    }

    @Test
    void theFirstCopyAloneComputesTheSameOutputAsTheFullGraph() throws Exception {
        for (String s : new String[]{"MUL_MAT q4_0[256x64] f32[256x2]",
                "FLASH_ATTN_EXT f32[64x3x8] f16[64x256x2] f16[64x256x2] f16[256x3] scale=0.125 softcap=0 past=10 causal=1"}) {
            KernelSpec spec = KernelSpec.parse(s);
            try (KernelGraph g = KernelGraph.build(cpu, spec, new KernelGraph.Options(5, KernelGraph.Placement.DEVICE, 0, 11))) {
                g.runFirstCopy();
                float[] alone = g.output();
                double sum = 0;
                for (float v : alone) {
                    sum += Math.abs(v);
                }
                assertTrue(sum > 0, s + ": the first copy alone left its output empty");
                g.run();
                assertArrayEquals(g.output(), alone, s);
            }
            try (KernelGraph fresh = KernelGraph.build(cpu, spec, new KernelGraph.Options(5, KernelGraph.Placement.DEVICE, 0, 11))) {
                KernelTiming t = KernelTiming.measureLikeTestBackendOps(fresh, 1_000_000L);
                assertTrue(t.meanUsPerOp() > 0 && t.usPerOp().length >= 1 && t.copies() == 5, t.toString());
            }
        }
    }

    @Test
    void everyInventoryKindBuildsAndRunsOnTheCpu() throws Exception {
        for (String s : new String[]{"GET_ROWS q6_K[256x1000] i32[3]", "RMS_NORM f32[256x3] eps=0.00001", "MUL f32[256x3] f32[256]",
                "ADD f32[256x3] f32[256x3]", "SCALE f32[256x3] s=0.5", "TANH f32[256x3]",
                "ROPE f32[64x4x3] i32[3] f32[32] mode=0 dims=64 base=500000", "ROPE f32[64x4x3] i32[3] mode=2 dims=64 base=10000",
                "SET_ROWS f16[256x512] f32[256x3] i64[3]", "SET_ROWS q8_0[256x512] f32[256x3] i64[3]",
                "FLASH_ATTN_EXT f32[64x3x8] f16[64x256x2] f16[64x256x2] f16[256x3] scale=0.125 softcap=0 past=10 causal=1",
                "FLASH_ATTN_EXT f32[64x2x8] f16[64x256x2] f16[64x256x2] f16[256x2] scale=1 softcap=50 past=100 causal=0 window=32",
                "SOFT_MAX f32[256x3x8] f32[256x3] scale=0.125 past=10 causal=1", "CONT f32[64x3x8] perm=0213",
                "SWIGLU f32[512x3] f32[512x3]", "SWIGLU f32[1024x3]", "GEGLU f32[512x3] f32[512x3]",
                "MUL_MAT f16[64x256x2] f32[64x3x8] attn=kq", "MUL_MAT f16[256x64x2] f32[256x3x8]"}) {
            KernelSpec spec = KernelSpec.parse(s);
            try (KernelGraph g = KernelGraph.build(cpu, spec, new KernelGraph.Options(3, KernelGraph.Placement.ENGINE, 0, 3))) {
                g.run();
                if (spec.dst().type() == GgmlType.F32) {
                    float[] out = g.output();
                    assertEquals(spec.dst().nElements(), out.length, s);
                    boolean finite = true;
                    for (float v : out) {
                        finite &= Float.isFinite(v);
                    }
                    assertTrue(finite, s + ": the mask leaves every row some positions, so no output is NaN or infinite");
                }
            }
        }
    }
}
