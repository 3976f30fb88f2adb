package dev.edgebench.bench.kernel;

import dev.edgebench.kernel.DeviceRoofline;
import dev.edgebench.kernel.GraphNode;
import dev.edgebench.kernel.KernelSpec;
import dev.edgebench.kernel.OpInventory;
import dev.edgebench.kernel.StepProfile;
import dev.edgebench.kernel.TboComparison;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The per-kernel suite's report, written as {@code kernels.json} (schema {@value #SCHEMA}; null
 * fields are left out). Units are in the names: {@code us} microseconds, {@code ms}
 * milliseconds; {@code share} is a fraction.
 *
 * @param protocol the JMH protocol, or null without the suite ({@code --only-compare})
 * @param jmh      JMH's own result file, next to this one
 * @param kernels  the suite's kernels, largest share of the predicted step first
 * @param step     the real step through the engine, or null when not measured
 * @param compare  the comparison with test-backend-ops, or null when not run
 */
public record KernelReport(String schema, String model, String file, String architecture, String phase, String attention,
                           Backend backend, DeviceRoofline roofline, String protocol, String jmh, List<Kernel> kernels, Step step,
                           List<TboComparison.Row> compare) {
    public static final String SCHEMA = "edgebench.kernels/1";

    /** The ggml device the kernels ran on. */
    public record Backend(String device, String description, int threads) {
    }

    /**
     * One kernel of the step. A kernel the suite could not time has {@code skipped} and no timings.
     *
     * @param runsPerStep   how often the step runs it
     * @param inStepUsPerOp the real step's nodes of this kernel (eval callback), per run; null without a profile
     * @param inStepShare   those nodes' share of all the profiled nodes' time
     * @param usPerOp       median over JMH iterations
     * @param msPerStep     runsPerStep x usPerOp
     * @param share         of the predicted step (the sum over kernels of msPerStep)
     * @param gbps          the least bytes the op moves over its time, 10^9 bytes per second
     * @param rooflinePct   roofline time over the measured time, percent
     * @param copies        op nodes per graph
     */
    public record Kernel(String kernel, String op, String roles, int runsPerStep, Double inStepUsPerOp, Double inStepShare,
                         String skipped, Double usPerOp,
                         Double minUsPerOp, Double maxUsPerOp, Double jmhMeanUsPerOp, Integer iterations, Double msPerStep,
                         Double share, Double gflops, Double gbps, Double rooflinePct, Integer copies) {
        /** @return (slowest - fastest) / median iteration, a fraction; NaN when skipped */
        public double spreadOf() {
            return usPerOp == null ? Double.NaN : (maxUsPerOp - minUsPerOp) / usPerOp;
        }
    }

    /**
     * The real step, measured through the engine.
     *
     * @param predictedMs           the sum over the step's kernels of runs x us/op; null when --ops selected part of it
     * @param predictedOverMeasured predictedMs over medianStepMs
     * @param profile               the node-by-node profile's totals, or null when there is none
     * @param ops                   the profiled nodes by op and sources, largest first; null without a profile
     */
    public record Step(double[] stepMs, double medianStepMs, Double predictedMs, Double predictedOverMeasured, Profile profile,
                       List<NodeOp> ops) {
    }

    /** The node-by-node profile: steps profiled, the sum of node times, the profiled step and its overhead. */
    public record Profile(int steps, double nodeSumMs, double profiledStepMs, double overheadMs) {
    }

    /** One op signature of the profiled step; {@code inInventory} false for nodes the inventory does not predict. */
    public record NodeOp(String signature, String op, int nodesPerStep, double usPerStep, double share, boolean inInventory) {
    }

    /** The suite's rows, largest share of the predicted step first; kernels without a result last. */
    static List<Kernel> kernels(List<OpInventory.Entry> entries, Map<String, KernelSuite.KernelResult> results, StepProfile profile,
                                DeviceRoofline roof) {
        double totalUs = 0;
        for (OpInventory.Entry e : entries) {
            KernelSuite.KernelResult r = results.get(e.spec().toString());
            if (r != null && r.skip() == null) {
                totalUs += e.count() * r.usPerOp();
            }
        }
        double graphTotalUs = profile == null ? 0 : profile.ops().stream().mapToDouble(StepProfile.OpTime::usPerStep).sum();
        List<OpInventory.Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingDouble((OpInventory.Entry e) -> {
            KernelSuite.KernelResult r = results.get(e.spec().toString());
            return r == null || r.skip() != null ? -1 : e.count() * r.usPerOp();
        }).reversed());
        List<Kernel> rows = new ArrayList<>();
        for (OpInventory.Entry e : sorted) {
            KernelSpec spec = e.spec();
            KernelSuite.KernelResult r = results.get(spec.toString());
            StepProfile.OpTime g = profile == null ? null : profile.find(spec);
            Double inStep = g != null && graphTotalUs > 0 ? g.usPerStep() / e.count() : null;
            Double inStepShare = inStep != null ? g.usPerStep() / graphTotalUs : null;
            if (r == null || r.skip() != null) {
                rows.add(new Kernel(spec.toString(), spec.kind().ggmlName(), e.roles(), e.count(), inStep, inStepShare,
                        r == null ? "no result" : r.skip(), null, null, null, null, null, null, null, null, null, null, null));
                continue;
            }
            double ms = e.count() * r.usPerOp() / 1e3;
            rows.add(new Kernel(spec.toString(), spec.kind().ggmlName(), e.roles(), e.count(), inStep, inStepShare, null, r.usPerOp(),
                    r.minUsPerOp(), r.maxUsPerOp(), r.meanUsPerOp(), r.iterations(), ms, ms * 1e3 / totalUs,
                    spec.flops() > 0 ? spec.flops() / r.usPerOp() / 1e3 : Double.NaN, spec.bytes() / r.usPerOp() / 1e3,
                    roof.percent(spec, r.usPerOp()), r.copies()));
        }
        return rows;
    }

    /** The real step against the prediction; {@code complete} when the suite timed every kernel of the step. */
    static Step step(OpInventory inv, boolean complete, Map<String, KernelSuite.KernelResult> results, StepProfile p) {
        double predictedUs = 0;
        for (OpInventory.Entry e : inv.entries()) {
            KernelSuite.KernelResult r = results.get(e.spec().toString());
            if (r != null && r.skip() == null) {
                predictedUs += e.count() * r.usPerOp();
            }
        }
        double measured = p.medianStepMs();
        Double predictedMs = complete ? predictedUs / 1e3 : null;
        Double ratio = complete ? predictedUs / 1e3 / measured : null;
        if (p.ops().isEmpty()) {
            return new Step(p.stepMs(), measured, predictedMs, ratio, null, null);
        }
        Set<String> known = new HashSet<>();
        for (OpInventory.Entry e : inv.entries()) {
            known.add(GraphNode.signature(e.spec()));
        }
        double sumUs = p.nodeSumMs() * 1e3;
        List<NodeOp> ops = new ArrayList<>();
        for (StepProfile.OpTime o : p.ops()) {
            ops.add(new NodeOp(o.signature(), o.op(), o.nodesPerStep(), o.usPerStep(), o.usPerStep() / sumUs,
                    known.contains(o.signature())));
        }
        return new Step(p.stepMs(), measured, predictedMs, ratio,
                new Profile(p.profiledSteps(), p.nodeSumMs(), p.profiledStepMs(), p.profileOverheadMs()), ops);
    }
}
