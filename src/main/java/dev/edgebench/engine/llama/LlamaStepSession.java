package dev.edgebench.engine.llama;

import dev.edgebench.engine.StepSession;

/**
 * A {@link StepSession} over one {@link LlamaContext}, timed the way llama-bench times: prompt
 * tokens are seeded random ids (BOS first when the vocabulary wants it), decode feeds one token
 * per sequence, and every call ends with {@code llama_synchronize}.
 *
 * <p>Sequences share one unified KV cache of {@code nCtx} tokens; each gets {@code nCtx / nSeq}.
 * Not thread-safe. Allocates nothing in {@link #prefill} and {@link #decodeStep}.
 */
final class LlamaStepSession implements StepSession {
    private final LlamaContext ctx;
    private final LlamaBatch batch;
    private final int nSeq;
    private final int nCtxPerSeq;
    private final int nVocab;
    private final boolean sample;
    private final int bos;
    private final int[] lastLogitIndex;
    private final int[] sampled;
    private long rng;
    private int pos;
    private boolean closed;

    LlamaStepSession(LlamaContext ctx, int nSeq, long seed, boolean sample) {
        this.ctx = ctx;
        this.nSeq = nSeq;
        this.nCtxPerSeq = ctx.nCtx() / nSeq;
        this.nVocab = ctx.nVocab();
        this.sample = sample;
        this.bos = ctx.model().addBos() ? ctx.model().bos() : -1;
        this.lastLogitIndex = new int[nSeq];
        this.sampled = new int[nSeq];
        this.rng = seed;
        this.batch = new LlamaBatch(Math.max(ctx.nBatch(), nSeq), 1);
    }

    @Override
    public int nSeq() {
        return nSeq;
    }

    @Override
    public int nCtxPerSeq() {
        return nCtxPerSeq;
    }

    @Override
    public int nVocab() {
        return nVocab;
    }

    @Override
    public int position() {
        return pos;
    }

    private int randomToken() {
        rng += 0x9e3779b97f4a7c15L;
        long z = rng;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        z ^= z >>> 31;
        return (int) Long.remainderUnsigned(z, nVocab);
    }

    @Override
    public void prefill(int nTokens) {
        checkOpen();
        if (nTokens <= 0) {
            throw new IllegalArgumentException("prefill needs at least one token, was " + nTokens);
        }
        if (pos + nTokens > nCtxPerSeq) {
            throw new IllegalArgumentException("prefill of " + nTokens + " tokens at depth " + pos + " exceeds the "
                    + nCtxPerSeq + " context tokens per sequence");
        }
        int cap = batch.capacity();
        batch.clear();
        // every token but each sequence's last, a full batch at a time, then all the last tokens
        // together, so that the final decode call holds every sequence's logits
        int body = nSeq * (nTokens - 1);
        for (int k = addPromptTokens(0, nTokens - 1); k < body; k = addPromptTokens(k, nTokens - 1)) {
            ctx.decode(batch);
            batch.clear();
        }
        if (batch.size() + nSeq > cap && batch.size() > 0) {
            ctx.decode(batch);
            batch.clear();
        }
        addLastTokens(nTokens);
        ctx.decode(batch);
        ctx.synchronize();
        pos += nTokens;
    }

    /**
     * Adds prompt tokens from the k-th of the body ({@code nSeq * perSeq} tokens, sequence by
     * sequence) until the batch is full or the body is done.
     *
     * @return the index of the next token to add
     */
    private int addPromptTokens(int k, int perSeq) {
        int body = nSeq * perSeq;
        int cap = batch.capacity();
        while (k < body && batch.size() < cap) {
            int s = k / perSeq;
            int p = pos + k % perSeq;
            batch.add(p == 0 && bos >= 0 ? bos : randomToken(), p, s, false);
            k++;
        }
        return k;
    }

    /** Adds each sequence's last prompt token, with logits. */
    private void addLastTokens(int nTokens) {
        int p = pos + nTokens - 1;
        for (int s = 0; s < nSeq; s++) {
            lastLogitIndex[s] = batch.size();
            batch.add(p == 0 && bos >= 0 ? bos : randomToken(), p, s, true);
        }
    }

    @Override
    public void decodeStep() {
        checkOpen();
        if (pos >= nCtxPerSeq) {
            throw new IllegalStateException("context full: " + pos + " of " + nCtxPerSeq + " tokens per sequence used");
        }
        if (sample) {
            for (int s = 0; s < nSeq; s++) {
                sampled[s] = ctx.sampleGreedy(lastLogitIndex[s]);
            }
        }
        batch.clear();
        for (int s = 0; s < nSeq; s++) {
            int token = sample ? sampled[s] : randomToken();
            batch.add(token, pos, s, true);
            lastLogitIndex[s] = s;
        }
        ctx.decode(batch);
        ctx.synchronize();
        pos++;
    }

    @Override
    public void truncate(int depth) {
        checkOpen();
        if (depth < 0 || depth > pos) {
            throw new IllegalArgumentException("cannot truncate to depth " + depth + " from " + pos);
        }
        if (depth == 0) {
            ctx.clearMemory(false);
        } else {
            ctx.removeFromMemory(-1, depth, -1);
        }
        pos = depth;
    }

    @Override
    public void warmup() {
        checkOpen();
        int saved = pos;
        prefill(Math.min(Math.min(ctx.nUbatch(), 32), nCtxPerSeq - pos - 1));
        decodeStep();
        truncate(saved);
        compileJavaPath();
    }

    /** Batch fills that bring the Java side of {@link #prefill} to compiled code (see {@link #compileJavaPath}). */
    static final int JIT_WARM_FILLS = 12_000;
    /** Calls of {@code llama_synchronize} on an idle context, for the same reason. */
    static final int JIT_WARM_SYNCS = 12_000;

    /**
     * Runs the Java side of the measured path without the engine until the JIT has compiled it.
     * Interpreted, filling a 128-token batch takes about 700 µs and a downcall 3–4 µs; compiled,
     * about 1 µs and 0.2 µs, but only after some 5,000 calls, more prefills than a whole run of a
     * large model makes. Without this, Llama-3.2-1B's prefill on an H100 read 3–4% below
     * llama-bench's. Token ids and logit indices are put back, so the seeded prompt stream is the
     * one the engine warm-up alone leaves.
     */
    private void compileJavaPath() {
        long rngSaved = rng;
        int[] logitsSaved = lastLogitIndex.clone();
        int perSeq = Math.max(1, Math.min(128, batch.capacity() / nSeq) - 1);
        for (int i = 0; i < JIT_WARM_FILLS; i++) {
            batch.clear();
            // now and then a body larger than the batch, so that stopping on a full batch is a compiled path too
            addPromptTokens(0, i % 8 == 7 ? batch.capacity() : perSeq);
            if (batch.size() + nSeq <= batch.capacity()) {
                addLastTokens(perSeq + 1);
            }
        }
        batch.clear();
        for (int i = 0; i < JIT_WARM_SYNCS; i++) {
            ctx.synchronize();
        }
        rng = rngSaved;
        System.arraycopy(logitsSaved, 0, lastLogitIndex, 0, nSeq);
    }

    /** @return the context, for engine-specific inspection (perf counters) */
    LlamaContext context() {
        return ctx;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("session is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        batch.close();
        ctx.close();
    }
}
