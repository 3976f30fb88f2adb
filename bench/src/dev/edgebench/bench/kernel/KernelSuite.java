package dev.edgebench.bench.kernel;

import dev.edgebench.latency.Quantiles;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a list of kernels through JMH's {@link Runner} as {@link KernelBenchmark} (one parameter
 * combination per kernel, each in its own forked JVM) with {@link KernelProfiler}, and reads the
 * per-op figures back from the secondary results. Blocks until JMH is done; one run at a time per
 * machine (JMH's own lock).
 */
public final class KernelSuite {
    static final String BENCHMARK = KernelBenchmark.class.getName();
    static final String PROFILER = KernelProfiler.class.getName();

    /**
     * The JMH protocol.
     *
     * @param name          "quick" or "full"
     * @param forks         forked JVMs per kernel
     * @param warmupIters   warm-up iterations
     * @param measureIters  measurement iterations
     * @param iterationMs   length of each iteration
     */
    public record Protocol(String name, int forks, int warmupIters, int measureIters, int iterationMs) {
        public static final Protocol QUICK = new Protocol("quick", 1, 1, 5, 400);
        public static final Protocol FULL = new Protocol("full", 2, 2, 5, 1000);

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%s: %d fork(s), %d x %d ms warm-up, %d x %d ms measurement", name, forks,
                    warmupIters, iterationMs, measureIters, iterationMs);
        }
    }

    /**
     * One kernel's JMH result. The suite reads the per-iteration {@code kernel.us_per_op} values
     * and takes their median: on a shared machine one iteration caught by another process's burst
     * would move a mean far more than the kernel ever does.
     *
     * @param op           the kernel (the benchmark's {@code op} parameter)
     * @param usPerOp      median over iterations (and forks) of microseconds per op run
     * @param minUsPerOp   fastest iteration
     * @param maxUsPerOp   slowest iteration
     * @param meanUsPerOp  JMH's score: the mean over iterations
     * @param iterations   iterations measured
     * @param copies       op nodes per graph
     * @param skip         the reason it was skipped, or null
     */
    public record KernelResult(String op, double usPerOp, double minUsPerOp, double maxUsPerOp, double meanUsPerOp, int iterations,
                        int copies, String skip) {
        /** @return (slowest - fastest) / median, as a fraction */
        public double spread() {
            return (maxUsPerOp - minUsPerOp) / usPerOp;
        }
    }

    private KernelSuite() {
    }

    /**
     * Runs the kernels.
     *
     * @param ops           kernel specs (text form)
     * @param backend       ggml device name
     * @param threads       CPU threads (0 = all)
     * @param placement     "engine" or "device"
     * @param coldMiB       MiB of rotating weight copies (0 = shared inputs)
     * @param protocol      the JMH protocol
     * @param jvmArgs       extra arguments of the forked JVMs (system properties)
     * @param resultFile    JMH JSON result file, or null for none
     * @return results by op, in the order given
     * @throws RunnerException when JMH cannot run (e.g. another JMH run holds its lock)
     */
    public static Map<String, KernelResult> run(List<String> ops, String backend, int threads, String placement, int coldMiB,
                                         Protocol protocol, List<String> jvmArgs, String resultFile) throws RunnerException {
        List<String> args = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        args.addAll(jvmArgs);
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(BENCHMARK.replace(".", "\\.") + "\\.kernel$")
                .addProfiler(PROFILER)
                .param("op", ops.toArray(String[]::new))
                .param("backend", backend)
                .param("threads", Integer.toString(threads))
                .param("placement", placement)
                .param("coldMiB", Integer.toString(coldMiB))
                .forks(protocol.forks())
                .warmupIterations(protocol.warmupIters())
                .warmupTime(TimeValue.milliseconds(protocol.iterationMs()))
                .measurementIterations(protocol.measureIters())
                .measurementTime(TimeValue.milliseconds(protocol.iterationMs()))
                .jvmArgsAppend(args.toArray(String[]::new))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT);
        if (resultFile != null) {
            b.resultFormat(ResultFormatType.JSON).result(resultFile);
        }
        // waits for another JMH run on this machine, as a run does, rather than failing
        Collection<RunResult> results = dev.edgebench.bench.RunExecutor.runJmh(b.build(), "kernels", "the kernel suite");
        Map<String, KernelResult> byOp = new LinkedHashMap<>();
        for (RunResult r : results) {
            KernelResult k = read(r);
            byOp.put(k.op(), k);
        }
        Map<String, KernelResult> ordered = new LinkedHashMap<>();
        for (String op : ops) {
            if (byOp.containsKey(op)) {
                ordered.put(op, byOp.get(op));
            }
        }
        return ordered;
    }

    /** Reads one run's secondary results, per iteration. */
    static KernelResult read(RunResult r) {
        String op = r.getParams().getParam("op");
        Map<String, Result> s = r.getSecondaryResults();
        Result skip = s.get("kernel.skip");
        if (skip != null) {
            return new KernelResult(op, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0, skip.extendedInfo().strip());
        }
        List<Double> us = new ArrayList<>();
        for (BenchmarkResult b : r.getBenchmarkResults()) {
            for (IterationResult it : b.getIterationResults()) {
                Result u = it.getSecondaryResults().get("kernel.us_per_op");
                if (u != null) {
                    us.add(u.getScore());
                }
            }
        }
        if (us.isEmpty()) {
            return new KernelResult(op, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0,
                    "no kernel.us_per_op result (was " + PROFILER + " attached?)");
        }
        double[] v = us.stream().mapToDouble(Double::doubleValue).toArray();
        return new KernelResult(op, Quantiles.median(v), Quantiles.quantile(v, 0), Quantiles.quantile(v, 1),
                s.get("kernel.us_per_op").getScore(), v.length, (int) score(s, "kernel.copies"), null);
    }

    private static double score(Map<String, Result> s, String label) {
        Result r = s.get(label);
        return r == null ? Double.NaN : r.getScore();
    }
}
