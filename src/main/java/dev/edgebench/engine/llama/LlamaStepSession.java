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
        // every token but each sequence's last, then all the last tokens together, so that the
        // final decode call holds every sequence's logits
        for (int s = 0; s < nSeq; s++) {
            for (int i = 0; i < nTokens - 1; i++) {
                if (batch.size() == cap) {
                    ctx.decode(batch);
                    batch.clear();
                }
                int p = pos + i;
                batch.add(p == 0 && bos >= 0 ? bos : randomToken(), p, s, false);
            }
        }
        if (batch.size() + nSeq > cap && batch.size() > 0) {
            ctx.decode(batch);
            batch.clear();
        }
        for (int s = 0; s < nSeq; s++) {
            int p = pos + nTokens - 1;
            lastLogitIndex[s] = batch.size();
            batch.add(p == 0 && bos >= 0 ? bos : randomToken(), p, s, true);
        }
        ctx.decode(batch);
        ctx.synchronize();
        pos += nTokens;
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
