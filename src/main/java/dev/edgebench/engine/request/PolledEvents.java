package dev.edgebench.engine.request;

import dev.edgebench.bindings.request.ebr_event;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The events of one {@link AbiRequestEngine#poll} call, copied out of the native buffers into arrays
 * that are reused from call to call: nothing is allocated per token or per event. Event {@code i}'s
 * tokens are {@code token(tokenOffset(i)) .. token(tokenOffset(i) + tokenCount(i) - 1)}. Times are
 * nanoseconds on the clock of {@link System#nanoTime()} ({@code CLOCK_MONOTONIC}); 0 where the engine
 * does not report a time. Not thread-safe: one polling thread owns an instance.
 */
public final class PolledEvents {
    private static final long SIZE = ebr_event.sizeof();
    private static final long REQ_ID = ebr_event.req_id$offset();
    private static final long CLIENT_TAG = ebr_event.client_tag$offset();
    private static final long RECV_NS = ebr_event.recv_ns$offset();
    private static final long ARRIVAL_NS = ebr_event.arrival_ns$offset();
    private static final long FIRST_SCHED_NS = ebr_event.first_sched_ns$offset();
    private static final long FIRST_TOK_NS = ebr_event.first_tok_ns$offset();
    private static final long LAST_TOK_NS = ebr_event.last_tok_ns$offset();
    private static final long TOK_OFF = ebr_event.tok_off$offset();
    private static final long N_TOK = ebr_event.n_tok$offset();
    private static final long IS_FINAL = ebr_event.is_final$offset();
    private static final long FINISH_REASON = ebr_event.finish_reason$offset();
    private static final long HAS_ERROR = ebr_event.has_error$offset();
    private static final long HAS_PERF = ebr_event.has_perf$offset();
    private static final long DECODING_ITER = ebr_event.decoding_iter$offset();

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

    /** Copies {@code n} events and {@code used} tokens out of the native buffers. */
    void fill(MemorySegment events, MemorySegment nativeTokens, int n, int used) {
        if (used > tokens.length) {
            tokens = new int[Math.max(used, tokens.length * 2)];
        }
        for (int i = 0; i < n; i++) {
            long b = i * SIZE;
            reqId[i] = events.get(ValueLayout.JAVA_LONG, b + REQ_ID);
            clientTag[i] = events.get(ValueLayout.JAVA_LONG, b + CLIENT_TAG);
            recvNs[i] = events.get(ValueLayout.JAVA_LONG, b + RECV_NS);
            arrivalNs[i] = events.get(ValueLayout.JAVA_LONG, b + ARRIVAL_NS);
            firstSchedNs[i] = events.get(ValueLayout.JAVA_LONG, b + FIRST_SCHED_NS);
            firstTokNs[i] = events.get(ValueLayout.JAVA_LONG, b + FIRST_TOK_NS);
            lastTokNs[i] = events.get(ValueLayout.JAVA_LONG, b + LAST_TOK_NS);
            tokOff[i] = events.get(ValueLayout.JAVA_INT, b + TOK_OFF);
            nTok[i] = events.get(ValueLayout.JAVA_INT, b + N_TOK);
            flags[i] = (events.get(ValueLayout.JAVA_INT, b + IS_FINAL) != 0 ? 1 : 0)
                    | (events.get(ValueLayout.JAVA_INT, b + HAS_ERROR) != 0 ? 2 : 0)
                    | (events.get(ValueLayout.JAVA_INT, b + HAS_PERF) != 0 ? 4 : 0);
            finishReason[i] = events.get(ValueLayout.JAVA_INT, b + FINISH_REASON);
            decodingIter[i] = events.get(ValueLayout.JAVA_INT, b + DECODING_ITER);
        }
        MemorySegment.copy(nativeTokens, ValueLayout.JAVA_INT, 0, tokens, 0, used);
        count = n;
        tokenCount = used;
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

    /** @return whether event i reports the request's failure ({@link AbiRequestEngine#errorText}) */
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
