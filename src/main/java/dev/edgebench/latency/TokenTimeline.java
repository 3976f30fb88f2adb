package dev.edgebench.latency;

import java.util.Arrays;

/**
 * When each token of one generation arrived, per sequence, on one monotonic clock
 * ({@link System#nanoTime()}, in ns): the common output of step and request engines, from which
 * {@link TimelineMetrics} computes TTFT, inter-token latency and throughput the same way for
 * every engine.
 *
 * <p>Reusable: {@link #reset} clears it without allocating. Not thread-safe.
 */
public final class TokenTimeline {
    private final int nSeq;
    private final int capacity;
    private final long[][] tokenNs;
    private final int[] count;
    private long startNs;
    private long prefillEndNs;
    private int nPrompt;

    /**
     * @param nSeq     sequences
     * @param capacity most tokens per sequence
     */
    public TokenTimeline(int nSeq, int capacity) {
        if (nSeq <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("nSeq and capacity must be positive: " + nSeq + ", " + capacity);
        }
        this.nSeq = nSeq;
        this.capacity = capacity;
        this.tokenNs = new long[nSeq][capacity];
        this.count = new int[nSeq];
    }

    /** Starts a new generation at {@code startNs} with {@code nPrompt} prompt tokens per sequence. */
    public void reset(long startNs, int nPrompt) {
        this.startNs = startNs;
        this.nPrompt = nPrompt;
        this.prefillEndNs = 0;
        Arrays.fill(count, 0);
    }

    /** Marks the end of prompt processing. */
    public void prefillEnd(long ns) {
        this.prefillEndNs = ns;
    }

    /** Records that sequence {@code seq} received a token at {@code ns}. */
    public void token(int seq, long ns) {
        int c = count[seq];
        if (c == capacity) {
            throw new IllegalStateException("timeline capacity of " + capacity + " tokens exceeded for sequence " + seq);
        }
        tokenNs[seq][c] = ns;
        count[seq] = c + 1;
    }

    /** Records that every sequence received a token at {@code ns} (one step of a step engine). */
    public void tokenAll(long ns) {
        for (int s = 0; s < nSeq; s++) {
            token(s, ns);
        }
    }

    public int nSeq() {
        return nSeq;
    }

    public long startNs() {
        return startNs;
    }

    /** @return end of prompt processing, or 0 when the engine did not report it */
    public long prefillEndNs() {
        return prefillEndNs;
    }

    public int nPrompt() {
        return nPrompt;
    }

    /** @return tokens received by a sequence */
    public int tokens(int seq) {
        return count[seq];
    }

    /** @return arrival time of token {@code i} of sequence {@code seq} */
    public long tokenNs(int seq, int i) {
        if (i >= count[seq]) {
            throw new IndexOutOfBoundsException("token " + i + " of " + count[seq]);
        }
        return tokenNs[seq][i];
    }

    /** @return the last arrival over all sequences */
    public long endNs() {
        long end = prefillEndNs;
        for (int s = 0; s < nSeq; s++) {
            if (count[s] > 0) {
                end = Math.max(end, tokenNs[s][count[s] - 1]);
            }
        }
        return end;
    }
}
