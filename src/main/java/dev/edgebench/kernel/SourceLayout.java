package dev.edgebench.kernel;

import dev.edgebench.bindings.ggml.Ggml;
import dev.edgebench.model.GgmlType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * How a kernel's sources are stored and handed to the op, as llama.cpp's own graphs do (K and V as
 * per-head views of a cache tensor, Q permuted), which sources are weights, which a real step reads
 * from a different place on each use, and filling them with {@link SourceData}. Stateless.
 */
final class SourceLayout {
    private SourceLayout() {
    }

    /**
     * Attention sources are laid out as llama.cpp lays them out: K (and V under flash attention)
     * as per-head views of a cache tensor [dim x heads, cells], Q as a permutation of the
     * projection's [dim, heads, tokens]. Every other source is a contiguous tensor of its shape.
     */
    enum Layout { PLAIN, KV_CACHE, PERMUTED_Q }

    static Layout layout(KernelSpec spec, int i) {
        boolean fa = spec.kind() == OpKind.FLASH_ATTN_EXT;
        boolean kq = spec.kind() == OpKind.MUL_MAT && "kq".equals(spec.params().get("attn"));
        if ((fa && (i == 1 || i == 2)) || (kq && i == 0)) {
            return Layout.KV_CACHE;
        }
        if ((fa && i == 0) || (kq && i == 1)) {
            return Layout.PERMUTED_Q;
        }
        return Layout.PLAIN;
    }

    /** The shape of the tensor that holds a source's data (same elements, the stored order). */
    static TensorShape storage(KernelSpec spec, int i) {
        TensorShape s = spec.src(i);
        return switch (layout(spec, i)) {
            case PLAIN -> s;
            case KV_CACHE -> TensorShape.of(s.type(), s.dim(0) * s.dim(2), s.dim(1));
            case PERMUTED_Q -> TensorShape.of(s.type(), s.dim(0), s.dim(2), s.dim(1));
        };
    }

    /** The tensor the op takes for a source: the stored tensor, or the view llama.cpp passes. */
    static MemorySegment argument(MemorySegment ctx, KernelSpec spec, int i, MemorySegment stored) {
        TensorShape s = spec.src(i);
        return switch (layout(spec, i)) {
            case PLAIN -> stored;
            case KV_CACHE -> {
                long d = s.dim(0);
                long cells = s.dim(1);
                long heads = s.dim(2);
                MemorySegment v = Ggml.ggml_view_3d(ctx, stored, d, heads, cells, Ggml.ggml_row_size(s.type().id(), d),
                        Ggml.ggml_row_size(s.type().id(), d * heads), 0);
                yield Ggml.ggml_permute(ctx, v, 0, 2, 1, 3);
            }
            case PERMUTED_Q -> Ggml.ggml_permute(ctx, stored, 0, 2, 1, 3);
        };
    }

    static MemorySegment newTensor(MemorySegment ctx, TensorShape s) {
        long[] ne = s.ne4();
        return Ggml.ggml_new_tensor_4d(ctx, s.type().id(), ne[0], ne[1], ne[2], ne[3]);
    }

    /** Sources a real step reads from a different place on each use: weights, K and V. */
    static boolean[] rotatedSources(KernelSpec spec) {
        boolean[] r = new boolean[spec.sources().size()];
        switch (spec.kind()) {
            case MUL_MAT -> r[0] = true;
            case GET_ROWS -> r[0] = isWeight(spec, 0);
            case FLASH_ATTN_EXT -> {
                r[1] = true;
                r[2] = true;
            }
            default -> {
            }
        }
        return r;
    }

    /**
     * Weight sources: the matrix of a product (2-D; 3-D matrices are KV cache views), the table
     * of a row lookup unless it is f32 (then it is an activation, as the last layer's row pick).
     */
    static boolean isWeight(KernelSpec spec, int source) {
        if (source != 0 || spec.src(0).ne().length > 2) {
            return false;
        }
        return spec.kind() == OpKind.MUL_MAT || (spec.kind() == OpKind.GET_ROWS && spec.src(0).type() != GgmlType.F32);
    }

    /** Fills every source once per distinct tensor. */
    static void fill(KernelSpec spec, MemorySegment[][] src, long seed) {
        for (int i = 0; i < spec.sources().size(); i++) {
            TensorShape s = storage(spec, i);
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment data = tmp.allocate(s.nBytes(), 64);
                SourceData.encode(spec, i, s, InputData.sourceSeed(seed, i), data);
                MemorySegment previous = MemorySegment.NULL;
                for (MemorySegment[] variant : src) {
                    if (variant[i].address() != previous.address()) {
                        Ggml.ggml_backend_tensor_set(variant[i], data, 0, s.nBytes());
                        previous = variant[i];
                    }
                }
            }
        }
    }
}
