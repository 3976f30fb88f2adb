package dev.edgebench.kernel;

import dev.edgebench.model.Catalog;
import dev.edgebench.model.GgmlType;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The op inventory from catalog hyper-parameters alone (no model file, no native library). */
class OpInventoryTest {
    private static final Catalog CATALOG = Catalog.builtin();

    /** Llama-3.2-1B as llama.cpp quantizes it to Q4_0: every matrix q4_0, the tied embedding q6_K. */
    private static ModelShape llama1b() {
        return ModelShape.fromCatalog(CATALOG, CATALOG.model("Llama-3.2-1B"), ModelShape.uniformTypes(GgmlType.Q4_0, GgmlType.Q6_K));
    }

    private static Map<String, Integer> asMap(OpInventory inv) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (OpInventory.Entry e : inv.entries()) {
            m.put(e.spec().toString(), e.count());
        }
        return m;
    }

    /**
     * Derived by hand from Llama-3.2-1B's config (n_embd 2048, 16 layers, 32 heads, 8 KV heads of
     * 64, n_ff 8192, vocabulary 128256, Llama 3 RoPE factors, tied embeddings) and llama.cpp's
     * llama graph: per layer attn_norm (RMS_NORM + MUL), Q/K/V, RoPE on Q and K, K and V stored
     * (SET_ROWS), flash attention over 512 KV positions (511 cached + 1, a multiple of 256),
     * the output projection, a residual ADD, ffn_norm, gate and up, SWIGLU, down, a residual ADD;
     * in the last layer two GET_ROWS pick the output row; then output_norm and the vocabulary
     * projection through the tied q6_K embedding.
     */
    @Test
    void llama32_1bDecodeMatchesTheHandDerivedList() {
        OpInventory inv = OpInventory.of(llama1b(), Phase.decode(1, 511), AttentionConfig.llamaCppDefault());
        Map<String, Integer> want = new LinkedHashMap<>();
        want.put("GET_ROWS q6_K[2048x128256] i32[1]", 1);
        want.put("RMS_NORM f32[2048x1] eps=0.00001", 2 * 16 + 1);
        want.put("MUL f32[2048x1] f32[2048]", 2 * 16 + 1);
        want.put("MUL_MAT q4_0[2048x2048] f32[2048x1]", 2 * 16);
        want.put("MUL_MAT q4_0[2048x512] f32[2048x1]", 2 * 16);
        want.put("ROPE f32[64x32x1] i32[1] f32[32] mode=0 dims=64 base=500000", 16);
        want.put("ROPE f32[64x8x1] i32[1] f32[32] mode=0 dims=64 base=500000", 16);
        want.put("SET_ROWS f16[512x512] f32[512x1] i64[1]", 2 * 16);
        want.put("FLASH_ATTN_EXT f32[64x1x32] f16[64x512x8] f16[64x512x8] f16[512x1] scale=0.125 softcap=0 past=511 causal=0", 16);
        want.put("ADD f32[2048x1] f32[2048x1]", 2 * 16);
        want.put("MUL_MAT q4_0[2048x8192] f32[2048x1]", 2 * 16);
        want.put("SWIGLU f32[8192x1] f32[8192x1]", 16);
        want.put("MUL_MAT q4_0[8192x2048] f32[8192x1]", 16);
        want.put("GET_ROWS f32[2048x1] i32[1]", 2);
        want.put("MUL_MAT q6_K[2048x128256] f32[2048x1]", 1);
        assertEquals(want, asMap(inv));
        assertEquals(310, inv.totalRuns());
        assertEquals("attn_q+attn_output", inv.find(KernelSpec.parse("MUL_MAT q4_0[2048x2048] f32[2048x1]")).roles());
        assertEquals("output", inv.find(KernelSpec.parse("MUL_MAT q6_K[2048x128256] f32[2048x1]")).roles());
    }

    @Test
    void decodeMatrixProductsDoTwoFlopsPerWeightAndReadEveryWeightOnce() {
        Catalog.ModelSpec m = CATALOG.model("Llama-3.2-1B");
        long matrixParams = CATALOG.plan(m).stream().filter(t -> t.ne().length == 2).mapToLong(Catalog.PlannedTensor::nElements).sum();
        long matrixBytes = CATALOG.plan(m).stream().filter(t -> t.ne().length == 2)
                .mapToLong(t -> (t.name().equals("token_embd.weight") ? GgmlType.Q6_K : GgmlType.Q4_0).rowBytes(t.ne()[0]) * t.ne()[1]).sum();
        OpInventory inv = OpInventory.of(llama1b(), Phase.decode(1, 0), AttentionConfig.llamaCppDefault());
        double flops = 0;
        double weightBytes = 0;
        for (OpInventory.Entry e : inv.entries()) {
            if (e.spec().kind() == OpKind.MUL_MAT) {
                flops += e.flopsPerStep();
                weightBytes += e.count() * (double) e.spec().src(0).nBytes();
            }
        }
        // the tied embedding is one tensor: counted once, as the output projection
        assertEquals(2.0 * matrixParams, flops, 0.5);
        assertEquals(matrixBytes, weightBytes, 0.5);
    }

    @Test
    void decodeOfFourSequencesStacksFourTokensAndAttendsEachSequenceAlone() {
        OpInventory inv = OpInventory.of(llama1b(), Phase.decode(4, 100), AttentionConfig.llamaCppDefault());
        Map<String, Integer> m = asMap(inv);
        // one KV stream per sequence (llama.cpp's default): 101 cells each -> 256 KV positions per stream
        assertEquals(16, m.get("FLASH_ATTN_EXT f32[64x1x32x4] f16[64x256x8x4] f16[64x256x8x4] f16[256x1x1x4] scale=0.125"
                + " softcap=0 past=100 causal=0"));
        assertEquals(32, m.get("MUL_MAT q4_0[2048x8192] f32[2048x4]"));
        assertEquals(1, m.get("MUL_MAT q6_K[2048x128256] f32[2048x4]"), "every sequence wants logits");
        assertEquals(2, m.get("GET_ROWS f32[2048x4] i32[4]"));
        assertEquals(310, inv.totalRuns());
        KernelSpec fa = inv.entries().stream().filter(e -> e.spec().kind() == OpKind.FLASH_ATTN_EXT).findFirst().orElseThrow().spec();
        assertEquals(101, fa.attendedPositions(0));
        assertEquals(0, fa.firstAttendedPosition(0), "each sequence owns its stream from position 0");
        assertEquals(101, fa.distinctAttendedPositions(), "per stream");
        assertEquals(2.0 * 32 * (64 + 64) * 101 * 4, fa.flops(), "four streams of 101 positions");
    }

    @Test
    void prefillSplitsIntoMicroBatchesAndOnlyTheLastProducesLogits() {
        OpInventory inv = OpInventory.of(llama1b(), Phase.prefill(600, 0, 512), AttentionConfig.llamaCppDefault());
        Map<String, Integer> m = asMap(inv);
        // first micro-batch: 512 tokens at KV length 512, no output rows: its last layer stops after the output projection
        assertEquals(16, m.get("FLASH_ATTN_EXT f32[64x512x32] f16[64x512x8] f16[64x512x8] f16[512x512] scale=0.125 softcap=0"
                + " past=0 causal=1"));
        assertEquals(2 * 15, m.get("MUL_MAT q4_0[2048x8192] f32[2048x512]"));
        // second: 88 tokens after 512, KV length 768; its last layer runs the FFN on the one logits row
        assertEquals(16, m.get("FLASH_ATTN_EXT f32[64x88x32] f16[64x768x8] f16[64x768x8] f16[768x88] scale=0.125 softcap=0"
                + " past=512 causal=1"));
        assertEquals(2 * 15, m.get("MUL_MAT q4_0[2048x8192] f32[2048x88]"));
        assertEquals(2, m.get("MUL_MAT q4_0[2048x8192] f32[2048x1]"));
        assertEquals(1, m.get("MUL_MAT q6_K[2048x128256] f32[2048x1]"));
        assertNull(m.get("MUL_MAT q6_K[2048x128256] f32[2048x512]"));
        KernelSpec fa = KernelSpec.parse("FLASH_ATTN_EXT f32[64x88x32] f16[64x768x8] f16[64x768x8] f16[768x88] scale=0.125"
                + " softcap=0 past=512 causal=1");
        assertEquals(513, fa.attendedPositions(0));
        assertEquals(600, fa.attendedPositions(87));
        assertEquals(600, fa.distinctAttendedPositions());
    }

    @Test
    void withoutFlashAttentionTheStepRunsKqSoftmaxKqv() {
        OpInventory inv = OpInventory.of(llama1b(), Phase.decode(1, 511), new AttentionConfig(false, GgmlType.F16, GgmlType.F16));
        Map<String, Integer> m = asMap(inv);
        assertEquals(16, m.get("MUL_MAT f16[64x512x8] f32[64x1x32] attn=kq"), "KQ");
        assertEquals(16, m.get("SOFT_MAX f32[512x1x32] f32[512x1] scale=0.125 past=511 causal=0"));
        assertEquals(16, m.get("MUL_MAT f16[512x64x8] f32[512x1x32]"), "KQV over the transposed V cache");
        assertEquals(16, m.get("CONT f32[64x1x32] perm=0213"));
        assertEquals(16, m.get("SET_ROWS f16[1x262144] f32[1x512] i64[512]"), "V is stored one element per row");
        assertEquals(16, m.get("SET_ROWS f16[512x512] f32[512x1] i64[1]"), "K as before");
        assertTrue(inv.entries().stream().noneMatch(e -> e.spec().kind() == OpKind.FLASH_ATTN_EXT));
        assertEquals(310 + 3 * 16, inv.totalRuns());
    }

    @Test
    void otherLayoutsAddTheirOwnNodes() {
        ModelShape qwen3 = ModelShape.fromCatalog(CATALOG, CATALOG.model("Qwen3-0.6B"), ModelShape.uniformTypes(GgmlType.Q8_0,
                GgmlType.Q8_0));
        Map<OpKind, Integer> q3 = OpInventory.of(qwen3, Phase.decode(1, 10), AttentionConfig.llamaCppDefault()).runsByKind();
        assertEquals(2 * 28 + 1 + 2 * 28, q3.get(OpKind.RMS_NORM), "attn/ffn norms, output norm, Q and K norms");
        ModelShape qwen2 = ModelShape.fromCatalog(CATALOG, CATALOG.model("Qwen2.5-1.5B"), ModelShape.uniformTypes(GgmlType.Q4_0,
                GgmlType.Q6_K));
        Map<OpKind, Integer> q2 = OpInventory.of(qwen2, Phase.decode(1, 10), AttentionConfig.llamaCppDefault()).runsByKind();
        assertEquals(2 * 28 + 3 * 28, q2.get(OpKind.ADD), "residuals and the Q/K/V biases");
        ModelShape phi = ModelShape.fromCatalog(CATALOG, CATALOG.model("Phi-3.5-mini"), ModelShape.uniformTypes(GgmlType.Q4_0,
                GgmlType.Q6_K));
        Map<String, Integer> p = asMap(OpInventory.of(phi, Phase.decode(1, 10), AttentionConfig.llamaCppDefault()));
        assertEquals(32, p.get("MUL_MAT q4_0[3072x9216] f32[3072x1]"), "one fused QKV projection");
        assertEquals(32, p.get("SWIGLU f32[16384x1]"), "one up projection of both halves");
        ModelShape gemma = ModelShape.fromCatalog(CATALOG, CATALOG.model("Gemma-2-2B"), ModelShape.uniformTypes(GgmlType.Q4_0,
                GgmlType.Q6_K));
        OpInventory g = OpInventory.of(gemma, Phase.decode(1, 5000), AttentionConfig.llamaCppDefault());
        Map<OpKind, Integer> gk = g.runsByKind();
        assertEquals(26, gk.get(OpKind.GEGLU));
        assertEquals(1 + 26 + 2, gk.get(OpKind.SCALE), "embedding scale, Q scale per layer, output soft-cap in and out");
        assertEquals(1, gk.get(OpKind.TANH));
        long swa = g.entries().stream().filter(e -> e.spec().kind() == OpKind.FLASH_ATTN_EXT && e.spec().has("window"))
                .mapToInt(OpInventory.Entry::count).sum();
        assertEquals(13, swa, "even layers attend a sliding window");
        KernelSpec fa = g.entries().stream().filter(e -> e.spec().kind() == OpKind.FLASH_ATTN_EXT && e.spec().has("window"))
                .findFirst().orElseThrow().spec();
        assertEquals(4096, fa.attendedPositions(0));
        assertEquals("50", fa.params().get("softcap"));
    }

    @Test
    void missingTensorsAndUnknownLayoutsAreNamed() {
        Map<String, TensorShape> none = Map.of();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelShape("x", "mamba", 1, 1, 1, 1,
                1, 1, 1, 1, 1e-5, 1e4, 0, 0, 0, none));
        assertTrue(e.getMessage().contains("mamba"), e.getMessage());
        ModelShape shape = llama1b();
        Map<String, TensorShape> partial = new LinkedHashMap<>(shape.tensors());
        partial.remove("blk.3.ffn_down.weight");
        ModelShape broken = new ModelShape(shape.name(), shape.arch(), shape.nEmbd(), shape.nLayer(), shape.nHead(), shape.nHeadKv(),
                shape.headDim(), shape.ropeDims(), shape.nFf(), shape.nVocab(), shape.rmsEps(), shape.ropeBase(), 0, 0, 0, partial);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> OpInventory.of(broken, Phase.decode(1, 0), AttentionConfig.llamaCppDefault()));
        assertTrue(missing.getMessage().contains("blk.3.ffn_down.weight"), missing.getMessage());
    }

    @Test
    void phasesValidateAndLabel() {
        assertEquals("decode b2 d7", Phase.decode(2, 7).label());
        assertEquals("prefill n600 d0 u512", Phase.prefill(600, 0, 512).label());
        assertEquals(512, Phase.decode(1, 300).contextSize());
        assertEquals(256, Phase.decode(1, 0).contextSize());
        assertThrows(IllegalArgumentException.class, () -> Phase.decode(0, 1));
        assertThrows(IllegalArgumentException.class, () -> Phase.parse("sideways", 1, 1, 1, 1));
        assertFalse(new AttentionConfig(true, GgmlType.Q8_0, GgmlType.Q8_0).toString().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new AttentionConfig(false, GgmlType.F16, GgmlType.Q8_0));
    }
}
