package dev.edgebench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.edgebench.engine.llama.LlamaModel;
import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.engine.llama.LlamaRuntime;
import dev.edgebench.kernel.AttentionConfig;
import dev.edgebench.kernel.DeviceRoofline;
import dev.edgebench.kernel.GgmlBackend;
import dev.edgebench.kernel.GraphNode;
import dev.edgebench.kernel.KernelGraph;
import dev.edgebench.kernel.KernelSpec;
import dev.edgebench.kernel.KernelTiming;
import dev.edgebench.kernel.ModelShape;
import dev.edgebench.kernel.OpInventory;
import dev.edgebench.kernel.OpKind;
import dev.edgebench.kernel.Phase;
import dev.edgebench.kernel.Stats;
import dev.edgebench.kernel.StepProfile;
import dev.edgebench.kernel.TestBackendOps;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.GgufFile;
import dev.edgebench.model.Models;
import dev.edgebench.util.EdgebenchHome;
import org.openjdk.jmh.runner.RunnerException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code kernels} command: the per-kernel suite of one model's step.
 *
 * <ol>
 *   <li>derives the step's kernels from the model ({@link OpInventory}; a catalog model is forged
 *       first when not cached, so the weight types are llama.cpp's own);</li>
 *   <li>times each through JMH ({@code KernelBenchmark} with {@code KernelProfiler}), weights
 *       where the engine puts them;</li>
 *   <li>measures the same step of the real model through the engine, predicts it as the sum of
 *       count x kernel time, and on the CPU profiles it node by node through the eval callback;</li>
 *   <li>prints one table sorted by share of the predicted step;</li>
 *   <li>with {@code --compare-test-backend-ops}, times the matrix products (or {@code --ops}) with
 *       edgebench and with the pinned {@code test-backend-ops -m perf}, interleaved, and prints
 *       the ratio per kernel with its spread.</li>
 * </ol>
 */
public final class KernelCommand {
    private KernelCommand() {
    }

    /**
     * Distinct weight and KV copies the suite's kernels rotate over, MiB: well beyond the last-level
     * cache of the CPUs and the L2 of the GPUs this suite targets, so that each run reads its
     * weights from memory as the real step does (where every layer has its own).
     */
    static final int DEFAULT_COLD_MIB = 256;

    static final String USAGE = """
            usage: kernels [--model NAME:TYPE|FILE.gguf] [--phase decode|prefill] [--batch B] [--depth D]
                           [--tokens N] [--ubatch U] [--backend CPU|CUDA0|gpu] [--threads T] [--quick|--full]
                           [--placement engine|device] [--cold-mib M] [--no-flash-attn] [--kv-type f16]
                           [--ops REGEX] [--no-step] [--no-profile] [--bandwidth-gbps X] [--peak-gflops Y]
                           [--out DIR] [--compare-test-backend-ops] [--only-compare] [--repeats R] [--list]

              --model      catalog model with a file type (forged when not cached), or a GGUF file; default Llama-3.2-1B:Q4_0
              --phase      decode: one token for each of B sequences at depth D (default B=1, D=512);
                           prefill: N prompt tokens (default 512) after D cached ones, in ubatches of U (default 512)
              --backend    ggml device of the build (CPU; CUDA0 ... on a CUDA build; gpu = the first GPU); default CPU
              --threads    CPU threads; default every available processor
              --quick      (default) every kernel of the step, JMH 1 fork, 1 x 0.4 s warm-up, 5 x 0.4 s; 10 engine steps
              --full       the same kernels, JMH 2 forks, 2 x 1 s warm-up, 5 x 1 s; 30 engine steps
              --placement  engine (default): weights in the buffer llama.cpp uses (CPU: the repacking buffer);
                           device: the device's default buffer, as test-backend-ops
              --cold-mib   MiB of distinct weight/KV copies each kernel rotates over, so that every run reads them from
                           memory as a real step does (default 256; 0 = the same inputs every run, as test-backend-ops)
              --ops        only kernels whose text matches this regular expression
              --no-step    do not load the model to measure the real step
              --no-profile no node-by-node breakdown of the real step (CPU only anyway)
              --list       print the step's kernels and exit
              --out        where to write kernels-jmh.json (JMH) and kernels.json (this report);
                           default <home>/results/runs/kernels-<model>-<phase>-<UTC time>
              --compare-test-backend-ops  then time the step's matrix products (or --ops) with edgebench and the
                           pinned test-backend-ops perf back to back, --repeats times (default 5), and print the ratios;
                           on a GPU also edgebench timed with test-backend-ops' own protocol (column eb-tbo-p)
              --only-compare  only the comparison (no JMH suite, no engine step)
            """;

    /** Parsed command line. */
    record Args(String model, Phase phase, String backend, int threads, boolean full, String placement, int coldMiB,
                AttentionConfig attention, Pattern ops, boolean step, boolean profile, double bandwidthGBps,
                double peakGflops, Path out, boolean compare, boolean onlyCompare, int repeats, boolean list) {
    }

    /** @return the exit code: 0 done, 2 bad arguments, 1 failure */
    public static int run(String[] argv) {
        Args a;
        try {
            a = parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("kernels: " + e.getMessage());
            System.err.print(USAGE);
            return 2;
        }
        if (a == null) {
            System.out.print(USAGE);
            return 0;
        }
        try {
            return execute(a, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("kernels: " + e.getMessage());
            return 2;
        } catch (RunnerException e) {
            System.err.println("kernels: JMH could not run: " + e.getMessage()
                    + "\n  (another JMH run on this machine holds /tmp/jmh.lock: wait for it, or pass -Djmh.ignoreLock=true)");
            return 1;
        } catch (IOException | RuntimeException e) {
            System.err.println("kernels: " + e);
            return 1;
        }
    }

    static Args parse(String[] argv) {
        String model = "Llama-3.2-1B:Q4_0";
        String phase = "decode";
        int batch = 1;
        int depth = 512;
        int tokens = 512;
        int ubatch = Phase.DEFAULT_UBATCH;
        String backend = "CPU";
        int threads = Runtime.getRuntime().availableProcessors();
        boolean full = false;
        String placement = "engine";
        int coldMiB = DEFAULT_COLD_MIB;
        boolean flash = true;
        GgmlType kv = GgmlType.F16;
        Pattern ops = null;
        boolean step = true;
        boolean profile = true;
        double bw = Double.NaN;
        double peak = Double.NaN;
        Path outDir = null;
        boolean compare = false;
        boolean onlyCompare = false;
        int repeats = 5;
        boolean list = false;
        for (int i = 0; i < argv.length; i++) {
            String o = argv[i];
            switch (o) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--model" -> model = value(argv, ++i, o);
                case "--phase" -> phase = value(argv, ++i, o);
                case "--batch" -> batch = intValue(argv, ++i, o);
                case "--depth" -> depth = intValue(argv, ++i, o);
                case "--tokens" -> tokens = intValue(argv, ++i, o);
                case "--ubatch" -> ubatch = intValue(argv, ++i, o);
                case "--backend" -> backend = value(argv, ++i, o);
                case "--threads" -> threads = intValue(argv, ++i, o);
                case "--quick" -> full = false;
                case "--full" -> full = true;
                case "--placement" -> placement = KernelGraph.Placement.parse(value(argv, ++i, o)).name().toLowerCase(Locale.ROOT);
                case "--cold-mib" -> coldMiB = intValue(argv, ++i, o);
                case "--no-flash-attn" -> flash = false;
                case "--kv-type" -> kv = GgmlType.parse(value(argv, ++i, o));
                case "--ops" -> ops = Pattern.compile(value(argv, ++i, o));
                case "--no-step" -> step = false;
                case "--no-profile" -> profile = false;
                case "--bandwidth-gbps" -> bw = doubleValue(argv, ++i, o);
                case "--peak-gflops" -> peak = doubleValue(argv, ++i, o);
                case "--out" -> outDir = Path.of(value(argv, ++i, o));
                case "--compare-test-backend-ops" -> compare = true;
                case "--only-compare" -> {
                    compare = true;
                    onlyCompare = true;
                }
                case "--repeats" -> repeats = intValue(argv, ++i, o);
                case "--list" -> list = true;
                default -> throw new IllegalArgumentException("unknown option '" + o + "'");
            }
        }
        if (threads < 1 || repeats < 1 || coldMiB < 0) {
            throw new IllegalArgumentException("--threads and --repeats must be >= 1, --cold-mib >= 0");
        }
        return new Args(model, Phase.parse(phase, batch, depth, tokens, ubatch), backend, threads, full, placement, coldMiB,
                new AttentionConfig(flash, kv, kv), ops, step, profile, bw, peak, outDir, compare, onlyCompare, repeats, list);
    }

    private static String value(String[] argv, int i, String option) {
        if (i >= argv.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return argv[i];
    }

    private static int intValue(String[] argv, int i, String option) {
        try {
            return Integer.parseInt(value(argv, i, option));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs an integer, got '" + argv[i] + "'");
        }
    }

    private static double doubleValue(String[] argv, int i, String option) {
        try {
            return Double.parseDouble(value(argv, i, option));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, got '" + argv[i] + "'");
        }
    }

    static int execute(Args a, PrintStream out) throws IOException, RunnerException {
        Models.Ref ref = Models.parse(a.model(), Catalog.builtin());
        String link = a.onlyCompare() || a.list() ? null : ForkLink.problem();
        if (link != null) {
            throw new IllegalArgumentException(link);
        }
        Path file = Models.resolve(ref, new LlamaQuantizer(), System.err::println);
        ModelShape shape = ModelShape.fromGguf(GgufFile.read(file));
        OpInventory inv = OpInventory.of(shape, a.phase(), a.attention());
        List<OpInventory.Entry> entries = new ArrayList<>();
        for (OpInventory.Entry e : inv.entries()) {
            if (a.ops() == null || a.ops().matcher(e.spec().toString()).find()) {
                entries.add(e);
            }
        }
        out.printf(Locale.ROOT, "model    %s (%s, %s), weights %s%n", ref, shape.arch(), file, shape.weightTypes());
        out.printf(Locale.ROOT, "step     %s, %s: %d kernel runs, %d distinct kernels%s%n", a.phase(), a.attention(),
                inv.totalRuns(), inv.entries().size(), a.ops() == null ? "" : " (" + entries.size() + " match --ops)");
        if (a.list()) {
            for (OpInventory.Entry e : entries) {
                out.printf(Locale.ROOT, "%5d  %-28s %s%n", e.count(), e.roles(), e.spec());
            }
            return 0;
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("no kernel of the step matches --ops " + a.ops());
        }
        Path dir = a.out() != null ? a.out() : EdgebenchHome.dir().resolve("results").resolve("runs").resolve(String.format(
                Locale.ROOT, "kernels-%s-%s-%s", ref.label(), a.phase().label().replace(' ', '-'),
                DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC).format(Instant.now()))
                .replaceAll("[^A-Za-z0-9._-]", "_"));
        Files.createDirectories(dir);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("schema", "edgebench.kernels/1");
        report.put("model", ref.toString());
        report.put("file", file.toString());
        report.put("architecture", shape.arch());
        report.put("phase", a.phase().label());
        report.put("attention", a.attention().toString());
        DeviceRoofline roof;
        String device;
        boolean cpu;
        try (GgmlBackend b = GgmlBackend.open(a.backend(), a.threads())) {
            device = b.deviceName();
            cpu = b.isCpu();
            roof = Double.isNaN(a.bandwidthGBps()) ? DeviceRoofline.measureBandwidth(b, a.peakGflops(), 500_000_000L)
                    : DeviceRoofline.given(a.bandwidthGBps(), a.peakGflops());
            out.printf(Locale.ROOT, "backend  %s; roofline: %s%n", b, roof.source());
            report.put("backend", Map.of("device", device, "description", b.description(), "threads", a.threads()));
        }
        report.put("roofline", Map.of("bandwidthGBps", roof.bandwidthGBps(), "peakGflops", roof.peakGflops(), "source",
                roof.source()));
        if (!a.onlyCompare()) {
            suite(a, inv, entries, device, cpu, roof, file, dir, report, out);
        }
        if (a.compare()) {
            report.put("compare", compare(entries, a, device, out));
        }
        Path json = dir.resolve("kernels.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
        out.printf(Locale.ROOT, "%nreport   %s%n", json);
        return 0;
    }

    /** The JMH kernel suite, the real step, the table. */
    private static void suite(Args a, OpInventory inv, List<OpInventory.Entry> entries, String device, boolean cpu,
                              DeviceRoofline roof, Path file, Path dir, Map<String, Object> report, PrintStream out)
            throws RunnerException {
        KernelSuite.Protocol protocol = a.full() ? KernelSuite.Protocol.FULL : KernelSuite.Protocol.QUICK;
        List<String> jvm = forwardedProperties();
        if (!Double.isNaN(roof.bandwidthGBps())) {
            jvm.add("-D" + DeviceRoofline.BANDWIDTH_PROPERTY + "=" + roof.bandwidthGBps());
        }
        if (!Double.isNaN(roof.peakGflops())) {
            jvm.add("-D" + DeviceRoofline.PEAK_PROPERTY + "=" + roof.peakGflops());
        }
        Path jmhJson = dir.resolve("kernels-jmh.json");
        out.printf(Locale.ROOT, "kernels  %d through JMH (%s), weights: %s, cold: %d MiB%n", entries.size(), protocol,
                a.placement(), a.coldMiB());
        List<String> ops = entries.stream().map(e -> e.spec().toString()).toList();
        Map<String, KernelSuite.KernelResult> results = KernelSuite.run(ops, device, a.threads(), a.placement(), a.coldMiB(),
                protocol, jvm, jmhJson.toString());
        report.put("protocol", protocol.toString());
        report.put("jmh", jmhJson.getFileName().toString());
        StepProfile profile = null;
        if (a.step()) {
            int steps = a.full() ? 30 : 10;
            int profiled = a.profile() && cpu ? (a.full() ? 10 : 3) : 0;
            try (LlamaModel m = LlamaModel.load(file, cpu ? LlamaModel.Params.cpu() : LlamaModel.Params.allLayers())) {
                profile = StepProfile.measure(m, a.phase(), a.threads(), a.attention(), a.full() ? 5 : 3, steps, profiled, 2026);
            }
        }
        report.put("kernels", printTable(entries, results, profile, roof, out));
        if (profile != null) {
            report.put("step", printStep(inv, entries.size() == inv.entries().size(), results, profile, cpu, out));
        }
    }

    /** edgebench.* system properties of this JVM, for the forked benchmark JVMs. */
    private static List<String> forwardedProperties() {
        List<String> out = new ArrayList<>();
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("edgebench.")) {
                out.add("-D" + k + "=" + System.getProperty(k));
            }
        }
        if (System.getProperty("edgebench.native.lib") == null && System.getProperty("edgebench.native.dir") == null) {
            out.add("-Dedgebench.native.lib=" + LlamaRuntime.get().libraries().libDir());
        }
        return out;
    }

    private static List<Map<String, Object>> printTable(List<OpInventory.Entry> entries,
                                                        Map<String, KernelSuite.KernelResult> results, StepProfile profile,
                                                        DeviceRoofline roof, PrintStream out) {
        double total = 0;
        for (OpInventory.Entry e : entries) {
            KernelSuite.KernelResult r = results.get(e.spec().toString());
            if (r != null && r.skip() == null) {
                total += e.count() * r.usPerOp();
            }
        }
        double graphTotal = profile == null ? 0 : profile.ops().stream().mapToDouble(StepProfile.OpTime::usPerStep).sum();
        List<OpInventory.Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingDouble((OpInventory.Entry e) -> {
            KernelSuite.KernelResult r = results.get(e.spec().toString());
            return r == null || r.skip() != null ? -1 : e.count() * r.usPerOp();
        }).reversed());
        List<Map<String, Object>> rows = new ArrayList<>();
        out.println();
        out.printf(Locale.ROOT, "%6s %5s %11s %6s %9s %8s %7s %6s %10s %6s  %s%n", "share", "runs", "us/op", "sprd%", "ms/step",
                "GFLOP/s", "GB/s", "roof%", "in-step us", "share", "kernel [roles]");
        for (OpInventory.Entry e : sorted) {
            KernelSuite.KernelResult r = results.get(e.spec().toString());
            StepProfile.OpTime g = profile == null ? null : profile.find(e.spec());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("kernel", e.spec().toString());
            row.put("op", e.spec().kind().ggmlName());
            row.put("roles", e.roles());
            row.put("runsPerStep", e.count());
            String inStep = "";
            if (g != null && graphTotal > 0) {
                inStep = String.format(Locale.ROOT, "%10.2f %5.1f%%", g.usPerStep() / e.count(), 100 * g.usPerStep() / graphTotal);
                row.put("inStepUsPerOp", g.usPerStep() / e.count());
            }
            if (r == null || r.skip() != null) {
                String why = r == null ? "no result" : r.skip();
                out.printf(Locale.ROOT, "%6s %5d %11s %6s %9s %8s %7s %6s %17s  %s [%s]%n      skipped: %s%n", "-", e.count(), "-", "",
                        "", "", "", "", inStep, e.spec(), e.roles(), why);
                row.put("skipped", why);
                rows.add(row);
                continue;
            }
            KernelSpec spec = e.spec();
            double ms = e.count() * r.usPerOp() / 1e3;
            double gflops = spec.flops() > 0 ? spec.flops() / r.usPerOp() / 1e3 : Double.NaN;
            double gbps = spec.bytes() / r.usPerOp() / 1e3;
            double roofPct = roof.percent(spec, r.usPerOp());
            out.printf(Locale.ROOT, "%5.1f%% %5d %11.2f %6s %9.3f %8s %7.1f %6s %17s  %s [%s]%n", 100 * ms * 1e3 / total, e.count(),
                    r.usPerOp(), fmt("%.1f", 100 * r.spread()), ms, fmt("%.1f", gflops), gbps, fmt("%.0f", roofPct), inStep, spec,
                    e.roles());
            row.put("usPerOp", r.usPerOp());
            row.put("minUsPerOp", r.minUsPerOp());
            row.put("maxUsPerOp", r.maxUsPerOp());
            row.put("jmhMeanUsPerOp", r.meanUsPerOp());
            row.put("iterations", r.iterations());
            row.put("msPerStep", ms);
            row.put("share", ms * 1e3 / total);
            row.put("gflops", gflops);
            row.put("gbps", gbps);
            row.put("rooflinePct", roofPct);
            row.put("copies", r.copies());
            rows.add(row);
        }
        out.printf(Locale.ROOT, "%n%6s %5d %11s %6s %9.3f ms predicted step (sum of runs x us/op)%n", "100%",
                entries.stream().mapToInt(OpInventory.Entry::count).sum(), "", "", total / 1e3);
        out.println("  us/op: median over JMH iterations (JSON: also min, max and JMH's mean); sprd%: (slowest - fastest) / median;"
                + " GB/s: the least bytes the op moves; roof%: roofline"
                + " time (" + (Double.isNaN(roof.bandwidthGBps()) ? "no bandwidth" : String.format(Locale.ROOT, "%.1f GB/s",
                roof.bandwidthGBps())) + (Double.isNaN(roof.peakGflops()) ? "" : String.format(Locale.ROOT, ", %.0f GFLOP/s",
                roof.peakGflops())) + ") over the measured time; in-step: the real step's nodes of that kernel (eval callback).");
        return rows;
    }

    private static String fmt(String f, double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "" : String.format(Locale.ROOT, f, v);
    }

    private static Map<String, Object> printStep(OpInventory inv, boolean complete, Map<String, KernelSuite.KernelResult> results,
                                                 StepProfile p, boolean cpu, PrintStream out) {
        Map<String, Object> m = new LinkedHashMap<>();
        double predictedUs = 0;
        for (OpInventory.Entry e : inv.entries()) {
            KernelSuite.KernelResult r = results.get(e.spec().toString());
            if (r != null && r.skip() == null) {
                predictedUs += e.count() * r.usPerOp();
            }
        }
        double measured = p.medianStepMs();
        m.put("stepMs", p.stepMs());
        m.put("medianStepMs", measured);
        out.println();
        out.printf(Locale.ROOT, "real step: %s through llama_decode + synchronize, median %.3f ms (min %.3f, max %.3f, %d steps)%n",
                p.phase(), measured, Stats.quantile(p.stepMs(), 0), Stats.quantile(p.stepMs(), 1), p.stepMs().length);
        if (complete) {
            out.printf(Locale.ROOT, "predicted / measured = %.3f / %.3f ms = %.3f%n", predictedUs / 1e3, measured,
                    predictedUs / 1e3 / measured);
            m.put("predictedMs", predictedUs / 1e3);
            m.put("predictedOverMeasured", predictedUs / 1e3 / measured);
        } else {
            out.println("(--ops selects part of the step: no prediction of the whole step)");
        }
        if (p.ops().isEmpty()) {
            out.println(cpu ? "(per-op profile off)" : "per-op profile: only on the CPU backend (a GPU would synchronize after every"
                    + " node through the eval callback, which distorts every node)");
            return m;
        }
        out.printf(Locale.ROOT, "per-op profile of the real step (eval callback, %d steps): node sum %.3f ms, profiled step %.3f ms,"
                        + " node-by-node overhead %.3f ms (%.0f%% of the step)%n", p.profiledSteps(), p.nodeSumMs(),
                p.profiledStepMs(), p.profileOverheadMs(), 100 * p.profileOverheadMs() / measured);
        m.put("profile", Map.of("steps", p.profiledSteps(), "nodeSumMs", p.nodeSumMs(), "profiledStepMs", p.profiledStepMs(),
                "overheadMs", p.profileOverheadMs()));
        Set<String> known = new HashSet<>();
        for (OpInventory.Entry e : inv.entries()) {
            known.add(GraphNode.signature(e.spec()));
        }
        List<Map<String, Object>> ops = new ArrayList<>();
        out.printf(Locale.ROOT, "%6s %6s %10s %10s  %s%n", "share", "nodes", "ms/step", "us/node", "op and sources (top by share)");
        double sum = p.nodeSumMs() * 1e3;
        int shown = 0;
        for (StepProfile.OpTime o : p.ops()) {
            ops.add(Map.of("signature", o.signature(), "op", o.op(), "nodesPerStep", o.nodesPerStep(), "usPerStep", o.usPerStep(),
                    "share", o.usPerStep() / sum));
            if (shown++ < 12) {
                out.printf(Locale.ROOT, "%5.1f%% %6d %10.3f %10.2f  %s%s%n", 100 * o.usPerStep() / sum, o.nodesPerStep(),
                        o.usPerStep() / 1e3, o.usPerNode(), o.signature(), known.contains(o.signature()) ? "" : "  (not in the inventory)");
            }
        }
        if (p.ops().size() > 12) {
            out.printf(Locale.ROOT, "%6s %6s %10s %10s  (%d more)%n", "", "", "", "", p.ops().size() - 12);
        }
        m.put("ops", ops);
        return m;
    }

    /** Interleaved edgebench / test-backend-ops timings of the same kernels. */
    private static List<Map<String, Object>> compare(List<OpInventory.Entry> entries, Args a, String device, PrintStream out)
            throws IOException {
        TestBackendOps tbo = new TestBackendOps(TestBackendOps.pinnedBinary());
        List<KernelSpec> specs = new ArrayList<>();
        for (OpInventory.Entry e : entries) {
            boolean wanted = a.ops() != null || e.spec().kind() == OpKind.MUL_MAT;
            if (wanted && !specs.contains(e.spec())) {
                specs.add(e.spec());
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        try (GgmlBackend b = GgmlBackend.open(device, TestBackendOps.threads())) {
            out.printf(Locale.ROOT, "%ncompare  edgebench vs %s perf -b %s, %d repeats interleaved (order alternating), %s;"
                    + " both: device buffers, one input set, test-backend-ops' run count, >= 1 s timed per repeat%n", tbo, device,
                    a.repeats(), b.isCpu() ? b.threads() + " CPU thread(s), as test-backend-ops uses (half the hardware threads)"
                    : "GPU");
            boolean gpu = !b.isCpu();
            if (gpu) {
                out.printf(Locale.ROOT, "%10s %10s %10s %8s %15s %9s  %s%n", "edgebench", "eb-tbo-p", "tbo", "ratio",
                        "ratio min-max", "tbo-p/tbo", "kernel (us per op, medians)");
            } else {
                out.printf(Locale.ROOT, "%10s %10s %8s %15s  %s%n", "edgebench", "tbo", "ratio", "ratio min-max",
                        "kernel (us per op, medians)");
            }
            for (KernelSpec spec : specs) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("kernel", spec.toString());
                rows.add(row);
                String why = TestBackendOps.unsupported(spec);
                if (why != null) {
                    out.printf(Locale.ROOT, "%10s %10s %8s %15s  %s%n      not compared: %s%n", "-", "-", "-", "", spec, why);
                    row.put("notCompared", why);
                    continue;
                }
                int copies = TestBackendOps.copies(spec, b.isCpu());
                double[] ours = new double[a.repeats()];
                double[] theirs = new double[a.repeats()];
                double[] ratio = new double[a.repeats()];
                double[] tboProtocol = new double[gpu ? a.repeats() : 0];
                double[] tboProtocolRatio = new double[tboProtocol.length];
                KernelGraph.Options options = new KernelGraph.Options(copies, KernelGraph.Placement.DEVICE, 0, 2026);
                // fresh graphs stay open until this kernel is done: a graph built where a closed one was could
                // get its addresses, which the CUDA backend would take for the same graph already captured
                List<KernelGraph> fresh = new ArrayList<>();
                try (KernelGraph g = KernelGraph.build(b, spec, options)) {
                    // steady state: the backend has settled on how it runs this graph (on CUDA: captured once as a
                    // CUDA graph, then replayed) before the first timed repeat
                    KernelTiming.measure(g, 200_000_000L, 1);
                    for (int r = 0; r < a.repeats(); r++) {
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
                    out.printf(Locale.ROOT, "%10s %10s %8s %15s  %s%n      skipped: %s%n", "-", "-", "-", "", spec, s.reason());
                    row.put("skipped", s.reason());
                    continue;
                } finally {
                    fresh.forEach(KernelGraph::close);
                }
                if (gpu) {
                    out.printf(Locale.ROOT, "%10.2f %10.2f %10.2f %8.3f %7.3f-%-7.3f %9.3f  %s%n", Stats.median(ours),
                            Stats.median(tboProtocol), Stats.median(theirs), Stats.median(ratio), Stats.quantile(ratio, 0),
                            Stats.quantile(ratio, 1), Stats.median(tboProtocolRatio), spec);
                } else {
                    out.printf(Locale.ROOT, "%10.2f %10.2f %8.3f %7.3f-%-7.3f  %s%n", Stats.median(ours), Stats.median(theirs),
                            Stats.median(ratio), Stats.quantile(ratio, 0), Stats.quantile(ratio, 1), spec);
                }
                row.put("edgebenchUsPerOp", ours);
                row.put("testBackendOpsUsPerRun", theirs);
                row.put("ratio", ratio);
                row.put("medianRatio", Stats.median(ratio));
                if (gpu) {
                    row.put("edgebenchTboProtocolUsPerOp", tboProtocol);
                    row.put("tboProtocolRatio", tboProtocolRatio);
                    row.put("medianTboProtocolRatio", Stats.median(tboProtocolRatio));
                }
                row.put("copies", copies);
            }
        }
        out.println("  ratio: edgebench us/op over test-backend-ops us/run, per repeat (paired, back to back); median and range over"
                + " repeats.");
        if (rows.stream().anyMatch(r -> r.containsKey("tboProtocolRatio"))) {
            out.println("  eb-tbo-p: edgebench on a fresh graph with test-backend-ops' protocol: one untimed compute of the op alone,"
                    + " then the full graph timed from its first compute for >= 1 s. On CUDA that timed region holds one uncaptured"
                    + " compute and one CUDA-graph capture and instantiation; edgebench's own column is the steady state after"
                    + " them.");
        }
        return rows;
    }

    /**
     * Times the kernel the way test-backend-ops does, on a graph built for this measurement alone
     * ({@link KernelTiming#measureLikeTestBackendOps}). The graph is added to {@code keep}, for the
     * caller to close.
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
