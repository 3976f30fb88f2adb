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
        for (TensorShape s : sources) {
            if (!s.rowsFitBlocks()) {
                return "row length " + s.ne()[0] + " of " + s + " is not a multiple of the " + s.type().ggmlName()
                        + " block size " + s.type().blockSize();
            }
        }
        try {
            return switch (kind) {
                case MUL_MAT -> {
                    TensorShape w = src(0), x = src(1);
                    String attn = params.get("attn");
                    if (attn != null && (!attn.equals("kq") || w.ne().length != 3 || x.ne().length != 3)) {
                        yield "MUL_MAT attn=" + attn + ": only attn=kq, on a 3-D K view and a 3-D Q";
                    }
                    if (w.dim(0) != x.dim(0)) {
                        yield "MUL_MAT needs equal row lengths, got " + w + " and " + x;
                    }
                    if (x.dim(2) % w.dim(2) != 0 || x.dim(3) % w.dim(3) != 0) {
                        yield "MUL_MAT cannot broadcast " + w + " over " + x;
                    }
                    yield null;
                }
                case GET_ROWS -> {
                    if (src(1).type() != GgmlType.I32) {
                        yield "GET_ROWS needs i32 row ids, got " + src(1);
                    }
                    yield src(0).dim(2) == src(1).dim(1) && src(0).dim(3) == src(1).dim(2) && src(1).dim(3) == 1 ? null
                            : "GET_ROWS ids " + src(1) + " do not match table " + src(0);
                }
                case RMS_NORM, SCALE, TANH -> src(0).type() == GgmlType.F32 ? null : kind + " needs f32 input, got " + src(0);
                case MUL, ADD -> canRepeat(src(1), src(0)) ? null : kind + " cannot broadcast " + src(1) + " over " + src(0);
                case ROPE -> {
                    TensorShape x = src(0), pos = src(1);
                    if (pos.type() != GgmlType.I32 || pos.ne().length != 1 || pos.dim(0) != x.dim(2)) {
                        yield "ROPE needs i32 positions of length ne[2] = " + x.dim(2) + ", got " + pos;
                    }
                    long dims = (long) param("dims");
                    if (dims <= 0 || dims > x.dim(0) || dims % 2 != 0) {
                        yield "ROPE dims=" + dims + " must be even and within the head size " + x.dim(0);
                    }
                    if (sources.size() == 3 && (src(2).type() != GgmlType.F32 || src(2).dim(0) < dims / 2)) {
                        yield "ROPE frequency factors must be f32 of at least dims/2 = " + dims / 2 + ", got " + src(2);
                    }
                    yield null;
                }
                case SET_ROWS -> {
                    TensorShape cache = src(0), rows = src(1), ids = src(2);
                    if (rows.type() != GgmlType.F32 || (ids.type() != GgmlType.I64 && ids.type() != GgmlType.I32)) {
                        yield "SET_ROWS needs f32 rows and i64/i32 ids, got " + rows + " and " + ids;
                    }
                    if (cache.dim(0) != rows.dim(0) || rows.dim(1) != ids.dim(0) || rows.dim(1) > cache.dim(1)
                            || cache.dim(2) != rows.dim(2) || cache.dim(3) != rows.dim(3) || ids.dim(1) != 1 || ids.dim(2) != 1) {
                        yield "SET_ROWS shapes do not fit: cache " + cache + ", rows " + rows + ", ids " + ids;
                    }
                    yield null;
                }
                case FLASH_ATTN_EXT -> {
                    TensorShape q = src(0), k = src(1), v = src(2), mask = src(3);
                    if (q.type() != GgmlType.F32 || mask.type() != GgmlType.F16) {
                        yield "FLASH_ATTN_EXT needs f32 q and an f16 mask, got " + q + " and " + mask;
                    }
                    if (k.dim(0) != q.dim(0) || q.dim(2) % k.dim(2) != 0 || v.dim(1) != k.dim(1) || v.dim(2) != k.dim(2)
                            || q.dim(3) != 1 || k.dim(3) != 1 || v.dim(3) != 1) {
                        yield "FLASH_ATTN_EXT shapes do not fit: q " + q + ", k " + k + ", v " + v;
                    }
                    if (mask.dim(0) != k.dim(1) || mask.dim(1) < q.dim(1) || mask.dim(2) != 1 || mask.dim(3) != 1) {
                        yield "FLASH_ATTN_EXT mask " + mask + " must be [nkv=" + k.dim(1) + " x >= " + q.dim(1) + "]";
                    }
                    yield attentionProblem(k.dim(1), q.dim(1));
                }
                case SOFT_MAX -> {
                    TensorShape kq = src(0), mask = src(1);
                    if (kq.type() != GgmlType.F32 || mask.type() != GgmlType.F32) {
                        yield "SOFT_MAX needs f32 input and an f32 mask, got " + kq + " and " + mask;
                    }
                    if (mask.dim(0) != kq.dim(0) || mask.dim(1) < kq.dim(1) || kq.dim(2) % mask.dim(2) != 0
                            || kq.dim(3) % mask.dim(3) != 0) {
                        yield "SOFT_MAX mask " + mask + " does not fit " + kq;
                    }
                    yield attentionProblem(kq.dim(0), kq.dim(1));
                }
                case CONT -> {
                    String p = params.get("perm");
                    yield p == null || !p.matches("[0-3]{4}") || p.chars().distinct().count() != 4
                            ? "CONT needs perm=<four distinct axis digits>, e.g. perm=0213, got " + p : null;
                }
                case SWIGLU, GEGLU -> {
                    if (sources.size() == 2) {
                        yield src(0).equals(src(1)) && src(0).type() == GgmlType.F32 ? null
                                : kind + " needs two f32 inputs of one shape, got " + sources;
                    }
                    yield src(0).type() == GgmlType.F32 && src(0).dim(0) % 2 == 0 ? null
                            : kind + " on one tensor needs f32 with an even row length, got " + src(0);
                }
            };
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private String attentionProblem(long nkv, long rows) {
        long past = (long) param("past");
        if (past < 0 || past >= nkv) {
            return kind + " past=" + past + " must lie within the " + nkv + " KV positions";
        }
        if (param("causal") != 0 && past + rows > nkv) {
            return kind + " causal rows past+" + rows + " exceed the " + nkv + " KV positions";
        }
        return null;
    }

    private static boolean canRepeat(TensorShape small, TensorShape big) {
        for (int i = 0; i < TensorShape.MAX_DIMS; i++) {
            if (big.dim(i) % small.dim(i) != 0) {
                return false;
            }
        }
        return true;
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
