package dev.edgebench.kernel;

import dev.edgebench.bindings.ggml.Ggml;

import java.lang.foreign.MemorySegment;

/** The ggml call that builds one kernel's op node from its sources, with llama.cpp's parameters. Stateless. */
final class KernelOp {
    private KernelOp() {
    }

    static MemorySegment op(MemorySegment ctx, KernelSpec spec, MemorySegment[] s) {
        return switch (spec.kind()) {
            case MUL_MAT -> Ggml.ggml_mul_mat(ctx, s[0], s[1]);
            case GET_ROWS -> Ggml.ggml_get_rows(ctx, s[0], s[1]);
            case RMS_NORM -> Ggml.ggml_rms_norm(ctx, s[0], (float) spec.param("eps"));
            case MUL -> Ggml.ggml_mul(ctx, s[0], s[1]);
            case ADD -> Ggml.ggml_add(ctx, s[0], s[1]);
            case SCALE -> Ggml.ggml_scale(ctx, s[0], (float) spec.param("s"));
            case TANH -> Ggml.ggml_tanh(ctx, s[0]);
            case ROPE -> Ggml.ggml_rope_ext(ctx, s[0], s[1], s.length > 2 ? s[2] : MemorySegment.NULL, (int) spec.param("dims"),
                    (int) spec.param("mode"), 4096, (float) spec.param("base"), 1.0f, 0.0f, 1.0f, 32.0f, 1.0f);
            case SET_ROWS -> Ggml.ggml_set_rows(ctx, s[0], s[1], s[2]);
            case FLASH_ATTN_EXT -> {
                MemorySegment fa = Ggml.ggml_flash_attn_ext(ctx, s[0], s[1], s[2], s[3], (float) spec.param("scale"), 0.0f,
                        (float) spec.param("softcap", 0));
                // as llama.cpp's build_attn_mha
                Ggml.ggml_prec_set_acc(fa, Ggml.GGML_PREC_F32());
                yield fa;
            }
            case SOFT_MAX -> Ggml.ggml_soft_max_ext(ctx, s[0], s[1], (float) spec.param("scale"), 0.0f);
            case CONT -> {
                int[] p = spec.perm();
                yield Ggml.ggml_cont(ctx, Ggml.ggml_permute(ctx, s[0], p[0], p[1], p[2], p[3]));
            }
            case SWIGLU -> s.length == 2 ? Ggml.ggml_swiglu_split(ctx, s[0], s[1]) : Ggml.ggml_swiglu(ctx, s[0]);
            case GEGLU -> s.length == 2 ? Ggml.ggml_geglu_split(ctx, s[0], s[1]) : Ggml.ggml_geglu(ctx, s[0]);
        };
    }
}
