package dev.edgebench.kernel;

import dev.edgebench.model.GgmlType;

import java.util.Arrays;

/**
 * The element type and dimensions of one ggml tensor, written {@code type[ne0xne1x...]} (for
 * example {@code q4_0[2048x8192]}): ggml order, {@code ne[0]} is the row length. The rank is
 * kept as written (1 to 4 dimensions) so that an activation {@code f32[2048x1]} still shows its
 * batch of one; missing dimensions count as 1. No commas, so that a shape survives JMH's
 * comma-separated {@code -p} lists.
 *
 * <p>Immutable; thread-safe.
 *
 * @param type the element type
 * @param ne   dimensions, innermost first, each &gt; 0
 */
public record TensorShape(GgmlType type, long[] ne) {
    /** ggml's GGML_MAX_DIMS. */
    public static final int MAX_DIMS = 4;

    public TensorShape {
        if (type == null) {
            throw new IllegalArgumentException("tensor type is null");
        }
        if (ne == null || ne.length == 0 || ne.length > MAX_DIMS) {
            throw new IllegalArgumentException("a tensor has 1 to " + MAX_DIMS + " dimensions, got "
                    + (ne == null ? "none" : Arrays.toString(ne)));
        }
        for (long d : ne) {
            if (d <= 0) {
                throw new IllegalArgumentException("tensor dimension must be positive: " + type.ggmlName() + Arrays.toString(ne));
            }
        }
        ne = ne.clone();
    }

    /** @return a shape of the given type and dimensions */
    public static TensorShape of(GgmlType type, long... ne) {
        return new TensorShape(type, ne);
    }

    /**
     * Parses {@code type[d0xd1x...]}, e.g. {@code q6_K[2048x128256]} or {@code i32[1]}.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static TensorShape parse(String text) {
        String s = text.strip();
        int open = s.indexOf('[');
        if (open <= 0 || !s.endsWith("]")) {
            throw new IllegalArgumentException("bad tensor '" + text + "': expected type[d0xd1...], e.g. q4_0[2048x8192]");
        }
        GgmlType type = GgmlType.parse(s.substring(0, open));
        String[] dims = s.substring(open + 1, s.length() - 1).split("x", -1);
        long[] ne = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            try {
                ne[i] = Long.parseLong(dims[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad dimension '" + dims[i] + "' in tensor '" + text + "'");
            }
        }
        return new TensorShape(type, ne);
    }

    /** @return dimension {@code i} (0..3); 1 beyond the written rank */
    public long dim(int i) {
        return i < ne.length ? ne[i] : 1;
    }

    /** @return the four ggml dimensions */
    public long[] ne4() {
        return new long[]{dim(0), dim(1), dim(2), dim(3)};
    }

    /** @return number of elements */
    public long nElements() {
        long n = 1;
        for (long d : ne) {
            n *= d;
        }
        return n;
    }

    /** @return rows: elements / ne[0] */
    public long nRows() {
        return nElements() / ne[0];
    }

    /** @return whether the row length is a multiple of the type's block size (ggml requires it) */
    public boolean rowsFitBlocks() {
        return ne[0] % type.blockSize() == 0;
    }

    /**
     * @return bytes of the tensor's data ({@code ggml_nbytes} for a contiguous tensor)
     * @throws IllegalArgumentException when the row length is not a multiple of the block size
     */
    public long nBytes() {
        return type.rowBytes(ne[0]) * nRows();
    }

    /** @return the same dimensions with another type */
    public TensorShape withType(GgmlType t) {
        return new TensorShape(t, ne);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorShape t && t.type == type && Arrays.equals(t.ne, ne);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.hashCode(ne);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(type.ggmlName()).append('[');
        for (int i = 0; i < ne.length; i++) {
            if (i > 0) {
                sb.append('x');
            }
            sb.append(ne[i]);
        }
        return sb.append(']').toString();
    }
}
