package dev.edgebench.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The parameters every engine benchmark shares, and the session they open. Subclasses are the
 * benchmarks' {@code @State} classes: they add their workload parameters and call
 * {@link #open(BenchmarkParams, int, boolean)} from their trial setup. A setup failure is
 * recorded in the run folder (with its reason) before JMH sees it, so run.json can say why the
 * benchmark failed.
 */
@State(Scope.Benchmark)
public abstract class EngineState {
    /** Catalog NAME:TYPE[@SEED] or a .gguf path. */
    @Param({"Llama-3.2-1B:Q4_0"})
    public String model;
    /** Parallel sequences. */
    @Param({"1"})
    public int batch;
    /** CPU threads; 0 = all available processors. */
    @Param({"0"})
    public int threads;
    /** "auto" (all layers when the build has a GPU, else 0) or a number (-1 = all). */
    @Param({"auto"})
    public String nGpuLayers;
    /** auto, on or off. */
    @Param({"auto"})
    public String flashAttn;
    /** K and V cache type. */
    @Param({"f16"})
    public String cacheType;
    /** Physical batch size. */
    @Param({"512"})
    public int ubatch;

    BenchSetup.Opened opened;
    /** Wait for the rest of edgebench to go quiet before each sample (see {@link Settle}). */
    boolean settle;

    /**
     * Opens the session, then warms the engine up untimed.
     *
     * @param tokensPerSeq context each sequence needs
     * @param sample       feed back greedy tokens
     */
    protected void open(BenchmarkParams params, int tokensPerSeq, boolean sample) {
        try {
            opened = BenchSetup.open(model, batch, tokensPerSeq, threads, nGpuLayers, flashAttn, cacheType, ubatch, sample);
            opened.session().warmup();
            var facts = dev.edgebench.latency.TokenClock.facts();
            settle = facts != null && Settle.needed(BenchSetup.resolveGpuLayers(nGpuLayers), facts.cpuThreads());
        } catch (Throwable t) {
            RunFiles.recordFailure(BenchId.of(params), t);
            throw t;
        }
    }

    /** Empties the cache and prefills {@code depth} tokens untimed; then, where needed, waits for the rest of edgebench to go quiet. */
    protected void toDepth(int depth) {
        opened.session().truncate(0);
        if (depth > 0) {
            opened.session().prefill(depth);
        }
        if (settle) {
            Settle.waitForQuiet();
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        if (opened != null) {
            opened.close();
        }
    }

    static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + v);
        }
    }
}
