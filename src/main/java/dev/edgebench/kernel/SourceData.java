package dev.edgebench.kernel;

import dev.edgebench.bindings.ggml.Ggml;
import dev.edgebench.model.GgmlType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The data of a kernel's sources, by role: seeded uniform values in the source's type (quantized by
 * ggml's own {@code ggml_quantize_chunk}), row ids for GET_ROWS, positions and frequency factors for
 * ROPE, distinct cache rows for SET_ROWS, causal masks for attention and soft-max. Stateless.
 */
final class SourceData {
    private SourceData() {
    }

    /** Types {@code ggml_quantize_chunk} can produce (its switch in ggml.c of the pinned source). */
    static final java.util.Set<GgmlType> QUANTIZABLE = java.util.EnumSet.of(GgmlType.Q1_0, GgmlType.Q2_0, GgmlType.Q4_0, GgmlType.Q4_1,
            GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0, GgmlType.MXFP4, GgmlType.NVFP4, GgmlType.Q2_K, GgmlType.Q3_K,
            GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.IQ2_XXS, GgmlType.IQ2_XS,
            GgmlType.IQ3_XXS, GgmlType.IQ3_S, GgmlType.IQ2_S, GgmlType.IQ1_S, GgmlType.IQ1_M, GgmlType.IQ4_NL, GgmlType.IQ4_XS,
            GgmlType.F16, GgmlType.BF16, GgmlType.F32, GgmlType.I32, GgmlType.I64);

    /**
     * test-backend-ops' run count: {@code min(free nodes, target / cost) + 1}, the target 8 GFLOP
     * (CPU) or 100 GFLOP (GPU) for ops with a FLOP count, else 8 / 32 GiB of bytes (output plus
     * full sources, test-backend-ops' op_size).
     */
    static int autoCopies(KernelSpec spec, boolean cpu) {
        long free = KernelGraph.GRAPH_NODES - 8;
        double flops = spec.flops();
        double n;
        if (flops > 0) {
            n = (cpu ? 8e9 : 100e9) / flops;
        } else {
            double size = spec.dst().nBytes();
            for (TensorShape s : spec.sources()) {
                size += s.nBytes();
            }
            n = (cpu ? 8 : 32) * (double) (1L << 30) / size;
        }
        return (int) Math.min(free, Math.floor(n)) + 1;
    }

    /** Writes source {@code i}'s data in its type into {@code out}. */
    static void encode(KernelSpec spec, int i, TensorShape s, long seed, MemorySegment out) {
        long n = s.nElements();
        switch (role(spec, i)) {
            case ROW_IDS -> {
                java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
                long rows = spec.src(0).dim(1);
                for (long k = 0; k < n; k++) {
                    out.setAtIndex(ValueLayout.JAVA_INT, k, (int) r.nextLong(rows));
                }
            }
            case POSITIONS -> {
                int base = (int) new java.util.SplittableRandom(seed).nextLong(4096);
                for (long k = 0; k < n; k++) {
                    out.setAtIndex(ValueLayout.JAVA_INT, k, base + (int) k);
                }
            }
            case STORE_IDS -> {
                long cells = spec.src(0).dim(1);
                long[] ids = distinctRows(cells, n, seed);
                for (int k = 0; k < n; k++) {
                    if (s.type() == GgmlType.I64) {
                        out.setAtIndex(ValueLayout.JAVA_LONG, k, ids[k]);
                    } else {
                        out.setAtIndex(ValueLayout.JAVA_INT, k, (int) ids[k]);
                    }
                }
            }
            case MASK -> {
                long nkv = s.dim(0);
                long rows = s.nRows();
                long queryRows = spec.src(0).dim(1);
                long rowsPerStream = s.dim(1) * s.dim(2);
                for (long r = 0; r < rows; r++) {
                    // every KV stream (dimension 3) masks its own rows the same way
                    long q = r % rowsPerStream;
                    long first = q < queryRows ? spec.firstAttendedPosition(q) : 0;
                    long end = q < queryRows ? first + spec.attendedPositions(q) : 0;
                    for (long c = 0; c < nkv; c++) {
                        boolean open = c >= first && c < end;
                        long at = r * nkv + c;
                        if (s.type() == GgmlType.F16) {
                            out.setAtIndex(ValueLayout.JAVA_SHORT, at, open ? (short) 0 : (short) 0xFC00);
                        } else {
                            out.setAtIndex(ValueLayout.JAVA_FLOAT, at, open ? 0.0f : Float.NEGATIVE_INFINITY);
                        }
                    }
                }
            }
            case FREQ_FACTORS -> {
                float[] f = InputData.uniform(seed, (int) n);
                for (int k = 0; k < n; k++) {
                    out.setAtIndex(ValueLayout.JAVA_FLOAT, k, 2.5f + 1.5f * f[k]);
                }
            }
            case VALUES -> quantize(s, seed, out);
        }
    }

    private enum Role { VALUES, ROW_IDS, POSITIONS, STORE_IDS, MASK, FREQ_FACTORS }

    private static Role role(KernelSpec spec, int i) {
        return switch (spec.kind()) {
            case GET_ROWS -> i == 1 ? Role.ROW_IDS : Role.VALUES;
            case ROPE -> i == 1 ? Role.POSITIONS : i == 2 ? Role.FREQ_FACTORS : Role.VALUES;
            case SET_ROWS -> i == 2 ? Role.STORE_IDS : Role.VALUES;
            case FLASH_ATTN_EXT -> i == 3 ? Role.MASK : Role.VALUES;
            case SOFT_MAX -> i == 1 ? Role.MASK : Role.VALUES;
            default -> Role.VALUES;
        };
    }

    private static long[] distinctRows(long cells, long n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        long[] ids = new long[(int) n];
        java.util.HashSet<Long> seen = new java.util.HashSet<>();
        for (int k = 0; k < n; k++) {
            long v;
            do {
                v = r.nextLong(cells);
            } while (n <= cells && !seen.add(v));
            ids[k] = v;
        }
        return ids;
    }

    /** Uniform [-1, 1) values, converted to the type in chunks of rows. */
    private static void quantize(TensorShape s, long seed, MemorySegment out) {
        long perRow = s.dim(0);
        long rows = s.nRows();
        long rowBytes = s.type().rowBytes(perRow);
        long chunkRows = Math.max(1, (1L << 20) / perRow);
        float[] buf = new float[(int) (chunkRows * perRow)];
        MemorySegment imatrix = MemorySegment.NULL;
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment staging = tmp.allocate(ValueLayout.JAVA_FLOAT, chunkRows * perRow);
            if (s.type().isQuantized() && Ggml.ggml_quantize_requires_imatrix(s.type().id())) {
                imatrix = tmp.allocate(ValueLayout.JAVA_FLOAT, perRow);
                for (long k = 0; k < perRow; k++) {
                    imatrix.setAtIndex(ValueLayout.JAVA_FLOAT, k, 1.0f);
                }
            }
            for (long r0 = 0; r0 < rows; r0 += chunkRows) {
                long nr = Math.min(chunkRows, rows - r0);
                int n = (int) (nr * perRow);
                InputData.uniform(seed, r0 * perRow, buf, 0, n);
                if (s.type() == GgmlType.F32) {
                    MemorySegment.copy(buf, 0, out, ValueLayout.JAVA_FLOAT, r0 * perRow * 4, n);
                    continue;
                }
                MemorySegment.copy(buf, 0, staging, ValueLayout.JAVA_FLOAT, 0, n);
                long written = Ggml.ggml_quantize_chunk(s.type().id(), staging, out.asSlice(r0 * rowBytes), 0, nr, perRow, imatrix);
                if (written != nr * rowBytes) {
                    throw new IllegalStateException("ggml_quantize_chunk wrote " + written + " bytes of " + s.type().ggmlName()
                            + ", expected " + nr * rowBytes);
                }
            }
        }
    }
}
