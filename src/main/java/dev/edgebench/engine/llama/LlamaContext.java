package dev.edgebench.engine.llama;

import dev.edgebench.bindings.llama.Llama;
import dev.edgebench.bindings.llama.ggml_threadpool_params;
import dev.edgebench.bindings.llama.llama_context_params;
import dev.edgebench.bindings.llama.llama_perf_context_data;
import dev.edgebench.bindings.llama.llama_sampler_chain_params;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A llama.cpp inference context ({@code struct llama_context}): KV cache, compute buffers and
 * threads for one model. Created by {@link LlamaModel#newContext}; closed before its model
 * (the model does so itself). A closed context refuses every call.
 *
 * <p>{@link #decode} and {@link #synchronize} are the per-token path: they allocate nothing and
 * check the return code without building strings unless it failed.
 *
 * <p>Not thread-safe.
 */
public final class LlamaContext implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final LlamaModel model;
    private final MemorySegment handle;
    private final MemorySegment memory;
    private final LlamaContextParams params;
    private final int nVocab;
    private MemorySegment greedy;
    /** Sequences whose tokens llama.cpp chooses in the graph ({@link #greedyOnDevice}). */
    private final java.util.List<Integer> deviceSampled = new java.util.ArrayList<>();
    private boolean closed;

    /** How llama.cpp should run attention: {@code flash_attn_type}. */
    public enum FlashAttn { AUTO, ON, OFF }

    /** llama.cpp's own counters ({@code llama_perf_context_data}); times in ms. */
    public record Perf(double promptEvalMs, double evalMs, int nPromptEval, int nEval) {
    }

    private LlamaContext(LlamaModel model, MemorySegment handle, LlamaContextParams params) {
        this.model = model;
        this.handle = handle.reinterpret(arena, Llama::llama_free);
        this.params = params;
        this.memory = Llama.llama_get_memory(this.handle);
        this.nVocab = model.nVocab();
    }

    static LlamaContext create(LlamaModel model, LlamaContextParams params) {
        params.validate();
        checkFits(model, params);
        NativeLog.clear();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment p = Llama.llama_context_default_params(tmp);
            llama_context_params.n_ctx(p, params.nCtx());
            llama_context_params.n_batch(p, params.nBatch());
            llama_context_params.n_ubatch(p, params.nUbatch());
            llama_context_params.n_seq_max(p, params.nSeqMax());
            llama_context_params.n_threads(p, params.nThreads());
            llama_context_params.n_threads_batch(p, params.nThreadsBatch());
            llama_context_params.flash_attn_type(p, switch (params.flashAttn()) {
                case AUTO -> Llama.LLAMA_FLASH_ATTN_TYPE_AUTO();
                case ON -> Llama.LLAMA_FLASH_ATTN_TYPE_ENABLED();
                case OFF -> Llama.LLAMA_FLASH_ATTN_TYPE_DISABLED();
            });
            llama_context_params.type_k(p, params.typeK().id());
            llama_context_params.type_v(p, params.typeV().id());
            llama_context_params.offload_kqv(p, params.offloadKqv());
            llama_context_params.kv_unified(p, params.kvUnified());
            llama_context_params.swa_full(p, false);
            llama_context_params.no_perf(p, false);
            if (params.evalCallback() != null) {
                llama_context_params.cb_eval(p, params.evalCallback());
                llama_context_params.cb_eval_user_data(p, MemorySegment.NULL);
            }
            MemorySegment h = Llama.llama_init_from_model(model.handle(), p);
            LlamaException.checkHandle(h, "llama_init_from_model", "model " + model.path() + ", " + params);
            LlamaContext ctx = new LlamaContext(model, h, params);
            ctx.attachThreadpools();
            return ctx;
        }
    }

    /**
     * Gives the context persistent CPU threadpools, as llama-bench does; without one, ggml creates
     * and frees a threadpool on every graph evaluation. Freed with the context, after it.
     */
    private void attachThreadpools() {
        MemorySegment tp = newThreadpool(params.nThreads());
        MemorySegment tpBatch = params.nThreadsBatch() == params.nThreads() ? tp : newThreadpool(params.nThreadsBatch());
        Llama.llama_attach_threadpool(handle, tp, tpBatch);
    }

    private MemorySegment newThreadpool(int nThreads) {
        MemorySegment tpp = ggml_threadpool_params.allocate(arena);
        Llama.ggml_threadpool_params_init(tpp, nThreads);
        ggml_threadpool_params.poll(tpp, params.poll());
        MemorySegment tp = Llama.ggml_threadpool_new(tpp);
        LlamaException.checkHandle(tp, "ggml_threadpool_new", nThreads + " threads");
        // the arena frees resources newest first, so the pools go before llama_free; close() detaches them first
        return tp.reinterpret(arena, seg -> Llama.ggml_threadpool_free(seg));
    }

    /**
     * Refuses a context whose KV cache alone exceeds the memory of every device together. llama.cpp
     * would refuse it too, but only after it has allocated and zeroed per-token bookkeeping for
     * the whole context (tens of GB for a context of 2^28 tokens), which can take minutes or get
     * the process killed.
     */
    private static void checkFits(LlamaModel model, LlamaContextParams params) {
        long perToken = model.kvBytesPerToken(params.typeK(), params.typeV());
        if (perToken <= 0) {
            return;
        }
        long memory = LlamaRuntime.get().totalMemoryBytes();
        double need = (double) perToken * params.nCtx();
        if (memory > 0 && need > memory) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "nCtx %d is too large: its KV cache needs %.1f GiB (%d bytes per token as %s/%s), more than the %.1f GiB"
                            + " of memory all devices have together (model %s)", params.nCtx(), need / (1L << 30), perToken,
                    params.typeK(), params.typeV(), memory / (double) (1L << 30), model.path()));
        }
    }

    /** @return the parameters it was created with */
    public LlamaContextParams params() {
        return params;
    }

    /** @return the model */
    public LlamaModel model() {
        return model;
    }

    /** @return the context size llama.cpp allocated ({@code llama_n_ctx}; may be rounded up) */
    public int nCtx() {
        return Llama.llama_n_ctx(handle());
    }

    /** @return {@code llama_n_batch} */
    public int nBatch() {
        return Llama.llama_n_batch(handle());
    }

    /** @return {@code llama_n_ubatch} */
    public int nUbatch() {
        return Llama.llama_n_ubatch(handle());
    }

    /** @return {@code llama_n_seq_max} */
    public int nSeqMax() {
        return Llama.llama_n_seq_max(handle());
    }

    /**
     * Runs the model on a batch ({@code llama_decode}). Asynchronous on GPU backends: call
     * {@link #synchronize()} before reading a clock.
     *
     * @throws LlamaException on any non-zero return code, explained
     */
    public void decode(LlamaBatch batch) {
        MemorySegment h = handle();
        int rc = Llama.llama_decode(h, batch.prepared());
        if (rc != 0) {
            throw LlamaException.failure("llama_decode", rc, "returned " + rc + LlamaException.meaning("llama_decode", rc),
                    batch.size() + " tokens, " + params);
        }
    }

    /** Waits for all submitted work ({@code llama_synchronize}). */
    public void synchronize() {
        Llama.llama_synchronize(handle());
    }

    /**
     * Drops every sequence from the KV cache ({@code llama_memory_clear}).
     *
     * @param data also zero the buffers (slow for large caches; not needed for correctness)
     */
    public void clearMemory(boolean data) {
        Llama.llama_memory_clear(memory(), data);
    }

    /**
     * Removes positions [p0, p1) of a sequence from the KV cache ({@code llama_memory_seq_rm});
     * p1 &lt; 0 means to the end; seq &lt; 0 means every sequence.
     */
    public void removeFromMemory(int seq, int p0, int p1) {
        if (!Llama.llama_memory_seq_rm(memory(), seq, p0, p1)) {
            throw LlamaException.failure("llama_memory_seq_rm", 0, "returned false", "seq " + seq + ", [" + p0 + ", " + p1 + ")");
        }
    }

    /**
     * Like {@link #removeFromMemory}, but returns llama.cpp's answer instead of throwing: false
     * when the memory cannot drop part of a sequence (recurrent and hybrid models).
     */
    public boolean tryRemoveFromMemory(int seq, int p0, int p1) {
        return Llama.llama_memory_seq_rm(memory(), seq, p0, p1);
    }

    /** @return the largest position of a sequence in the KV cache, or -1 when empty */
    public int maxPosition(int seq) {
        return Llama.llama_memory_seq_pos_max(memory(), seq);
    }

    /**
     * @param i index of a batch token that asked for logits; -1 = the last one
     * @return its logits, a view of llama.cpp's buffer valid until the next decode
     */
    public MemorySegment logits(int i) {
        MemorySegment p = Llama.llama_get_logits_ith(handle(), i);
        LlamaException.checkHandle(p, "llama_get_logits_ith", "index " + i);
        return p.reinterpret(4L * nVocab);
    }

    /**
     * Greedy sampling with llama.cpp's own sampler ({@code llama_sampler_init_greedy}), as its
     * command-line tools do.
     *
     * @param i index of a batch token that asked for logits; -1 = the last one
     * @return the chosen token
     */
    public int sampleGreedy(int i) {
        MemorySegment h = handle();
        if (greedy == null) {
            MemorySegment sp = Llama.llama_sampler_chain_default_params(arena);
            llama_sampler_chain_params.no_perf(sp, true);
            MemorySegment chain = Llama.llama_sampler_chain_init(sp);
            LlamaException.checkHandle(chain, "llama_sampler_chain_init", "greedy");
            Llama.llama_sampler_chain_add(chain, Llama.llama_sampler_init_greedy());
            greedy = chain.reinterpret(arena, Llama::llama_sampler_free);
        }
        return Llama.llama_sampler_sample(greedy, h, i);
    }

    /**
     * Has llama.cpp choose sequence {@code seq}'s tokens greedily inside the model's graph, on the
     * device that holds the output layer ({@code llama_set_sampler}, llama.cpp's backend sampling;
     * llama-server's request option {@code backend_sampling}): after each decode only the token
     * comes back ({@link #sampledToken}), not the vocabulary's logits, and no host thread scans them.
     * The chain is detached and freed with the context.
     *
     * @return whether llama.cpp took it; false where it cannot run the chain in the graph (the
     *         tokens are then chosen on the host, e.g. with {@link #sampleGreedy})
     */
    public boolean greedyOnDevice(int seq) {
        MemorySegment h = handle();
        MemorySegment sp = Llama.llama_sampler_chain_default_params(arena);
        llama_sampler_chain_params.no_perf(sp, true);
        MemorySegment chain = Llama.llama_sampler_chain_init(sp);
        LlamaException.checkHandle(chain, "llama_sampler_chain_init", "greedy on the device");
        Llama.llama_sampler_chain_add(chain, Llama.llama_sampler_init_greedy());
        // the arena frees newest first: the chain before the context, which close() detaches it from first
        chain.reinterpret(arena, Llama::llama_sampler_free);
        boolean taken = Llama.llama_set_sampler(h, seq, chain);
        if (taken) {
            deviceSampled.add(seq);
        }
        return taken;
    }

    /**
     * The token llama.cpp chose in the graph for output {@code i} of the last decode
     * ({@code llama_get_sampled_token_ith}; waits for the decode). Needs {@link #greedyOnDevice}.
     *
     * @param i the output's index in the batch (-1: the last)
     * @throws IllegalStateException when llama.cpp has no token for it
     */
    public int sampledToken(int i) {
        int tok = Llama.llama_get_sampled_token_ith(handle(), i);
        if (tok < 0) {
            throw new IllegalStateException("llama_get_sampled_token_ith returned no token for output " + i + " (sequences chosen on the device: "
                    + deviceSampled + "; model " + model.path() + ")");
        }
        return tok;
    }

    /** @return llama.cpp's perf counters since creation or the last {@link #resetPerf()} */
    public Perf perf() {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment d = Llama.llama_perf_context(tmp, handle());
            return new Perf(llama_perf_context_data.t_p_eval_ms(d), llama_perf_context_data.t_eval_ms(d),
                    llama_perf_context_data.n_p_eval(d), llama_perf_context_data.n_eval(d));
        }
    }

    /** Zeroes the perf counters. */
    public void resetPerf() {
        Llama.llama_perf_context_reset(handle());
    }

    /** @return the vocabulary size (length of a logits row) */
    public int nVocab() {
        return nVocab;
    }

    MemorySegment handle() {
        if (closed) {
            throw new IllegalStateException("LlamaContext is closed (model " + model.path() + ")");
        }
        return handle;
    }

    private MemorySegment memory() {
        handle();
        return memory;
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    /** Frees the context. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        model.forget(this);
        for (int seq : deviceSampled) {
            Llama.llama_set_sampler(handle, seq, MemorySegment.NULL);
        }
        Llama.llama_detach_threadpool(handle);
        arena.close();
    }
}
