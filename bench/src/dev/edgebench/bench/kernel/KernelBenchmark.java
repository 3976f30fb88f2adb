package dev.edgebench.bench.kernel;

import dev.edgebench.kernel.GgmlBackend;
import dev.edgebench.kernel.KernelGraph;
import dev.edgebench.kernel.KernelSpec;
import dev.edgebench.profiling.Nvtx;
import dev.edgebench.run.ProfileHooks;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * One ggml kernel, timed on one backend: the op of {@link #op} as a single-op graph of
 * {@code copies} nodes ({@link KernelGraph}), computed and synchronized once per invocation.
 * The primary score is the time of one graph run; the per-op figures come from
 * {@link KernelProfiler} as secondary results ({@code kernel.us_per_op}, {@code kernel.gflops},
 * {@code kernel.gbps}, {@code kernel.roofline_pct}), so run it with
 * {@code -prof dev.edgebench.bench.kernel.KernelProfiler}. The {@code op} parameter names the
 * kernel, its shapes and types, e.g. {@code MUL_MAT q4_0[2048x8192] f32[2048x1]}; {@code backend}
 * and {@code threads} name where it ran, so a result row identifies its kernel by itself.
 *
 * <p>With {@code -Dedgebench.nvtx=true} (CUDA builds) each graph run sits in an NVTX range named
 * after the op, outside the timed region.
 *
 * <p>A kernel the backend does not support (or whose input type ggml cannot produce) is not an
 * error: the benchmark runs nothing and the profiler reports {@code kernel.skip} with the reason.
 *
 * <pre>
 *   java -jar target/benchmarks.jar KernelBenchmark -prof dev.edgebench.bench.kernel.KernelProfiler \
 *       -p op='MUL_MAT q4_0[2048x8192] f32[2048x1]' -p backend=CPU -p threads=2
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
@Threads(1)
public class KernelBenchmark {
    /** The kernel ({@link KernelSpec} text form). */
    @Param({"MUL_MAT q4_0[2048x2048] f32[2048x1]"})
    public String op;

    /** ggml device name ({@code CPU}, {@code CUDA0}, ...), or {@code gpu} for the first GPU. */
    @Param({"CPU"})
    public String backend;

    /** CPU threads; 0 = every available processor. */
    @Param({"0"})
    public int threads;

    /** Weight buffer: {@code engine} (what llama.cpp uses for model weights) or {@code device} (test-backend-ops). */
    @Param({"engine"})
    public String placement;

    /**
     * MiB of distinct weight/KV copies the op nodes rotate over, so each run reads them from
     * memory, as in a real step where every layer has its own; 0 = every node reads the same
     * inputs (test-backend-ops; weights that fit the caches then stay there).
     */
    @Param({"256"})
    public int coldMiB;

    /** Op nodes per graph; 0 = sized like test-backend-ops. */
    @Param({"0"})
    public int copies;

    /** Input data seed. */
    @Param({"2026"})
    public long seed;

    private GgmlBackend ggml;
    private KernelGraph graph;
    /** The op's name for an NVTX "kernel" range (edgebench.nvtx=true), or null: no range, no call. */
    private MemorySegment nvtxName;
    private Arena nvtxArena;

    @Setup(Level.Trial)
    public void setup() {
        KernelSpec spec = KernelSpec.parse(op);
        try {
            ggml = GgmlBackend.open(backend, threads);
        } catch (IllegalArgumentException e) {
            KernelSink.skipped(e.getMessage());
            return;
        }
        try {
            graph = KernelGraph.build(ggml, spec, new KernelGraph.Options(copies, KernelGraph.Placement.parse(placement),
                    (long) coldMiB << 20, seed));
            KernelSink.ready(spec.flops(), spec.bytes(), graph.copies(), graph.variants(), graph.weightBuffer());
            if (ProfileHooks.enabled(ProfileHooks.NVTX_PROPERTY)) {
                Nvtx.load();
                nvtxArena = Arena.ofShared();
                nvtxName = Nvtx.name(nvtxArena, op);
            }
        } catch (KernelGraph.Skip s) {
            KernelSink.skipped(s.reason());
        }
    }

    /** One graph run: {@code copies} runs of the op, then synchronize. */
    @Benchmark
    public void kernel() {
        KernelGraph g = graph;
        if (g == null) {
            return;
        }
        MemorySegment n = nvtxName;
        if (n != null) {
            Nvtx.push(n);
        }
        long t0 = System.nanoTime();
        g.run();
        KernelSink.add(System.nanoTime() - t0);
        if (n != null) {
            Nvtx.pop();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (nvtxArena != null) {
            nvtxArena.close();
            nvtxArena = null;
            nvtxName = null;
        }
        if (graph != null) {
            graph.close();
            graph = null;
        }
        if (ggml != null) {
            ggml.close();
            ggml = null;
        }
    }
}
