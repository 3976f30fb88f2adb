package dev.edgebench.engine.llama;

/**
 * Measures the parts of the speculative cost model apart from any speculative run, so that the
 * model's prediction is not fitted to the run it predicts: one draft decode of B tokens with its
 * argmax, and one target verify of B · (k + 1) tokens with logits and argmax for every one, plus
 * the rollback of both caches (what a real step's bookkeeping does). Stateless; it uses the
 * decoder's contexts and batch and leaves the caches at the probe depth.
 */
final class SpeculativeCostProbe {
    private SpeculativeCostProbe() {
    }

    /** @return {draft step ns, verify ns}, means over reps after one untimed run */
    static double[] measure(LlamaContext target, LlamaContext draft, LlamaBatch batch, int[][] prompts, int extraDepth, int k,
                            int reps) {
        if (reps <= 0 || extraDepth < 0) {
            throw new IllegalArgumentException("reps must be positive and depth not negative, were " + reps + " and " + extraDepth);
        }
        int nSeq = prompts.length;
        int[][] deep = new int[nSeq][];
        for (int s = 0; s < nSeq; s++) {
            int[] p = prompts[s];
            deep[s] = new int[p.length + extraDepth];
            for (int i = 0; i < deep[s].length; i++) {
                deep[s][i] = p[i % p.length];
            }
        }
        prefill(draft, batch, deep);
        prefill(target, batch, deep);
        int nVocabTarget = target.nVocab();
        int nVocabDraft = draft.nVocab();
        long draftNs = 0;
        long verifyNs = 0;
        for (int r = 0; r <= reps; r++) {
            long a = System.nanoTime();
            batch.clear();
            for (int s = 0; s < nSeq; s++) {
                batch.add(deep[s][0], deep[s].length, s, true);
            }
            draft.decode(batch);
            draft.synchronize();
            for (int s = 0; s < nSeq; s++) {
                SpeculativeDecoder.argmax(draft.logits(s), nVocabDraft);
            }
            long b = System.nanoTime();
            batch.clear();
            for (int s = 0; s < nSeq; s++) {
                for (int j = 0; j <= k; j++) {
                    batch.add(deep[s][j % deep[s].length], deep[s].length + j, s, true);
                }
            }
            target.decode(batch);
            target.synchronize();
            for (int i = 0; i < nSeq * (k + 1); i++) {
                SpeculativeDecoder.argmax(target.logits(i), nVocabTarget);
            }
            for (int s = 0; s < nSeq; s++) {
                target.removeFromMemory(s, deep[s].length, -1);
                draft.removeFromMemory(s, deep[s].length, -1);
            }
            long c = System.nanoTime();
            if (r > 0) {
                draftNs += b - a;
                verifyNs += c - b;
            }
        }
        return new double[] {draftNs / (double) reps, verifyNs / (double) reps};
    }

    private static void prefill(LlamaContext ctx, LlamaBatch batch, int[][] deep) {
        ctx.clearMemory(false);
        for (int s = 0; s < deep.length; s++) {
            for (int from = 0; from < deep[s].length; from += batch.capacity()) {
                batch.clear();
                for (int i = from; i < Math.min(deep[s].length, from + batch.capacity()); i++) {
                    batch.add(deep[s][i], i, s, false);
                }
                ctx.decode(batch);
            }
        }
        ctx.synchronize();
    }
}
