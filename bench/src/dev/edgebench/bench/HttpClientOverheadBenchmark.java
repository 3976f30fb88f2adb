package dev.edgebench.bench;

import dev.edgebench.engine.PolledEvents;
import dev.edgebench.engine.RequestSpec;
import dev.edgebench.engine.http.HttpEngineSpec;
import dev.edgebench.engine.http.HttpStreamingEngine;
import dev.edgebench.engine.http.LoopbackStreamServer;
import dev.edgebench.engine.http.StreamScripts;

import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the HTTP client costs: {@code streams} concurrent requests against {@link LoopbackStreamServer},
 * each streaming {@code chunks} one-token chunks at pre-timed, seeded gaps (uniform in
 * [{@code gapMs}/4, 7·{@code gapMs}/4]). The server keeps the time each chunk left (after its
 * flush); the engine the time it arrived; both on {@link System#nanoTime()}. Per chunk, the gap
 * error is |arrival gap − send gap|: what the client adds to, or takes from, the inter-token
 * latency it reports. The target: p99 within 0.2 ms at 64 streams. Also the delivery delay
 * (arrival − send) and the client's allocation per chunk (the HTTP client's threads and the
 * polling thread, from HotSpot's per-thread counters; the server's own threads excluded).
 * One operation is one round of all streams. The figures are printed at the end of the trial.
 *
 * <p>{@code client=floor} runs the same streams through the bare {@link HttpClient} with a body
 * subscriber that only timestamps frame ends: the HTTP client's own floor, against which the
 * engine's parsing, queueing and polling are judged.
 *
 * <p>Both clients run their callbacks on the HTTP client's selector thread (an executor that runs each
 * task where it is handed over), as {@link HttpStreamingEngine} does; {@code
 * -jvmArgsAppend -Dedgebench.http.pooledExecutor=true} gives both the JDK's default pool instead, for an
 * A/B. On this project's 2-core VM, engine, alternating A B A B: gap error p99 1.50–1.76 ms pooled,
 * 0.60–0.81 ms on the selector thread (0.94 ms in a third run; the bare client's floor then 0.53 ms); p50 17.7 µs
 * against 5.6–10.3 µs. Then the server: its connections had Nagle's algorithm on (the JDK server's default),
 * which held chunks up to 38 ms (p99.9 15 ms) and counted that against the client; with TCP_NODELAY and one
 * pacing thread instead of one per stream, alternating engine / floor twice: p99 0.37 / 0.35 ms and 1.19 /
 * 0.27 ms, p99.9 2.0–6.9 ms, max 4.5–9.1 ms. The 0.2 ms target is not met on two cores, by the bare client
 * either; at 8 streams the bare client's p99 was 0.88 ms, worse than at 64: what is left is how long the VM
 * takes to wake an idle thread, not work in the client.
 *
 * <pre>
 * java -jar target/benchmarks.jar HttpClientOverheadBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 8)
@Fork(1)
@State(Scope.Benchmark)
public class HttpClientOverheadBenchmark {
    @Param({"64"})
    public int streams;

    @Param({"40"})
    public int chunks;

    @Param({"20"})
    public int gapMs;

    /** engine: {@link HttpStreamingEngine}; floor: the bare HTTP client, timestamps only */
    @Param({"engine", "floor"})
    public String client;


    private HttpClient bare;

    private LoopbackStreamServer server;
    private HttpStreamingEngine engine;
    private PolledEvents events;
    private final Histogram gapErrorNs = new Histogram(3_600_000_000_000L, 3);
    private final Histogram deliveryNs = new Histogram(3_600_000_000_000L, 3);
    private final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private long clientBytes;
    private long pollThreadBytes;
    private long chunksMeasured;
    private int round;
    private long[][] recvNs;
    private int[] recvCount;
    private long[] seedOf;

    @Setup(Level.Trial)
    public void open() {
        server = LoopbackStreamServer.start(req -> StreamScripts.openAi(gaps(req.seed()), StreamScripts.Usage.TOKEN_IDS, 8), streams + 8);
        engine = HttpStreamingEngine.open(HttpEngineSpec.parse("openai:" + server.baseUri()), "loopback-model", null);
        events = new PolledEvents(engine.eventCapacity(), 1024);
        // configured as the engine's own client: its callbacks run on the client's selector thread
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
        if (!Boolean.getBoolean("edgebench.http.pooledExecutor")) {
            b.executor(Runnable::run);
        }
        bare = b.build();
        recvNs = new long[streams][chunks];
        recvCount = new int[streams];
        seedOf = new long[streams];
    }

    private long[] gaps(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] g = new long[chunks];
        long lo = gapMs * 250_000L;
        for (int i = 0; i < chunks; i++) {
            g[i] = lo + r.nextLong(gapMs * 1_500_000L);
        }
        return g;
    }

    @Setup(Level.Iteration)
    public void clearBetweenWarmupAndMeasurement() {
        if (round == 2) {       // after the warm-up iterations
            gapErrorNs.reset();
            deliveryNs.reset();
            clientBytes = 0;
            pollThreadBytes = 0;
            chunksMeasured = 0;
        }
    }

    @Benchmark
    public int round() {
        round++;
        Map<Long, Long> before = clientThreadBytes();
        long self = Thread.currentThread().threadId();
        long pollBefore = threads.getThreadAllocatedBytes(self);
        if (client.equals("floor")) {
            floorRound();
        } else {
            engineRound();
        }
        long pollBytes = threads.getThreadAllocatedBytes(self) - pollBefore;
        long httpBytes = 0;
        for (Map.Entry<Long, Long> e : clientThreadBytes().entrySet()) {
            httpBytes += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        for (int k = 0; k < streams; k++) {
            long[] sent = server.sentNs(seedOf[k]);
            for (int i = 0; i < chunks; i++) {
                deliveryNs.recordValue(Math.max(0, recvNs[k][i] - sent[i]));
                if (i > 0) {
                    gapErrorNs.recordValue(Math.abs((recvNs[k][i] - recvNs[k][i - 1]) - (sent[i] - sent[i - 1])));
                }
            }
        }
        clientBytes += httpBytes + pollBytes;
        pollThreadBytes += pollBytes;
        chunksMeasured += (long) streams * chunks;
        return streams;
    }

    private void engineRound() {
        long firstId = 0;
        for (int k = 0; k < streams; k++) {
            seedOf[k] = round * 100_000L + k;
            recvCount[k] = 0;
            long id = engine.submit(new RequestSpec(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, chunks, true, -1, -1, 0f, 0, 0f, true, seedOf[k], k));
            if (k == 0) {
                firstId = id;
            }
        }
        int open = streams;
        int errors = 0;
        long deadline = System.nanoTime() + (long) chunks * gapMs * 4_000_000L + 30_000_000_000L;
        while (open > 0 && System.nanoTime() < deadline) {
            int n = engine.poll(100, events);
            for (int i = 0; i < n; i++) {
                int k = (int) (events.requestId(i) - firstId);
                if (events.isFinal(i)) {
                    open--;
                    errors += events.hasError(i) ? 1 : 0;
                } else if (events.tokenCount(i) > 0 && recvCount[k] < chunks) {
                    recvNs[k][recvCount[k]++] = events.recvNs(i);
                }
            }
        }
        if (open > 0 || errors > 0) {
            throw new IllegalStateException(open + " streams did not end and " + errors + " failed in round " + round);
        }
    }

    private void floorRound() {
        CompletableFuture<?>[] done = new CompletableFuture<?>[streams];
        for (int k = 0; k < streams; k++) {
            seedOf[k] = round * 100_000L + k;
            recvCount[k] = 0;
            String body = "{\"model\":\"loopback-model\",\"prompt\":[1,2,3,4,5,6,7,8],\"max_tokens\":" + chunks
                    + ",\"stream\":true,\"seed\":" + seedOf[k] + "}";
            int stream = k;
            done[k] = bare.sendAsync(HttpRequest.newBuilder(URI.create(server.baseUri() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), info -> new FrameTimes(stream));
        }
        try {
            CompletableFuture.allOf(done).get((long) chunks * gapMs * 4 + 30_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("floor round " + round + " failed: " + e, e);
        }
    }

    /** Timestamps the end of each SSE frame (a blank line) with the arrival of the bytes holding it; parses nothing. */
    private final class FrameTimes implements HttpResponse.BodySubscriber<Void> {
        private final int stream;
        private final CompletableFuture<Void> body = new CompletableFuture<>();
        private byte previous;

        FrameTimes(int stream) {
            this.stream = stream;
        }

        @Override
        public CompletionStage<Void> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            long t = System.nanoTime();
            for (ByteBuffer bb : items) {
                for (int i = bb.position(); i < bb.limit(); i++) {
                    byte c = bb.get(i);
                    if (c == '\n' && previous == '\n' && recvCount[stream] < chunks) {
                        recvNs[stream][recvCount[stream]++] = t;
                    }
                    previous = c;
                }
            }
        }

        @Override
        public void onError(Throwable e) {
            body.completeExceptionally(e);
        }

        @Override
        public void onComplete() {
            body.complete(null);
        }
    }

    /** Bytes allocated so far by each thread of the HTTP client (its workers and selector manager). */
    private Map<Long, Long> clientThreadBytes() {
        Map<Long, Long> m = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("HttpClient-")) {
                m.put(t.threadId(), threads.getThreadAllocatedBytes(t.threadId()));
            }
        }
        return m;
    }

    @TearDown(Level.Trial)
    public void close() {
        System.out.printf("%nHTTP client overhead (client=%s), %d streams x %d chunks, gaps %d-%d ms, %d gaps measured (%d rounds after warm-up):%n",
                client, streams, chunks, gapMs / 4, gapMs * 7 / 4, gapErrorNs.getTotalCount(), round - 2);
        System.out.printf("  gap error |arrival gap - send gap|: p50 %.1f us, p90 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us (target p99 <= 200 us)%n",
                us(gapErrorNs, 50), us(gapErrorNs, 90), us(gapErrorNs, 99), us(gapErrorNs, 99.9), gapErrorNs.getMaxValue() / 1e3);
        System.out.printf("  delivery delay (arrival - send): p50 %.1f us, p99 %.1f us, max %.1f us%n",
                us(deliveryNs, 50), us(deliveryNs, 99), deliveryNs.getMaxValue() / 1e3);
        System.out.printf("  client allocation: %.0f B per chunk (HTTP client threads and polling thread; %.0f B per chunk on the polling thread, "
                        + "which includes each request's submit)%n",
                chunksMeasured == 0 ? 0.0 : (double) clientBytes / chunksMeasured, chunksMeasured == 0 ? 0.0 : (double) pollThreadBytes / chunksMeasured);
        engine.close();
        bare.shutdownNow();
        server.close();
    }

    private static double us(Histogram h, double p) {
        return h.getValueAtPercentile(p) / 1e3;
    }
}
