package dev.edgebench.kernel;

import dev.edgebench.model.GgmlType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kernel specs: text form, output shapes, FLOP and byte counts, what ggml would reject. */
class KernelSpecTest {
    @Test
    void textFormRoundTripsAndHoldsNoCommas() {
        for (String s : List.of("MUL_MAT q4_0[2048x8192] f32[2048x1]", "RMS_NORM f32[2048x1] eps=0.00001",
                "ROPE f32[64x32x1] i32[1] f32[32] mode=0 dims=64 base=500000", "CONT f32[64x1x32] perm=0213",
                "FLASH_ATTN_EXT f32[64x1x32] f16[64x512x8] f16[64x512x8] f16[512x1] scale=0.125 softcap=0 past=300 causal=0",
                "SWIGLU f32[16384x1]")) {
            KernelSpec k = KernelSpec.parse(s);
            assertEquals(s, k.toString());
            assertEquals(k, KernelSpec.parse(k.toString()));
            assertFalse(k.toString().contains(","), "JMH -p splits on commas");
            assertNull(k.problem(), s);
        }
        assertEquals(KernelSpec.parse("rms_norm  f32[2048x1]   eps=0.00001"), KernelSpec.parse("RMS_NORM f32[2048x1] eps=0.00001"));
        assertEquals("0.00001", KernelSpec.num(1e-5));
        assertEquals("500000", KernelSpec.num(5e5));
    }

    @Test
    void outputShapes() {
        assertEquals(TensorShape.parse("f32[8192x4]"), KernelSpec.parse("MUL_MAT q4_0[2048x8192] f32[2048x4]").dst());
        assertEquals(TensorShape.parse("f32[512x1x32]"), KernelSpec.parse("MUL_MAT f16[64x512x8] f32[64x1x32]").dst());
        assertEquals(TensorShape.parse("f32[64x32x1]"), KernelSpec.parse(
                "FLASH_ATTN_EXT f32[64x1x32] f16[64x512x8] f16[64x512x8] f16[512x1] scale=1 softcap=0 past=0 causal=0").dst());
        assertEquals(TensorShape.parse("f32[64x32x1]"), KernelSpec.parse("CONT f32[64x1x32] perm=0213").dst());
        assertEquals(TensorShape.parse("f32[8192x1]"), KernelSpec.parse("SWIGLU f32[16384x1]").dst());
        assertEquals(TensorShape.parse("f32[2048x3]"), KernelSpec.parse("GET_ROWS q6_K[2048x128256] i32[3]").dst());
        assertEquals(TensorShape.parse("f16[512x768]"), KernelSpec.parse("SET_ROWS f16[512x768] f32[512x1] i64[1]").dst());
    }

    @Test
    void flopsAndBytes() {
        KernelSpec mm = KernelSpec.parse("MUL_MAT q4_0[2048x8192] f32[2048x1]");
        assertEquals(2.0 * 2048 * 8192, mm.flops());
        assertEquals(2048L / 32 * 18 * 8192 + 2048 * 4 + 8192 * 4, mm.bytes(), 0.5);
        KernelSpec rows = KernelSpec.parse("GET_ROWS q6_K[2048x128256] i32[1]");
        assertEquals(0, rows.flops());
        assertEquals(2048L / 256 * 210 + 4 + 2048 * 4, rows.bytes(), 0.5, "one row of the table, not all of it");
        KernelSpec fa = KernelSpec.parse("FLASH_ATTN_EXT f32[64x1x32] f16[64x512x8] f16[64x512x8] f16[512x1] scale=0.125 softcap=0"
                + " past=300 causal=0");
        assertEquals(2.0 * 32 * (64 + 64) * 301, fa.flops());
        assertEquals(64 * 32 * 4 + 301.0 * 8 * (128 + 128) + 512 * 2 + 64 * 32 * 4, fa.bytes(), 0.5);
        KernelSpec window = KernelSpec.parse("FLASH_ATTN_EXT f32[64x4x8] f16[64x1024x4] f16[64x1024x4] f16[1024x4] scale=1"
                + " softcap=0 past=900 causal=1 window=64");
        assertEquals(64, window.attendedPositions(0));
        assertEquals(901 - 64, window.firstAttendedPosition(0), "positions 837..900");
        assertEquals(904 - (901 - 64), window.distinctAttendedPositions(), "837..903");
    }

    @Test
    void malformedSpecsAreCaughtBeforeGgmlWouldAbort() {
        assertNotNull(KernelSpec.parse("MUL_MAT q4_0[2048x8192] f32[1024x1]").problem());
        assertTrue(KernelSpec.parse("MUL_MAT q4_0[100x8] f32[100x1]").problem().contains("block size"));
        assertNotNull(KernelSpec.parse("ADD f32[2048x1] f32[3x1]").problem());
        assertNotNull(KernelSpec.parse("ROPE f32[64x32x2] i32[1] mode=0 dims=64 base=10000").problem());
        assertNotNull(KernelSpec.parse("ROPE f32[64x32x1] i32[1] mode=0 dims=65 base=10000").problem());
        assertNotNull(KernelSpec.parse("GET_ROWS q4_0[64x10] i64[1]").problem());
        assertNotNull(KernelSpec.parse("SET_ROWS f16[512x4] f32[512x8] i64[8]").problem(), "more rows than cache cells");
        assertNotNull(KernelSpec.parse("FLASH_ATTN_EXT f32[64x1x32] f16[64x512x8] f16[64x512x8] f16[256x1] scale=1 softcap=0 past=0"
                + " causal=0").problem());
        assertNotNull(KernelSpec.parse("FLASH_ATTN_EXT f32[64x1x32] f16[64x512x8] f16[64x512x8] f16[512x1] scale=1 softcap=0"
                + " past=600 causal=0").problem(), "past beyond the KV length");
        assertNotNull(KernelSpec.parse("CONT f32[4x4] perm=0012").problem());
        assertThrows(IllegalArgumentException.class, () -> KernelSpec.parse("MUL_MAT q4_0[2048x8192]"), "one source");
        assertThrows(IllegalArgumentException.class, () -> KernelSpec.parse("MUL_MAT q4_0[2048] f32[2048] eps=1"), "no such param");
        assertThrows(IllegalArgumentException.class, () -> KernelSpec.parse("CONV_2D f32[3]"));
        assertThrows(IllegalArgumentException.class, () -> KernelSpec.parse("ADD f32[2048x0] f32[2048]"));
        assertThrows(IllegalArgumentException.class, () -> KernelSpec.parse("ADD f32(2048) f32[2048]"));
        assertThrows(IllegalArgumentException.class, () -> KernelSpec.parse(" "));
    }

    @Test
    void tensorShapes() {
        TensorShape t = TensorShape.parse("q6_K[2048x128256]");
        assertEquals(GgmlType.Q6_K, t.type());
        assertEquals(2048L * 128256, t.nElements());
        assertEquals(2048L / 256 * 210 * 128256, t.nBytes());
        assertEquals(1, t.dim(3));
        assertEquals("q6_K[2048x128256]", t.toString());
        assertThrows(IllegalArgumentException.class, () -> TensorShape.parse("q9_9[2]"));
        assertThrows(IllegalArgumentException.class, () -> TensorShape.parse("f32[1x2x3x4x5]"));
    }
}
