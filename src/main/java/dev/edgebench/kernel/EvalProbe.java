package dev.edgebench.kernel;

import dev.edgebench.bindings.ggml.ggml_tensor;
import dev.edgebench.bindings.llama.ggml_backend_sched_eval_callback;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The engine's graph evaluation callback ({@code ggml_backend_sched_eval_callback}), used two
 * ways:
 *
 * <ul>
 *   <li>{@link Mode#CAPTURE}: records every compute node and asks for none, so the scheduler
 *       computes each split in one piece exactly as without a callback;</li>
 *   <li>{@link Mode#TIME}: asks for every compute node (views, reshapes and permutes compute
 *       nothing and are not asked for), so the scheduler computes the graph node by node and
 *       synchronizes after each; the time from the "ask" answer to the "done" call is the node's
 *       compute. The node's op, name and shapes are read after that interval closes (a prompt
 *       of several micro-batches rebuilds the graph in the same memory, so they cannot wait for
 *       the end of the step); nothing is read or allocated inside the timed interval.</li>
 * </ul>
 *
 * Owns its upcall stub; close it after every context that uses it. Not thread-safe: the
 * scheduler calls it from the thread that runs {@code llama_decode}.
 */
final class EvalProbe implements AutoCloseable {
    /** What the callback does. */
    enum Mode { OFF, CAPTURE, TIME }

    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final long OP_OFFSET = ggml_tensor.op$offset();
    private static final int CAPACITY = 1 << 16;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment stub;
    private final GraphNode[] nodes = new GraphNode[CAPACITY];
    private final long[] nanos = new long[CAPACITY];
    private int count;
    private boolean overflow;
    private long start;
    private Mode mode = Mode.OFF;

    EvalProbe() {
        this.stub = ggml_backend_sched_eval_callback.allocate(this::apply, arena);
    }

    /** @return the upcall stub to pass as {@code cb_eval} */
    MemorySegment stub() {
        return stub;
    }

    /** Starts recording in a mode, forgetting what was recorded. */
    void start(Mode m) {
        mode = m;
        count = 0;
        overflow = false;
    }

    /** Stops recording. */
    void stop() {
        mode = Mode.OFF;
    }

    private boolean apply(MemorySegment t, boolean ask, MemorySegment userData) {
        if (mode == Mode.OFF) {
            return false;
        }
        if (ask) {
            if (GraphNode.isViewOp(ALL.get(ValueLayout.JAVA_INT, t.address() + OP_OFFSET))) {
                return false;
            }
            if (mode == Mode.CAPTURE) {
                record(t, 0);
                return false;
            }
            start = System.nanoTime();
            return true;
        }
        long ns = System.nanoTime() - start;
        record(t, ns);
        return true;
    }

    /** Keeps a node; an empty node (it computes nothing) is left out. */
    private void record(MemorySegment t, long ns) {
        if (count == CAPACITY) {
            overflow = true;
            return;
        }
        GraphNode n = GraphNode.read(t);
        if (n != null) {
            nodes[count] = n;
            nanos[count] = ns;
            count++;
        }
    }

    /** Recorded nodes and, in TIME mode, each one's compute time in ns (same order). */
    record Recording(List<GraphNode> nodes, long[] nanos) {
    }

    /**
     * The recorded nodes of the last step.
     *
     * @throws IllegalStateException when the step had more nodes than the probe holds
     */
    Recording recording() {
        if (overflow) {
            throw new IllegalStateException("the step ran more than " + CAPACITY + " compute nodes; the probe kept the first "
                    + CAPACITY);
        }
        return new Recording(List.of(java.util.Arrays.copyOf(nodes, count)), java.util.Arrays.copyOf(nanos, count));
    }

    /** Frees the upcall stub. Idempotent. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
