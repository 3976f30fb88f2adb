package dev.edgebench.kernel;

import dev.edgebench.engine.llama.LlamaBatch;
import dev.edgebench.engine.llama.LlamaContext;
import dev.edgebench.engine.llama.LlamaContextParams;
import dev.edgebench.engine.llama.LlamaModel;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One inference step of a real model through the engine, repeatable at a fixed depth: the step
 * of a {@link Phase} (decode: one token for each of {@code batch} sequences at {@code depth};
 * prefill: the prompt after {@code depth} cached tokens) is decoded, synchronized, and its tokens
 * removed from the KV cache again, so that every run sees the same shapes as the op inventory of
 * that phase. Token ids are seeded random, as llama-bench's.
 *
 * <p>Owns a context (and its batch) on the given model; {@link #close()} frees them, not the
 * model. A context made with an {@link EvalProbe} exposes the per-node callback; the probe must
 * outlive this object. Not thread-safe.
 */
public final class EngineStep implements AutoCloseable {
    private final LlamaContext context;
    private final LlamaBatch batch;
    private final Phase phase;
    private final int nVocab;
    private final SplittableRandom random;
    private final EvalProbe probe;

    private EngineStep(LlamaContext context, LlamaBatch batch, Phase phase, long seed, EvalProbe probe) {
        this.context = context;
        this.batch = batch;
        this.phase = phase;
        this.nVocab = context.nVocab();
        this.random = new SplittableRandom(seed);
        this.probe = probe;
    }

    /**
     * Creates a context for the phase and fills each sequence's cache to the phase's depth.
     *
     * @param model     a loaded model
     * @param phase     the step
     * @param threads   CPU threads for decode and batches (&gt;= 1)
     * @param attention flash attention (on/off, not auto, so the graph matches the inventory) and cache types
     * @param seed      token seed
     * @param profiled  whether to attach an eval-callback probe ({@link #captureNodes()}, {@link #timeNodes()})
     */
    public static EngineStep open(LlamaModel model, Phase phase, int threads, AttentionConfig attention, long seed,
                                  boolean profiled) {
        EvalProbe probe = profiled ? new EvalProbe() : null;
        int nBatch = Math.max(phase.kind() == Phase.Kind.PREFILL ? phase.tokens() : phase.batch(), 512);
        int nUbatch = phase.kind() == Phase.Kind.PREFILL ? Math.min(phase.ubatch(), nBatch) : Math.min(512, nBatch);
        LlamaContextParams p = LlamaContextParams.of(phase.contextSize(), phase.batch(), threads).withBatch(nBatch, nUbatch)
                .withAttention(attention.flashAttn() ? LlamaContext.FlashAttn.ON : LlamaContext.FlashAttn.OFF,
                        attention.typeK(), attention.typeV());
        if (probe != null) {
            p = p.withEvalCallback(probe.stub());
        }
        LlamaContext ctx = null;
        LlamaBatch b = null;
        try {
            ctx = model.newContext(p);
            b = new LlamaBatch(nBatch, 1);
            EngineStep s = new EngineStep(ctx, b, phase, seed, probe);
            s.fillDepth();
            return s;
        } catch (RuntimeException e) {
            if (b != null) {
                b.close();
            }
            if (ctx != null) {
                ctx.close();
            }
            if (probe != null) {
                probe.close();
            }
            throw e;
        }
    }

    private void fillDepth() {
        for (int seq = 0; seq < phase.batch(); seq++) {
            for (int p0 = 0; p0 < phase.depth(); p0 += batch.capacity()) {
                int n = Math.min(batch.capacity(), phase.depth() - p0);
                batch.clear();
                for (int i = 0; i < n; i++) {
                    batch.add(token(), p0 + i, seq, false);
                }
                batch.setLogits(n - 1, true);
                context.decode(batch);
            }
        }
        context.synchronize();
    }

    private int token() {
        return random.nextInt(nVocab);
    }

    /** Fills the batch with the step's tokens; allocates nothing. */
    private void prepare() {
        batch.clear();
        if (phase.kind() == Phase.Kind.DECODE) {
            for (int seq = 0; seq < phase.batch(); seq++) {
                batch.add(token(), phase.depth(), seq, true);
            }
        } else {
            for (int i = 0; i < phase.tokens(); i++) {
                batch.add(token(), phase.depth() + i, 0, i == phase.tokens() - 1);
            }
        }
    }

    /** Removes the step's tokens from every sequence. */
    private void rollback() {
        context.removeFromMemory(-1, phase.depth(), -1);
    }

    /**
     * Runs the step once and rolls it back.
     *
     * @return nanoseconds from the decode call to the end of synchronize
     */
    public long runNs() {
        prepare();
        long t0 = System.nanoTime();
        context.decode(batch);
        context.synchronize();
        long dt = System.nanoTime() - t0;
        rollback();
        return dt;
    }

    /**
     * Runs the step with the probe recording every compute node, computing the graph as without
     * a callback.
     *
     * @return the step's compute nodes, in execution order
     * @throws IllegalStateException when the step was opened without a probe
     */
    public List<GraphNode> captureNodes() {
        EvalProbe p = probe();
        p.start(EvalProbe.Mode.CAPTURE);
        try {
            prepare();
            context.decode(batch);
            context.synchronize();
            List<GraphNode> nodes = p.recording().nodes();
            rollback();
            return nodes;
        } finally {
            p.stop();
        }
    }

    /** Compute nodes of one step and each one's time. */
    public record NodeTimes(List<GraphNode> nodes, long[] nanos, long stepNs) {
    }

    /**
     * Runs the step node by node, timing each node's compute.
     *
     * @return the nodes with their times, and the whole step's time (which includes the callback's cost)
     * @throws IllegalStateException when the step was opened without a probe
     */
    public NodeTimes timeNodes() {
        EvalProbe p = probe();
        p.start(EvalProbe.Mode.TIME);
        try {
            prepare();
            long t0 = System.nanoTime();
            context.decode(batch);
            context.synchronize();
            long dt = System.nanoTime() - t0;
            p.stop();
            EvalProbe.Recording r = p.recording();
            NodeTimes out = new NodeTimes(r.nodes(), r.nanos(), dt);
            rollback();
            return out;
        } finally {
            p.stop();
        }
    }

    private EvalProbe probe() {
        if (probe == null) {
            throw new IllegalStateException("this EngineStep was opened without a probe (profiled = false)");
        }
        return probe;
    }

    /** @return the step */
    public Phase phase() {
        return phase;
    }

    /** Frees the batch and the context, then the probe. Idempotent. */
    @Override
    public void close() {
        batch.close();
        context.close();
        if (probe != null) {
            probe.close();
        }
    }
}
