package dev.edgebench.kernel;

import dev.edgebench.latency.Quantiles;

import dev.edgebench.engine.llama.LlamaModel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one real step of the engine spends its time: the step's wall time (decode + synchronize,
 * after warm-up, at the phase's depth), and optionally a per-op breakdown taken node by node
 * through the engine's graph evaluation callback.
 *
 * <p>How the breakdown avoids distorting what it measures:
 * <ul>
 *   <li>the step times come from steps run without the callback asking for anything, so the
 *       scheduler computes the graph as it does without a callback;</li>
 *   <li>profiled steps are separate; each node's time is the interval from the callback's answer
 *       to the scheduler's "done" call, so the callback's own work (reading the node, Java) is
 *       outside every interval;</li>
 *   <li>what remains is the cost of computing the graph one node at a time (a thread-pool wake-up
 *       and a synchronize per node); it is reported as {@link #profileOverheadMs()}, the sum of
 *       node times minus the unprofiled step, so shares can be read with it in mind.</li>
 * </ul>
 * Only for backends that compute synchronously on the host (the CPU): on a GPU, a per-node
 * synchronize would serialize kernel launches and distort every node.
 *
 * @param phase          the step
 * @param stepMs         unprofiled step times, ms
 * @param ops            per-op breakdown, largest first; empty when not profiled
 * @param profiledSteps  profiled steps averaged into {@code ops}
 * @param profiledStepMs mean wall time of a profiled step, ms
 * @param nodeSumMs      mean sum of node times of a profiled step, ms
 */
public record StepProfile(Phase phase, double[] stepMs, List<OpTime> ops, int profiledSteps, double profiledStepMs,
                          double nodeSumMs) {

    /**
     * One kind of node of the real step: all nodes with one signature ({@link GraphNode#signature()}).
     *
     * @param signature    op and source shapes, as an inventory kernel's {@link GraphNode#signature(KernelSpec)}
     * @param op           the op name
     * @param nodesPerStep nodes with this signature per step
     * @param usPerStep    their summed time per step, microseconds
     */
    public record OpTime(String signature, String op, int nodesPerStep, double usPerStep) {
        /** @return mean time of one node, microseconds */
        public double usPerNode() {
            return usPerStep / nodesPerStep;
        }
    }

    /**
     * Measures a step.
     *
     * @param model         the loaded model (on the device to measure)
     * @param phase         the step
     * @param threads       CPU threads
     * @param attention     attention mode and cache types (the same the inventory used)
     * @param warmup        unmeasured steps first (&gt;= 1 recommended)
     * @param steps         measured steps (&gt;= 1)
     * @param profiledSteps steps profiled node by node; 0 = no breakdown
     * @param seed          token seed
     */
    public static StepProfile measure(LlamaModel model, Phase phase, int threads, AttentionConfig attention, int warmup,
                                      int steps, int profiledSteps, long seed) {
        if (steps < 1 || warmup < 0 || profiledSteps < 0) {
            throw new IllegalArgumentException("steps must be >= 1 and warmup, profiledSteps >= 0; got steps " + steps
                    + ", warmup " + warmup + ", profiledSteps " + profiledSteps);
        }
        double[] stepMs = new double[steps];
        try (EngineStep s = EngineStep.open(model, phase, threads, attention, seed, false)) {
            for (int i = 0; i < warmup; i++) {
                s.runNs();
            }
            for (int i = 0; i < steps; i++) {
                stepMs[i] = s.runNs() / 1e6;
            }
        }
        if (profiledSteps == 0) {
            return new StepProfile(phase, stepMs, List.of(), 0, Double.NaN, Double.NaN);
        }
        Map<String, double[]> acc = new LinkedHashMap<>();
        Map<String, String> opOf = new LinkedHashMap<>();
        double wall = 0;
        double sum = 0;
        try (EngineStep s = EngineStep.open(model, phase, threads, attention, seed, true)) {
            for (int i = 0; i < Math.max(1, warmup); i++) {
                s.runNs();
            }
            for (int r = 0; r < profiledSteps; r++) {
                EngineStep.NodeTimes nt = s.timeNodes();
                wall += nt.stepNs() / 1e6;
                for (int i = 0; i < nt.nodes().size(); i++) {
                    GraphNode n = nt.nodes().get(i);
                    String sig = n.signature();
                    double[] a = acc.computeIfAbsent(sig, k -> new double[2]);
                    a[0] += 1;
                    a[1] += nt.nanos()[i] / 1e3;
                    opOf.putIfAbsent(sig, n.op());
                    sum += nt.nanos()[i] / 1e6;
                }
            }
        }
        List<OpTime> ops = new ArrayList<>();
        for (Map.Entry<String, double[]> e : acc.entrySet()) {
            double[] a = e.getValue();
            ops.add(new OpTime(e.getKey(), opOf.get(e.getKey()), (int) Math.round(a[0] / profiledSteps), a[1] / profiledSteps));
        }
        ops.sort(Comparator.comparingDouble(OpTime::usPerStep).reversed());
        return new StepProfile(phase, stepMs, List.copyOf(ops), profiledSteps, wall / profiledSteps, sum / profiledSteps);
    }

    /** @return median unprofiled step time, ms */
    public double medianStepMs() {
        return Quantiles.median(stepMs);
    }

    /** @return node-by-node cost: mean sum of node times minus the median unprofiled step, ms (NaN without a profile) */
    public double profileOverheadMs() {
        return nodeSumMs - medianStepMs();
    }

    /** @return the profiled time of the nodes matching an inventory kernel, or null when the step had none */
    public OpTime find(KernelSpec spec) {
        String sig = GraphNode.signature(spec);
        for (OpTime o : ops) {
            if (o.signature().equals(sig)) {
                return o;
            }
        }
        return null;
    }
}
