package dev.edgebench.kernel;

import dev.edgebench.latency.Quantiles;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * edgebench's kernel timing against the pinned {@code test-backend-ops -m perf}, kernel by kernel,
 * interleaved: each repeat times both back to back (alternating which goes first), on device
 * buffers with one input set and test-backend-ops' run count, at least 1 s timed per repeat. On a
 * GPU each repeat also times edgebench with test-backend-ops' own protocol on a fresh graph
 * ({@link KernelTiming#measureLikeTestBackendOps}). Runs on the calling thread; blocks for about
 * {@code 2-3 s x repeats} per kernel.
 */
public final class TboComparison {
    /**
     * How far edgebench's kernel time may sit from test-backend-ops' (as a fraction, either way),
     * stated against the like-for-like ratio ({@link Row#likeForLikeRatio}).
     */
    public static final double BAR = 0.05;

    private TboComparison() {
    }

    /**
     * One kernel's comparison (a row of the kernels report); fields that do not apply are null.
     *
     * @param kernel                      the kernel's text form
     * @param notCompared                 why test-backend-ops cannot run it, or null
     * @param skipped                     why edgebench could not build it, or null
     * @param edgebenchUsPerOp            edgebench, microseconds per op, per repeat
     * @param testBackendOpsUsPerRun      test-backend-ops, microseconds per run, per repeat
     * @param ratio                       edgebench over test-backend-ops, per repeat
     * @param medianRatio                 the median ratio
     * @param edgebenchTboProtocolUsPerOp GPU only: edgebench with test-backend-ops' protocol, per repeat
     * @param tboProtocolRatio            GPU only: that over test-backend-ops, per repeat
     * @param medianTboProtocolRatio      GPU only: its median
     * @param copies                      op nodes per graph (test-backend-ops' run count)
     */
    public record Row(String kernel, String notCompared, String skipped, double[] edgebenchUsPerOp, double[] testBackendOpsUsPerRun,
                      double[] ratio, Double medianRatio, double[] edgebenchTboProtocolUsPerOp, double[] tboProtocolRatio,
                      Double medianTboProtocolRatio, Integer copies) {
        static Row notRun(String kernel, String notCompared, String skipped) {
            return new Row(kernel, notCompared, skipped, null, null, null, null, null, null, null, null);
        }

        /** @return true when both sides were timed */
        public boolean compared() {
            return ratio != null;
        }

        /**
         * @return the like-for-like median ratio, the one {@link #BAR} is stated against: on a GPU
         *         edgebench timed with test-backend-ops' own protocol ({@link #medianTboProtocolRatio}),
         *         on a CPU (where both protocols time the same thing) {@link #medianRatio}; null when not compared
         */
        public Double likeForLikeRatio() {
            return medianTboProtocolRatio != null ? medianTboProtocolRatio : medianRatio;
        }

        /** @return whether the like-for-like ratio is within {@link #BAR} of 1; false when not compared */
        public boolean withinBar() {
            Double r = likeForLikeRatio();
            return r != null && Math.abs(r - 1) <= BAR;
        }
    }

    /** Hears the comparison as it goes; called on the comparing thread. */
    public interface Listener {
        /** Before the first kernel. @param gpu whether the device is a GPU; @param cpuThreads threads on a CPU */
        void started(String testBackendOps, String device, int repeats, boolean gpu, int cpuThreads);

        /** After each kernel. */
        void row(Row row);

        /** After the last kernel. */
        void finished(List<Row> rows);
    }

    /**
     * The kernels to compare: the matrix products, or every kernel when the caller selected them
     * ({@code selected}), each once.
     */
    public static List<KernelSpec> kernels(List<OpInventory.Entry> entries, boolean selected) {
        List<KernelSpec> specs = new ArrayList<>();
        for (OpInventory.Entry e : entries) {
            if ((selected || e.spec().kind() == OpKind.MUL_MAT) && !specs.contains(e.spec())) {
                specs.add(e.spec());
            }
        }
        return specs;
    }

    /**
     * Compares each kernel on {@code device}.
     *
     * @param tbo     the pinned test-backend-ops
     * @param specs   the kernels
     * @param device  ggml device name (test-backend-ops' {@code -b})
     * @param repeats paired repeats per kernel, at least 1
     * @throws IOException when test-backend-ops fails on a kernel it supports
     */
    public static List<Row> run(TestBackendOps tbo, List<KernelSpec> specs, String device, int repeats, Listener listener)
            throws IOException {
        List<Row> rows = new ArrayList<>();
        try (GgmlBackend b = GgmlBackend.open(device, TestBackendOps.threads())) {
            boolean gpu = !b.isCpu();
            listener.started(tbo.toString(), device, repeats, gpu, b.threads());
            for (KernelSpec spec : specs) {
                Row row = compare(tbo, b, spec, device, repeats);
                rows.add(row);
                listener.row(row);
            }
        }
        listener.finished(rows);
        return rows;
    }

    private static Row compare(TestBackendOps tbo, GgmlBackend b, KernelSpec spec, String device, int repeats) throws IOException {
        String why = TestBackendOps.unsupported(spec);
        if (why != null) {
            return Row.notRun(spec.toString(), why, null);
        }
        boolean gpu = !b.isCpu();
        int copies = TestBackendOps.copies(spec, b.isCpu());
        double[] ours = new double[repeats];
        double[] theirs = new double[repeats];
        double[] ratio = new double[repeats];
        double[] tboProtocol = new double[gpu ? repeats : 0];
        double[] tboProtocolRatio = new double[tboProtocol.length];
        KernelGraph.Options options = new KernelGraph.Options(copies, KernelGraph.Placement.DEVICE, 0, 2026);
        // fresh graphs stay open until this kernel is done: a graph built where a closed one was could
        // get its addresses, which the CUDA backend would take for the same graph already captured
        List<KernelGraph> fresh = new ArrayList<>();
        try (KernelGraph g = KernelGraph.build(b, spec, options)) {
            // steady state: the backend has settled on how it runs this graph (on CUDA: captured once as a
            // CUDA graph, then replayed) before the first timed repeat
            KernelTiming.measure(g, 200_000_000L, 1);
            for (int r = 0; r < repeats; r++) {
                if (r % 2 == 0) {
                    theirs[r] = theirs(tbo, spec, device);
                    if (gpu) {
                        tboProtocol[r] = tboProtocol(b, spec, options, fresh);
                    }
                    ours[r] = KernelTiming.measure(g, 0, 1_000_000_000L).meanUsPerOp();
                } else {
                    ours[r] = KernelTiming.measure(g, 0, 1_000_000_000L).meanUsPerOp();
                    if (gpu) {
                        tboProtocol[r] = tboProtocol(b, spec, options, fresh);
                    }
                    theirs[r] = theirs(tbo, spec, device);
                }
                ratio[r] = ours[r] / theirs[r];
                if (gpu) {
                    tboProtocolRatio[r] = tboProtocol[r] / theirs[r];
                }
            }
        } catch (KernelGraph.Skip s) {
            return Row.notRun(spec.toString(), null, s.reason());
        } finally {
            fresh.forEach(KernelGraph::close);
        }
        return new Row(spec.toString(), null, null, ours, theirs, ratio, Quantiles.median(ratio), gpu ? tboProtocol : null,
                gpu ? tboProtocolRatio : null, gpu ? Quantiles.median(tboProtocolRatio) : null, copies);
    }

    /**
     * Times the kernel the way test-backend-ops does, on a graph built for this measurement alone.
     * The graph is added to {@code keep}, for the caller to close.
     */
    private static double tboProtocol(GgmlBackend b, KernelSpec spec, KernelGraph.Options options, List<KernelGraph> keep)
            throws KernelGraph.Skip {
        KernelGraph fresh = KernelGraph.build(b, spec, options);
        keep.add(fresh);
        return KernelTiming.measureLikeTestBackendOps(fresh, 1_000_000_000L).meanUsPerOp();
    }

    private static double theirs(TestBackendOps tbo, KernelSpec spec, String device) throws IOException {
        TestBackendOps.Result r = tbo.run(spec, device, 600);
        if (!r.supported()) {
            throw new IOException("test-backend-ops did not run " + spec + " on " + device + ": " + r.error());
        }
        return r.usPerRun();
    }
}
