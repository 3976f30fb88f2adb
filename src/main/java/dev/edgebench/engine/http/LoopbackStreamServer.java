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
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Requests are keyed by the {@code "seed"} of their JSON body (-1 without one). Threading: up to
 * {@code threads} handler threads read requests and send headers; one pacing thread writes every
 * stream's lines in the order they fall due, so that 64 streams cost the machine one writing thread,
 * not 64 (on two cores each would take turns with the client being measured); accessors from any thread.
 * Its connections send each chunk at once (TCP_NODELAY, {@link #NODELAY}), as streaming servers do.
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
    private final DelayQueue<Stream> due = new DelayQueue<>();
    private final Thread pacer;

    /** A response being streamed: its next line falls due at {@code dueNs}. Owned by the pacing thread once queued. */
    private static final class Stream implements Delayed {
        final HttpExchange ex;
        final OutputStream out;
        final byte[][] lines;
        final long[] afterNs;
        final long[] sent;
        int next;
        long dueNs;

        Stream(HttpExchange ex, Script s, long[] sent, long startNs) {
            this.ex = ex;
            this.out = ex.getResponseBody();
            this.lines = new byte[s.lines().size()][];
            this.afterNs = new long[lines.length];
            for (int i = 0; i < lines.length; i++) {
                lines[i] = s.lines().get(i).text().getBytes(StandardCharsets.UTF_8);
                afterNs[i] = s.lines().get(i).afterNs();
            }
            this.sent = sent;
            this.dueNs = startNs + (lines.length > 0 ? afterNs[0] : 0);
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNs - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(dueNs, ((Stream) o).dueNs);
        }
    }

    /** The JDK server's switch for TCP_NODELAY on its connections (read once per JVM, when its first server starts). */
    static final String NODELAY = "sun.net.httpserver.nodelay";

    static {
        // Nagle's algorithm holds a small chunk written while the previous one is unacknowledged, and the
        // client acknowledges late (delayed ACK): with it on, the client-overhead benchmark saw chunks arrive
        // up to 38 ms after their flush (p99.9 15 ms), a delay of the server's socket counted as the client's.
        // Streaming servers (llama-server, vLLM's uvicorn) set TCP_NODELAY; so does this one, unless told otherwise.
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
    }

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
        this.pacer = new Thread(this::pace, "loopback-stream-pacer");
        pacer.setDaemon(true);
        pacer.start();
        server.start();
    }

    /**
     * @param responder picks each POST's script
     * @param threads   requests read (and headers sent) at once at most; any number stream at once
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
        boolean streaming = false;
        try {
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
            streaming = stream(ex, req, s);
        } finally {
            if (!streaming) {
                ex.close();
            }
        }
    }

    /** Sends the headers and hands the lines to the pacing thread; false when there is nothing to stream. */
    private boolean stream(HttpExchange ex, Request req, Script s) throws IOException {
        ex.getResponseHeaders().set("Content-Type", req.path().startsWith("/api/") ? "application/x-ndjson" : "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        long[] sent = new long[s.lines().size()];
        if (req.seed() >= 0) {
            sentNs.put(req.seed(), sent);
        }
        if (s.lines().isEmpty()) {
            return false;
        }
        due.add(new Stream(ex, s, sent, System.nanoTime()));
        return true;
    }

    /** The pacing thread: writes each stream's next line when it falls due, then queues the one after it. */
    private void pace() {
        for (;;) {
            Stream st;
            try {
                st = due.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                st.out.write(st.lines[st.next]);
                st.out.flush();
                st.sent[st.next] = System.nanoTime();
                st.next++;
                if (st.next == st.lines.length) {
                    st.out.close();
                    st.ex.close();
                } else {
                    st.dueNs += st.afterNs[st.next];
                    due.add(st);
                }
            } catch (IOException | RuntimeException e) {
                clientsGone.incrementAndGet();
                st.ex.close();
            }
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
        pacer.interrupt();
        server.stop(0);
        executor.shutdownNow();
    }
}
