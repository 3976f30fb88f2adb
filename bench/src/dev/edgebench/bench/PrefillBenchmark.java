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
import java.util.function.LongSupplier;

/**
 * Prefill: {@code nPrompt} prompt tokens for each of {@code batch} sequences, starting at depth
 * {@code depth} (prefilled untimed). One JMH iteration is one sample: {@code repeat} prefills back
 * to back (see {@link Session#repeat}), each the prompt in batches of the engine's batch size, then
 * synchronize, each timed on its own. Reports ms (primary score) and prefill tok/s (via
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
        /**
         * Prefills per sample: a number, or "auto" (as many as fill {@value #AUTO_SAMPLE_MS} ms,
         * at least one). Back-to-back prefills keep a GPU as busy as llama-bench's repetitions do;
         * a single short prefill after the pause between JMH iterations meets a GPU that has
         * clocked down. Each prefill is timed and recorded on its own.
         */
        @Param({"auto"})
        public String repeat;

        int prefills;

        @Setup(Level.Trial)
        public void open(BenchmarkParams params) {
            positive("nPrompt", nPrompt);
            open(params, depth + nPrompt, false);
            try {
                prefills = repeat.equals("auto") ? autoRepeat() : Integer.parseInt(repeat);
                positive("repeat", prefills);
            } catch (RuntimeException e) {
                RunFiles.recordFailure(BenchId.of(params), e instanceof NumberFormatException
                        ? new IllegalArgumentException("repeat must be auto or a positive number, was '" + repeat + "'") : e);
                throw e;
            }
        }

        /** Times a few prefills and returns how many of the fastest fill the target sample time. */
        private int autoRepeat() {
            toDepth(depth);
            var session = opened.session();
            int[] n = {0};
            return PrefillBenchmark.autoRepeat(() -> {
                if (n[0]++ > 0) {
                    session.truncate(depth);
                }
                long t0 = System.nanoTime();
                session.prefill(nPrompt);
                return System.nanoTime() - t0;
            });
        }

        @Setup(Level.Iteration)
        public void toDepth() {
            toDepth(depth);
        }
    }

    /** Target length of one sample with {@code repeat=auto}, ms. */
    static final long AUTO_SAMPLE_MS = 100;
    static final int MAX_REPEAT = 1000;
    /**
     * Prefills timed to choose {@code repeat=auto}. The first prefill of a process carries one-off
     * costs (on CUDA: cuBLAS handles and workspaces for F16 weights) that can make it slower than
     * the whole target sample, so the fastest of several counts.
     */
    static final int AUTO_CALIBRATION_PREFILLS = 4;

    /**
     * @param prefillNs times one prefill, in nanoseconds
     * @return prefills per sample: as many of the fastest of {@value #AUTO_CALIBRATION_PREFILLS}
     *         as fill {@value #AUTO_SAMPLE_MS} ms, between 1 and {@value #MAX_REPEAT}
     */
    static int autoRepeat(LongSupplier prefillNs) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < AUTO_CALIBRATION_PREFILLS; i++) {
            best = Math.min(best, Math.max(1, prefillNs.getAsLong()));
        }
        return (int) Math.max(1, Math.min(MAX_REPEAT, AUTO_SAMPLE_MS * 1_000_000L / best));
    }

    @Benchmark
    public void prefill(Session s) {
        var session = s.opened.session();
        long tokens = (long) s.nPrompt * s.batch;
        for (int i = 0; i < s.prefills; i++) {
            if (i > 0) {
                session.truncate(s.depth);
            }
            long t0 = System.nanoTime();
            session.prefill(s.nPrompt);
            long dt = System.nanoTime() - t0;
            TokenClock.addPrefill(dt, tokens);
            TokenClock.ttft.recordValue(Math.max(1, dt));
        }
    }
}
