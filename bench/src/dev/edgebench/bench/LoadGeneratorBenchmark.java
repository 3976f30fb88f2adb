package dev.edgebench.bench;

import dev.edgebench.engine.http.HttpEngineSpec;
import dev.edgebench.engine.http.HttpStreamingEngine;
import dev.edgebench.engine.http.LoopbackStreamServer;
import dev.edgebench.engine.http.StreamScripts;
import dev.edgebench.latency.Slo;
import dev.edgebench.load.BatchResult;
import dev.edgebench.load.LoadClock;
import dev.edgebench.load.LoadSpec;
import dev.edgebench.load.RequestDriver;
import dev.edgebench.load.RequestRecord;
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

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Does the open-loop load generator hold its rate? The {@link RequestDriver} sends {@code requests}
 * requests on its seeded schedule at {@code rate} requests/s (Poisson, or gamma of shape
 * {@code burstiness}) to {@link LoopbackStreamServer}, through the HTTP engine (each request: one
 * chunk after 1 ms, then its end). Per batch: the rate achieved, (n − 1) / (last send − first send),
 * over the schedule's own, (n − 1) / (last scheduled − first scheduled) — the schedule's draw is
 * not the generator's error, so the ratio isolates what the generator adds (target: within 2%) —
 * and every request's issue delay (send − scheduled). The figures are printed at the end of the
 * trial: the ratio's median and range over the measured batches, and the delays' percentiles.
 *
 * <pre>
 * java -jar target/benchmarks.jar LoadGeneratorBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 8)
@Fork(1)
@State(Scope.Benchmark)
public class LoadGeneratorBenchmark {
    @Param({"50", "200", "800"})
    public double rate;

    @Param({"1"})
    public double burstiness;

    @Param({"200"})
    public int requests;

    private LoopbackStreamServer server;
    private HttpStreamingEngine engine;
    private RequestDriver driver;
    private int batch;
    private final Histogram issueDelayNs = new Histogram(3_600_000_000_000L, 3);
    private final double[] ratios = new double[64];
    private int measured;

    @Setup(Level.Trial)
    public void open() {
        server = LoopbackStreamServer.start(req -> StreamScripts.openAi(new long[] {1_000_000L}, StreamScripts.Usage.TOKEN_IDS, 8), 64);
        engine = HttpStreamingEngine.open(HttpEngineSpec.parse("openai:" + server.baseUri()), "loopback-model", null);
        driver = new RequestDriver(engine, LoadClock.SYSTEM);
    }

    @Benchmark
    public BatchResult schedule() {
        batch++;
        LoadSpec spec = new LoadSpec(4096, rate, burstiness, requests, 0, 0, 8, 0, 1, 0, 7L * batch, Slo.NONE, 1000, -1,
                LoadSpec.DEFAULT_STALL_NS);
        BatchResult r = driver.run(spec, batch);
        if (batch > 2) {        // after the warm-up batches
            record(r);
        }
        return r;
    }

    private void record(BatchResult r) {
        List<RequestRecord> recs = r.records();
        int n = recs.size();
        long errors = recs.stream().filter(x -> x.error() != null).count();
        if (n != requests || errors > 0) {
            throw new IllegalStateException("batch " + batch + ": " + n + " of " + requests + " requests recorded, " + errors + " failed");
        }
        long firstSent = Long.MAX_VALUE;
        long lastSent = Long.MIN_VALUE;
        long firstSched = Long.MAX_VALUE;
        long lastSched = Long.MIN_VALUE;
        for (RequestRecord x : recs) {
            firstSent = Math.min(firstSent, x.sentNs());
            lastSent = Math.max(lastSent, x.sentNs());
            firstSched = Math.min(firstSched, x.scheduledNs());
            lastSched = Math.max(lastSched, x.scheduledNs());
            issueDelayNs.recordValue(Math.max(0, x.issueDelayNs()));
        }
        double achieved = (n - 1) * 1e9 / (lastSent - firstSent);
        double scheduled = (n - 1) * 1e9 / (lastSched - firstSched);
        if (measured < ratios.length) {
            ratios[measured++] = achieved / scheduled;
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        double[] r = Arrays.copyOf(ratios, measured);
        Arrays.sort(r);
        if (measured > 0) {
            System.out.printf(Locale.ROOT, "%nload generator at %.0f req/s (burstiness %.2f), %d requests per batch, %d batches measured:%n",
                    rate, burstiness, requests, measured);
            System.out.printf(Locale.ROOT, "  achieved / scheduled rate: median %.4f, range %.4f .. %.4f (target within 2%%: 0.98 .. 1.02)%n",
                    r[r.length / 2], r[0], r[r.length - 1]);
            System.out.printf(Locale.ROOT, "  issue delay (send - scheduled): p50 %.1f us, p99 %.1f us, max %.1f us%n",
                    issueDelayNs.getValueAtPercentile(50) / 1e3, issueDelayNs.getValueAtPercentile(99) / 1e3,
                    issueDelayNs.getMaxValue() / 1e3);
        }
        engine.close();
        server.close();
    }
}
