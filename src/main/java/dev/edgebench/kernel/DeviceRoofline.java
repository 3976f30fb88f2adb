package dev.edgebench.kernel;

import dev.edgebench.latency.Quantiles;

import java.util.Locale;

/**
 * The two figures a kernel's roofline percentage is measured against: the device's memory
 * bandwidth and its peak compute rate. Given by the user (a data sheet, or a STREAM run), or the
 * bandwidth measured here with ggml itself ({@link #measureBandwidth}); the peak rate depends on
 * the types and instruction set and is only ever given.
 *
 * @param bandwidthGBps memory bandwidth, 10^9 bytes per second; NaN when unknown
 * @param peakGflops    peak compute rate, 10^9 FLOP per second; NaN when unknown (then only the
 *                      memory bound counts)
 * @param source        where the figures come from, for the report
 */
public record DeviceRoofline(double bandwidthGBps, double peakGflops, String source) {
    /** System property the kernel benchmark's JVM reads the bandwidth from, GB/s (10^9 bytes per second). */
    public static final String BANDWIDTH_PROPERTY = "edgebench.device.bandwidthGBps";
    /** System property the kernel benchmark's JVM reads the peak compute rate from, GFLOP/s. */
    public static final String PEAK_PROPERTY = "edgebench.device.peakGflops";

    /** The streaming kernel {@link #measureBandwidth} times: two 32 MiB f32 vectors added into a third. */
    static final KernelSpec STREAM = KernelSpec.parse("ADD f32[8388608] f32[8388608]");

    /** @return figures given by the user */
    public static DeviceRoofline given(double bandwidthGBps, double peakGflops) {
        return new DeviceRoofline(bandwidthGBps, peakGflops, "given");
    }

    /**
     * Measures the bandwidth ggml reaches on a backend: an ADD of two 32 MiB f32 vectors into a
     * third, repeated (beyond the caches of the CPUs and GPUs this suite targets, so every run
     * streams from memory); the best of five short runs within {@code minNs}, since other
     * processes only ever slow it. On a CPU the destination is read before it is written (write
     * allocate: ggml stores are not streaming), so four 32 MiB streams are counted there, three on
     * a GPU. A kernel may still beat it (a read-only stream has no write turnarounds): a roofline
     * above 100% says so; give a data-sheet figure with {@code --bandwidth-gbps} for a hard ceiling.
     *
     * @param peakGflops the peak rate, if known (NaN otherwise)
     */
    public static DeviceRoofline measureBandwidth(GgmlBackend backend, double peakGflops, long minNs) {
        try (KernelGraph g = KernelGraph.build(backend, STREAM, new KernelGraph.Options(backend.isCpu() ? 4 : 64,
                KernelGraph.Placement.DEVICE, 0, 1))) {
            double bytes = STREAM.bytes() * (backend.isCpu() ? 4.0 / 3.0 : 1.0);
            double best = 0;
            for (int i = 0; i < 5; i++) {
                KernelTiming t = KernelTiming.measure(g, i == 0 ? minNs / 10 : 0, minNs / 5);
                best = Math.max(best, bytes / (Quantiles.quantile(t.usPerOp(), 0) * 1e3));
            }
            return new DeviceRoofline(best, peakGflops, String.format(Locale.ROOT, "bandwidth measured: ggml ADD of 32 MiB f32"
                    + " vectors on %s, best of 5, %s streams counted: %.1f GB/s", backend.deviceName(), backend.isCpu() ? "4" : "3",
                    best));
        } catch (KernelGraph.Skip s) {
            return new DeviceRoofline(Double.NaN, peakGflops, "bandwidth unknown (" + s.reason() + ")");
        }
    }

    /** @return the roofline time of a kernel as a percentage of its measured time, or NaN without a bandwidth */
    public double percent(KernelSpec spec, double usPerOp) {
        return percent(spec.flops(), spec.bytes(), usPerOp, bandwidthGBps, peakGflops);
    }

    /**
     * The roofline time, max(flops / peak, bytes / bandwidth), as a percentage of a measured time.
     *
     * @param bandwidthGBps device bandwidth, or NaN when unknown
     * @param peakGflops    device peak rate, or NaN when unknown (then only the memory bound counts)
     * @return the percentage, or NaN without a bandwidth
     */
    public static double percent(double flops, double bytes, double usPerOp, double bandwidthGBps, double peakGflops) {
        if (Double.isNaN(bandwidthGBps) || bandwidthGBps <= 0 || usPerOp <= 0) {
            return Double.NaN;
        }
        double memoryUs = bytes / bandwidthGBps / 1e3;
        double computeUs = Double.isNaN(peakGflops) || peakGflops <= 0 ? 0 : flops / peakGflops / 1e3;
        return 100.0 * Math.max(memoryUs, computeUs) / usPerOp;
    }
}
