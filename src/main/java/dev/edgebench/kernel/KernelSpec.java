package dev.edgebench.kernel;

import dev.edgebench.model.GgmlType;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One kernel: a ggml operation on sources of given types and shapes, with its parameters. This is
 * what a kernel benchmark runs and what its results are keyed by; its text form names the kernel,
 * the shape and the types at once, e.g.
 *
 * <pre>
 *   MUL_MAT q4_0[2048x8192] f32[2048x1]
 *   FLASH_ATTN_EXT f32[64x1x32] f16[64x512x8] f16[64x512x8] f16[512x1] scale=0.125 softcap=0 past=300 causal=0
 * </pre>
 *
 * Tokens are separated by single spaces: the {@link OpKind}, each source as a {@link TensorShape}
 * in ggml's argument order, then {@code name=value} parameters in the kind's order. The text holds
 * no commas, so that it can be a JMH {@code -p} value.
 *
 * <p>Attention inputs are laid out as llama.cpp passes them: K (and V under flash attention) as
 * per-head views of a cache tensor, Q as the permuted projection (see {@link OpKind}); the
 * shapes written are the logical ones the op sees.
 *
 * <p>Immutable; thread-safe.
 *
 * @param kind    the operation
 * @param sources its inputs, in ggml argument order
 * @param params  its parameters by name, canonical text values
 */
public record KernelSpec(OpKind kind, List<TensorShape> sources, Map<String, String> params) {

    public KernelSpec {
        if (kind == null) {
            throw new IllegalArgumentException("kernel op is null");
        }
        sources = List.copyOf(sources);
        if (sources.size() < kind.minSources() || sources.size() > kind.maxSources()) {
            throw new IllegalArgumentException(kind + " takes " + (kind.minSources() == kind.maxSources() ? kind.minSources()
                    : kind.minSources() + " to " + kind.maxSources()) + " sources, got " + sources.size() + ": " + sources);
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String p : kind.params()) {
            if (params.containsKey(p)) {
                ordered.put(p, params.get(p));
            }
        }
        for (String p : params.keySet()) {
            if (!ordered.containsKey(p)) {
                throw new IllegalArgumentException(kind + " has no parameter '" + p + "'; it takes " + kind.params());
            }
        }
        params = Collections.unmodifiableMap(ordered);
    }

    /** @return a spec; {@code params} alternate names and values: "eps", 1e-5, ... */
    public static KernelSpec of(OpKind kind, List<TensorShape> sources, Object... params) {
        if (params.length % 2 != 0) {
            throw new IllegalArgumentException("parameters come in name/value pairs");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            m.put((String) params[i], params[i + 1] instanceof Number n ? num(n.doubleValue()) : params[i + 1].toString());
        }
        return new KernelSpec(kind, sources, m);
    }

    /**
     * Parses the text form.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static KernelSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty kernel spec; expected e.g. 'MUL_MAT q4_0[2048x2048] f32[2048x1]'");
        }
        String[] tok = text.strip().split("\\s+");
        OpKind kind = OpKind.parse(tok[0]);
        List<TensorShape> src = new ArrayList<>();
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 1; i < tok.length; i++) {
            int eq = tok[i].indexOf('=');
            if (eq > 0) {
                params.put(tok[i].substring(0, eq).toLowerCase(Locale.ROOT), tok[i].substring(eq + 1));
            } else {
                src.add(TensorShape.parse(tok[i]));
            }
        }
        try {
            return new KernelSpec(kind, src, params);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad kernel spec '" + text + "': " + e.getMessage(), e);
        }
    }

    /** @return source {@code i} */
    public TensorShape src(int i) {
        return sources.get(i);
    }

    /** @return whether a parameter is given */
    public boolean has(String name) {
        return params.containsKey(name);
    }

    /**
     * @return a numeric parameter
     * @throws IllegalArgumentException when absent or not a number
     */
    public double param(String name) {
        String v = params.get(name);
        if (v == null) {
            throw new IllegalArgumentException(kind + " needs parameter '" + name + "' (" + this + ")");
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(kind + " parameter " + name + "=" + v + " is not a number");
        }
    }

    /** @return a numeric parameter, or {@code dflt} when absent */
    public double param(String name, double dflt) {
        return has(name) ? param(name) : dflt;
    }

    /**
     * @return why ggml would reject this spec (it aborts the process on a failed assertion, so
     *         this is checked before any native call), or null when it is well formed
     */
    public String problem() {
        return KernelSpecCheck.problem(this);
    }

    /** @return the output's type and shape */
    public TensorShape dst() {
        return switch (kind) {
            case MUL_MAT -> {
                TensorShape w = src(0), x = src(1);
                int rank = Math.max(2, x.ne().length);
                long[] ne = new long[rank];
                ne[0] = w.dim(1);
                ne[1] = x.dim(1);
                for (int i = 2; i < rank; i++) {
                    ne[i] = x.dim(i);
                }
                yield new TensorShape(GgmlType.F32, ne);
            }
            case GET_ROWS -> {
                TensorShape ids = src(1);
                yield new TensorShape(GgmlType.F32, ids.ne().length == 1 ? new long[]{src(0).dim(0), ids.dim(0)}
                        : new long[]{src(0).dim(0), ids.dim(0), ids.dim(1), ids.dim(2)});
            }
            case RMS_NORM, MUL, ADD, SCALE, TANH, ROPE, SOFT_MAX -> src(0).withType(GgmlType.F32);
            case SET_ROWS -> src(0);
            case FLASH_ATTN_EXT -> TensorShape.of(GgmlType.F32, src(2).dim(0), src(0).dim(2), src(0).dim(1));
            case CONT -> {
                long[] in = src(0).ne4();
                int[] perm = perm();
                long[] out = new long[4];
                for (int i = 0; i < 4; i++) {
                    out[perm[i]] = in[i];
                }
                yield new TensorShape(GgmlType.F32, trim(out, src(0).ne().length));
            }
            case SWIGLU, GEGLU -> {
                if (sources.size() == 2) {
                    yield src(0);
                }
                long[] ne = src(0).ne().clone();
                ne[0] /= 2;
                yield new TensorShape(GgmlType.F32, ne);
            }
        };
    }

    /** @return CONT's axis permutation, as ggml_permute takes it */
    int[] perm() {
        String p = params.get("perm");
        return new int[]{p.charAt(0) - '0', p.charAt(1) - '0', p.charAt(2) - '0', p.charAt(3) - '0'};
    }

    private static long[] trim(long[] ne4, int minRank) {
        int rank = 4;
        while (rank > Math.max(1, minRank) && ne4[rank - 1] == 1) {
            rank--;
        }
        return java.util.Arrays.copyOf(ne4, rank);
    }

    /**
     * Positions row {@code row} of an attention op attends: what its mask lets through.
     *
     * @param row query row, 0-based
     */
    public long attendedPositions(long row) {
        long nkv = attentionKv();
        long past = (long) param("past");
        long n = Math.min(nkv, param("causal") != 0 ? past + row + 1 : past + 1);
        long window = (long) param("window", 0);
        return window > 0 ? Math.min(n, window) : n;
    }

    /**
     * First KV position row {@code row} attends. Causal rows share one sequence and end at
     * past+row; independent rows (causal=0) each own a block of KV positions when the KV length
     * holds them all, as sequences do in llama.cpp's unified cache.
     */
    public long firstAttendedPosition(long row) {
        long past = (long) param("past");
        long n = attendedPositions(row);
        if (param("causal") != 0) {
            return past + row + 1 - n;
        }
        long rows = src(0).dim(1);
        long block = past + 1;
        return rows * block <= attentionKv() ? row * block + block - n : block - n;
    }

    /**
     * @return distinct KV positions all rows of one KV stream together attend (a decode of several
     *         sequences has one stream per sequence, dimension 3 of Q, K, V and the mask)
     */
    public long distinctAttendedPositions() {
        long rows = src(0).dim(1);
        long past = (long) param("past");
        if (param("causal") != 0) {
            return past + rows - firstAttendedPosition(0);
        }
        return rows * (past + 1) <= attentionKv() ? rows * attendedPositions(0) : attendedPositions(0);
    }

    private long attentionKv() {
        return kind == OpKind.FLASH_ATTN_EXT ? src(1).dim(1) : src(0).dim(0);
    }

    /**
     * Floating-point operations of one run: 2·K·M·N for a matrix product, 2·heads·(dk+dv) per
     * attended position for attention, 0 for the other (memory-bound) ops.
     */
    public double flops() {
        return switch (kind) {
            case MUL_MAT -> {
                TensorShape d = dst();
                yield 2.0 * src(0).dim(0) * d.dim(0) * d.dim(1) * d.dim(2) * d.dim(3);
            }
            case FLASH_ATTN_EXT -> {
                TensorShape q = src(0);
                double attended = 0;
                for (long r = 0; r < q.dim(1); r++) {
                    attended += attendedPositions(r);
                }
                yield 2.0 * q.dim(2) * (src(1).dim(0) + src(2).dim(0)) * attended * q.dim(3);
            }
            default -> 0;
        };
    }

    /**
     * Bytes one run must move at least: every source it reads and the output it writes, counting
     * only what the op touches — the gathered rows of GET_ROWS, the written rows of SET_ROWS, the
     * K/V positions an attention mask lets through (distinct positions over all rows).
     */
    public double bytes() {
        return switch (kind) {
            case GET_ROWS -> (double) src(1).dim(0) * src(0).type().rowBytes(src(0).dim(0)) + src(1).nBytes() + dst().nBytes();
            case SET_ROWS -> src(1).nBytes() + src(2).nBytes() + (double) src(1).dim(1) * src(0).type().rowBytes(src(0).dim(0));
            case FLASH_ATTN_EXT -> {
                TensorShape q = src(0), k = src(1), v = src(2);
                double kv = distinctAttendedPositions() * (double) q.dim(3) * k.dim(2)
                        * (k.type().rowBytes(k.dim(0)) + v.type().rowBytes(v.dim(0)));
                yield q.nBytes() + kv + src(3).nBytes() + dst().nBytes();
            }
            default -> {
                double b = dst().nBytes();
                for (TensorShape s : sources) {
                    b += s.nBytes();
                }
                yield b;
            }
        };
    }

    /** @return the canonical text form (see the class comment) */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(kind.name());
        for (TensorShape s : sources) {
            sb.append(' ').append(s);
        }
        params.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }

    /** @return a number as parameters write it: no exponent, no trailing zeros ("0.00001", "500000") */
    public static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("kernel parameter must be finite, was " + v);
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
