package dev.edgebench.speculative;

import java.util.Arrays;

/**
 * What one speculative generation did: verify steps, drafted and accepted tokens (in total and per
 * draft position), and where the time went. Counted per sequence: a verify step of a batch of B
 * sequences is B sequence-steps, each drafting k tokens and accepting its own prefix.
 *
 * <p>Definitions (llama.cpp's {@code examples/speculative} and {@code common_speculative_print_stats}):
 * α = accepted ÷ drafted; τ = tokens emitted per sequence-step (accepted + the target's bonus token);
 * α at position i = sequence-steps that accepted position i ÷ sequence-steps.
 *
 * <p>Times are nanoseconds of the batch steps (wall clock, one per step, not per sequence):
 * draft = the k draft decodes and their argmax; verify = the target decode of k + 1 tokens per
 * sequence, synchronized; bookkeeping = the target's argmax, acceptance, KV-cache rollback and
 * batch building. Mutable, not thread-safe; {@link #reset} reuses it without allocating.
 */
public final class SpeculativeStats {
    private final int k;
    private final long[] acceptedAt;
    private long seqSteps;
    private long batchSteps;
    private long accepted;
    private long emitted;
    private long draftNs;
    private long verifyNs;
    private long bookkeepingNs;

    /** @param k draft tokens per step, > 0 */
    public SpeculativeStats(int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("draft tokens must be positive, was " + k);
        }
        this.k = k;
        this.acceptedAt = new long[k];
    }

    /** Zeroes every counter. */
    public void reset() {
        Arrays.fill(acceptedAt, 0);
        seqSteps = batchSteps = accepted = emitted = draftNs = verifyNs = bookkeepingNs = 0;
    }

    /** Records one sequence's verify outcome: {@code nAccepted} draft tokens accepted (0..k) plus the bonus token. */
    public void sequenceStep(int nAccepted) {
        if (nAccepted < 0 || nAccepted > k) {
            throw new IllegalArgumentException("accepted " + nAccepted + " of " + k + " drafted");
        }
        seqSteps++;
        accepted += nAccepted;
        emitted += nAccepted + 1;
        for (int i = 0; i < nAccepted; i++) {
            acceptedAt[i]++;
        }
    }

    /** Records the times of one batch step, in nanoseconds. */
    public void batchStep(long draft, long verify, long bookkeeping) {
        batchSteps++;
        draftNs += draft;
        verifyNs += verify;
        bookkeepingNs += bookkeeping;
    }

    public int k() {
        return k;
    }

    /** @return sequence-steps (batch steps × sequences) */
    public long sequenceSteps() {
        return seqSteps;
    }

    public long batchSteps() {
        return batchSteps;
    }

    public long drafted() {
        return seqSteps * k;
    }

    public long accepted() {
        return accepted;
    }

    /** @return tokens the verify steps emitted (accepted + bonus), over all sequences */
    public long emitted() {
        return emitted;
    }

    /** @return accepted ÷ drafted, NaN before any step */
    public double alpha() {
        return seqSteps == 0 ? Double.NaN : accepted / (double) drafted();
    }

    /** @return tokens per sequence-step, NaN before any step */
    public double tau() {
        return seqSteps == 0 ? Double.NaN : emitted / (double) seqSteps;
    }

    /** @return sequence-steps that accepted draft position i ÷ sequence-steps */
    public double alphaAt(int i) {
        return seqSteps == 0 ? Double.NaN : acceptedAt[i] / (double) seqSteps;
    }

    /** @return sequence-steps that accepted draft position i */
    public long acceptedAt(int i) {
        return acceptedAt[i];
    }

    public long draftNs() {
        return draftNs;
    }

    public long verifyNs() {
        return verifyNs;
    }

    public long bookkeepingNs() {
        return bookkeepingNs;
    }

    /** @return mean draft time of one batch step (k draft decodes), ms */
    public double draftMsPerStep() {
        return perStepMs(draftNs);
    }

    /** @return mean verify time of one batch step, ms */
    public double verifyMsPerStep() {
        return perStepMs(verifyNs);
    }

    /** @return mean bookkeeping time of one batch step, ms */
    public double bookkeepingMsPerStep() {
        return perStepMs(bookkeepingNs);
    }

    private double perStepMs(long ns) {
        return batchSteps == 0 ? Double.NaN : ns / 1e6 / batchSteps;
    }
}
