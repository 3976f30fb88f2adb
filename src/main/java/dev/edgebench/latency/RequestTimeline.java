package dev.edgebench.latency;

import java.util.Arrays;

/**
 * One request's timeline as a client sees it, on one monotonic clock (ns): when it was scheduled
 * to start, when it was sent, and when each streamed chunk arrived with how many tokens it carried.
 * Every token's arrival is its chunk's arrival. {@link RequestMetrics} computes TTFT, ITL, TPOT and
 * E2E from it the same way for every engine.
 *
 * <p>Arrays are sized once ({@link #RequestTimeline(int)}) and reused ({@link #reset}); recording a
 * chunk allocates nothing unless an engine sends more tokens than the capacity (then the arrays
 * grow, once). Not thread-safe: one polling thread owns it.
 */
public final class RequestTimeline {
    private long scheduledNs;
    private long sentNs;
    private long endNs;
    private long[] tokenNs;
    private int tokens;
    private long[] chunkNs;
    private int[] chunkTokens;
    private int chunks;
    private boolean failed;
    private boolean finished;

    /** @param capacity tokens expected at most (more are accepted, by growing) */
    public RequestTimeline(int capacity) {
        int c = Math.max(1, capacity);
        tokenNs = new long[c];
        chunkNs = new long[c];
        chunkTokens = new int[c];
    }

    /** Starts over for a request scheduled at {@code scheduledNs}. */
    public void reset(long scheduledNs) {
        this.scheduledNs = scheduledNs;
        sentNs = 0;
        endNs = 0;
        tokens = 0;
        chunks = 0;
        failed = false;
        finished = false;
    }

    /** Records that the request was handed to the engine at {@code ns}. */
    public void sent(long ns) {
        sentNs = ns;
    }

    /** Records a chunk of {@code nTokens} tokens (at least 1) that arrived at {@code ns}. */
    public void chunk(long ns, int nTokens) {
        if (nTokens <= 0) {
            return;
        }
        if (tokens + nTokens > tokenNs.length) {
            tokenNs = Arrays.copyOf(tokenNs, Math.max(tokens + nTokens, tokenNs.length * 2));
        }
        if (chunks == chunkNs.length) {
            chunkNs = Arrays.copyOf(chunkNs, chunks * 2);
            chunkTokens = Arrays.copyOf(chunkTokens, chunks * 2);
        }
        Arrays.fill(tokenNs, tokens, tokens + nTokens, ns);
        tokens += nTokens;
        chunkNs[chunks] = ns;
        chunkTokens[chunks] = nTokens;
        chunks++;
    }

    /** Records the request's end at {@code ns} (its final event), failed or not. */
    public void finish(long ns, boolean failed) {
        this.endNs = ns;
        this.failed = failed;
        this.finished = true;
    }

    public long scheduledNs() {
        return scheduledNs;
    }

    public long sentNs() {
        return sentNs;
    }

    /** @return when the final event arrived (0 before it did) */
    public long endNs() {
        return endNs;
    }

    public boolean finished() {
        return finished;
    }

    public boolean failed() {
        return failed;
    }

    /** @return tokens received */
    public int tokens() {
        return tokens;
    }

    /** @return chunks (events carrying at least one token) received */
    public int chunks() {
        return chunks;
    }

    /** @return arrival of token {@code i}, ns */
    public long tokenNs(int i) {
        if (i < 0 || i >= tokens) {
            throw new IndexOutOfBoundsException("token " + i + " of " + tokens);
        }
        return tokenNs[i];
    }

    /** @return arrival of chunk {@code i}, ns */
    public long chunkNs(int i) {
        if (i < 0 || i >= chunks) {
            throw new IndexOutOfBoundsException("chunk " + i + " of " + chunks);
        }
        return chunkNs[i];
    }

    /** @return tokens of chunk {@code i} */
    public int chunkTokens(int i) {
        if (i < 0 || i >= chunks) {
            throw new IndexOutOfBoundsException("chunk " + i + " of " + chunks);
        }
        return chunkTokens[i];
    }

    /** @return the first token's arrival, or 0 when none arrived */
    public long firstTokenNs() {
        return tokens == 0 ? 0 : tokenNs[0];
    }

    /** @return the last token's arrival, or 0 when none arrived */
    public long lastTokenNs() {
        return tokens == 0 ? 0 : tokenNs[tokens - 1];
    }
}
