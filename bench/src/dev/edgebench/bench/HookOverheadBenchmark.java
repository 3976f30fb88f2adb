package dev.edgebench.bench;

import dev.edgebench.engine.StepSession;
import dev.edgebench.profiling.StepEvent;
import dev.edgebench.profiling.StepHooks;
import jdk.jfr.Recording;
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

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What the profiling hooks add to one step, without an engine: a decode step of a session that
 * does nothing but count, called bare ({@code hooks=none}: the path every run takes unless a hook
 * is asked for) and through the hooks. {@code jfr}: step events on, no recording running;
 * {@code jfr-recording}: a recording with the step events enabled; {@code nvtx}: ranges through
 * libedgebench_nvtx.so with no profiler attached (CUDA builds, or {@code -Dedgebench.nvtx.lib}).
 *
 * <pre>
 * java -jar target/benchmarks.jar HookOverheadBenchmark -p hooks=none,jfr,jfr-recording
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class HookOverheadBenchmark {
    /** none | jfr | jfr-recording | nvtx | jfr+nvtx */
    @Param({"none", "jfr", "jfr-recording"})
    public String hooks;

    private StepSession session;
    private Recording recording;

    /** Counts steps; the context never fills (positions wrap), so every call does the same work. */
    static final class CountingSession implements StepSession {
        int pos;

        @Override public int nSeq() {
            return 1;
        }

        @Override public int nCtxPerSeq() {
            return Integer.MAX_VALUE;
        }

        @Override public int nVocab() {
            return 1;
        }

        @Override public int position() {
            return pos;
        }

        @Override public void prefill(int nTokens) {
            pos += nTokens;
        }

        @Override public void decodeStep() {
            pos++;
        }

        @Override public void truncate(int depth) {
            pos = depth;
        }

        @Override public void warmup() {
        }

        @Override public void close() {
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        StepHooks h = switch (hooks) {
            case "none" -> StepHooks.NONE;
            case "jfr", "jfr-recording" -> new StepHooks(false, true);
            case "nvtx" -> new StepHooks(true, false);
            case "jfr+nvtx" -> new StepHooks(true, true);
            default -> throw new IllegalArgumentException("hooks must be none, jfr, jfr-recording, nvtx or jfr+nvtx, was '" + hooks + "'");
        };
        session = h.wrap(new CountingSession());
        if (hooks.equals("jfr-recording")) {
            recording = new Recording();
            recording.enable(StepEvent.class).withThreshold(Duration.ZERO);
            recording.setToDisk(true);
            recording.start();
        }
    }

    @Benchmark
    public int decodeStep() {
        session.decodeStep();
        return session.position();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (recording != null) {
            recording.close();
        }
    }
}
