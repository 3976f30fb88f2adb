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
 * Decode: {@code nGen} tokens for {@code batch} sequences at context depth {@code depth} (the
 * depth prefilled untimed before each sample, as llama-bench {@code -d} does). One JMH iteration
 * is one sample; each decode step (one {@code llama_decode} + synchronize) is timed on its own
 * and recorded in {@link TokenClock#itl}. The primary score is ms per sample; decode tok/s and
 * inter-token latency percentiles come from {@link EdgebenchProfiler}.
 *
 * <pre>
 * java -jar target/benchmarks.jar DecodeBenchmark -p model=Llama-3.2-1B:Q4_0 -p nGen=128 -prof dev.edgebench.bench.EdgebenchProfiler
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class DecodeBenchmark {
    @State(Scope.Benchmark)
    public static class Session extends EngineState {
        @Param({"128"})
        public int nGen;
        @Param({"0"})
        public int depth;

        @Setup(Level.Trial)
        public void open(BenchmarkParams params) {
            positive("nGen", nGen);
            open(params, depth + nGen, false);
        }

        @Setup(Level.Iteration)
        public void toDepth() {
            toDepth(depth);
        }
    }

    @Benchmark
    public void decode(Session s) {
        var session = s.opened.session();
        int n = s.nGen;
        int b = s.batch;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            session.decodeStep();
            TokenClock.addDecodeStep(System.nanoTime() - t0, b);
        }
    }
}
