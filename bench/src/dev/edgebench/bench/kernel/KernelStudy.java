package dev.edgebench.bench.kernel;

import dev.edgebench.run.ForkProperties;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.edgebench.engine.llama.LlamaModel;
import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.engine.llama.LlamaRuntime;
import dev.edgebench.kernel.AttentionConfig;
import dev.edgebench.kernel.DeviceRoofline;
import dev.edgebench.kernel.GgmlBackend;
import dev.edgebench.kernel.KernelGraph;
import dev.edgebench.kernel.ModelShape;
import dev.edgebench.kernel.OpInventory;
import dev.edgebench.kernel.Phase;
import dev.edgebench.kernel.StepProfile;
import dev.edgebench.kernel.TboComparison;
import dev.edgebench.kernel.TestBackendOps;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.GgufFile;
import dev.edgebench.model.Models;
import dev.edgebench.util.EdgebenchHome;
import org.openjdk.jmh.runner.RunnerException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The per-kernel suite of one model's step, from model to report:
 *
 * <ol>
 *   <li>{@link #plan}: the step's kernels ({@link OpInventory}; a catalog model is forged first
 *       when not cached, so the weight types are llama.cpp's own);</li>
 *   <li>{@link #run}: the device's roofline; each kernel timed through JMH ({@link KernelSuite}),
 *       weights where the engine puts them; the same step of the real model through the engine,
 *       predicted as the sum of count x kernel time and, on the CPU, profiled node by node; then,
 *       when asked, the kernels against the pinned test-backend-ops ({@link TboComparison});
 *       the report written as {@code kernels.json}.</li>
 * </ol>
 *
 * Progress goes to a {@link Listener} as each part finishes, on the calling thread; one study at a
 * time per machine (JMH's lock).
 */
public final class KernelStudy {
    /**
     * Distinct weight and KV copies the suite's kernels rotate over, MiB: well beyond the last-level
     * cache of the CPUs and the L2 of the GPUs this suite targets, so that each run reads its
     * weights from memory as the real step does (where every layer has its own).
     */
    public static final int DEFAULT_COLD_MIB = 256;

    private KernelStudy() {
    }

    /**
     * What to measure.
     *
     * @param model         a catalog {@code NAME:TYPE[@SEED]} or a GGUF file
     * @param backend       ggml device name (CPU, CUDA0, ...; "gpu" = the first GPU)
     * @param threads       CPU threads, at least 1
     * @param full          the full JMH protocol and 30 engine steps, else the quick one and 10
     * @param coldMiB       MiB of rotating weight and KV copies (0 = the same inputs every run)
     * @param ops           only kernels whose text matches, or null for all
     * @param step          measure the real step through the engine
     * @param profile       profile that step node by node (CPU only)
     * @param bandwidthGBps the device's bandwidth for the roofline, or NaN to measure it
     * @param peakGflops    the device's matrix rate for the roofline, or NaN for none
     * @param out           the report's folder, or null for {@code results/runs/kernels-<model>-<phase>-<UTC time>}
     * @param compare       compare with test-backend-ops after the suite
     * @param onlyCompare   only the comparison (no JMH suite, no engine step)
     * @param repeats       paired repeats per compared kernel, at least 1
     */
    public record Request(String model, Phase phase, String backend, int threads, boolean full, KernelGraph.Placement placement,
                          int coldMiB, AttentionConfig attention, Pattern ops, boolean step, boolean profile, double bandwidthGBps,
                          double peakGflops, Path out, boolean compare, boolean onlyCompare, int repeats) {
        public Request {
            if (threads < 1 || repeats < 1 || coldMiB < 0) {
                throw new IllegalArgumentException("threads and repeats must be >= 1 and coldMiB >= 0; were " + threads + ", "
                        + repeats + ", " + coldMiB);
            }
        }
    }

    /**
     * The step to measure: the model's file and shape, every kernel of the step, and those selected.
     *
     * @param entries the kernels {@link Request#ops} selects (all of them without it)
     */
    public record Plan(Models.Ref ref, Path file, ModelShape shape, OpInventory inventory, List<OpInventory.Entry> entries) {
        /** @return true when every kernel of the step is selected */
        public boolean complete() {
            return entries.size() == inventory.entries().size();
        }
    }

    /** Hears the study as each part finishes. */
    public interface Listener extends TboComparison.Listener {
        /** The backend is open and the roofline known. @param backend the backend's description */
        void backend(String backend, boolean cpu, DeviceRoofline roofline);

        /** The JMH suite starts. */
        void suiteStarting(int kernels, KernelSuite.Protocol protocol, KernelGraph.Placement placement, int coldMiB);

        /** The suite's table, largest share first; {@code runsPerStep} counts the selected kernels' runs. */
        void kernels(List<KernelReport.Kernel> rows, int runsPerStep, DeviceRoofline roofline);

        /** The real step against the prediction. */
        void step(KernelReport.Step step, Phase phase, boolean cpu);
    }

    /** The report and where it was written. */
    public record Outcome(KernelReport report, Path json) {
    }

    /**
     * Resolves the model (forging a catalog model that is not cached) and lists the step's kernels.
     *
     * @param progress forging progress lines
     * @throws IllegalArgumentException for an unknown model or a file that does not exist
     * @throws IOException              when the model file cannot be read
     */
    public static Plan plan(Request r, Consumer<String> progress) throws IOException {
        Models.Ref ref = Models.parse(r.model(), Catalog.builtin());
        Path file = Models.resolve(ref, new LlamaQuantizer(), progress);
        ModelShape shape = ModelShape.fromGguf(GgufFile.read(file));
        OpInventory inv = OpInventory.of(shape, r.phase(), r.attention());
        List<OpInventory.Entry> entries = new ArrayList<>();
        for (OpInventory.Entry e : inv.entries()) {
            if (r.ops() == null || r.ops().matcher(e.spec().toString()).find()) {
                entries.add(e);
            }
        }
        return new Plan(ref, file, shape, inv, List.copyOf(entries));
    }

    /**
     * Measures the plan and writes {@code kernels.json} (and JMH's {@code kernels-jmh.json}).
     *
     * @throws IllegalArgumentException when no kernel is selected, or the backend does not exist
     * @throws RunnerException          when JMH cannot run (another JMH run holds its lock)
     * @throws IOException              when the report cannot be written or test-backend-ops fails
     */
    public static Outcome run(Request r, Plan p, Listener listener) throws RunnerException, IOException {
        if (p.entries().isEmpty()) {
            throw new IllegalArgumentException("no kernel of the step matches --ops " + r.ops());
        }
        Path dir = r.out() != null ? r.out() : defaultDir(p.ref(), r.phase());
        Files.createDirectories(dir);
        DeviceRoofline roof;
        KernelReport.Backend backend;
        boolean cpu;
        try (GgmlBackend b = GgmlBackend.open(r.backend(), r.threads())) {
            cpu = b.isCpu();
            roof = Double.isNaN(r.bandwidthGBps()) ? DeviceRoofline.measureBandwidth(b, r.peakGflops(), 500_000_000L)
                    : DeviceRoofline.given(r.bandwidthGBps(), r.peakGflops());
            backend = new KernelReport.Backend(b.deviceName(), b.description(), r.threads());
            listener.backend(b.toString(), cpu, roof);
        }
        String protocol = null;
        String jmh = null;
        List<KernelReport.Kernel> kernels = null;
        KernelReport.Step step = null;
        if (!r.onlyCompare()) {
            KernelSuite.Protocol pr = r.full() ? KernelSuite.Protocol.FULL : KernelSuite.Protocol.QUICK;
            Path jmhJson = dir.resolve("kernels-jmh.json");
            listener.suiteStarting(p.entries().size(), pr, r.placement(), r.coldMiB());
            Map<String, KernelSuite.KernelResult> results = KernelSuite.run(p.entries().stream().map(e -> e.spec().toString()).toList(),
                    backend.device(), r.threads(), r.placement().name().toLowerCase(Locale.ROOT), r.coldMiB(), pr,
                    forkProperties(roof), jmhJson.toString());
            protocol = pr.toString();
            jmh = jmhJson.getFileName().toString();
            StepProfile profile = null;
            if (r.step()) {
                int steps = r.full() ? 30 : 10;
                int profiled = r.profile() && cpu ? (r.full() ? 10 : 3) : 0;
                try (LlamaModel m = LlamaModel.load(p.file(), cpu ? LlamaModel.Params.cpu() : LlamaModel.Params.allLayers())) {
                    profile = StepProfile.measure(m, r.phase(), r.threads(), r.attention(), r.full() ? 5 : 3, steps, profiled, 2026);
                }
            }
            kernels = KernelReport.kernels(p.entries(), results, profile, roof);
            listener.kernels(kernels, p.entries().stream().mapToInt(OpInventory.Entry::count).sum(), roof);
            if (profile != null) {
                step = KernelReport.step(p.inventory(), p.complete(), results, profile);
                listener.step(step, profile.phase(), cpu);
            }
        }
        List<TboComparison.Row> compare = null;
        if (r.compare()) {
            compare = TboComparison.run(new TestBackendOps(TestBackendOps.pinnedBinary()),
                    TboComparison.kernels(p.entries(), r.ops() != null), backend.device(), r.repeats(), listener);
        }
        KernelReport report = new KernelReport(KernelReport.SCHEMA, p.ref().toString(), p.file().toString(), p.shape().arch(),
                r.phase().label(), r.attention().toString(), backend, roof, protocol, jmh, kernels, step, compare);
        Path json = dir.resolve("kernels.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).setSerializationInclusion(JsonInclude.Include.NON_NULL)
                .writeValue(json.toFile(), report);
        return new Outcome(report, json);
    }

    /** {@code <home>/results/runs/kernels-<model>-<phase>-<UTC time>}, in file-name characters. */
    static Path defaultDir(Models.Ref ref, Phase phase) {
        return EdgebenchHome.dir().resolve("results").resolve("runs").resolve(String.format(Locale.ROOT, "kernels-%s-%s-%s",
                ref.label(), phase.label().replace(' ', '-'),
                DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC).format(Instant.now()))
                .replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    /**
     * The forked benchmark JVMs' system properties: the one rule of {@link ForkProperties} (every
     * {@code edgebench.*} property of this JVM), the engine's library folder this JVM loaded when
     * none was given, and the roofline the parent measured.
     */
    static List<String> forkProperties(DeviceRoofline roof) {
        boolean given = System.getProperty(ForkProperties.NATIVE_LIB) != null || System.getProperty("edgebench.native.dir") != null;
        List<String> out = new ArrayList<>(ForkProperties.jvmArgs(null, given ? null : LlamaRuntime.get().libraries().libDir()));
        if (!Double.isNaN(roof.bandwidthGBps())) {
            out.add("-D" + DeviceRoofline.BANDWIDTH_PROPERTY + "=" + roof.bandwidthGBps());
        }
        if (!Double.isNaN(roof.peakGflops())) {
            out.add("-D" + DeviceRoofline.PEAK_PROPERTY + "=" + roof.peakGflops());
        }
        return out;
    }
}
