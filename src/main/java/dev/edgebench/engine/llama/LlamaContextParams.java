package dev.edgebench.engine.llama;

import dev.edgebench.model.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * What a {@link LlamaContext} is made with ({@link LlamaModel#newContext}); names mirror {@code llama_context_params}.
 *
 * @param nCtx          context size in tokens, over all sequences ({@code n_ctx}), > 0
 * @param nBatch        most tokens one {@code llama_decode} call may take ({@code n_batch}), > 0
 * @param nUbatch       physical batch size ({@code n_ubatch}), 1..nBatch
 * @param nSeqMax       distinct sequences ({@code n_seq_max}), >= 1
 * @param nThreads      threads for single-token decode ({@code n_threads}), >= 1
 * @param nThreadsBatch threads for prompt batches ({@code n_threads_batch}), >= 1
 * @param flashAttn     flash attention
 * @param typeK         K cache type
 * @param typeV         V cache type
 * @param offloadKqv    keep the KV cache and attention on the GPU
 * @param kvUnified     one KV buffer shared by all sequences (llama.cpp's default: false, one stream
 *                      per sequence, faster when sequences share no prefix)
 * @param poll          CPU threadpool polling level 0..100 ({@code ggml_threadpool_params.poll};
 *                      llama-bench's default is 50)
 * @param evalCallback  a {@code ggml_backend_sched_eval_callback} upcall stub, or null
 */
public record LlamaContextParams(int nCtx, int nBatch, int nUbatch, int nSeqMax, int nThreads, int nThreadsBatch,
                                 LlamaContext.FlashAttn flashAttn, GgmlType typeK, GgmlType typeV, boolean offloadKqv,
                                 boolean kvUnified, int poll, MemorySegment evalCallback) {
    /** Defaults as llama-bench uses them: batch 2048, ubatch 512, F16 cache, flash attention auto, poll 50. */
    public static LlamaContextParams of(int nCtx, int nSeqMax, int nThreads) {
        return new LlamaContextParams(nCtx, 2048, 512, nSeqMax, nThreads, nThreads, LlamaContext.FlashAttn.AUTO, GgmlType.F16, GgmlType.F16,
                true, false, 50, null);
    }

    /** @return a copy with another batch and ubatch */
    public LlamaContextParams withBatch(int nBatch, int nUbatch) {
        return new LlamaContextParams(nCtx, nBatch, nUbatch, nSeqMax, nThreads, nThreadsBatch, flashAttn, typeK, typeV, offloadKqv,
                kvUnified, poll, evalCallback);
    }

    /** @return a copy with other attention and cache settings */
    public LlamaContextParams withAttention(LlamaContext.FlashAttn fa, GgmlType k, GgmlType v) {
        return new LlamaContextParams(nCtx, nBatch, nUbatch, nSeqMax, nThreads, nThreadsBatch, fa, k, v, offloadKqv, kvUnified,
                poll, evalCallback);
    }

    /** @return a copy with an eval callback stub */
    public LlamaContextParams withEvalCallback(MemorySegment cb) {
        return new LlamaContextParams(nCtx, nBatch, nUbatch, nSeqMax, nThreads, nThreadsBatch, flashAttn, typeK, typeV, offloadKqv,
                kvUnified, poll, cb);
    }

    /**
     * @throws IllegalArgumentException naming the first parameter out of range
     */
    public void validate() {
        positive("nCtx", nCtx);
        positive("nBatch", nBatch);
        positive("nUbatch", nUbatch);
        positive("nSeqMax", nSeqMax);
        positive("nThreads", nThreads);
        positive("nThreadsBatch", nThreadsBatch);
        if (nUbatch > nBatch) {
            throw new IllegalArgumentException("nUbatch (" + nUbatch + ") must not exceed nBatch (" + nBatch + ")");
        }
        if (nSeqMax > nCtx) {
            throw new IllegalArgumentException("nSeqMax (" + nSeqMax + ") exceeds nCtx (" + nCtx + "): each sequence needs context");
        }
        if (poll < 0 || poll > 100) {
            throw new IllegalArgumentException("poll must be 0..100, was " + poll);
        }
        if (flashAttn == null || typeK == null || typeV == null) {
            throw new IllegalArgumentException("flashAttn, typeK and typeV must be set");
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + v);
        }
    }

    @Override
    public String toString() {
        return "nCtx=" + nCtx + ", nBatch=" + nBatch + ", nUbatch=" + nUbatch + ", nSeqMax=" + nSeqMax + ", nThreads="
                + nThreads + "/" + nThreadsBatch + ", flashAttn=" + flashAttn + ", typeK=" + typeK + ", typeV=" + typeV;
    }
}
