package dev.edgebench.kernel;

import java.util.List;
import java.util.Locale;

/**
 * The ggml operations a decoder step of the supported layouts runs, with the sources each takes
 * (in ggml's argument order) and the parameters a {@link KernelSpec} may give it. The name is what
 * {@code ggml_op_desc} prints for the node (unary and GLU ops print their own name), so that a
 * kernel from the inventory and a node seen in a real graph name the same thing.
 */
public enum OpKind {
    /**
     * {@code ggml_mul_mat(w, x)}: sources w[K x M x ...], x[K x N x ...]; out f32[M x N x ...].
     * attn=kq marks attention's KQ product: w is a per-head view of the K cache, x the permuted Q.
     */
    MUL_MAT("MUL_MAT", 2, 2, List.of("attn")),
    /** {@code ggml_get_rows(table, ids)}: sources table[E x rows], ids i32[n]; out f32[E x n]. */
    GET_ROWS("GET_ROWS", 2, 2, List.of()),
    /** {@code ggml_rms_norm(x, eps)}. */
    RMS_NORM("RMS_NORM", 1, 1, List.of("eps")),
    /** {@code ggml_mul(a, b)}, b broadcast over a. */
    MUL("MUL", 2, 2, List.of()),
    /** {@code ggml_add(a, b)}, b broadcast over a. */
    ADD("ADD", 2, 2, List.of()),
    /** {@code ggml_scale(a, s)}. */
    SCALE("SCALE", 1, 1, List.of("s")),
    /** {@code ggml_tanh(a)} (a unary op). */
    TANH("TANH", 1, 1, List.of()),
    /**
     * {@code ggml_rope_ext(x, pos, freqs)}: sources x f32[headDim x heads x tokens], pos i32[tokens],
     * optional freq factors f32[dims/2]; mode 0 = normal, 2 = NeoX; dims = rotated dimensions;
     * base = frequency base.
     */
    ROPE("ROPE", 2, 3, List.of("mode", "dims", "base")),
    /** {@code ggml_set_rows(cache, src, ids)}: writes src's rows (f32) into the cache at ids (i64). */
    SET_ROWS("SET_ROWS", 3, 3, List.of()),
    /**
     * {@code ggml_flash_attn_ext(q, k, v, mask)}: q f32[dk x tokens x heads] (the permuted Q
     * projection), k[dk x nkv x kvHeads] and v[dv x nkv x kvHeads] (per-head views of the KV cache,
     * as llama.cpp passes them), mask f16[nkv x tokens]. past = KV positions before the first query row;
     * causal = 1 when row i attends past+i+1 positions (a prompt), 0 when every row attends past+1
     * (one new token of each of independent sequences, each sequence in its own KV positions);
     * window &gt; 0 caps each row at the last window positions (sliding-window layers); the mask lets
     * exactly those through.
     */
    FLASH_ATTN_EXT("FLASH_ATTN_EXT", 4, 4, List.of("scale", "softcap", "past", "causal", "window")),
    /**
     * {@code ggml_soft_max_ext(kq, mask, scale)}: kq f32[nkv x tokens x heads], mask f32[nkv x tokens];
     * past, causal and window as for {@link #FLASH_ATTN_EXT}.
     */
    SOFT_MAX("SOFT_MAX", 2, 2, List.of("scale", "past", "causal", "window")),
    /** {@code ggml_cont(ggml_permute(x, perm))}: x is the stored tensor, perm four axis digits (e.g. 0213). */
    CONT("CONT", 1, 1, List.of("perm")),
    /** {@code ggml_swiglu_split(gate, up)}, or {@code ggml_swiglu(x)} on one tensor of both halves. */
    SWIGLU("SWIGLU", 1, 2, List.of()),
    /** {@code ggml_geglu_split(gate, up)}, or {@code ggml_geglu(x)} on one tensor of both halves. */
    GEGLU("GEGLU", 1, 2, List.of());

    private final String ggmlName;
    private final int minSources;
    private final int maxSources;
    private final List<String> params;

    OpKind(String ggmlName, int minSources, int maxSources, List<String> params) {
        this.ggmlName = ggmlName;
        this.minSources = minSources;
        this.maxSources = maxSources;
        this.params = params;
    }

    /** @return the name {@code ggml_op_desc} gives such a node */
    public String ggmlName() {
        return ggmlName;
    }

    /** @return fewest sources */
    public int minSources() {
        return minSources;
    }

    /** @return most sources */
    public int maxSources() {
        return maxSources;
    }

    /** @return the parameter names it accepts, in canonical order */
    public List<String> params() {
        return params;
    }

    /**
     * @param name a kind, any case ("mul_mat", "FLASH_ATTN_EXT")
     * @throws IllegalArgumentException listing the known kinds
     */
    public static OpKind parse(String name) {
        for (OpKind k : values()) {
            if (k.name().equalsIgnoreCase(name) || k.ggmlName.equalsIgnoreCase(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown op '" + name + "'; known: "
                + java.util.Arrays.stream(values()).map(k -> k.name().toLowerCase(Locale.ROOT)).toList());
    }
}
