package dev.edgebench.bench.kernel;

import dev.edgebench.kernel.DeviceRoofline;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.openjdk.jmh.results.TextResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Publishes {@link KernelBenchmark}'s per-op metrics as JMH secondary results, per iteration
 * (JMH averages them over iterations and forks):
 *
 * <ul>
 *   <li>{@code kernel.us_per_op}: microseconds per op run (graph time over graph runs times copies);</li>
 *   <li>{@code kernel.gflops}: GFLOP/s, for ops with a FLOP count (matrix products, attention);</li>
 *   <li>{@code kernel.gbps}: GB/s (10^9 bytes) of the bytes the op must move at least;</li>
 *   <li>{@code kernel.roofline_pct}: the op's roofline time, max(flops / peak, bytes / bandwidth),
 *       as a percentage of its measured time; only when the device's figures are given as system
 *       properties {@code edgebench.device.bandwidthGBps} (and optionally
 *       {@code edgebench.device.peakGflops}) of the benchmark JVM;</li>
 *   <li>{@code kernel.copies}: op nodes per graph;</li>
 *   <li>{@code kernel.skip}: text, the reason when the kernel was skipped (then nothing else).</li>
 * </ul>
 *
 * Only meaningful with {@link KernelBenchmark}; other benchmarks get no results from it. JMH
 * instantiates it by name: {@code -prof dev.edgebench.bench.kernel.KernelProfiler}.
 */
public final class KernelProfiler implements InternalProfiler {
    @Override
    public String getDescription() {
        return "edgebench kernel metrics: us per op, GFLOP/s, GB/s, roofline %";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        KernelSink.reset();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        List<Result> out = new ArrayList<>();
        if (!benchmarkParams.getBenchmark().startsWith(KernelBenchmark.class.getName())) {
            return out;
        }
        String skip = KernelSink.skipReason();
        if (skip != null) {
            out.add(new TextResult(skip, "kernel.skip"));
            return out;
        }
        long runs = KernelSink.runs();
        int copies = KernelSink.copies();
        if (runs == 0 || copies == 0) {
            return out;
        }
        double usPerOp = KernelSink.runNs() / 1e3 / ((double) runs * copies);
        double flops = KernelSink.flopsPerOp();
        double bytes = KernelSink.bytesPerOp();
        out.add(new ScalarResult("kernel.us_per_op", usPerOp, "us/op", AggregationPolicy.AVG));
        if (flops > 0) {
            out.add(new ScalarResult("kernel.gflops", flops / usPerOp / 1e3, "GFLOP/s", AggregationPolicy.AVG));
        }
        out.add(new ScalarResult("kernel.gbps", bytes / usPerOp / 1e3, "GB/s", AggregationPolicy.AVG));
        double roofline = DeviceRoofline.percent(flops, bytes, usPerOp, number(DeviceRoofline.BANDWIDTH_PROPERTY),
                number(DeviceRoofline.PEAK_PROPERTY));
        if (!Double.isNaN(roofline)) {
            out.add(new ScalarResult("kernel.roofline_pct", roofline, "%", AggregationPolicy.AVG));
        }
        out.add(new ScalarResult("kernel.copies", copies, "ops/graph", AggregationPolicy.MAX));
        return out;
    }

    private static double number(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + property + "=" + v + " is not a number");
        }
    }
}
