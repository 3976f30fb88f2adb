package dev.edgebench.kernel;

import dev.edgebench.bindings.ggml.Ggml;
import dev.edgebench.bindings.ggml.ggml_init_params;
import dev.edgebench.bindings.ggml.ggml_tensor;
import dev.edgebench.model.GgmlType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One kernel as a ggml graph ready to compute on a backend: the op node repeated {@code copies}
 * times in one graph, the way llama.cpp's test-backend-ops times an op ({@code eval_perf}: one
 * graph of up to 8192 nodes, the op duplicated until the graph does ~8 GFLOP on a CPU / 100 GFLOP
 * on a GPU, or moves 8 / 32 GiB when the op has no FLOP count), so that one compute call is long
 * enough to time and launch costs are spread over many runs.
 *
 * <p>Inputs are filled once, at build, with seeded random data ({@link InputData}; quantized
 * types through {@code ggml_quantize_chunk}, never zeros); index inputs are seeded random rows,
 * positions and attention masks as the spec describes.
 *
 * <p>Owns two ggml contexts (tensor metadata, the graph) and two backend buffers (weights and
 * everything else); {@link #close()} frees them, buffers before contexts. {@link #run()} allocates
 * nothing. Not thread-safe; the backend must outlive the graph.
 */
public final class KernelGraph implements AutoCloseable {
    /** Nodes per graph, as test-backend-ops uses. */
    public static final int GRAPH_NODES = 8192;
    /** Nodes of the small graph of the first copy alone (its op and the views it reads). */
    private static final int FIRST_GRAPH_NODES = 64;
    private static final double GIB = 1L << 30;

    /** Where the weight sources (of MUL_MAT and GET_ROWS) live. */
    public enum Placement {
        /** The device's default buffer type, as test-backend-ops allocates. */
        DEVICE,
        /**
         * The buffer type llama.cpp gives a model weight: the first of its candidates
         * ({@link GgmlBackend#engineWeightBufferTypes()}) with which the device supports the op.
         * On a CPU-only build that is the repacking buffer for Q4_0, Q4_K, IQ4_NL, ... (laid out
         * for the SIMD kernels) and the plain CPU buffer otherwise; on a GPU build's CPU, the GPU's
         * pinned host buffer (llama.cpp prefers it, so CPU weights are not repacked there); on a GPU,
         * the GPU's own.
         */
        ENGINE;

        /** @throws IllegalArgumentException listing the names */
        public static Placement parse(String s) {
            for (Placement p : values()) {
                if (p.name().equalsIgnoreCase(s.strip())) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown weight placement '" + s + "'; use device or engine");
        }
    }

    /**
     * How to build.
     *
     * @param copies     op nodes per graph; 0 = sized like test-backend-ops; at most what the graph
     *                   holds ({@link #GRAPH_NODES} less the nodes the op itself adds)
     * @param placement  where weights live
     * @param coldBytes  0: every copy reads the same inputs (test-backend-ops; weights stay in
     *                   cache when they fit); &gt; 0: copies rotate over as many distinct weight (and
     *                   K/V) tensors as make up this many bytes, so that each copy reads its
     *                   weights from memory as in a real step, where every layer has its own
     * @param seed       input data seed
     */
    public record Options(int copies, Placement placement, long coldBytes, long seed) {
        public Options {
            if (copies < 0 || copies > GRAPH_NODES) {
                throw new IllegalArgumentException("copies must be 0 (auto) or 1.." + GRAPH_NODES + ", was " + copies);
            }
            if (coldBytes < 0) {
                throw new IllegalArgumentException("coldBytes must be >= 0, was " + coldBytes);
            }
        }

        /** test-backend-ops' protocol: auto copies, device buffers, shared inputs, seed 2026. */
        public static Options testBackendOps() {
            return new Options(0, Placement.DEVICE, 0, 2026);
        }
    }

    /** The op or type cannot run on the backend; nothing was left allocated. */
    public static final class Skip extends Exception {
        /** @param reason what is not supported, naming the op, the types and the backend */
        public Skip(String reason) {
            super(reason);
        }

        /** @return the reason */
        public String reason() {
            return getMessage();
        }
    }

    /** Types {@code ggml_quantize_chunk} can produce (its switch in ggml.c of the pinned source). */
    private static final Set<GgmlType> QUANTIZABLE = EnumSet.of(GgmlType.Q1_0, GgmlType.Q2_0, GgmlType.Q4_0, GgmlType.Q4_1,
            GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0, GgmlType.MXFP4, GgmlType.NVFP4, GgmlType.Q2_K, GgmlType.Q3_K,
            GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.IQ2_XXS, GgmlType.IQ2_XS,
            GgmlType.IQ3_XXS, GgmlType.IQ3_S, GgmlType.IQ2_S, GgmlType.IQ1_S, GgmlType.IQ1_M, GgmlType.IQ4_NL, GgmlType.IQ4_XS,
            GgmlType.F16, GgmlType.BF16, GgmlType.F32, GgmlType.I32, GgmlType.I64);

    private final GgmlBackend backend;
    private final KernelSpec spec;
    private final MemorySegment ctxWeights;
    private final MemorySegment ctxData;
    private final List<MemorySegment> buffers;
    private final MemorySegment graph;
    private final MemorySegment firstGraph;
    private final MemorySegment[] nodes;
    private final int copies;
    private final String weightBuffer;
    private boolean closed;

    private KernelGraph(GgmlBackend backend, KernelSpec spec, MemorySegment ctxWeights, MemorySegment ctxData,
                        List<MemorySegment> buffers, MemorySegment graph, MemorySegment firstGraph, MemorySegment[] nodes,
                        int copies, String weightBuffer) {
        this.backend = backend;
        this.spec = spec;
        this.ctxWeights = ctxWeights;
        this.ctxData = ctxData;
        this.buffers = List.copyOf(buffers);
        this.graph = graph;
        this.firstGraph = firstGraph;
        this.nodes = nodes;
        this.copies = copies;
        this.weightBuffer = weightBuffer;
    }

    /**
     * Builds, allocates and fills the graph of a kernel.
     *
     * @throws Skip                     when the backend does not support the op with these types,
     *                                  ggml cannot produce data of a source type, or the device
     *                                  cannot hold the tensors
     * @throws IllegalArgumentException when the spec is malformed (shapes ggml would reject)
     */
    public static KernelGraph build(GgmlBackend backend, KernelSpec spec, Options options) throws Skip {
        String problem = spec.problem();
        if (problem != null) {
            throw new IllegalArgumentException("kernel '" + spec + "' is malformed: " + problem);
        }
        for (TensorShape s : spec.sources()) {
            if (!QUANTIZABLE.contains(s.type())) {
                throw new Skip(spec.kind() + " with " + s.type().ggmlName() + " input: ggml has no quantize function to make "
                        + s.type().ggmlName() + " data (ggml_quantize_chunk)");
            }
        }
        boolean[] rotated = rotatedSources(spec);
        long rotatedBytes = 0;
        for (int i = 0; i < rotated.length; i++) {
            if (rotated[i]) {
                rotatedBytes += spec.src(i).nBytes();
            }
        }
        int copies = options.copies() > 0 ? options.copies() : autoCopies(spec, backend.isCpu());
        int variants = 1;
        if (options.coldBytes() > 0 && rotatedBytes > 0) {
            variants = (int) Math.min(copies, Math.max(1, (options.coldBytes() + rotatedBytes - 1) / rotatedBytes));
        }
        int nTensors = variants * (3 * spec.sources().size() + 3) + 16;
        MemorySegment ctxW = newContext(nTensors, false);
        MemorySegment ctxD = newContext(nTensors, true);
        List<MemorySegment> buffers = new ArrayList<>();
        try {
            MemorySegment[][] src = new MemorySegment[variants][spec.sources().size()];
            MemorySegment[] shared = new MemorySegment[spec.sources().size()];
            for (int i = 0; i < spec.sources().size(); i++) {
                if (!rotated[i]) {
                    shared[i] = newTensor(isWeight(spec, i) ? ctxW : ctxD, storage(spec, i));
                }
            }
            MemorySegment[] nodes = new MemorySegment[variants];
            MemorySegment[] sharedArgs = new MemorySegment[spec.sources().size()];
            for (int v = 0; v < variants; v++) {
                MemorySegment[] args = new MemorySegment[spec.sources().size()];
                for (int i = 0; i < spec.sources().size(); i++) {
                    if (rotated[i]) {
                        src[v][i] = newTensor(isWeight(spec, i) ? ctxW : ctxD, storage(spec, i));
                        args[i] = argument(ctxD, spec, i, src[v][i]);
                    } else {
                        src[v][i] = shared[i];
                        if (sharedArgs[i] == null) {
                            sharedArgs[i] = argument(ctxD, spec, i, shared[i]);
                        }
                        args[i] = sharedArgs[i];
                    }
                }
                nodes[v] = op(ctxD, spec, args);
            }
            MemorySegment graph = Ggml.ggml_new_graph_custom(ctxD, GRAPH_NODES, false);
            for (MemorySegment n : nodes) {
                Ggml.ggml_build_forward_expand(graph, n);
            }
            int room = GRAPH_NODES - Ggml.ggml_graph_n_nodes(graph);
            int total = Math.min(copies, room + variants);
            for (int c = variants; c < total; c++) {
                Ggml.ggml_graph_add_node(graph, nodes[c % variants]);
            }
            MemorySegment first = Ggml.ggml_new_graph_custom(ctxD, FIRST_GRAPH_NODES, false);
            Ggml.ggml_build_forward_expand(first, nodes[0]);
            String weightBuft = allocate(backend, spec, options.placement(), ctxW, ctxD, nodes[0], buffers);
            if (!backend.supportsOp(nodes[0])) {
                throw new Skip(backend.deviceName() + " does not support " + spec + " (ggml_backend_supports_op, weights in "
                        + weightBuft + ")");
            }
            fill(spec, src, options.seed());
            return new KernelGraph(backend, spec, ctxW, ctxD, buffers, graph, first, nodes, total, weightBuft);
        } catch (Skip | RuntimeException e) {
            for (MemorySegment b : buffers) {
                Ggml.ggml_backend_buffer_free(b);
            }
            Ggml.ggml_free(ctxD);
            Ggml.ggml_free(ctxW);
            throw e;
        }
    }

    /**
     * Allocates the weights context in the chosen buffer type and the data context in the
     * backend's default one, adding each buffer to {@code owned} as it is made.
     *
     * @return the weight buffer type's name
     */
    private static String allocate(GgmlBackend backend, KernelSpec spec, Placement placement, MemorySegment ctxW,
                                   MemorySegment ctxD, MemorySegment node, List<MemorySegment> owned) throws Skip {
        MemorySegment buft = backend.defaultBufferType();
        if (placement == Placement.ENGINE) {
            MemorySegment w = MemorySegment.NULL;
            MemorySegment srcs = ggml_tensor.src(node.reinterpret(ggml_tensor.layout().byteSize()));
            for (int i = 0; i < spec.sources().size(); i++) {
                if (isWeight(spec, i)) {
                    w = srcs.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(ggml_tensor.layout().byteSize());
                }
            }
            if (w.address() != 0) {
                for (MemorySegment candidate : backend.engineWeightBufferTypes()) {
                    if (weightBufferSupports(candidate, w, node)) {
                        buft = candidate;
                        break;
                    }
                }
            }
        }
        String name = GgmlBackend.cString(Ggml.ggml_backend_buft_name(buft));
        if (Ggml.ggml_get_first_tensor(ctxW).address() != 0) {
            MemorySegment b = Ggml.ggml_backend_alloc_ctx_tensors_from_buft(ctxW, buft);
            if (b.address() == 0) {
                throw new Skip("cannot allocate the weights of " + spec + " in " + name + " on " + backend.deviceName());
            }
            Ggml.ggml_backend_buffer_set_usage(b, Ggml.GGML_BACKEND_BUFFER_USAGE_WEIGHTS());
            owned.add(b);
        }
        MemorySegment d = Ggml.ggml_backend_alloc_ctx_tensors(ctxD, backend.handle());
        if (d.address() == 0) {
            throw new Skip("cannot allocate the inputs and outputs of " + spec + " on " + backend.deviceName());
        }
        owned.add(d);
        return name;
    }

    /**
     * llama.cpp's weight_buft_supported: the weight placed in an empty buffer of that type, the
     * buffer type's own device asked whether it runs the op.
     */
    private static boolean weightBufferSupports(MemorySegment buft, MemorySegment weight, MemorySegment node) {
        MemorySegment dev = Ggml.ggml_backend_buft_get_device(buft);
        MemorySegment dummy = Ggml.ggml_backend_buft_alloc_buffer(buft, 0);
        if (dev.address() == 0 || dummy.address() == 0) {
            return false;
        }
        try {
            ggml_tensor.buffer(weight, dummy);
            return Ggml.ggml_backend_dev_supports_op(dev, node);
        } finally {
            ggml_tensor.buffer(weight, MemorySegment.NULL);
            Ggml.ggml_backend_buffer_free(dummy);
        }
    }

    private static MemorySegment newContext(int nTensors, boolean withGraph) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment p = ggml_init_params.allocate(tmp);
            ggml_init_params.mem_size(p, Ggml.ggml_tensor_overhead() * nTensors
                    + (withGraph ? Ggml.ggml_graph_overhead_custom(GRAPH_NODES, false)
                    + Ggml.ggml_graph_overhead_custom(FIRST_GRAPH_NODES, false) : 0));
            ggml_init_params.mem_buffer(p, MemorySegment.NULL);
            ggml_init_params.no_alloc(p, true);
            MemorySegment ctx = Ggml.ggml_init(p);
            if (ctx.address() == 0) {
                throw new IllegalStateException("ggml_init returned NULL for a metadata context of " + nTensors + " tensors");
            }
            return ctx;
        }
    }

    /**
     * Attention sources are laid out as llama.cpp lays them out: K (and V under flash attention)
     * as per-head views of a cache tensor [dim x heads, cells], Q as a permutation of the
     * projection's [dim, heads, tokens]. Every other source is a contiguous tensor of its shape.
     */
    private enum Layout { PLAIN, KV_CACHE, PERMUTED_Q }

    private static Layout layout(KernelSpec spec, int i) {
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
    private static TensorShape storage(KernelSpec spec, int i) {
        TensorShape s = spec.src(i);
        return switch (layout(spec, i)) {
            case PLAIN -> s;
            case KV_CACHE -> TensorShape.of(s.type(), s.dim(0) * s.dim(2), s.dim(1));
            case PERMUTED_Q -> TensorShape.of(s.type(), s.dim(0), s.dim(2), s.dim(1));
        };
    }

    /** The tensor the op takes for a source: the stored tensor, or the view llama.cpp passes. */
    private static MemorySegment argument(MemorySegment ctx, KernelSpec spec, int i, MemorySegment stored) {
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

    private static MemorySegment newTensor(MemorySegment ctx, TensorShape s) {
        long[] ne = s.ne4();
        return Ggml.ggml_new_tensor_4d(ctx, s.type().id(), ne[0], ne[1], ne[2], ne[3]);
    }

    /** Sources a real step reads from a different place on each use: weights, K and V. */
    private static boolean[] rotatedSources(KernelSpec spec) {
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
    private static boolean isWeight(KernelSpec spec, int source) {
        if (source != 0 || spec.src(0).ne().length > 2) {
            return false;
        }
        return spec.kind() == OpKind.MUL_MAT || (spec.kind() == OpKind.GET_ROWS && spec.src(0).type() != GgmlType.F32);
    }

    private static MemorySegment op(MemorySegment ctx, KernelSpec spec, MemorySegment[] s) {
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

    /**
     * test-backend-ops' run count: {@code min(free nodes, target / cost) + 1}, the target 8 GFLOP
     * (CPU) or 100 GFLOP (GPU) for ops with a FLOP count, else 8 / 32 GiB of bytes (output plus
     * full sources, test-backend-ops' op_size).
     */
    static int autoCopies(KernelSpec spec, boolean cpu) {
        long free = GRAPH_NODES - 8;
        double flops = spec.flops();
        double n;
        if (flops > 0) {
            n = (cpu ? 8e9 : 100e9) / flops;
        } else {
            double size = spec.dst().nBytes();
            for (TensorShape s : spec.sources()) {
                size += s.nBytes();
            }
            n = (cpu ? 8 : 32) * GIB / size;
        }
        return (int) Math.min(free, Math.floor(n)) + 1;
    }

    /** Fills every source once per distinct tensor. */
    private static void fill(KernelSpec spec, MemorySegment[][] src, long seed) {
        for (int i = 0; i < spec.sources().size(); i++) {
            TensorShape s = storage(spec, i);
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment data = tmp.allocate(s.nBytes(), 64);
                encode(spec, i, s, InputData.sourceSeed(seed, i), data);
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

    /** Writes source {@code i}'s data in its type into {@code out}. */
    private static void encode(KernelSpec spec, int i, TensorShape s, long seed, MemorySegment out) {
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

    /**
     * Computes the graph once and waits for the device: {@code copies()} runs of the op. Allocates
     * nothing.
     *
     * @throws IllegalStateException when the backend reports a failure
     */
    public void run() {
        int status = backend.compute(graph());
        backend.synchronize();
        if (status != 0) {
            throw new IllegalStateException("ggml_backend_graph_compute returned status " + status + " for " + spec + " on "
                    + backend.deviceName());
        }
    }

    /**
     * Computes a graph of the first copy alone and waits for the device: test-backend-ops' warm-up,
     * which runs its op once before it duplicates the node. On CUDA the backend keys its captured
     * graphs by the first node, so the full graph's next compute then counts as changed and runs
     * uncaptured, and the one after it captures: both in test-backend-ops' timed region.
     */
    public void runFirstCopy() {
        graph();
        int status = backend.compute(firstGraph);
        backend.synchronize();
        if (status != 0) {
            throw new IllegalStateException("ggml_backend_graph_compute returned status " + status + " for the first copy of "
                    + spec + " on " + backend.deviceName());
        }
    }

    /** @return op runs per {@link #run()} */
    public int copies() {
        return copies;
    }

    /** @return distinct input sets the copies rotate over (1 unless built cold) */
    public int variants() {
        return nodes.length;
    }

    /** @return the kernel */
    public KernelSpec spec() {
        return spec;
    }

    /** @return the buffer type the weights live in, e.g. "CPU" or "CPU_REPACK" */
    public String weightBuffer() {
        return weightBuffer;
    }

    /** @return the backend */
    public GgmlBackend backend() {
        return backend;
    }

    /**
     * Reads the output of the first copy as floats (F32 outputs only), for checks.
     *
     * @throws IllegalStateException when the output is not F32
     */
    public float[] output() {
        TensorShape d = spec.dst();
        if (d.type() != GgmlType.F32) {
            throw new IllegalStateException("output of " + spec + " is " + d.type().ggmlName() + ", not f32");
        }
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment buf = tmp.allocate(d.nBytes(), 64);
            Ggml.ggml_backend_tensor_get(nodes[0], buf, 0, d.nBytes());
            return buf.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    private MemorySegment graph() {
        if (closed) {
            throw new IllegalStateException("KernelGraph is closed (" + spec + ")");
        }
        return graph;
    }

    /** Frees the buffers, then the contexts. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (MemorySegment b : buffers) {
            Ggml.ggml_backend_buffer_free(b);
        }
        Ggml.ggml_free(ctxData);
        Ggml.ggml_free(ctxWeights);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s on %s, %d copies over %d input sets, weights in %s", spec, backend.deviceName(),
                copies, nodes.length, weightBuffer);
    }
}
