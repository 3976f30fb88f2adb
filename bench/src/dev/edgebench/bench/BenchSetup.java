package dev.edgebench.bench;

import dev.edgebench.engine.SessionConfig;
import dev.edgebench.engine.StepSession;
import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.engine.llama.LlamaRuntime;
import dev.edgebench.engine.llama.LlamaStepEngine;
import dev.edgebench.latency.TokenClock;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.ModelFacts;
import dev.edgebench.model.Models;
import dev.edgebench.profiling.StepHooks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Turns a benchmark's string parameters into an open {@link StepSession}: resolves (and if
 * needed forges) the model, applies GPU-aware defaults, sizes the context for the work.
 * Runs in {@code @Setup}, never on the measured path.
 */
public final class BenchSetup {
    private BenchSetup() {
    }

    /** An open engine and session; close both. */
    public record Opened(LlamaStepEngine engine, StepSession session, ModelFacts facts, Models.Ref ref) implements AutoCloseable {
        @Override
        public void close() {
            session.close();
            engine.close();
        }
    }

    /**
     * @param model         catalog NAME:TYPE or a .gguf path
     * @param batch         parallel sequences
     * @param tokensPerSeq  context each sequence needs (depth + prompt + generated)
     * @param threads       CPU threads; 0 = all available processors
     * @param nGpuLayers    "auto" (all layers when the build has a GPU, else 0), or a number (-1 = all)
     * @param flashAttn     auto | on | off
     * @param cacheType     K and V cache type, e.g. f16, q8_0
     * @param ubatch        physical batch size
     * @param sample        feed back greedy tokens instead of random ones
     */
    public static Opened open(String model, int batch, int tokensPerSeq, int threads, String nGpuLayers, String flashAttn,
                              String cacheType, int ubatch, boolean sample) {
        // NVTX ranges / JFR events only when edgebench.nvtx / edgebench.jfr ask for them (run --nvtx, --jfr)
        return open(model, batch, tokensPerSeq, threads, nGpuLayers, flashAttn, cacheType, ubatch, sample,
                StepHooks.fromSystemProperties());
    }

    /** {@link #open(String, int, int, int, String, String, String, int, boolean)} with the given profiling hooks. */
    public static Opened open(String model, int batch, int tokensPerSeq, int threads, String nGpuLayers, String flashAttn,
                              String cacheType, int ubatch, boolean sample, StepHooks hooks) {
        Models.Ref ref = Models.parse(model, Catalog.builtin());
        Path file = LlamaQuantizer.resolve(ref);
        ModelFacts facts;
        try {
            facts = ModelFacts.of(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, was " + batch);
        }
        if (facts.nCtxTrain() > 0 && tokensPerSeq > facts.nCtxTrain()) {
            throw new IllegalArgumentException("each sequence needs " + tokensPerSeq + " tokens of context, more than "
                    + ref.label() + " was trained for (" + facts.nCtxTrain() + ")");
        }
        int ngl = resolveGpuLayers(nGpuLayers);
        int nThreads = threads > 0 ? threads : LlamaRuntime.get().defaultThreads(ngl, facts.nLayer());
        GgmlType kv = GgmlType.parse(cacheType);
        int nCtx = Math.multiplyExact(batch, tokensPerSeq);
        int nBatch = Math.max(2048, batch);
        SessionConfig c = new SessionConfig(file, ngl, nCtx, nBatch, Math.min(ubatch, nBatch), batch, nThreads, flashAttn, kv, kv,
                1234);
        LlamaStepEngine engine = new LlamaStepEngine();
        try {
            StepSession s = hooks.wrap(hooks.load(() -> engine.open(c, sample), batch));
            TokenClock.setFacts(new TokenClock.RunFacts(batch, facts.weightBytesPerToken(), ref.toString(), nThreads));
            return new Opened(engine, s, facts, ref);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /** @return -1 (all) when "auto" and the build can offload, 0 when "auto" without a GPU, else the number */
    public static int resolveGpuLayers(String nGpuLayers) {
        if (nGpuLayers == null || nGpuLayers.equals("auto")) {
            return LlamaRuntime.get().supportsGpuOffload() ? -1 : 0;
        }
        try {
            return Integer.parseInt(nGpuLayers);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("nGpuLayers must be auto or an integer, was '" + nGpuLayers + "'");
        }
    }
}
