package dev.edgebench.engine.llama;

import dev.edgebench.engine.PolledEvents;

import java.util.Arrays;

/**
 * The events {@link StepStreamingEngine}'s worker has produced and its poller has not yet taken, in
 * preallocated primitive arrays (grown, not allocated, per event): event i's tokens follow event
 * i − 1's in one flat array, compacted when drained.
 *
 * <p>Not thread-safe: the engine guards it with its own monitor, on which the poller also waits.
 */
final class StepEvents {
    private long[] reqId;
    private long[] tag;
    private long[] times;      // per event: received, arrival, first scheduled, first token, last token
    private int[] nTok;
    private int[] flags;       // bit 0 final, bit 1 error, bit 2 perf
    private int[] finish;
    private int[] iters;
    private int[] tokens = new int[1024];
    private int events;
    private int tokenCount;

    StepEvents(int capacity) {
        reqId = new long[capacity];
        tag = new long[capacity];
        times = new long[capacity * 5];
        nTok = new int[capacity];
        flags = new int[capacity];
        finish = new int[capacity];
        iters = new int[capacity];
    }

    /** @return whether none is waiting */
    boolean isEmpty() {
        return events == 0;
    }

    /** A token event, without allocation. */
    void token(long id, long clientTag, long arrivalNs, long now, int tok) {
        growIfFull(1);
        tokens[tokenCount++] = tok;
        put(id, clientTag, arrivalNs, now, 1, 0, 0, 0, 0, 0, 0);
    }

    /** An event of {@code count} tokens from {@code toks}; the engine's times are kept when {@code firstSched} is set. */
    void add(long id, long clientTag, long arrivalNs, long now, int[] toks, int count, boolean isFinal, int code, boolean error,
             long firstSched, long firstTok, long lastTok, int iterations) {
        growIfFull(count);
        if (count > 0) {
            System.arraycopy(toks, 0, tokens, tokenCount, count);
            tokenCount += count;
        }
        int fl = (isFinal ? 1 : 0) | (error ? 2 : 0) | (firstSched > 0 ? 4 : 0);
        put(id, clientTag, arrivalNs, now, count, fl, code, firstSched, firstTok, lastTok, iterations);
    }

    private void put(long id, long clientTag, long arrivalNs, long now, int count, int fl, int code, long firstSched, long firstTok,
                     long lastTok, int iterations) {
        int i = events++;
        reqId[i] = id;
        tag[i] = clientTag;
        times[i * 5] = now;
        times[i * 5 + 1] = arrivalNs;
        times[i * 5 + 2] = firstSched;
        times[i * 5 + 3] = firstTok;
        times[i * 5 + 4] = lastTok;
        nTok[i] = count;
        flags[i] = fl;
        finish[i] = code;
        iters[i] = iterations;
    }

    /**
     * Moves events, oldest first, into {@code out} until it is full.
     *
     * @return how many moved
     */
    int drainTo(PolledEvents out) {
        int moved = 0;
        int tokStart = 0;
        while (moved < events && !out.full()) {
            int off = out.tokenCount();
            for (int k = 0; k < nTok[moved]; k++) {
                out.appendToken(tokens[tokStart + k]);
            }
            int t = moved * 5;
            out.appendEvent(reqId[moved], tag[moved], times[t], times[t + 1], times[t + 2], times[t + 3], times[t + 4], off,
                    nTok[moved], (flags[moved] & 1) != 0, finish[moved], (flags[moved] & 2) != 0, (flags[moved] & 4) != 0,
                    iters[moved]);
            tokStart += nTok[moved];
            moved++;
        }
        if (moved > 0) {
            // the rest move to the front (a poll drains all but what did not fit, so this is rare and small)
            int rest = events - moved;
            System.arraycopy(reqId, moved, reqId, 0, rest);
            System.arraycopy(tag, moved, tag, 0, rest);
            System.arraycopy(times, moved * 5, times, 0, rest * 5);
            System.arraycopy(nTok, moved, nTok, 0, rest);
            System.arraycopy(flags, moved, flags, 0, rest);
            System.arraycopy(finish, moved, finish, 0, rest);
            System.arraycopy(iters, moved, iters, 0, rest);
            System.arraycopy(tokens, tokStart, tokens, 0, tokenCount - tokStart);
            tokenCount -= tokStart;
            events = rest;
        }
        return moved;
    }

    private void growIfFull(int moreTokens) {
        if (events == reqId.length) {
            int n = reqId.length * 2;
            reqId = Arrays.copyOf(reqId, n);
            tag = Arrays.copyOf(tag, n);
            times = Arrays.copyOf(times, n * 5);
            nTok = Arrays.copyOf(nTok, n);
            flags = Arrays.copyOf(flags, n);
            finish = Arrays.copyOf(finish, n);
            iters = Arrays.copyOf(iters, n);
        }
        if (tokenCount + moreTokens > tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, tokenCount + moreTokens));
        }
    }
}
