package dev.edgebench.kernel;

import dev.edgebench.latency.Quantiles;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The two ceilings a run's roofline columns are read against, measured once per run on the
 * device the model runs on, with ggml itself: memory bandwidth (a streaming ADD of 32 MiB
 * vectors, {@link DeviceRoofline#measureBandwidth}) and the matrix rate (an F16 × F32 matrix
 * product of 4096³, the prefill-shaped work; on CUDA ggml runs it through cuBLAS on the tensor
 * cores). Decode tok/s × weight bytes per step over the bandwidth, and prefill FLOP/s over the
 * matrix rate, then say how close to the hardware a workload ran.
 */
public final class DeviceCeilings {
    /** The matrix product timed for the matrix rate. */
    static final KernelSpec MATMUL = KernelSpec.parse("MUL_MAT f16[4096x4096] f32[4096x4096]");

    private DeviceCeilings() {
    }

    /**
     * @param device  a ggml device name ("CUDA0", "CPU")
     * @param threads CPU threads for a CPU device
     * @return bandwidthGBps, matmulTflops, device, method; or a note when the device cannot be measured
     */
    public static Map<String, Object> measure(String device, int threads) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", device);
        try (GgmlBackend b = GgmlBackend.open(device, threads)) {
            m.put("description", b.description());
            DeviceRoofline bw = DeviceRoofline.measureBandwidth(b, Double.NaN, 1_000_000_000L);
            m.put("bandwidthGBps", Double.isNaN(bw.bandwidthGBps()) ? null : bw.bandwidthGBps());
            m.put("bandwidthMethod", bw.source());
            try (KernelGraph g = KernelGraph.build(b, MATMUL, new KernelGraph.Options(b.isCpu() ? 1 : 8,
                    KernelGraph.Placement.DEVICE, 0, 2026))) {
                double best = Double.MAX_VALUE;
                for (int i = 0; i < 5; i++) {
                    KernelTiming t = KernelTiming.measure(g, i == 0 ? 100_000_000L : 0, 200_000_000L);
                    best = Math.min(best, Quantiles.quantile(t.usPerOp(), 0));
                }
                m.put("matmulTflops", MATMUL.flops() / (best * 1e6));
                m.put("matmulMethod", String.format(Locale.ROOT, "ggml %s on %s, best of 5: %.3f ms", MATMUL, device, best / 1e3));
            } catch (KernelGraph.Skip s) {
                m.put("matmulTflops", null);
                m.put("matmulMethod", "not measured: " + s.reason());
            }
        } catch (RuntimeException e) {
            m.put("note", "ceilings not measured: " + e.getMessage());
        }
        return m;
    }
}
