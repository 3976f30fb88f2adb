package dev.edgebench.kernel;

import dev.edgebench.model.GgmlType;

/**
 * Why ggml would reject a kernel spec: ggml aborts the process on a failed assertion, so every
 * shape, type and parameter rule it asserts for the ops edgebench builds is checked here first,
 * before any native call ({@link KernelSpec#problem()}). Stateless.
 */
final class KernelSpecCheck {
    private KernelSpecCheck() {
    }

    static String problem(KernelSpec spec) {
        for (TensorShape s : spec.sources()) {
            if (!s.rowsFitBlocks()) {
                return "row length " + s.ne()[0] + " of " + s + " is not a multiple of the " + s.type().ggmlName()
                        + " block size " + s.type().blockSize();
            }
        }
        try {
            return switch (spec.kind()) {
                case MUL_MAT -> {
                    TensorShape w = spec.src(0), x = spec.src(1);
                    String attn = spec.params().get("attn");
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
                    if (spec.src(1).type() != GgmlType.I32) {
                        yield "GET_ROWS needs i32 row ids, got " + spec.src(1);
                    }
                    yield spec.src(0).dim(2) == spec.src(1).dim(1) && spec.src(0).dim(3) == spec.src(1).dim(2) && spec.src(1).dim(3) == 1 ? null
                            : "GET_ROWS ids " + spec.src(1) + " do not match table " + spec.src(0);
                }
                case RMS_NORM, SCALE, TANH -> spec.src(0).type() == GgmlType.F32 ? null : spec.kind() + " needs f32 input, got " + spec.src(0);
                case MUL, ADD -> canRepeat(spec.src(1), spec.src(0)) ? null : spec.kind() + " cannot broadcast " + spec.src(1) + " over " + spec.src(0);
                case ROPE -> {
                    TensorShape x = spec.src(0), pos = spec.src(1);
                    if (pos.type() != GgmlType.I32 || pos.ne().length != 1 || pos.dim(0) != x.dim(2)) {
                        yield "ROPE needs i32 positions of length ne[2] = " + x.dim(2) + ", got " + pos;
                    }
                    long dims = (long) spec.param("dims");
                    if (dims <= 0 || dims > x.dim(0) || dims % 2 != 0) {
                        yield "ROPE dims=" + dims + " must be even and within the head size " + x.dim(0);
                    }
                    if (spec.sources().size() == 3 && (spec.src(2).type() != GgmlType.F32 || spec.src(2).dim(0) < dims / 2)) {
                        yield "ROPE frequency factors must be f32 of at least dims/2 = " + dims / 2 + ", got " + spec.src(2);
                    }
                    yield null;
                }
                case SET_ROWS -> {
                    TensorShape cache = spec.src(0), rows = spec.src(1), ids = spec.src(2);
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
                    TensorShape q = spec.src(0), k = spec.src(1), v = spec.src(2), mask = spec.src(3);
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
                    yield attentionProblem(spec, k.dim(1), q.dim(1));
                }
                case SOFT_MAX -> {
                    TensorShape kq = spec.src(0), mask = spec.src(1);
                    if (kq.type() != GgmlType.F32 || mask.type() != GgmlType.F32) {
                        yield "SOFT_MAX needs f32 input and an f32 mask, got " + kq + " and " + mask;
                    }
                    if (mask.dim(0) != kq.dim(0) || mask.dim(1) < kq.dim(1) || kq.dim(2) % mask.dim(2) != 0
                            || kq.dim(3) % mask.dim(3) != 0) {
                        yield "SOFT_MAX mask " + mask + " does not fit " + kq;
                    }
                    yield attentionProblem(spec, kq.dim(0), kq.dim(1));
                }
                case CONT -> {
                    String p = spec.params().get("perm");
                    yield p == null || !p.matches("[0-3]{4}") || p.chars().distinct().count() != 4
                            ? "CONT needs perm=<four distinct axis digits>, e.g. perm=0213, got " + p : null;
                }
                case SWIGLU, GEGLU -> {
                    if (spec.sources().size() == 2) {
                        yield spec.src(0).equals(spec.src(1)) && spec.src(0).type() == GgmlType.F32 ? null
                                : spec.kind() + " needs two f32 inputs of one shape, got " + spec.sources();
                    }
                    yield spec.src(0).type() == GgmlType.F32 && spec.src(0).dim(0) % 2 == 0 ? null
                            : spec.kind() + " on one tensor needs f32 with an even row length, got " + spec.src(0);
                }
            };
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static String attentionProblem(KernelSpec spec, long nkv, long rows) {
        long past = (long) spec.param("past");
        if (past < 0 || past >= nkv) {
            return spec.kind() + " past=" + past + " must lie within the " + nkv + " KV positions";
        }
        if (spec.param("causal") != 0 && past + rows > nkv) {
            return spec.kind() + " causal rows past+" + rows + " exceed the " + nkv + " KV positions";
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
}
