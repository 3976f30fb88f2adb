package dev.edgebench.kernel;

import dev.edgebench.bindings.ggml.Ggml;
import dev.edgebench.bindings.ggml.ggml_tensor;
import dev.edgebench.model.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A compute node of a real ggml graph as the engine ran it: the op name ({@code ggml_op_desc}),
 * its sources' types and shapes in node order, its output. Read from a live {@code ggml_tensor}
 * by {@link #read}; a plain value afterwards.
 *
 * @param op      {@code ggml_op_desc} of the node, e.g. "MUL_MAT", "SWIGLU"
 * @param name    the node's tensor name, e.g. "ffn_up-3"
 * @param sources source shapes in node order (trailing dimensions of 1 dropped)
 * @param dst     the node's output shape
 */
public record GraphNode(String op, String name, List<TensorShape> sources, TensorShape dst) {
    private static final long SIZE = ggml_tensor.layout().byteSize();

    /**
     * Reads a node; the tensor must be alive (inside or right after the graph's compute).
     *
     * @return the node, or null when it or a source is empty (a zero-row node computes nothing,
     *         e.g. the output rows of a prompt micro-batch that wants no logits)
     */
    static GraphNode read(MemorySegment tensorAddress) {
        MemorySegment t = tensorAddress.reinterpret(SIZE);
        if (empty(t)) {
            return null;
        }
        List<TensorShape> src = new ArrayList<>();
        MemorySegment srcs = ggml_tensor.src(t);
        for (int i = 0; i < srcs.byteSize() / 8; i++) {
            MemorySegment s = srcs.getAtIndex(ValueLayout.ADDRESS, i);
            if (s.address() == 0) {
                break;
            }
            MemorySegment st = s.reinterpret(SIZE);
            if (empty(st)) {
                return null;
            }
            src.add(shape(st));
        }
        return new GraphNode(GgmlBackend.cString(Ggml.ggml_op_desc(t)), ggml_tensor.name(t).getString(0), List.copyOf(src),
                shape(t));
    }

    private static boolean empty(MemorySegment t) {
        for (int d = 0; d < 4; d++) {
            if (ggml_tensor.ne(t, d) == 0) {
                return true;
            }
        }
        return false;
    }

    private static TensorShape shape(MemorySegment t) {
        long[] ne = new long[4];
        for (int d = 0; d < 4; d++) {
            ne[d] = ggml_tensor.ne(t, d);
        }
        return new TensorShape(GgmlType.ofId(ggml_tensor.type(t)), trim(ne));
    }

    private static long[] trim(long[] ne4) {
        int rank = 4;
        while (rank > 1 && ne4[rank - 1] == 1) {
            rank--;
        }
        return java.util.Arrays.copyOf(ne4, rank);
    }

    /** @return whether the op computes nothing (a view of its source) */
    static boolean isViewOp(int op) {
        return op == Ggml.GGML_OP_NONE() || op == Ggml.GGML_OP_VIEW() || op == Ggml.GGML_OP_RESHAPE()
                || op == Ggml.GGML_OP_PERMUTE() || op == Ggml.GGML_OP_TRANSPOSE();
    }

    /** @return a key that a real node and the matching inventory kernel share (see {@link #signature(KernelSpec)}) */
    public String signature() {
        return switch (op) {
            // node sources: rows, ids, cache (ggml's legacy order)
            case "SET_ROWS" -> op + " " + sources.get(0) + " " + sources.get(1) + " " + cacheKey(sources.get(2));
            case "CONT" -> op + " " + sources.get(0).type().ggmlName() + "*" + sources.get(0).nElements();
            default -> {
                StringBuilder sb = new StringBuilder(op);
                for (TensorShape s : sources) {
                    sb.append(' ').append(s);
                }
                yield sb.toString();
            }
        };
    }

    /**
     * The signature of an inventory kernel: op name and source shapes, trailing ones dropped. The
     * KV cache length of SET_ROWS (the engine's whole cache, the inventory's used part) and the
     * layout of CONT's permuted source are left out: neither changes what the node computes.
     */
    public static String signature(KernelSpec spec) {
        return switch (spec.kind()) {
            case SET_ROWS -> spec.kind().ggmlName() + " " + trimmed(spec.src(1)) + " " + trimmed(spec.src(2)) + " "
                    + cacheKey(spec.src(0));
            case CONT -> spec.kind().ggmlName() + " " + spec.src(0).type().ggmlName() + "*" + spec.src(0).nElements();
            default -> {
                StringBuilder sb = new StringBuilder(spec.kind().ggmlName());
                for (TensorShape s : spec.sources()) {
                    sb.append(' ').append(trimmed(s));
                }
                yield sb.toString();
            }
        };
    }

    private static TensorShape trimmed(TensorShape s) {
        return new TensorShape(s.type(), trim(s.ne4()));
    }

    private static String cacheKey(TensorShape cache) {
        return cache.type().ggmlName() + "[" + cache.dim(0) + "x*]";
    }
}
