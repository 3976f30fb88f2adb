package dev.edgebench.engine.http;

import dev.edgebench.engine.PolledEvents;

import java.util.Arrays;

/**
 * The bounded queue between the HTTP client's threads (which append an event per streamed chunk)
 * and the one thread that polls. Events and their tokens live in preallocated primitive rings, so
 * neither side allocates per event. A token event waits while {@code eventCapacity} events are
 * queued (the stream then backs up into TCP: its arrival time was taken before it waited); a final
 * event never waits, so that a thread which also polls can always end a request: the rings grow
 * for final events instead (at most one per request in flight, and not per token).
 *
 * <p>Threading: any number of producers, one consumer; all state is guarded by this object's monitor.
 */
final class EventRing {
    private final int eventCapacity;
    private long[] reqId;
    private long[] clientTag;
    private long[] recvNs;
    private int[] nTok;
    private int[] flags;     // bit 0 final, bit 1 error
    private int[] finish;
    private int head;
    private int size;
    private int[] tokens;
    private int tokHead;
    private int tokSize;
    private boolean closed;

    EventRing(int eventCapacity, int tokenCapacity) {
        this.eventCapacity = eventCapacity;
        reqId = new long[eventCapacity];
        clientTag = new long[eventCapacity];
        recvNs = new long[eventCapacity];
        nTok = new int[eventCapacity];
        flags = new int[eventCapacity];
        finish = new int[eventCapacity];
        tokens = new int[tokenCapacity];
    }

    /**
     * Appends a token event of {@code n} tokens ({@code ids[0..n)}, or -1 each when {@code ids} is
     * null: counted, ids unknown), unless the request has already ended.
     *
     * @return false when the ring was closed or the request had ended
     */
    synchronized boolean offerTokens(StreamExchange ex, long recvNs, int[] ids, int n) {
        while (!closed && (size >= eventCapacity || tokSize + n > tokens.length) && !(size == 0 && tokSize == 0)) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        if (closed || ex.isEnded()) {
            return false;
        }
        if (tokSize + n > tokens.length) {
            growTokens(tokSize + n);    // one chunk larger than the whole token ring: once, not per token
        }
        for (int k = 0; k < n; k++) {
            tokens[(tokHead + tokSize + k) % tokens.length] = ids == null ? -1 : ids[k];
        }
        tokSize += n;
        put(ex, recvNs, n, 0, 0);
        return true;
    }

    /** Appends a request's final event; never waits. */
    synchronized void offerFinal(StreamExchange ex, long recvNs, int finishCode, boolean error) {
        if (closed) {
            return;
        }
        if (size == reqId.length) {
            growEvents();
        }
        put(ex, recvNs, 0, 1 | (error ? 2 : 0), finishCode);
    }

    private void put(StreamExchange ex, long t, int n, int flag, int finishCode) {
        int i = (head + size) % reqId.length;
        reqId[i] = ex.requestId;
        clientTag[i] = ex.clientTag;
        recvNs[i] = t;
        nTok[i] = n;
        flags[i] = flag;
        finish[i] = finishCode;
        size++;
        notifyAll();
    }

    /**
     * Moves up to {@code out.eventCapacity()} events into {@code out}, waiting up to {@code timeoutMs}
     * for the first.
     *
     * @return the number of events moved
     */
    synchronized int poll(int timeoutMs, PolledEvents out) {
        out.clear();
        if (size == 0 && timeoutMs > 0 && !closed) {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            long left;
            while (size == 0 && !closed && (left = deadline - System.nanoTime()) > 0) {
                try {
                    wait(Math.max(1, left / 1_000_000L), (int) (left % 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        int moved = 0;
        while (size > 0 && !out.full()) {
            int i = head;
            int off = out.tokenCount();
            for (int k = 0; k < nTok[i]; k++) {
                out.appendToken(tokens[tokHead]);
                tokHead = (tokHead + 1) % tokens.length;
            }
            tokSize -= nTok[i];
            out.appendEvent(reqId[i], clientTag[i], recvNs[i], 0, 0, 0, 0, off, nTok[i],
                    (flags[i] & 1) != 0, finish[i], (flags[i] & 2) != 0, false, 0);
            head = (head + 1) % reqId.length;
            size--;
            moved++;
        }
        if (moved > 0) {
            notifyAll();
        }
        return moved;
    }

    /** Wakes every waiting producer and consumer; later offers are dropped. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    private void growEvents() {
        int cap = reqId.length;
        int newCap = cap * 2;
        reqId = unwrap(reqId, newCap);
        clientTag = unwrap(clientTag, newCap);
        recvNs = unwrap(recvNs, newCap);
        nTok = unwrap(nTok, newCap);
        flags = unwrap(flags, newCap);
        finish = unwrap(finish, newCap);
        head = 0;
    }

    private void growTokens(int need) {
        int[] t = new int[Math.max(need, tokens.length * 2)];
        for (int k = 0; k < tokSize; k++) {
            t[k] = tokens[(tokHead + k) % tokens.length];
        }
        tokens = t;
        tokHead = 0;
    }

    private long[] unwrap(long[] a, int newCap) {
        long[] r = Arrays.copyOf(a, newCap);
        for (int k = 0; k < size; k++) {
            r[k] = a[(head + k) % a.length];
        }
        return r;
    }

    private int[] unwrap(int[] a, int newCap) {
        int[] r = Arrays.copyOf(a, newCap);
        for (int k = 0; k < size; k++) {
            r[k] = a[(head + k) % a.length];
        }
        return r;
    }
}
