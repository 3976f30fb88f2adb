package dev.edgebench.engine;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The events of one {@link StreamingEngine#poll} call, in arrays that are reused from call to call
 * (the engine fills them: copied from native buffers, or appended by a Java engine): nothing is allocated per token or per event. Event {@code i}'s
 * tokens are {@code token(tokenOffset(i)) .. token(tokenOffset(i) + tokenCount(i) - 1)}. Times are
 * nanoseconds on the clock of {@link System#nanoTime()} ({@code CLOCK_MONOTONIC}); 0 where the engine
 * does not report a time. Not thread-safe: one polling thread owns an instance.
 */
public final class PolledEvents {
    private final long[] reqId;
    private final long[] clientTag;
    private final long[] recvNs;
    private final long[] arrivalNs;
    private final long[] firstSchedNs;
    private final long[] firstTokNs;
    private final long[] lastTokNs;
    private final int[] tokOff;
    private final int[] nTok;
    private final int[] flags;          // bit 0 final, bit 1 error, bit 2 perf
    private final int[] finishReason;
    private final int[] decodingIter;
    private int[] tokens;
    private int count;
    private int tokenCount;

    /**
     * @param eventCapacity most events per poll
     * @param tokenCapacity tokens per poll to start with (grows when one event carries more)
     */
    public PolledEvents(int eventCapacity, int tokenCapacity) {
        if (eventCapacity < 1 || tokenCapacity < 1) {
            throw new IllegalArgumentException("eventCapacity and tokenCapacity must be at least 1: " + eventCapacity + ", " + tokenCapacity);
        }
        reqId = new long[eventCapacity];
        clientTag = new long[eventCapacity];
        recvNs = new long[eventCapacity];
        arrivalNs = new long[eventCapacity];
        firstSchedNs = new long[eventCapacity];
        firstTokNs = new long[eventCapacity];
        lastTokNs = new long[eventCapacity];
        tokOff = new int[eventCapacity];
        nTok = new int[eventCapacity];
        flags = new int[eventCapacity];
        finishReason = new int[eventCapacity];
        decodingIter = new int[eventCapacity];
        tokens = new int[tokenCapacity];
    }

    /** Empties the buffer before an engine fills it. */
    public void clear() {
        count = 0;
        tokenCount = 0;
    }

    /** @return whether another event fits */
    public boolean full() {
        return count == reqId.length;
    }

    /**
     * Copies {@code used} tokens from a native buffer, replacing the tokens of this poll (events
     * then refer to them by offset). Grows the token array, once, when it is too small.
     */
    public void copyTokens(MemorySegment src, int used) {
        ensureTokens(used);
        MemorySegment.copy(src, ValueLayout.JAVA_INT, 0, tokens, 0, used);
        tokenCount = used;
    }

    /** Appends one token of the event about to be appended; @return its offset */
    public int appendToken(int token) {
        ensureTokens(tokenCount + 1);
        tokens[tokenCount] = token;
        return tokenCount++;
    }

    /**
     * Appends one event; its tokens are {@code token(tokenOffset) .. token(tokenOffset + nTok - 1)}.
     *
     * @throws IllegalStateException when the buffer is {@link #full()}
     */
    public void appendEvent(long requestId, long clientTag, long recvNs, long arrivalNs, long firstScheduledNs, long firstTokenNs,
                            long lastTokenNs, int tokenOffset, int nTok, boolean isFinal, int finishReasonCode, boolean hasError,
                            boolean hasPerf, int decodingIterations) {
        if (full()) {
            throw new IllegalStateException("PolledEvents holds at most " + reqId.length + " events");
        }
        int i = count++;
        reqId[i] = requestId;
        this.clientTag[i] = clientTag;
        this.recvNs[i] = recvNs;
        this.arrivalNs[i] = arrivalNs;
        firstSchedNs[i] = firstScheduledNs;
        firstTokNs[i] = firstTokenNs;
        lastTokNs[i] = lastTokenNs;
        tokOff[i] = tokenOffset;
        this.nTok[i] = nTok;
        flags[i] = (isFinal ? 1 : 0) | (hasError ? 2 : 0) | (hasPerf ? 4 : 0);
        finishReason[i] = finishReasonCode;
        decodingIter[i] = decodingIterations;
    }

    private void ensureTokens(int n) {
        if (n > tokens.length) {
            tokens = java.util.Arrays.copyOf(tokens, Math.max(n, tokens.length * 2));
        }
    }

    /** @return the most events one poll can hold */
    public int eventCapacity() {
        return reqId.length;
    }

    /** @return the number of events of the last poll */
    public int count() {
        return count;
    }

    /** @return the number of tokens of the last poll */
    public int tokenCount() {
        return tokenCount;
    }

    /** @return event i's request id */
    public long requestId(int i) {
        return reqId[check(i)];
    }

    /** @return event i's client tag */
    public long clientTag(int i) {
        return clientTag[check(i)];
    }

    /** @return when the library received event i's tokens from the engine, ns */
    public long recvNs(int i) {
        return recvNs[check(i)];
    }

    /** @return engine time: the request arrived, ns (0: not reported) */
    public long arrivalNs(int i) {
        return arrivalNs[check(i)];
    }

    /** @return engine time: the request was first scheduled, ns (0: not reported) */
    public long firstScheduledNs(int i) {
        return firstSchedNs[check(i)];
    }

    /** @return engine time: the request's first token, ns (0: not reported) */
    public long firstTokenNs(int i) {
        return firstTokNs[check(i)];
    }

    /** @return engine time: the request's latest token, ns (0: not reported) */
    public long lastTokenNs(int i) {
        return lastTokNs[check(i)];
    }

    /** @return where event i's tokens start in {@link #token(int)} */
    public int tokenOffset(int i) {
        return tokOff[check(i)];
    }

    /** @return how many tokens event i carries (0 for a token-less final or an error) */
    public int tokenCount(int i) {
        return nTok[check(i)];
    }

    /** @return whether event i is its request's last */
    public boolean isFinal(int i) {
        return (flags[check(i)] & 1) != 0;
    }

    /** @return whether event i reports the request's failure ({@link StreamingEngine#errorText}) */
    public boolean hasError(int i) {
        return (flags[check(i)] & 2) != 0;
    }

    /** @return whether event i carries the engine's own times */
    public boolean hasPerf(int i) {
        return (flags[check(i)] & 4) != 0;
    }

    /** @return why event i's request ended ({@link FinishReason#NOT_FINISHED} unless final) */
    public FinishReason finishReason(int i) {
        return FinishReason.ofCode(finishReason[check(i)]);
    }

    /** @return the engine's decoding iterations for event i's request so far (0: not reported) */
    public int decodingIterations(int i) {
        return decodingIter[check(i)];
    }

    /** @return token k of the last poll */
    public int token(int k) {
        if (k < 0 || k >= tokenCount) {
            throw new IndexOutOfBoundsException("token " + k + " of " + tokenCount);
        }
        return tokens[k];
    }

    private int check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("event " + i + " of " + count);
        }
        return i;
    }
}
