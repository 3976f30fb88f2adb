package dev.edgebench.bench;

import dev.edgebench.engine.StepRequestEngine;
import dev.edgebench.latency.TimelineMetrics;
import dev.edgebench.latency.TokenTimeline;
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
 * Generation, end to end: one prompt of {@code nPrompt} tokens, then {@code nGen} generated
 * tokens per sequence, as one sample (the way the published Jetson benchmark measures). Driven
 * through the {@link dev.edgebench.engine.RequestEngine} interface, so the same benchmark runs
 * request engines; TTFT and inter-token latency come from the {@link TokenTimeline}
 * ({@link TimelineMetrics}). {@code sample=true} feeds back llama.cpp's greedy choice instead of
 * random tokens (sampling time then counts).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class GenerationBenchmark {
    @State(Scope.Benchmark)
    public static class Session extends EngineState {
        @Param({"128"})
        public int nPrompt;
        @Param({"128"})
        public int nGen;
        @Param({"false"})
        public boolean sample;

        StepRequestEngine engine;
        TokenTimeline timeline;

        @Setup(Level.Trial)
        public void open(BenchmarkParams params) {
            positive("nPrompt", nPrompt);
            positive("nGen", nGen);
            open(params, nPrompt + nGen, sample);
            engine = new StepRequestEngine(opened.session());
            timeline = new TokenTimeline(batch, nGen);
        }
    }

    @Benchmark
    public void generate(Session s) {
        s.engine.generate(s.nPrompt, s.nGen, s.timeline);
        TokenTimeline t = s.timeline;
        TimelineMetrics.record(t, TokenClock.ttft, TokenClock.itl);
        TokenClock.addPrefill(t.prefillEndNs() - t.startNs(), (long) s.nPrompt * s.batch);
        long generated = TimelineMetrics.generatedTokens(t);
        TokenClock.addGeneration(t.endNs() - t.startNs(), generated, t.endNs() - t.prefillEndNs(), generated - s.batch);
    }
}
