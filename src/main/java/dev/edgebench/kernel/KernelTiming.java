package dev.edgebench.kernel;

import dev.edgebench.latency.Quantiles;

import java.util.Arrays;
import java.util.Locale;

/**
 * Times a built {@link KernelGraph} the way test-backend-ops does: after warm-up, the graph is
 * computed (and the device synchronized) again and again until at least {@code minNs} have
 * passed; the time per op is the total time over the total op runs. Each graph run is also kept
 * as a sample, for the spread.
 *
 * @param spec         the kernel
 * @param device       the backend device
 * @param threads      CPU threads
 * @param copies       op runs per graph run
 * @param variants     distinct input sets the copies rotate over
 * @param weightBuffer the weight buffer type
 * @param usPerOp      per graph run: its time over its copies, in microseconds
 * @param meanUsPerOp  total time over total op runs, in microseconds (test-backend-ops' figure)
 */
public record KernelTiming(KernelSpec spec, String device, int threads, int copies, int variants, String weightBuffer,
                           double[] usPerOp, double meanUsPerOp) {

    /**
     * Warms up, then times.
     *
     * @param g        the kernel graph
     * @param warmupNs warm-up time (at least one graph run)
     * @param minNs    least timed time (at least one graph run)
     */
    public static KernelTiming measure(KernelGraph g, long warmupNs, long minNs) {
        long t0 = System.nanoTime();
        do {
            g.run();
        } while (System.nanoTime() - t0 < warmupNs);
        return timed(g, minNs);
    }

    /**
     * Times a freshly built graph with test-backend-ops' protocol, one-off costs included: one
     * untimed compute of the first copy alone, then the full graph timed from its first compute on
     * until at least {@code minNs} have passed.
     */
    public static KernelTiming measureLikeTestBackendOps(KernelGraph g, long minNs) {
        g.runFirstCopy();
        return timed(g, minNs);
    }

    private static KernelTiming timed(KernelGraph g, long minNs) {
        double[] samples = new double[64];
        int n = 0;
        long total = 0;
        do {
            long a = System.nanoTime();
            g.run();
            long dt = System.nanoTime() - a;
            total += dt;
            if (n == samples.length) {
                samples = Arrays.copyOf(samples, n * 2);
            }
            samples[n++] = dt / 1e3 / g.copies();
        } while (total < minNs);
        return new KernelTiming(g.spec(), g.backend().deviceName(), g.backend().threads(), g.copies(), g.variants(),
                g.weightBuffer(), Arrays.copyOf(samples, n), total / 1e3 / ((double) n * g.copies()));
    }

    /** @return the median of the per-run samples, in microseconds per op */
    public double medianUsPerOp() {
        return Quantiles.median(usPerOp);
    }

    /** @return GFLOP/s at the mean time (0 for ops without a FLOP count) */
    public double gflops() {
        return spec.flops() / meanUsPerOp / 1e3;
    }

    /** @return GB/s (10^9 bytes) at the mean time, of {@link KernelSpec#bytes()} */
    public double gbps() {
        return spec.bytes() / meanUsPerOp / 1e3;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: %.3f us/op (median %.3f, %d runs x %d copies, %s)", spec, meanUsPerOp,
                medianUsPerOp(), usPerOp.length, copies, weightBuffer);
    }
}
