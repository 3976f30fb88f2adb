package dev.edgebench.cli;

import dev.edgebench.bench.kernel.KernelReport;
import dev.edgebench.bench.kernel.KernelStudy;
import dev.edgebench.bench.kernel.KernelSuite;
import dev.edgebench.kernel.DeviceRoofline;
import dev.edgebench.kernel.KernelGraph;
import dev.edgebench.kernel.OpInventory;
import dev.edgebench.kernel.Phase;
import dev.edgebench.latency.Quantiles;
import dev.edgebench.kernel.TboComparison;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The {@code kernels} command's console output: the plan, then each part of the study as it
 * finishes (the kernel table by share of the predicted step, the real step, the comparison with
 * test-backend-ops). Text only; the same figures go to kernels.json. One study at a time.
 */
final class KernelPrinter implements KernelStudy.Listener {
    private final PrintStream out;

    KernelPrinter(PrintStream out) {
        this.out = out;
    }

    void plan(KernelStudy.Plan p, KernelStudy.Request r) {
        out.printf(Locale.ROOT, "model    %s (%s, %s), weights %s%n", p.ref(), p.shape().arch(), p.file(), p.shape().weightTypes());
        out.printf(Locale.ROOT, "step     %s, %s: %d kernel runs, %d distinct kernels%s%n", r.phase(), r.attention(),
                p.inventory().totalRuns(), p.inventory().entries().size(), r.ops() == null ? "" : " (" + p.entries().size()
                        + " match --ops)");
    }

    void list(KernelStudy.Plan p) {
        for (OpInventory.Entry e : p.entries()) {
            out.printf(Locale.ROOT, "%5d  %-28s %s%n", e.count(), e.roles(), e.spec());
        }
    }

    void written(Path json) {
        out.printf(Locale.ROOT, "%nreport   %s%n", json);
    }

    @Override
    public void backend(String backend, boolean cpu, DeviceRoofline roofline) {
        out.printf(Locale.ROOT, "backend  %s; roofline: %s%n", backend, roofline.source());
    }

    @Override
    public void suiteStarting(int kernels, KernelSuite.Protocol protocol, KernelGraph.Placement placement, int coldMiB) {
        out.printf(Locale.ROOT, "kernels  %d through JMH (%s), weights: %s, cold: %d MiB%n", kernels, protocol,
                placement.name().toLowerCase(Locale.ROOT), coldMiB);
    }

    @Override
    public void kernels(List<KernelReport.Kernel> rows, int runsPerStep, DeviceRoofline roof) {
        double totalMs = rows.stream().filter(k -> k.msPerStep() != null).mapToDouble(KernelReport.Kernel::msPerStep).sum();
        out.println();
        out.printf(Locale.ROOT, "%6s %5s %11s %6s %9s %8s %7s %6s %10s %6s  %s%n", "share", "runs", "us/op", "sprd%", "ms/step",
                "GFLOP/s", "GB/s", "roof%", "in-step us", "share", "kernel [roles]");
        for (KernelReport.Kernel k : rows) {
            String inStep = k.inStepUsPerOp() == null ? "" : String.format(Locale.ROOT, "%10.2f %5.1f%%", k.inStepUsPerOp(),
                    100 * k.inStepShare());
            if (k.skipped() != null) {
                out.printf(Locale.ROOT, "%6s %5d %11s %6s %9s %8s %7s %6s %17s  %s [%s]%n      skipped: %s%n", "-", k.runsPerStep(), "-",
                        "", "", "", "", "", inStep, k.kernel(), k.roles(), k.skipped());
                continue;
            }
            out.printf(Locale.ROOT, "%5.1f%% %5d %11.2f %6s %9.3f %8s %7.1f %6s %17s  %s [%s]%n", 100 * k.share(), k.runsPerStep(),
                    k.usPerOp(), fmt("%.1f", 100 * k.spreadOf()), k.msPerStep(), fmt("%.1f", k.gflops()), k.gbps(),
                    fmt("%.0f", k.rooflinePct()), inStep, k.kernel(), k.roles());
        }
        out.printf(Locale.ROOT, "%n%6s %5d %11s %6s %9.3f ms predicted step (sum of runs x us/op)%n", "100%", runsPerStep, "", "",
                totalMs);
        out.println("  us/op: median over JMH iterations (JSON: also min, max and JMH's mean); sprd%: (slowest - fastest) / median;"
                + " GB/s: the least bytes the op moves; roof%: roofline"
                + " time (" + (Double.isNaN(roof.bandwidthGBps()) ? "no bandwidth" : String.format(Locale.ROOT, "%.1f GB/s",
                roof.bandwidthGBps())) + (Double.isNaN(roof.peakGflops()) ? "" : String.format(Locale.ROOT, ", %.0f GFLOP/s",
                roof.peakGflops())) + ") over the measured time; in-step: the real step's nodes of that kernel (eval callback).");
    }

    @Override
    public void step(KernelReport.Step s, Phase phase, boolean cpu) {
        double measured = s.medianStepMs();
        out.println();
        out.printf(Locale.ROOT, "real step: %s through llama_decode + synchronize, median %.3f ms (min %.3f, max %.3f, %d steps)%n",
                phase, measured, Quantiles.quantile(s.stepMs(), 0), Quantiles.quantile(s.stepMs(), 1), s.stepMs().length);
        if (s.predictedMs() != null) {
            out.printf(Locale.ROOT, "predicted / measured = %.3f / %.3f ms = %.3f%n", s.predictedMs(), measured, s.predictedOverMeasured());
        } else {
            out.println("(--ops selects part of the step: no prediction of the whole step)");
        }
        if (s.profile() == null) {
            out.println(cpu ? "(per-op profile off)" : "per-op profile: only on the CPU backend (a GPU would synchronize after every"
                    + " node through the eval callback, which distorts every node)");
            return;
        }
        KernelReport.Profile p = s.profile();
        out.printf(Locale.ROOT, "per-op profile of the real step (eval callback, %d steps): node sum %.3f ms, profiled step %.3f ms,"
                + " node-by-node overhead %.3f ms (%.0f%% of the step)%n", p.steps(), p.nodeSumMs(), p.profiledStepMs(), p.overheadMs(),
                100 * p.overheadMs() / measured);
        out.printf(Locale.ROOT, "%6s %6s %10s %10s  %s%n", "share", "nodes", "ms/step", "us/node", "op and sources (top by share)");
        for (KernelReport.NodeOp o : s.ops().subList(0, Math.min(12, s.ops().size()))) {
            out.printf(Locale.ROOT, "%5.1f%% %6d %10.3f %10.2f  %s%s%n", 100 * o.share(), o.nodesPerStep(), o.usPerStep() / 1e3,
                    o.usPerStep() / o.nodesPerStep(), o.signature(), o.inInventory() ? "" : "  (not in the inventory)");
        }
        if (s.ops().size() > 12) {
            out.printf(Locale.ROOT, "%6s %6s %10s %10s  (%d more)%n", "", "", "", "", s.ops().size() - 12);
        }
    }

    @Override
    public void started(String testBackendOps, String device, int repeats, boolean gpu, int cpuThreads) {
        out.printf(Locale.ROOT, "%ncompare  edgebench vs %s perf -b %s, %d repeats interleaved (order alternating), %s;"
                + " both: device buffers, one input set, test-backend-ops' run count, >= 1 s timed per repeat%n", testBackendOps, device,
                repeats, gpu ? "GPU" : cpuThreads + " CPU thread(s), as test-backend-ops uses (half the hardware threads)");
        if (gpu) {
            out.printf(Locale.ROOT, "%10s %10s %8s %15s %4s %10s %8s  %s%n", "eb-tbo-p", "tbo", "ratio", "ratio min-max", "5%",
                    "steady", "stdy/tbo", "kernel (us per op, medians)");
        } else {
            out.printf(Locale.ROOT, "%10s %10s %8s %15s %4s  %s%n", "edgebench", "tbo", "ratio", "ratio min-max", "5%",
                    "kernel (us per op, medians)");
        }
    }

    @Override
    public void row(TboComparison.Row r) {
        if (r.notCompared() != null) {
            out.printf(Locale.ROOT, "%10s %10s %8s %15s  %s%n      not compared: %s%n", "-", "-", "-", "", r.kernel(), r.notCompared());
        } else if (r.skipped() != null) {
            out.printf(Locale.ROOT, "%10s %10s %8s %15s  %s%n      skipped: %s%n", "-", "-", "-", "", r.kernel(), r.skipped());
        } else if (r.tboProtocolRatio() != null) {
            // like for like first (the bar's column), the steady state beside it
            out.printf(Locale.ROOT, "%10.2f %10.2f %8.3f %7.3f-%-7.3f %4s %10.2f %8.3f  %s%n",
                    Quantiles.median(r.edgebenchTboProtocolUsPerOp()), Quantiles.median(r.testBackendOpsUsPerRun()),
                    r.medianTboProtocolRatio(), Quantiles.quantile(r.tboProtocolRatio(), 0), Quantiles.quantile(r.tboProtocolRatio(), 1),
                    r.withinBar() ? "ok" : "OUT", Quantiles.median(r.edgebenchUsPerOp()), r.medianRatio(), r.kernel());
        } else {
            out.printf(Locale.ROOT, "%10.2f %10.2f %8.3f %7.3f-%-7.3f %4s  %s%n", Quantiles.median(r.edgebenchUsPerOp()),
                    Quantiles.median(r.testBackendOpsUsPerRun()), r.medianRatio(), Quantiles.quantile(r.ratio(), 0),
                    Quantiles.quantile(r.ratio(), 1), r.withinBar() ? "ok" : "OUT", r.kernel());
        }
    }

    @Override
    public void finished(List<TboComparison.Row> rows) {
        boolean gpu = rows.stream().anyMatch(r -> r.tboProtocolRatio() != null);
        long compared = rows.stream().filter(TboComparison.Row::compared).count();
        long within = rows.stream().filter(TboComparison.Row::withinBar).count();
        out.printf(Locale.ROOT, "  ratio: %s us/op over test-backend-ops us/run, per repeat (paired, back to back); median and range over"
                + " repeats. 5%%: the like-for-like median ratio within %.0f%% of 1 (%d of %d kernels).%n",
                gpu ? "eb-tbo-p" : "edgebench", 100 * TboComparison.BAR, within, compared);
        if (gpu) {
            out.println("  eb-tbo-p is like for like (test-backend-ops' protocol: one untimed compute of the op alone, then the full"
                    + " graph timed from its first compute, which on CUDA holds one uncaptured compute and one CUDA-graph capture);"
                    + " steady is edgebench after both, so on small ops it is faster than test-backend-ops by their cost.");
        }
    }

    private static String fmt(String f, double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "" : String.format(Locale.ROOT, f, v);
    }
}
