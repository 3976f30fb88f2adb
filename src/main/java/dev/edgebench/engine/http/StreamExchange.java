package dev.edgebench.engine.http;

import dev.edgebench.engine.FinishReason;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * One request's streaming HTTP exchange: receives the response body's bytes as the HTTP client
 * delivers them, timestamps each delivery with {@link System#nanoTime()} on arrival, splits it into
 * lines in a reused buffer and turns each SSE/NDJSON line into events on the {@link EventRing}.
 * Nothing is allocated per line or per token here (the buffers grow, rarely, to the longest line);
 * the HTTP client's own buffers are all a chunk costs.
 *
 * <p>Every request ends with exactly one final event: at the stream's end marker, on an error
 * (HTTP status, transport, a malformed or error line, a stream cut before its end), or on
 * {@link #cancel}. Threading: the body callbacks come from the HTTP client's threads, one at a
 * time; {@link #cancel} and {@link #fail} may race with them and are resolved by one atomic end.
 */
final class StreamExchange implements HttpResponse.BodySubscriber<Void> {
    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE_MARK = "[DONE]".getBytes(StandardCharsets.US_ASCII);
    private static final int ERROR_BODY_BYTES = 4096;

    final long requestId;
    final long clientTag;
    final long submitNs;
    private final EventRing ring;
    private final Dialect dialect;
    final RequestFigures.Builder figures;
    private final CompletableFuture<Void> body = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile CompletableFuture<?> send;
    private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile String errorText;
    volatile long lastBytesNs;

    private int status;
    private byte[] line = new byte[1024];
    private int lineLen;
    private int[] ids = new int[64];
    private int nIds;
    private final ChunkScanner.IntSink idSink = v -> {
        growIds(nIds + 1);
        ids[nIds++] = v;
    };
    private FinishReason finish;

    StreamExchange(long requestId, long clientTag, EventRing ring, Dialect dialect, int promptTokens) {
        this.requestId = requestId;
        this.clientTag = clientTag;
        this.ring = ring;
        this.dialect = dialect;
        this.submitNs = System.nanoTime();
        this.lastBytesNs = submitNs;
        this.figures = new RequestFigures.Builder(dialect, promptTokens);
    }

    /** The body handler: a 2xx status streams, any other collects the error body into the request's error. */
    HttpResponse.BodySubscriber<Void> subscriberFor(HttpResponse.ResponseInfo info) {
        status = info.statusCode();
        figures.httpStatus = status;
        return this;
    }

    void sentAs(CompletableFuture<?> future) {
        send = future;
    }

    boolean isEnded() {
        return ended.get();
    }

    String errorText() {
        return errorText;
    }

    @Override
    public CompletionStage<Void> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (ended.get()) {
            s.cancel();
        } else {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        long t = System.nanoTime();
        lastBytesNs = t;
        for (int k = 0, n = items.size(); k < n; k++) {
            ByteBuffer bb = items.get(k);
            for (int i = bb.position(), lim = bb.limit(); i < lim; i++) {
                byte c = bb.get(i);
                if (status >= 300) {
                    if (lineLen < ERROR_BODY_BYTES) {
                        append(c);
                    }
                } else if (c == '\n') {
                    if (!ended.get()) {
                        line(t);
                    }
                    lineLen = 0;
                } else if (c != '\r') {
                    append(c);
                }
            }
        }
    }

    @Override
    public void onError(Throwable e) {
        body.complete(null);
        if (!ended.get()) {
            fail(t(), "the stream broke after " + figures.chunks + " chunks: " + describe(e));
        }
    }

    @Override
    public void onComplete() {
        body.complete(null);
        long t = t();
        if (status >= 300) {
            fail(t, "HTTP " + status + " from " + dialect.path + ": " + new String(line, 0, lineLen, StandardCharsets.UTF_8).strip());
            return;
        }
        if (lineLen > 0 && !ended.get()) {
            line(t);
            lineLen = 0;
        }
        if (!ended.get()) {
            fail(t, "the stream ended before its end marker, after " + figures.chunks + " chunks");
        }
    }

    /** @return whether the request was running and is now cancelled (its final event says CANCELLED) */
    boolean cancel() {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        close();
        figures.cancelled = true;
        ring.offerFinal(this, System.nanoTime(), FinishReason.CANCELLED.code(), false);
        return true;
    }

    /** Ends the request with an error event, unless it already ended; closes the exchange. */
    void fail(long t, String why) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        errorText = why;
        close();
        ring.offerFinal(this, t, FinishReason.UNKNOWN.code(), true);
    }

    private void close() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        CompletableFuture<?> f = send;
        if (f != null) {
            f.cancel(true);
        }
    }

    private long t() {
        return System.nanoTime();
    }

    private void append(byte c) {
        if (lineLen == line.length) {
            line = java.util.Arrays.copyOf(line, line.length * 2);
        }
        line[lineLen++] = c;
    }

    private void line(long t) {
        byte[] b = line;
        int from = 0;
        int to = lineLen;
        if (dialect.sse) {
            if (to > 0 && b[0] == '{') {
                fail(t, "the server answered with plain JSON, not an event stream (does it stream?): "
                        + new String(b, 0, Math.min(to, 300), StandardCharsets.UTF_8));
                return;
            }
            if (to == 0 || b[0] == ':' || !startsWith(b, 0, to, DATA)) {
                return;     // a blank separator, a comment (keep-alive ping), or an event:/id:/retry: field
            }
            from = DATA.length;
            while (from < to && b[from] == ' ') {
                from++;
            }
            if (startsWith(b, from, to, DONE_MARK)) {
                end(t);
                return;
            }
        } else if (to == 0) {
            return;
        }
        if (!ChunkScanner.looksLikeObject(b, from, to)) {
            fail(t, "malformed line " + (figures.chunks + 1) + " from " + dialect.path + ": "
                    + new String(b, from, Math.min(to - from, 200), StandardCharsets.UTF_8));
            return;
        }
        figures.chunks++;
        if (ChunkScanner.valueAt(b, from, to, Dialect.ERROR) >= 0) {
            fail(t, "the server reported an error mid-stream: " + new String(b, from, Math.min(to - from, 1000), StandardCharsets.UTF_8));
            return;
        }
        if (figures.firstChunkNs == 0) {
            figures.firstChunkNs = t;
        }
        figures.lastChunkNs = t;
        tokens(t, b, from, to);
        figures.scan(b, from, to);
        FinishReason f = dialect.finishReason(b, from, to);
        if (f != null) {
            finish = f;
        }
        if (dialect.isFinalLine(b, from, to)) {
            end(t);
        }
    }

    /**
     * Counts this chunk's tokens in the best way the server allows (serving-peers.md, "Counting
     * tokens per chunk"): its token ids; else, on a chunk with output, the rise of a cumulative count
     * over the tokens counted so far; else 0 (output whose token count the server does not give).
     * A chunk without output (a role delta, the usage chunk, the final line) makes no event.
     */
    private void tokens(long t, byte[] b, int from, int to) {
        nIds = 0;
        int idCount = dialect.tokenIdsKey == null ? -1 : ChunkScanner.intArray(b, from, to, dialect.tokenIdsKey, idSink);
        int n;
        int[] idsOrNull = null;
        if (idCount > 0) {
            n = idCount;
            idsOrNull = ids;
            figures.idsChunks++;
            // llama-server lists only a chunk's last token id when it held earlier tokens back (an
            // incomplete UTF-8 character, a possible stop string): its cumulative count says how many
            // the chunk really carries; the ids it did not list are reported as -1
            long cumulative = cumulative(b, from, to);
            if (cumulative != ChunkScanner.ABSENT && cumulative > figures.countedTokens + idCount) {
                int missing = (int) (cumulative - figures.countedTokens - idCount);
                growIds(idCount + missing);
                System.arraycopy(ids, 0, ids, missing, idCount);
                java.util.Arrays.fill(ids, 0, missing, -1);
                n = idCount + missing;
                figures.chunksWithUnlistedIds++;
            }
        } else if (idCount < 0 && ChunkScanner.nonEmptyString(b, from, to, dialect.textKey)) {
            long cumulative = cumulative(b, from, to);
            if (cumulative != ChunkScanner.ABSENT && cumulative > figures.countedTokens) {
                n = (int) (cumulative - figures.countedTokens);
                figures.cumulativeChunks++;
            } else {
                n = 0;
                figures.uncountedChunks++;
            }
        } else {
            return;
        }
        figures.countedTokens += n;
        ring.offerTokens(this, t, idsOrNull, n);
    }

    private static long cumulative(byte[] b, int from, int to) {
        return Math.max(ChunkScanner.longValue(b, from, to, Dialect.COMPLETION_TOKENS),
                Math.max(ChunkScanner.longValue(b, from, to, Dialect.PREDICTED_N), ChunkScanner.longValue(b, from, to, Dialect.TOKENS_PREDICTED)));
    }

    private void growIds(int n) {
        if (n > ids.length) {
            ids = java.util.Arrays.copyOf(ids, Math.max(n, ids.length * 2));
        }
    }

    private void end(long t) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        figures.endNs = t;
        ring.offerFinal(this, t, (finish == null ? FinishReason.UNKNOWN : finish).code(), false);
    }

    private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (b[from + k] != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    /** @return the failure a completion or execution exception wraps */
    static Throwable unwrap(Throwable e) {
        Throwable c = e;
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    static String describe(Throwable e) {
        Throwable c = unwrap(e);
        String m = c.getMessage();
        return c.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }
}
