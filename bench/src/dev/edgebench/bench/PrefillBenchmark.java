package dev.edgebench.bench;

import dev.edgebench.latency.TokenClock;
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
import org.openjdk.jmh.infra.BenchmarkParams;

import java.util.concurrent.TimeUnit;

/**
 * Prefill: {@code nPrompt} prompt tokens for each of {@code batch} sequences, starting at depth
 * {@code depth} (prefilled untimed). One JMH iteration is one sample: the prompt in batches of
 * the engine's batch size, then synchronize. Reports ms (primary score) and prefill tok/s (via
 * {@link EdgebenchProfiler}); for a step engine without sampling this is also the TTFT.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PrefillBenchmark {
    @State(Scope.Benchmark)
    public static class Session {
        @Param({"Llama-3.2-1B:Q4_0"})
        public String model;
        @Param({"128"})
        public int nPrompt;
        @Param({"1"})
        public int batch;
        @Param({"0"})
        public int depth;
        @Param({"0"})
        public int threads;
        @Param({"auto"})
        public String nGpuLayers;
        @Param({"auto"})
        public String flashAttn;
        @Param({"f16"})
        public String cacheType;
        @Param({"512"})
        public int ubatch;

        BenchSetup.Opened opened;

        @Setup(Level.Trial)
        public void open(BenchmarkParams params) {
            try {
                if (nPrompt <= 0) {
                    throw new IllegalArgumentException("nPrompt must be positive, was " + nPrompt);
                }
                opened = BenchSetup.open(model, batch, depth + nPrompt, threads, nGpuLayers, flashAttn, cacheType, ubatch, false);
                opened.session().warmup();
            } catch (Throwable t) {
                RunFiles.recordFailure(BenchId.of(params), t);
                throw t;
            }
        }

        @Setup(Level.Iteration)
        public void toDepth() {
            opened.session().truncate(0);
            if (depth > 0) {
                opened.session().prefill(depth);
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            if (opened != null) {
                opened.close();
            }
        }
    }

    @Benchmark
    public void prefill(Session s) {
        long t0 = System.nanoTime();
        s.opened.session().prefill(s.nPrompt);
        long dt = System.nanoTime() - t0;
        TokenClock.addPrefill(dt, (long) s.nPrompt * s.batch);
        TokenClock.ttft.recordValue(Math.max(1, dt));
    }
}
