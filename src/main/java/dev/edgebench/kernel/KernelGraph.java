package dev.edgebench.kernel;

import dev.edgebench.bindings.ggml.Ggml;
import dev.edgebench.bindings.ggml.ggml_init_params;
import dev.edgebench.bindings.ggml.ggml_tensor;
import dev.edgebench.model.GgmlType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
    /** Nodes one copy of the op can add: the op, a view and a permutation for each of up to 4 sources. */
    private static final int MAX_NODES_PER_VARIANT = 9;

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
            if (!SourceData.QUANTIZABLE.contains(s.type())) {
                throw new Skip(spec.kind() + " with " + s.type().ggmlName() + " input: ggml has no quantize function to make "
                        + s.type().ggmlName() + " data (ggml_quantize_chunk)");
            }
        }
        boolean[] rotated = SourceLayout.rotatedSources(spec);
        long rotatedBytes = 0;
        for (int i = 0; i < rotated.length; i++) {
            if (rotated[i]) {
                rotatedBytes += spec.src(i).nBytes();
            }
        }
        int copies = options.copies() > 0 ? options.copies() : SourceData.autoCopies(spec, backend.isCpu());
        int variants = 1;
        if (options.coldBytes() > 0 && rotatedBytes > 0) {
            variants = (int) Math.min(copies, Math.max(1, (options.coldBytes() + rotatedBytes - 1) / rotatedBytes));
            // every variant's op and source views must fit the graph's nodes (else ggml's node-count assertion)
            variants = Math.min(variants, (GRAPH_NODES - FIRST_GRAPH_NODES) / MAX_NODES_PER_VARIANT);
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
                    shared[i] = SourceLayout.newTensor(SourceLayout.isWeight(spec, i) ? ctxW : ctxD, SourceLayout.storage(spec, i));
                }
            }
            MemorySegment[] nodes = new MemorySegment[variants];
            MemorySegment[] sharedArgs = new MemorySegment[spec.sources().size()];
            for (int v = 0; v < variants; v++) {
                MemorySegment[] args = new MemorySegment[spec.sources().size()];
                for (int i = 0; i < spec.sources().size(); i++) {
                    if (rotated[i]) {
                        src[v][i] = SourceLayout.newTensor(SourceLayout.isWeight(spec, i) ? ctxW : ctxD, SourceLayout.storage(spec, i));
                        args[i] = SourceLayout.argument(ctxD, spec, i, src[v][i]);
                    } else {
                        src[v][i] = shared[i];
                        if (sharedArgs[i] == null) {
                            sharedArgs[i] = SourceLayout.argument(ctxD, spec, i, shared[i]);
                        }
                        args[i] = sharedArgs[i];
                    }
                }
                nodes[v] = KernelOp.op(ctxD, spec, args);
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
            SourceLayout.fill(spec, src, options.seed());
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
                if (SourceLayout.isWeight(spec, i)) {
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
