package dev.edgebench.bench;

import dev.edgebench.bindings.llama.Llama;
import dev.edgebench.engine.StepSession;
import dev.edgebench.engine.llama.LlamaBatch;
import dev.edgebench.engine.llama.LlamaContext;
import dev.edgebench.engine.llama.LlamaContextParams;
import dev.edgebench.engine.llama.LlamaModel;
import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.engine.llama.LlamaRuntime;
import dev.edgebench.engine.llama.LlamaStepEngine;
import dev.edgebench.engine.SessionConfig;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.Models;
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

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the Java path costs on top of llama.cpp: a trivial downcall through the raw binding and
 * through a wrapper (closed-check included), filling a 512-token batch, and one decode step of a
 * toy model (run with {@code -prof gc}: {@code gc.alloc.rate.norm} must be 0 B/op).
 *
 * <pre>
 * java -jar target/benchmarks.jar WrapperOverheadBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class WrapperOverheadBenchmark {
    @Param({"edgebench-tiny:Q4_0"})
    public String model;

    private LlamaModel llamaModel;
    private LlamaContext ctx;
    private LlamaBatch batch;
    private LlamaStepEngine engine;
    private StepSession session;

    @Setup(Level.Trial)
    public void open() {
        Path file = LlamaQuantizer.resolve(Models.parse(model, Catalog.builtin()));
        LlamaRuntime.get();
        llamaModel = LlamaModel.load(file, LlamaModel.Params.cpu());
        ctx = llamaModel.newContext(LlamaContextParams.of(512, 1, 1));
        batch = new LlamaBatch(512, 1);
        engine = new LlamaStepEngine();
        session = engine.open(new SessionConfig(file, 0, 2048, 2048, 512, 1, 1, "auto", GgmlType.F16, GgmlType.F16, 7), false);
    }

    @Setup(Level.Iteration)
    public void emptyCache() {
        session.truncate(0);
    }

    @TearDown(Level.Trial)
    public void close() {
        session.close();
        engine.close();
        batch.close();
        llamaModel.close();
    }

    /** The raw binding: {@code llama_max_devices()}, a call that returns a constant. */
    @Benchmark
    public long downcallRaw() {
        return Llama.llama_max_devices();
    }

    /** A wrapper call: {@code llama_n_ctx(ctx)} with the wrapper's closed-check. */
    @Benchmark
    public int downcallWrapper() {
        return ctx.nCtx();
    }

    /** Fills a 512-token batch (positions, sequence ids, logits flags). */
    @Benchmark
    public int fillBatch512() {
        batch.clear();
        for (int i = 0; i < 512; i++) {
            batch.add(i, i, 0, i == 511);
        }
        return batch.size();
    }

    /** One decode step of the toy model through the step-engine path the benchmarks use. */
    @Benchmark
    public int decodeStep() {
        if (session.position() >= session.nCtxPerSeq() - 1) {
            session.truncate(0);
        }
        session.decodeStep();
        return session.position();
    }
}
