package dev.edgebench.engine.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted server on 127.0.0.1 that streams pre-timed lines, for the HTTP engines' tests and the
 * client-overhead benchmark: each POST gets the {@link Script} its responder picks, written line by
 * line at the script's times (each line flushed as its own HTTP chunk), and the time each line left
 * ({@link System#nanoTime()} after its flush) is kept per request, so a client's receive times can be
 * compared with the send times on one clock. Also answers {@code GET /v1/models}, {@code /health},
 * {@code /api/version}, {@code /metrics} (Prometheus text) and {@code POST /detokenize}, so engines open against it as against a server.
 *
 * <p>Requests are keyed by the {@code "seed"} of their JSON body (-1 without one). Threading: one
 * platform thread per streaming response (at most {@code threads} at once); accessors from any thread.
 */
public final class LoopbackStreamServer implements AutoCloseable {
    private static final Pattern SEED = Pattern.compile("\"seed\":(-?\\d+)");

    /**
     * One response.
     *
     * @param status  HTTP status; not 200: {@code lines} are joined into the body, sent at once; 0:
     *                the connection is closed without an answer ({@link #DROP})
     * @param lines   what to stream, in order
     */
    public record Script(int status, List<Line> lines) {
        public Script {
            lines = List.copyOf(lines);
        }
    }

    /** Closes the request's connection without a byte of answer (a server closing a kept-alive connection as a request arrives). */
    public static final Script DROP = new Script(0, List.of());

    /**
     * One line of a stream.
     *
     * @param afterNs when to send it, ns after the previous line (after the request, for the first)
     * @param text    the exact text written (an SSE frame includes its {@code data: } and blank line)
     */
    public record Line(long afterNs, String text) {
    }

    /**
     * A request as the server saw it.
     *
     * @param path the request path
     * @param body the request body
     * @param seq  arrival order, from 1
     * @param seed the body's {@code "seed"}, -1 without one
     */
    public record Request(String path, String body, int seq, long seed) {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Function<Request, Script> responder;
    private final AtomicInteger seq = new AtomicInteger();
    private final Map<Long, long[]> sentNs = new ConcurrentHashMap<>();
    private final Map<Integer, Request> requests = new ConcurrentHashMap<>();
    private final AtomicInteger clientsGone = new AtomicInteger();

    private LoopbackStreamServer(Function<Request, Script> responder, int threads) throws IOException {
        this.responder = responder;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "loopback-stream-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * @param responder picks each POST's script
     * @param threads   responses streamed at once at most
     */
    public static LoopbackStreamServer start(Function<Request, Script> responder, int threads) {
        try {
            return new LoopbackStreamServer(responder, threads);
        } catch (IOException e) {
            throw new UncheckedIOException("could not open a loopback server: " + e.getMessage(), e);
        }
    }

    /** @return http://127.0.0.1:port */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** @return when each line of the request with this seed left (ns after its flush), or null */
    public long[] sentNs(long seed) {
        return sentNs.get(seed);
    }

    /** @return the POSTs received so far */
    public int requestCount() {
        return seq.get();
    }

    /** @return the request that arrived {@code seq}-th, or null */
    public Request request(int seq) {
        return requests.get(seq);
    }

    /** @return how many streams found their client gone (a write failed) before their last line */
    public int clientsGone() {
        return clientsGone.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            byte[] in;
            try (InputStream is = ex.getRequestBody()) {
                in = is.readAllBytes();
            }
            if (ex.getRequestMethod().equals("GET")) {
                String body = switch (path) {
                    case "/v1/models" -> "{\"object\":\"list\",\"data\":[{\"id\":\"loopback-model\",\"object\":\"model\"}]}";
                    case "/health" -> "{\"status\":\"ok\"}";
                    case "/api/version" -> "{\"version\":\"loopback\"}";
                    case "/metrics" -> "# HELP loopback:requests_total POSTs streamed\n# TYPE loopback:requests_total counter\n"
                            + "loopback:requests_total " + seq.get() + "\nloopback:streams{kind=\"sse\"} 1\n";
                    default -> null;
                };
                respond(ex, body == null ? 404 : 200, body == null ? "{\"error\":\"not found\"}" : body);
                return;
            }
            String body = new String(in, StandardCharsets.UTF_8);
            if (path.equals("/detokenize")) {
                respond(ex, 200, "{\"content\":\"loopback prompt\"}");
                return;
            }
            Matcher m = SEED.matcher(body);
            long seed = m.find() ? Long.parseLong(m.group(1)) : -1;
            Request req = new Request(path, body, seq.incrementAndGet(), seed);
            requests.put(req.seq(), req);
            Script s = responder.apply(req);
            if (s.status() == 0) {
                return;     // closing an exchange that sent no headers closes its connection
            }
            if (s.status() != 200) {
                StringBuilder sb = new StringBuilder();
                s.lines().forEach(l -> sb.append(l.text()));
                respond(ex, s.status(), sb.toString());
                return;
            }
            stream(ex, req, s);
        }
    }

    private void stream(HttpExchange ex, Request req, Script s) throws IOException {
        ex.getResponseHeaders().set("Content-Type", req.path().startsWith("/api/") ? "application/x-ndjson" : "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        long[] sent = new long[s.lines().size()];
        if (req.seed() >= 0) {
            sentNs.put(req.seed(), sent);
        }
        OutputStream out = ex.getResponseBody();
        long due = System.nanoTime();
        int i = 0;
        try {
            for (Line l : s.lines()) {
                due += l.afterNs();
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                out.write(l.text().getBytes(StandardCharsets.UTF_8));
                out.flush();
                sent[i++] = System.nanoTime();
            }
            out.close();
        } catch (IOException e) {
            clientsGone.incrementAndGet();
        }
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        }
    }

    /** Stops the server at once (streams in progress are cut). */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
