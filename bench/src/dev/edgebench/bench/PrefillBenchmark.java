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
    public static class Session extends EngineState {
        @Param({"128"})
        public int nPrompt;
        @Param({"0"})
        public int depth;

        @Setup(Level.Trial)
        public void open(BenchmarkParams params) {
            positive("nPrompt", nPrompt);
            open(params, depth + nPrompt, false);
        }

        @Setup(Level.Iteration)
        public void toDepth() {
            toDepth(depth);
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
