package dev.edgebench.kernel;

import dev.edgebench.model.GgmlType;

/**
 * How the engine runs attention: fused flash attention (one FLASH_ATTN_EXT node) or the
 * KQ / soft-max / KQV path, and the KV cache element types.
 *
 * @param flashAttn whether attention is one FLASH_ATTN_EXT node
 * @param typeK     K cache type
 * @param typeV     V cache type
 */
public record AttentionConfig(boolean flashAttn, GgmlType typeK, GgmlType typeV) {
    public AttentionConfig {
        if (typeK == null || typeV == null) {
            throw new IllegalArgumentException("KV cache types must be set");
        }
        if (!flashAttn && typeV.isQuantized()) {
            throw new IllegalArgumentException("a quantized V cache (" + typeV.ggmlName() + ") needs flash attention, as in llama.cpp");
        }
    }

    /**
     * What llama.cpp runs by default on CPU and CUDA: {@code flash_attn_type = auto} resolves to
     * flash attention where the device supports it, with an F16 cache.
     */
    public static AttentionConfig llamaCppDefault() {
        return new AttentionConfig(true, GgmlType.F16, GgmlType.F16);
    }

    @Override
    public String toString() {
        return (flashAttn ? "flash-attn" : "kq-softmax-kqv") + " k=" + typeK.ggmlName() + " v=" + typeV.ggmlName();
    }
}
