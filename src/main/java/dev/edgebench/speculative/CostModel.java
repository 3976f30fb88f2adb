package dev.edgebench.speculative;

/**
 * Why speculative decoding pays or not, from measured parts (times of one batch step of B
 * sequences, nanoseconds):
 *
 * <pre>
 *   step(k)          = k · draftStepNs + verifyNs(k + 1) + bookkeepingNs
 *   tokens per step  = B · τ,  τ = 1 + k · α           (α = accepted ÷ drafted)
 *   speedup(α, k, B) = τ · vanillaStepNs ÷ step(k)       (vanilla emits B tokens per vanillaStepNs)
 *   break-even α     = (step(k) ÷ vanillaStepNs − 1) ÷ k (speedup = 1; above 1 it never pays)
 * </pre>
 *
 * It pays while the target's verify of k + 1 tokens costs little more than one decode step,
 * which holds where a step is bound by reading the weights (batch 1 on a GPU) and stops holding
 * as the batch grows and the step becomes compute-bound: then verifyNs(k + 1) approaches
 * (k + 1) · vanillaStepNs and the break-even α rises past 1. Immutable.
 *
 * @param k              draft tokens per step
 * @param batch          sequences per step
 * @param draftStepNs    one draft decode of B tokens plus its argmax
 * @param verifyNs       one target decode of B · (k + 1) tokens with logits for all, plus their argmax
 * @param bookkeepingNs  acceptance, rollback and batch building of one step (0 when not measured)
 * @param vanillaStepNs  one plain decode step of B tokens plus its argmax
 */
public record CostModel(int k, int batch, double draftStepNs, double verifyNs, double bookkeepingNs, double vanillaStepNs) {
    public CostModel {
        if (k <= 0 || batch <= 0) {
            throw new IllegalArgumentException("k and batch must be positive, were " + k + " and " + batch);
        }
        if (!(draftStepNs >= 0 && verifyNs > 0 && bookkeepingNs >= 0 && vanillaStepNs > 0)) {
            throw new IllegalArgumentException("cost model parts must be measured times: draft " + draftStepNs + " ns, verify "
                    + verifyNs + " ns, bookkeeping " + bookkeepingNs + " ns, vanilla " + vanillaStepNs + " ns");
        }
    }

    /** @return one speculative batch step, ns */
    public double stepNs() {
        return k * draftStepNs + verifyNs + bookkeepingNs;
    }

    /** @return predicted speedup over vanilla decoding at acceptance rate α (accepted ÷ drafted) */
    public double speedup(double alpha) {
        return (1 + k * alpha) * vanillaStepNs / stepNs();
    }

    /** @return predicted speculative generation rate of all B sequences, tok/s */
    public double tokensPerS(double alpha) {
        return batch * (1 + k * alpha) * 1e9 / stepNs();
    }

    /** @return the α at which speculation breaks even; above 1 it cannot pay at this k and batch */
    public double breakEvenAlpha() {
        return Math.max(0, (stepNs() / vanillaStepNs - 1) / k);
    }

    /** @return the verify step's cost in vanilla steps: 1 is free verification, k + 1 is none of the batching win */
    public double verifyCostInSteps() {
        return verifyNs / vanillaStepNs;
    }
}
