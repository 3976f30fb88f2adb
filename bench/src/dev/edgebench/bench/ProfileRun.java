package dev.edgebench.bench;

import dev.edgebench.engine.StepSession;
import dev.edgebench.profiling.Nvtx;
import dev.edgebench.profiling.StepHooks;
import dev.edgebench.profiling.ThreadCpu;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * One workload run in this JVM for an external profiler ({@code nsys}, {@code ncu}, {@code perf},
 * {@code asprof}) to watch: no JMH, no forks, no telemetry sampler, nothing else on the machine's
 * cores from edgebench. Prints the process id, then a mark at each phase change (load, warm-up,
 * the measured steps) with the seconds since start and the epoch milliseconds, so a profile's
 * timeline can be cut at them. With NVTX on, each measured step is a "prefill" or "decode" range
 * and the marks are NVTX markers too (not ranges, so that the step ranges are never nested and a
 * filter such as {@code ncu --nvtx-include "edgebench@decode/"} matches them).
 *
 * <p>Not thread-safe; owns the session it opens.
 */
public final class ProfileRun {
    /** What to run. */
    public enum Kind { PREFILL, DECODE }

    /**
     * @param model      catalog NAME:TYPE or a .gguf path
     * @param kind       prefill or decode steps
     * @param batch      parallel sequences
     * @param nPrompt    prompt tokens per prefill step
     * @param nGen       decode steps before the cache is cut back to {@code depth} (untimed, outside the ranges)
     * @param depth      context depth the steps start from (prefilled untimed)
     * @param threads    CPU threads; 0 = all
     * @param nGpuLayers auto | -1 | N
     * @param flashAttn  auto | on | off
     * @param cacheType  KV cache type
     * @param ubatch     physical batch
     * @param steps      measured steps; 0 = until {@code seconds} have passed
     * @param seconds    measured time when {@code steps} is 0
     * @param waitS      seconds to wait after printing the pid, before loading (to attach a profiler)
     */
    public record Spec(String model, Kind kind, int batch, int nPrompt, int nGen, int depth, int threads, String nGpuLayers,
                       String flashAttn, String cacheType, int ubatch, int steps, double seconds, int waitS) {
        public Spec {
            if (steps < 0 || (steps == 0 && !(seconds > 0))) {
                throw new IllegalArgumentException("give --steps N (N > 0) or --seconds S (S > 0)");
            }
            if (batch <= 0 || nPrompt <= 0 || nGen <= 0 || depth < 0 || waitS < 0) {
                throw new IllegalArgumentException("--batch, --prompt and --gen must be positive, --depth and --wait at least 0");
            }
        }

        /** @return context tokens each sequence needs */
        int tokensPerSeq() {
            return depth + (kind == Kind.PREFILL ? nPrompt : nGen);
        }
    }

    /** What ran: measured steps, their total time, tokens processed. */
    public record Result(long steps, long stepNs, long tokens) {
        /** @return tokens per second over the measured steps */
        public double tokensPerSecond() {
            return stepNs == 0 ? 0 : tokens * 1e9 / stepNs;
        }
    }

    private final PrintStream out;
    private final long t0 = System.nanoTime();
    private final boolean nvtx;

    private ProfileRun(PrintStream out, boolean nvtx) {
        this.out = out;
        this.nvtx = nvtx;
    }

    /** Runs the spec, printing the pid and phase marks to {@code out}. */
    public static Result run(Spec spec, StepHooks hooks, PrintStream out) throws InterruptedException {
        return new ProfileRun(out, hooks.nvtx()).go(spec, hooks);
    }

    private void mark(String what) {
        if (nvtx) {
            Nvtx.mark(what);
        }
        out.printf(Locale.ROOT, "mark %9.3f s  epoch_ms %d  %s%n", (System.nanoTime() - t0) / 1e9, System.currentTimeMillis(), what);
        out.flush();
    }

    private Result go(Spec spec, StepHooks hooks) throws InterruptedException {
        out.println("profile: pid " + ProcessHandle.current().pid());
        out.flush();
        if (spec.waitS() > 0) {
            mark("waiting " + spec.waitS() + " s for a profiler to attach");
            Thread.sleep(spec.waitS() * 1000L);
        }
        mark("load begin");
        try (BenchSetup.Opened o = BenchSetup.open(spec.model(), spec.batch(), spec.tokensPerSeq(), spec.threads(), spec.nGpuLayers(),
                spec.flashAttn(), spec.cacheType(), spec.ubatch(), false, hooks)) {
            StepSession s = o.session();
            mark("load end: " + o.ref().label());
            mark("warmup begin");
            s.warmup();
            toDepth(s, spec.depth());
            mark("warmup end");
            long steps = 0;
            long stepNs = 0;
            long tokens = 0;
            long deadline = spec.steps() > 0 ? Long.MAX_VALUE : System.nanoTime() + (long) (spec.seconds() * 1e9);
            List<ThreadCpu> cpuBefore = ThreadCpu.snapshot();
            long wallBefore = System.nanoTime();
            mark("steady begin: " + spec.kind().name().toLowerCase(Locale.ROOT)
                    + (spec.steps() > 0 ? ", " + spec.steps() + " steps" : ", " + spec.seconds() + " s"));
            while (spec.steps() > 0 ? steps < spec.steps() : System.nanoTime() < deadline) {
                long a;
                if (spec.kind() == Kind.PREFILL) {
                    if (s.position() != spec.depth()) {
                        s.truncate(spec.depth());
                    }
                    a = System.nanoTime();
                    s.prefill(spec.nPrompt());
                    tokens += (long) spec.nPrompt() * spec.batch();
                } else {
                    if (s.position() >= spec.depth() + spec.nGen()) {
                        s.truncate(spec.depth());
                    }
                    a = System.nanoTime();
                    s.decodeStep();
                    tokens += spec.batch();
                }
                stepNs += System.nanoTime() - a;
                steps++;
            }
            Result r = new Result(steps, stepNs, tokens);
            mark(String.format(Locale.ROOT, "steady end: %d steps, %.3f ms per step, %.2f tok/s", steps,
                    steps == 0 ? 0 : stepNs / 1e6 / steps, r.tokensPerSecond()));
            threads(ThreadCpu.between(cpuBefore, ThreadCpu.snapshot()), (System.nanoTime() - wallBefore) / 1_000_000);
            return r;
        }
    }

    /** Which threads of this process ran during the steady stretch, and for how long: the engine's should be all of it. */
    private void threads(List<ThreadCpu.Delta> used, long wallMs) {
        if (used.isEmpty()) {
            return;
        }
        long total = used.stream().mapToLong(ThreadCpu.Delta::cpuMs).sum();
        out.printf(Locale.ROOT, "threads during steady (%d ms wall, %d ms CPU in all; /proc, 10 ms ticks):%n", wallMs, total);
        for (ThreadCpu.Delta d : used.subList(0, Math.min(10, used.size()))) {
            out.printf(Locale.ROOT, "  %-16s tid %-7d %7d ms  %5.1f%% of wall  preempted %6s  last on cpu %d%n", d.name(), d.tid(),
                    d.cpuMs(), 100.0 * d.cpuMs() / Math.max(1, wallMs), d.preempted() < 0 ? "?" : String.valueOf(d.preempted()), d.lastCpu());
        }
        out.flush();
    }

    private static void toDepth(StepSession s, int depth) {
        s.truncate(0);
        if (depth > 0) {
            s.prefill(depth);
        }
    }
}
