package dev.edgebench.engine.llama;

import dev.edgebench.speculative.AcceptanceProfile;
import dev.edgebench.speculative.SpeculativeStats;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * Draft-model speculative decoding through llama.h alone (the loop of llama.cpp's
 * {@code examples/speculative-simple}, without its {@code common} library), and plain greedy
 * decoding of the same target for comparison. B sequences run side by side, each with its own
 * draft, acceptance and KV-cache position.
 *
 * <p>One speculative step: the draft proposes k tokens greedily (k draft decodes of one token per
 * sequence); the target decodes {@code [last, d0 … dk−1]} of every sequence in one
 * {@code llama_decode} with logits for every position; each sequence accepts the longest prefix
 * on which the target's greedy token agrees (or, in synthetic mode, the prefix drawn from an
 * {@link AcceptanceProfile}), plus the target's own token after it (the bonus); the rejected
 * positions are removed from both KV caches with {@code llama_memory_seq_rm}. A model whose
 * memory cannot drop part of a sequence (recurrent, hybrid) makes {@code seq_rm} return false:
 * the decoder is refused at construction with that reason.
 *
 * <p>Owns its two contexts and its batch; the models belong to the caller and must outlive it.
 * Greedy means llama.cpp's greedy sampler: the first highest logit. Nothing allocates per step.
 * Not thread-safe.
 */
public final class SpeculativeDecoder implements AutoCloseable {
    private final LlamaContext target;
    private final LlamaContext draft;
    private final LlamaBatch batch;
    private final int nSeq;
    private final int maxK;
    private final int nVocabTarget;
    private final int nVocabDraft;
    // per-sequence state, reused by every call
    private final int[] nPast;
    private final int[] last;
    private final int[] pending;
    private final int[] emitted;
    private final int[] logitIndex;
    private final int[][] drafted;

    /** What one generation took, nanoseconds: prefill (both models' prompts + the first token) and the rest. */
    public record Timing(long prefillNs, long generateNs) {
    }

    /**
     * @param targetModel  the verifying model
     * @param draftModel   the drafting model (may be the target itself)
     * @param targetParams the target context; nSeqMax = sequences, nCtx ≥ sequences × (prompt + generated + maxK + 1)
     * @param draftParams  the draft context, same sequences
     * @param maxK         most draft tokens per step, > 0
     * @param maxPrompt    most prompt tokens per sequence, > 0
     * @throws IllegalArgumentException when the vocabularies differ (named), or for inconsistent sizes
     * @throws LlamaException           when a model cannot remove part of a sequence from its memory
     */
    public SpeculativeDecoder(LlamaModel targetModel, LlamaModel draftModel, LlamaContextParams targetParams,
                              LlamaContextParams draftParams, int maxK, int maxPrompt) {
        if (maxK <= 0) {
            throw new IllegalArgumentException("draft tokens must be positive, was " + maxK);
        }
        if (maxPrompt <= 0) {
            throw new IllegalArgumentException("prompt tokens must be positive, was " + maxPrompt);
        }
        if (targetParams.nSeqMax() != draftParams.nSeqMax()) {
            throw new IllegalArgumentException("target and draft contexts must hold the same sequences, were "
                    + targetParams.nSeqMax() + " and " + draftParams.nSeqMax());
        }
        VocabularyCheck.require(targetModel, draftModel);
        this.nSeq = targetParams.nSeqMax();
        this.maxK = maxK;
        int capacity = Math.max(nSeq * maxPrompt, nSeq * (maxK + 1));
        LlamaContext t = targetModel.newContext(targetParams);
        LlamaContext d = null;
        LlamaBatch b = null;
        try {
            d = draftModel.newContext(draftParams);
            b = new LlamaBatch(capacity, 1);
            this.target = t;
            this.draft = d;
            this.batch = b;
            checkPartialRemoval(t, "target " + targetModel.path().getFileName());
            checkPartialRemoval(d, "draft " + draftModel.path().getFileName());
        } catch (RuntimeException e) {
            if (b != null) {
                b.close();
            }
            if (d != null) {
                d.close();
            }
            t.close();
            throw e;
        }
        this.nVocabTarget = targetModel.nVocab();
        this.nVocabDraft = draftModel.nVocab();
        this.nPast = new int[nSeq];
        this.last = new int[nSeq];
        this.pending = new int[nSeq];
        this.emitted = new int[nSeq];
        this.logitIndex = new int[nSeq];
        this.drafted = new int[nSeq][maxK];
    }

    /**
     * Decodes two tokens into sequence 0 and removes the second: a model whose memory cannot drop
     * the tail of a sequence says so here, before any measurement, instead of mid-run.
     */
    private void checkPartialRemoval(LlamaContext ctx, String what) {
        ctx.clearMemory(false);
        batch.clear();
        batch.add(0, 0, 0, false);
        batch.add(0, 1, 0, true);
        ctx.decode(batch);
        ctx.synchronize();
        if (!ctx.tryRemoveFromMemory(0, 1, -1)) {
            throw LlamaException.failure("llama_memory_seq_rm", 0, "returned false: the " + what
                    + " cannot remove part of a sequence from its memory (recurrent or hybrid model), so rejected draft"
                    + " tokens cannot be rolled back; speculative decoding refuses it", "seq 0, [1, end)");
        }
        ctx.clearMemory(false);
    }

    /** @return sequences decoded side by side */
    public int nSeq() {
        return nSeq;
    }

    /**
     * Plain greedy decoding of the target: prefill, then one decode of B tokens per step.
     *
     * @param prompts one prompt per sequence
     * @param out     receives nGen tokens per sequence ({@code out[s].length} = nGen ≥ 1)
     */
    public Timing vanilla(int[][] prompts, int[][] out) {
        int nGen = checkShapes(prompts, out);
        long t0 = System.nanoTime();
        prefill(target, prompts, true);
        for (int s = 0; s < nSeq; s++) {
            out[s][0] = argmax(target.logits(logitIndex[s]), nVocabTarget);
            nPast[s] = prompts[s].length;
        }
        long t1 = System.nanoTime();
        for (int i = 1; i < nGen; i++) {
            batch.clear();
            for (int s = 0; s < nSeq; s++) {
                batch.add(out[s][i - 1], nPast[s]++, s, true);
            }
            target.decode(batch);
            target.synchronize();
            for (int s = 0; s < nSeq; s++) {
                out[s][i] = argmax(target.logits(s), nVocabTarget);
            }
        }
        return new Timing(t1 - t0, System.nanoTime() - t1);
    }

    /**
     * Speculative decoding: after the prefill of both models, steps of k drafted tokens per
     * sequence until every sequence has nGen tokens (a step's tokens past nGen are dropped).
     *
     * @param prompts one prompt per sequence
     * @param k       draft tokens per step, 1..maxK
     * @param profile synthetic acceptance, or null for the target's own verdict
     * @param rng     the seeded source of synthetic verdicts (unused when profile is null)
     * @param stats   receives steps, acceptance and the time split (not reset here)
     * @param out     receives nGen tokens per sequence
     */
    public Timing speculative(int[][] prompts, int k, AcceptanceProfile profile, SplittableRandom rng, SpeculativeStats stats,
                              int[][] out) {
        int nGen = checkShapes(prompts, out);
        if (k <= 0 || k > maxK) {
            throw new IllegalArgumentException("draft tokens must be 1.." + maxK + ", was " + k);
        }
        if (profile != null && rng == null) {
            throw new IllegalArgumentException("a synthetic acceptance profile needs a seeded random source");
        }
        if (profile != null && profile.length() < k) {
            throw new IllegalArgumentException("acceptance profile covers " + profile.length() + " positions, fewer than k = " + k);
        }
        long t0 = System.nanoTime();
        prefill(draft, prompts, false);
        prefill(target, prompts, true);
        int active = 0;
        for (int s = 0; s < nSeq; s++) {
            out[s][0] = argmax(target.logits(logitIndex[s]), nVocabTarget);
            last[s] = out[s][0];
            nPast[s] = prompts[s].length;
            pending[s] = -1;
            emitted[s] = 1;
            if (nGen > 1) {
                active++;
            }
        }
        long t1 = System.nanoTime();
        while (active > 0) {
            long a = System.nanoTime();
            draftTokens(k, nGen);
            long b = System.nanoTime();
            batch.clear();
            for (int s = 0; s < nSeq; s++) {
                if (emitted[s] < nGen) {
                    logitIndex[s] = batch.size();
                    batch.add(last[s], nPast[s], s, true);
                    for (int j = 0; j < k; j++) {
                        batch.add(drafted[s][j], nPast[s] + 1 + j, s, true);
                    }
                }
            }
            target.decode(batch);
            target.synchronize();
            long c = System.nanoTime();
            for (int s = 0; s < nSeq; s++) {
                if (emitted[s] < nGen) {
                    accept(s, k, profile, rng, stats, out[s]);
                    if (emitted[s] >= nGen) {
                        active--;
                    }
                }
            }
            stats.batchStep(b - a, c - b, System.nanoTime() - c);
        }
        return new Timing(t1 - t0, System.nanoTime() - t1);
    }

    /** k draft decodes: each active sequence's draft continues from its last accepted token. */
    private void draftTokens(int k, int nGen) {
        for (int j = 0; j < k; j++) {
            batch.clear();
            for (int s = 0; s < nSeq; s++) {
                if (emitted[s] >= nGen) {
                    continue;
                }
                if (j == 0 && pending[s] >= 0) {
                    // every draft token was accepted last step: the draft never decoded its own last one
                    batch.add(pending[s], nPast[s] - 1, s, false);
                    pending[s] = -1;
                }
                logitIndex[s] = batch.size();
                batch.add(j == 0 ? last[s] : drafted[s][j - 1], nPast[s] + j, s, true);
            }
            draft.decode(batch);
            draft.synchronize();
            for (int s = 0; s < nSeq; s++) {
                if (emitted[s] < nGen) {
                    drafted[s][j] = argmax(draft.logits(logitIndex[s]), nVocabDraft);
                }
            }
        }
    }

    /** Verdict, output and rollback of one sequence after the verify decode. */
    private void accept(int s, int k, AcceptanceProfile profile, SplittableRandom rng, SpeculativeStats stats, int[] out) {
        int base = logitIndex[s];
        int n = 0;
        int bonus;
        if (profile == null) {
            bonus = argmax(target.logits(base), nVocabTarget);
            while (n < k && bonus == drafted[s][n]) {
                n++;
                bonus = argmax(target.logits(base + n), nVocabTarget);
            }
        } else {
            while (n < k && rng.nextDouble() < profile.conditional(n)) {
                // the target's greedy choice is computed as a real verify would, then overruled
                argmax(target.logits(base + n), nVocabTarget);
                n++;
            }
            bonus = argmax(target.logits(base + n), nVocabTarget);
        }
        int nGen = out.length;
        for (int j = 0; j < n && emitted[s] < nGen; j++) {
            out[emitted[s]++] = drafted[s][j];
        }
        if (emitted[s] < nGen) {
            out[emitted[s]++] = bonus;
        }
        stats.sequenceStep(n);
        int newPast = nPast[s] + n + 1;
        target.removeFromMemory(s, newPast, -1);
        draft.removeFromMemory(s, newPast, -1);
        pending[s] = n == k ? drafted[s][k - 1] : -1;
        nPast[s] = newPast;
        last[s] = bonus;
    }

    /** Empties the context and decodes every prompt; logits of each prompt's last token when asked. */
    private void prefill(LlamaContext ctx, int[][] prompts, boolean logits) {
        ctx.clearMemory(false);
        batch.clear();
        for (int s = 0; s < nSeq; s++) {
            int[] p = prompts[s];
            for (int i = 0; i < p.length; i++) {
                batch.add(p[i], i, s, logits && i == p.length - 1);
            }
            logitIndex[s] = batch.size() - 1;
        }
        ctx.decode(batch);
        ctx.synchronize();
    }

    /**
     * Measures the cost model's parts (see {@link SpeculativeCostProbe}) at the depth of the prompts
     * plus {@code extraDepth} tokens, each repeated {@code reps} times after one untimed run.
     *
     * @return {draft step ns, verify ns}, means
     */
    public double[] measureParts(int[][] prompts, int extraDepth, int k, int reps) {
        if (k <= 0 || k > maxK) {
            throw new IllegalArgumentException("draft tokens must be 1.." + maxK + ", was " + k);
        }
        return SpeculativeCostProbe.measure(target, draft, batch, prompts, extraDepth, k, reps);
    }

    private int checkShapes(int[][] prompts, int[][] out) {
        if (prompts.length != nSeq || out.length != nSeq) {
            throw new IllegalArgumentException("need " + nSeq + " prompts and outputs, got " + prompts.length + " and " + out.length);
        }
        int nGen = out[0].length;
        for (int s = 0; s < nSeq; s++) {
            if (prompts[s].length == 0 || prompts[s].length * nSeq > batch.capacity()) {
                throw new IllegalArgumentException("prompt " + s + " has " + prompts[s].length + " tokens; 1.."
                        + batch.capacity() / nSeq + " fit");
            }
            if (out[s].length != nGen || nGen == 0) {
                throw new IllegalArgumentException("every output needs the same positive length");
            }
        }
        return nGen;
    }

    /** llama.cpp's greedy choice: the first index of the highest logit. */
    static int argmax(MemorySegment logits, int n) {
        int best = 0;
        float max = logits.getAtIndex(ValueLayout.JAVA_FLOAT, 0);
        for (int i = 1; i < n; i++) {
            float v = logits.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            if (v > max) {
                max = v;
                best = i;
            }
        }
        return best;
    }

    /** Frees the batch and both contexts. Idempotent. */
    @Override
    public void close() {
        batch.close();
        draft.close();
        target.close();
    }
}
