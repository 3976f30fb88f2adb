package dev.edgebench.engine.http;

import dev.edgebench.engine.PolledEvents;
import dev.edgebench.engine.RequestSpec;
import dev.edgebench.engine.StreamingEngine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server as a {@link StreamingEngine}: each request is one streaming HTTP exchange over the
 * JDK's {@link HttpClient} ({@link Dialect}: OpenAI completions or chat, llama-server's native
 * completion, Ollama's generate), whose lines are timestamped on arrival and queued as events
 * ({@link StreamExchange}, {@link EventRing}). A request that fails (refused, timed out, an HTTP
 * error status, a malformed line, a stream cut short, a silent stream) ends with an error event and
 * its {@link #errorText}; the others go on. The server's own figures for each request are kept
 * beside the events ({@link #figures}, {@link #requestFiguresJson}).
 *
 * <p>Threading: {@link #submit}, {@link #cancel} and {@link #poll} from one thread (the HTTP client's
 * threads deliver the streams); {@link #errorText} and {@link #figures} from any thread. Owns the
 * HTTP client and, when given one, the server process it talks to (closed last). Times are
 * nanoseconds on the clock of {@link System#nanoTime()}.
 */
public final class HttpStreamingEngine implements StreamingEngine {
    /** Token events queued at most before the streams wait for the poller. */
    public static final int QUEUED_EVENTS = 8192;
    private static final int ENDED_KEPT = 1 << 16;
    private static final long STALL_CHECK_NS = 200_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpEngineSpec spec;
    private final URI endpoint;
    private final String model;
    private final HttpClient client;
    private final EventRing ring = new EventRing(QUEUED_EVENTS, QUEUED_EVENTS * 4);
    private final ConcurrentHashMap<Long, StreamExchange> live = new ConcurrentHashMap<>();
    private final Map<Long, Ended> ended = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Ended> e) {
            return size() > ENDED_KEPT;
        }
    };
    private final AtomicLong nextId = new AtomicLong();
    private final AutoCloseable owned;
    private long nextStallCheckNs;
    private volatile boolean closed;

    private record Ended(RequestFigures figures, String errorText) {
    }

    private HttpStreamingEngine(HttpEngineSpec spec, String model, AutoCloseable owned) {
        this.spec = spec;
        this.model = model;
        this.owned = owned;
        this.endpoint = URI.create(spec.baseUri() + spec.dialect().path);
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(spec.connectTimeout());
        // the client's callbacks (a chunk parsed and timestamped, an event queued) run on its selector thread instead
        // of being handed to a pool thread: one thread switch less per chunk, so the arrival time is taken sooner and
        // more evenly (HttpClientOverheadBenchmark: gap error p99 0.6-0.8 ms instead of 1.5-1.8 ms at 64 streams on
        // two cores). The callbacks never block but on a full event ring, which the polling thread drains.
        // -Dedgebench.http.pooledExecutor=true restores the JDK's pool, for an A/B.
        if (!Boolean.getBoolean("edgebench.http.pooledExecutor")) {
            b.executor(Runnable::run);
        }
        this.client = b.build();
    }

    /**
     * Opens an engine on a server that is already running. Checks that it answers (and, for an
     * OpenAI server given no {@code model=}, takes the first model it lists).
     *
     * @param runModel the model the run names: the model sent to Ollama when the spec gives none
     * @param owned    closed after the engine (a server process edgebench started), or null
     * @throws UncheckedIOException when the server does not answer, naming its address and why
     */
    public static HttpStreamingEngine open(HttpEngineSpec spec, String runModel, AutoCloseable owned) {
        if (spec.baseUri() == null) {
            throw new IllegalArgumentException("engine " + spec.family() + " has no address yet");
        }
        HttpStreamingEngine e = new HttpStreamingEngine(spec, null, owned);
        try {
            String model = switch (spec.family()) {
                case "ollama" -> {
                    e.get("/api/version");
                    yield spec.model() != null ? spec.model() : runModel;
                }
                case "llama-server" -> {
                    e.get("/health");
                    yield spec.model();
                }
                default -> spec.model() != null ? spec.model() : e.firstListedModel();
            };
            e.client.close();
            return new HttpStreamingEngine(spec, model, owned);
        } catch (RuntimeException ex) {
            e.client.shutdownNow();
            throw ex;
        }
    }

    /**
     * Checks that a running server answers as {@link #open} does, and asks its version where its API
     * has one (Ollama's {@code /api/version}, vLLM's and SGLang's {@code /version}); nothing is generated.
     *
     * @return the server's version text, or null when it does not say
     * @throws UncheckedIOException when the server does not answer, naming its address and why
     */
    public static String probe(HttpEngineSpec spec) {
        try (HttpStreamingEngine e = open(spec, null, null)) {
            String path = spec.family().equals("ollama") ? "/api/version" : "/version";
            try {
                JsonNode v = JSON.readTree(e.get(path)).path("version");
                return v.isValueNode() ? v.asText() : null;
            } catch (IOException | UncheckedIOException notTold) {
                return null;
            }
        }
    }

    /** @return the model name sent with every request (null: none sent) */
    public String model() {
        return model;
    }

    @Override
    public long submit(RequestSpec r) {
        if (closed) {
            throw new IllegalStateException("the engine for " + spec.baseUri() + " is closed");
        }
        long id = nextId.incrementAndGet();
        StreamExchange ex = new StreamExchange(id, r.clientTag(), ring, spec.dialect(), r.prompt().length);
        live.put(id, ex);
        if (spec.dialect() == Dialect.CHAT) {
            // chat takes text: the server's own detokenization of the ids, so its tokenizer decides (the
            // prompt count it reports back shows any round-trip change)
            HttpRequest detok = post(URI.create(spec.baseUri() + "/detokenize"), tokensBody(r.prompt()));
            CompletableFuture<HttpResponse<String>> f = client.sendAsync(detok, HttpResponse.BodyHandlers.ofString());
            ex.sentAs(f);
            f.whenComplete((resp, err) -> {
                if (err != null) {
                    ex.fail(System.nanoTime(), "no answer from " + detok.uri() + ": " + StreamExchange.describe(err));
                } else if (resp.statusCode() != 200) {
                    ex.fail(System.nanoTime(), "HTTP " + resp.statusCode() + " from " + detok.uri() + " (chat needs the server's /detokenize): " + resp.body());
                } else {
                    try {
                        send(ex, spec.dialect().body(model, r, detokenized(resp.body()), spec.extras()));
                    } catch (RuntimeException x) {
                        ex.fail(System.nanoTime(), x.getMessage());
                    }
                }
            });
        } else {
            send(ex, spec.dialect().body(model, r, null, spec.extras()));
        }
        return id;
    }

    private void send(StreamExchange ex, String body) {
        if (ex.isEnded()) {
            return;
        }
        HttpRequest req = post(endpoint, body);
        CompletableFuture<HttpResponse<Void>> f = client.sendAsync(req, ex::subscriberFor);
        ex.sentAs(f);
        f.whenComplete((resp, err) -> {
            if (err == null) {
                return;
            }
            if (ex.figures.resends == 0 && !ex.isEnded() && !closed && droppedBeforeAnswer(ex, err)) {
                ex.figures.resends = 1;
                send(ex, body);
            } else {
                ex.fail(System.nanoTime(), "no response from " + endpoint + ": " + StreamExchange.describe(err)
                        + (ex.figures.resends > 0 ? " (also when sent again on a new connection)" : ""));
            }
        });
    }

    /**
     * Whether a request failed because its connection closed before any byte of an answer: a server
     * that closes its connection after each streamed response (llama-server does: its stream's end
     * reads as a cancelled write to its HTTP library) races the client, which may reuse the pooled
     * connection before the close arrives. The request was never read, so sending it once more is
     * safe; a refused connection, a timeout or a status are not retried.
     */
    private static boolean droppedBeforeAnswer(StreamExchange ex, Throwable err) {
        Throwable c = StreamExchange.unwrap(err);
        return ex.figures.httpStatus == 0 && c instanceof IOException && !(c instanceof HttpTimeoutException) && !(c instanceof ConnectException);
    }

    private HttpRequest post(URI uri, String body) {
        return HttpRequest.newBuilder(uri).timeout(spec.firstByteTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", spec.dialect().sse ? "text/event-stream" : "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Override
    public boolean cancel(long requestId) {
        StreamExchange ex = live.get(requestId);
        return ex != null && ex.cancel();
    }

    @Override
    public int poll(int timeoutMs, PolledEvents out) {
        long now = System.nanoTime();
        if (now - nextStallCheckNs > 0) {
            nextStallCheckNs = now + STALL_CHECK_NS;
            long stallNs = spec.stallTimeout().toNanos();
            for (StreamExchange ex : live.values()) {
                if (!ex.isEnded() && now - ex.lastBytesNs > stallNs && ex.figures.httpStatus != 0) {
                    ex.fail(now, "the stream was silent for more than " + spec.stallTimeout().toMillis() + " ms after "
                            + ex.figures.chunks + " chunks");
                }
            }
        }
        int n = ring.poll(timeoutMs, out);
        for (int i = 0; i < n; i++) {
            if (out.isFinal(i)) {
                StreamExchange ex = live.remove(out.requestId(i));
                if (ex != null) {
                    synchronized (ended) {
                        ended.put(ex.requestId, new Ended(ex.figures.build(ex.submitNs), ex.errorText()));
                    }
                }
            }
        }
        return n;
    }

    @Override
    public String errorText(long requestId) {
        StreamExchange ex = live.get(requestId);
        if (ex != null) {
            return ex.errorText();
        }
        synchronized (ended) {
            Ended e = ended.get(requestId);
            return e == null ? null : e.errorText();
        }
    }

    /**
     * @return the request's figures: final once its final event was polled, a snapshot while it
     * runs; null for an unknown id (or one of more than 65,536 requests ago)
     */
    public RequestFigures figures(long requestId) {
        StreamExchange ex = live.get(requestId);
        if (ex != null) {
            return ex.figures.build(ex.submitNs);
        }
        synchronized (ended) {
            Ended e = ended.get(requestId);
            return e == null ? null : e.figures();
        }
    }

    @Override
    public String requestFiguresJson(long requestId) {
        RequestFigures f = figures(requestId);
        return f == null ? "" : f.toJson();
    }

    @Override
    public int eventCapacity() {
        return 256;
    }

    /**
     * Scrapes the server's Prometheus metrics (llama-server started with {@code --metrics} and vLLM:
     * {@code /metrics}; trtllm-serve: {@code /prometheus/metrics}), for deltas around a run step.
     *
     * @return the samples, empty when the server exposes none (HTTP 404 or 501 on both paths)
     * @throws java.io.UncheckedIOException when the server does not answer
     */
    public Map<String, Double> scrapeMetrics() {
        for (String path : new String[] {"/metrics", "/prometheus/metrics"}) {
            URI uri = URI.create(spec.baseUri() + path);
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(spec.firstByteTimeout()).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return PrometheusText.parse(r.body());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(new IOException("scraping " + uri + ": " + StreamExchange.describe(e), e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while scraping " + uri, e);
            }
        }
        return Map.of();
    }

    /** @return the server address requests go to */
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (StreamExchange ex : live.values()) {
            ex.cancel();
        }
        ring.close();
        client.shutdownNow();
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + owned + " failed: " + e.getMessage(), e);
            }
        }
    }

    private String get(String path) {
        URI uri = URI.create(spec.baseUri() + path);
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(spec.connectTimeout()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new UncheckedIOException(new IOException("HTTP " + r.statusCode() + " from " + uri + ": " + r.body()));
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("the " + spec.family() + " server at " + spec.baseUri()
                    + " does not answer (" + StreamExchange.describe(e) + "); is it running?", e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reaching " + uri, e);
        }
    }

    private String firstListedModel() {
        String body = get("/v1/models");
        try {
            JsonNode data = JSON.readTree(body).path("data");
            if (!data.isArray() || data.isEmpty() || !data.get(0).path("id").isTextual()) {
                throw new UncheckedIOException(new IOException(spec.baseUri() + "/v1/models lists no model: " + body));
            }
            return data.get(0).path("id").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException(spec.baseUri() + "/v1/models is not JSON: " + body, e));
        }
    }

    private static String tokensBody(int[] ids) {
        StringBuilder sb = new StringBuilder(16 + ids.length * 7).append("{\"tokens\":[");
        for (int i = 0; i < ids.length; i++) {
            sb.append(i == 0 ? "" : ",").append(ids[i]);
        }
        return sb.append("]}").toString();
    }

    /** llama-server answers {@code {"content": ...}}, vLLM {@code {"prompt": ...}}. */
    private static String detokenized(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            JsonNode t = n.has("content") ? n.get("content") : n.get("prompt");
            if (t == null || !t.isTextual()) {
                throw new IllegalStateException("/detokenize answered without content or prompt: " + body);
            }
            return t.asText();
        } catch (IOException e) {
            throw new IllegalStateException("/detokenize answered with no JSON: " + body, e);
        }
    }

    @Override
    public String toString() {
        return spec.family() + " engine at " + endpoint;
    }
}
