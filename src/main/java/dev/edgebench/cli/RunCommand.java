package dev.edgebench.cli;

import dev.edgebench.engine.llama.LlamaQuantizer;
import dev.edgebench.engine.llama.LlamaStepEngine;
import dev.edgebench.model.Catalog;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.GgufFile;
import dev.edgebench.model.GgufFormatException;
import dev.edgebench.model.ModelFacts;
import dev.edgebench.model.ModelForge;
import dev.edgebench.model.Models;
import dev.edgebench.results.Environment;
import dev.edgebench.results.RunAssembler;
import dev.edgebench.results.Summary;
import dev.edgebench.util.EdgebenchHome;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code run}: a preset (or any workload) end to end. Validates every input before long work,
 * forges missing models, runs each benchmark through JMH in forked JVMs (a native crash fails
 * one benchmark, not the run), and writes {@code results/runs/<run-id>/}: {@code jmh-*.json},
 * {@code run.json}, {@code hlog/}, {@code samples/}, {@code summary.md}. The summary is printed
 * at the end. An interrupted run (Ctrl-C) still gets run.json and summary.md for what finished.
 */
final class RunCommand {
    /** The parameters each benchmark class declares; the runner sets every one explicitly. */
    static final Map<String, List<String>> PARAMS = Map.of(
            "prefill", List.of("nPrompt", "depth", "repeat", "model", "batch", "threads", "nGpuLayers", "flashAttn", "cacheType",
                    "ubatch"),
            "decode", List.of("nGen", "depth", "model", "batch", "threads", "nGpuLayers", "flashAttn", "cacheType", "ubatch"),
            "generation", List.of("nPrompt", "nGen", "sample", "model", "batch", "threads", "nGpuLayers", "flashAttn", "cacheType",
                    "ubatch"));
    static final Map<String, String> METHOD = Map.of("prefill", "prefill", "decode", "decode", "generation", "generate");
    /** llama.cpp's limit on parallel sequences ({@code LLAMA_MAX_SEQ}). */
    static final int MAX_SEQ = 256;

    private RunCommand() {
    }

    /** Parsed command line. */
    static final class Args {
        Preset preset = Preset.named("quick");
        List<String> models = new ArrayList<>(List.of("Llama-3.2-1B:Q4_0"));
        List<Integer> batches;
        List<Integer> depths;
        Integer nPrompt;
        Integer nGen;
        Integer warmups;
        Integer samples;
        Integer forks;
        Integer ctx;
        List<String> benchmarks;
        int threads = 0;
        String nGpuLayers = "auto";
        String flashAttn = "auto";
        String cacheType = "f16";
        int ubatch = 512;
        String prefillRepeat = "auto";
        boolean sample;
        boolean telemetry = true;
        /** null: measure device ceilings on GPU builds only; true/false: always/never. */
        Boolean roofline;
        boolean dryRun;
        Path out;
        String runId;
        List<String> jmhArgs = new ArrayList<>();
    }

    static int run(String[] argv) {
        Args a;
        List<Map<String, Object>> plan;
        List<Models.Ref> refs;
        try {
            a = parse(argv);
            refs = validate(a);
            plan = plan(a);
        } catch (IllegalArgumentException e) {
            System.err.println("run: " + e.getMessage());
            return 2;
        }
        if (a.dryRun) {
            plan.forEach(p -> System.out.println(p.get("id")));
            return 0;
        }

        String runId = a.runId != null ? a.runId
                : DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()) + "-" + a.preset.name();
        Path runDir = (a.out != null ? a.out : EdgebenchHome.dir().resolve("results").resolve("runs")).resolve(runId)
                .toAbsolutePath().normalize();
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            System.err.println("run: cannot create the run folder " + runDir + ": " + e.getMessage());
            return 2;
        }

        // models first: forging is the long step before measuring
        List<Map<String, Object>> modelInfo;
        try {
            modelInfo = modelInfo(a, refs);
        } catch (IllegalArgumentException | ModelForge.ForgeException | GgufFormatException | IOException e) {
            System.err.println("run: " + e.getMessage());
            return 2;
        }

        Map<String, Object> header = header(a, "run " + String.join(" ", argv), runId, modelInfo, plan);
        LlamaStepEngine engine = new LlamaStepEngine();
        try {
            header.put("engine", engine.describe());
        } catch (RuntimeException e) {
            System.err.println("run: " + e.getMessage());
            return 2;
        } finally {
            engine.close();
        }
        String fit = gpuFit(header, modelInfo, a);
        if (fit != null) {
            System.err.println("run: " + fit);
            return 2;
        }
        Map<String, Object> ceilings = ceilings(header, a);
        if (ceilings != null) {
            header.put("ceilings", ceilings);
        }
        try {
            RunAssembler.writeJson(runDir.resolve("run.json"), header);
        } catch (IOException e) {
            System.err.println("run: cannot write " + runDir.resolve("run.json") + ": " + e.getMessage());
            return 2;
        }

        AtomicBoolean finished = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            if (finished.compareAndSet(false, true)) {
                finish(runDir, header, "interrupted");
            }
        }, "edgebench-interrupted-run");
        Runtime.getRuntime().addShutdownHook(hook);

        System.err.printf(Locale.ROOT, "run: %s, %d benchmark(s), results in %s%n", runId, plan.size(), runDir);
        for (String bench : benchmarks(a)) {
            try {
                ChainedOptionsBuilder ob = options(a, bench, runDir);
                runJmh(ob.build(), "run", "the " + bench + " benchmarks");
            } catch (RunnerException e) {
                System.err.println("run: JMH could not run the " + bench + " benchmarks: " + e.getMessage());
                for (Map<String, Object> p : plan) {
                    if (bench.equals(p.get("benchmark"))) {
                        try {
                            RunAssembler.writeFailure(runDir, (String) p.get("id"), "JMH", "JMH could not run: " + e.getMessage(), "");
                        } catch (IOException io) {
                            System.err.println("run: cannot record the failure: " + io.getMessage());
                        }
                    }
                }
            } catch (CommandLineOptionException e) {
                System.err.println("run: bad JMH option: " + e.getMessage());
                break;
            }
        }
        if (finished.compareAndSet(false, true)) {
            Runtime.getRuntime().removeShutdownHook(hook);
            int rc = finish(runDir, header, "complete");
            return rc;
        }
        return 1;
    }

    /** Resolves (forging when missing) and describes every model: ref, path, sha256, facts. */
    static List<Map<String, Object>> modelInfo(Args a, List<Models.Ref> refs)
            throws ModelForge.ForgeException, GgufFormatException, IOException {
        List<Map<String, Object>> modelInfo = new ArrayList<>();
        for (Models.Ref r : refs) {
            Path file = Models.resolve(r, new LlamaQuantizer(), s -> System.err.println(s));
            ModelFacts f = ModelFacts.of(file);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ref", r.toString());
            m.put("path", file.toString());
            System.err.println("run: hashing " + file.getFileName());
            m.put("sha256", sha256(file));
            Map<String, Object> facts = f.toMap();
            facts.put("kvBytesPerToken", f.kvBytesPerToken(GgmlType.parse(a.cacheType)));
            m.put("facts", facts);
            modelInfo.add(m);
        }
        return modelInfo;
    }

    /**
     * The run-level fields written at the start (everything but the engine, which the caller
     * adds): schema, id, command, preset, environment, models, plan. The keys keep run.json's order.
     */
    static Map<String, Object> header(Args a, String command, String runId, List<Map<String, Object>> modelInfo,
                                      List<Map<String, Object>> plan) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("schema", RunAssembler.SCHEMA);
        header.put("runId", runId);
        header.put("startedAt", Instant.now().toString());
        header.put("command", command);
        Map<String, Object> preset = new LinkedHashMap<>();
        preset.put("name", a.preset.name());
        preset.put("description", a.preset.description());
        preset.put("warmups", warmups(a));
        preset.put("samples", samples(a));
        preset.put("forks", forks(a));
        preset.put("overridden", overrides(a));
        header.put("preset", preset);
        header.put("environment", Environment.capture());
        header.put("engine", null);
        header.put("models", modelInfo);
        header.put("plan", plan);
        return header;
    }

    /** How long a run waits for another JMH run on this machine to finish before giving up. */
    static final long LOCK_WAIT_MS = 30 * 60_000L;

    /**
     * Runs JMH. When another JMH run holds the machine's JMH lock ({@code /tmp/jmh.lock}), waits
     * for it (up to {@link #LOCK_WAIT_MS}) rather than failing: two runs measuring at once would
     * disturb each other's numbers.
     */
    static void runJmh(org.openjdk.jmh.runner.options.Options options, String who, String what) throws RunnerException {
        long deadline = System.currentTimeMillis() + LOCK_WAIT_MS;
        boolean told = false;
        while (true) {
            try {
                new Runner(options).run();
                return;
            } catch (RunnerException e) {
                if (!String.valueOf(e.getMessage()).contains("JMH lock") || System.currentTimeMillis() >= deadline) {
                    throw e;
                }
                if (!told) {
                    System.err.println(who + ": another JMH run holds this machine's JMH lock; waiting for it before " + what);
                    told = true;
                }
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Measures the device's bandwidth and matrix rate once (roofline columns): on a GPU build the
     * first GPU, else the CPU when {@code --roofline} asks for it.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> ceilings(Map<String, Object> header, Args a) {
        Map<String, Object> engine = (Map<String, Object>) header.get("engine");
        boolean gpu = engine != null && Boolean.TRUE.equals(engine.get("gpuOffload")) && !a.nGpuLayers.equals("0");
        if (Boolean.FALSE.equals(a.roofline) || (!gpu && !Boolean.TRUE.equals(a.roofline))) {
            return null;
        }
        String device = "CPU";
        if (gpu) {
            for (Map<String, Object> d : (List<Map<String, Object>>) engine.getOrDefault("devices", List.of())) {
                if ("gpu".equals(d.get("type")) || "igpu".equals(d.get("type"))) {
                    device = (String) d.get("name");
                    break;
                }
            }
        }
        System.err.println("run: measuring " + device + " bandwidth and matrix rate for the roofline section");
        return dev.edgebench.kernel.DeviceCeilings.measure(device, a.threads > 0 ? a.threads : Runtime.getRuntime().availableProcessors());
    }

    /** Compute buffers and runtime overhead on the GPU beyond weights and KV cache, bytes (a conservative allowance). */
    static final long GPU_OVERHEAD_BYTES = 768L << 20;

    /**
     * Refuses, before any long work, a model that cannot fit the GPU: weights + KV cache of the
     * largest workload + an allowance for compute buffers, against the GPUs' free memory.
     *
     * @return why it does not fit, or null
     */
    @SuppressWarnings("unchecked")
    static String gpuFit(Map<String, Object> header, List<Map<String, Object>> models, Args a) {
        Map<String, Object> engine = (Map<String, Object>) header.get("engine");
        if (engine == null || !Boolean.TRUE.equals(engine.get("gpuOffload")) || a.nGpuLayers.equals("0")) {
            return null;
        }
        long free = 0;
        long total = 0;
        for (Map<String, Object> d : (List<Map<String, Object>>) engine.getOrDefault("devices", List.of())) {
            if ("gpu".equals(d.get("type")) || "igpu".equals(d.get("type"))) {
                free += ((Number) d.get("memoryFreeBytes")).longValue();
                total += ((Number) d.get("memoryTotalBytes")).longValue();
            }
        }
        if (total == 0) {
            return null;
        }
        long maxTokens = 0;
        for (int b : batches(a)) {
            for (String bench : benchmarks(a)) {
                for (int d : bench.equals("decode") ? depths(a) : List.of(0)) {
                    long perSeq = switch (bench) {
                        case "prefill" -> nPrompt(a);
                        case "decode" -> (long) d + nGen(a);
                        default -> (long) nPrompt(a) + nGen(a);
                    };
                    maxTokens = Math.max(maxTokens, b * perSeq);
                }
            }
        }
        for (Map<String, Object> m : models) {
            Map<String, Object> f = (Map<String, Object>) m.get("facts");
            long weights = ((Number) f.get("tensorBytes")).longValue();
            long kv = ((Number) f.get("kvBytesPerToken")).longValue() * maxTokens;
            long need = weights + kv + GPU_OVERHEAD_BYTES;
            if (need > free) {
                return String.format(Locale.ROOT, "%s does not fit the GPU: it needs about %.1f GiB (weights %.1f GiB + KV cache"
                                + " %.1f GiB for %d tokens + %.1f GiB compute buffers) but the GPU has %.1f GiB free of %.1f GiB."
                                + " Use a smaller type, fewer GPU layers (--ngl), or a smaller batch or context.", m.get("ref"),
                        need / GIB, weights / GIB, kv / GIB, maxTokens, GPU_OVERHEAD_BYTES / GIB, free / GIB, total / GIB);
            }
        }
        return null;
    }

    private static final double GIB = 1L << 30;

    /** Assembles run.json and summary.md, prints the summary. @return 0 when every benchmark passed, 1 otherwise */
    static int finish(Path runDir, Map<String, Object> header, String status) {
        try {
            Map<String, Object> run = RunAssembler.assemble(runDir, header, status);
            RunAssembler.writeJson(runDir.resolve("run.json"), run);
            String md = Summary.markdown(run);
            Files.writeString(runDir.resolve("summary.md"), md);
            System.out.println();
            System.out.println(md);
            System.out.println("Run folder: " + runDir);
            Object failed = run.get("failedBenchmarks");
            return failed instanceof Number n && n.intValue() > 0 ? 1 : 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("run: could not assemble the results in " + runDir + ": " + e);
            return 1;
        }
    }

    static ChainedOptionsBuilder options(Args a, String bench, Path runDir) throws CommandLineOptionException {
        return options(a, bench, runDir, null, "jmh-" + bench + ".json");
    }

    /**
     * @param nativeLib  the engine library folder the forks load ({@code edgebench.native.lib}), or
     *                   null for this JVM's setting
     * @param resultFile JMH's JSON result file name inside the run folder
     */
    static ChainedOptionsBuilder options(Args a, String bench, Path runDir, Path nativeLib, String resultFile)
            throws CommandLineOptionException {
        CommandLineOptions parent = new CommandLineOptions(a.jmhArgs.toArray(String[]::new));
        ChainedOptionsBuilder ob = new OptionsBuilder().parent(parent)
                .include("^" + java.util.regex.Pattern.quote(Preset.benchmarkClass(bench) + ".") + METHOD.get(bench) + "$")
                .warmupIterations(warmups(a))
                .measurementIterations(samples(a))
                .forks(forks(a))
                .shouldFailOnError(false)
                .addProfiler(dev.edgebench.bench.EdgebenchProfiler.class)
                .resultFormat(ResultFormatType.JSON)
                .result(runDir.resolve(resultFile).toString())
                .jvmArgsAppend(forkJvmArgs(runDir, nativeLib).toArray(String[]::new));
        if (a.telemetry) {
            ob.addProfiler(dev.edgebench.bench.TelemetryProfiler.class);
        }
        Map<String, List<String>> values = paramValues(a, bench);
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            ob.param(e.getKey(), e.getValue().toArray(String[]::new));
        }
        return ob;
    }

    /** System properties the forks need: where to write, where the engine and models are. */
    static List<String> forkJvmArgs(Path runDir) {
        return forkJvmArgs(runDir, null);
    }

    /** The same, with the forks' engine library folder set to {@code nativeLib} when it is not null. */
    static List<String> forkJvmArgs(Path runDir, Path nativeLib) {
        List<String> args = new ArrayList<>();
        args.add("--enable-native-access=ALL-UNNAMED");
        args.add("-Dedgebench.run.dir=" + runDir);
        args.add("-Dedgebench.home=" + EdgebenchHome.dir());
        for (String p : List.of("edgebench.native.lib", "edgebench.native.dir", "edgebench.profile", "edgebench.models",
                "edgebench.native.log")) {
            String v = p.equals("edgebench.native.lib") && nativeLib != null ? nativeLib.toString() : System.getProperty(p);
            if (v != null) {
                args.add("-D" + p + "=" + v);
            }
        }
        // telemetry and cool-down settings (edgebench.telemetry, edgebench.telemetry.periodMs, edgebench.cooldown.*)
        System.getProperties().stringPropertyNames().stream().sorted()
                .filter(p -> p.startsWith("edgebench.telemetry") || p.startsWith("edgebench.cooldown"))
                .forEach(p -> args.add("-D" + p + "=" + System.getProperty(p)));
        return args;
    }

    /** Every parameter of a benchmark with its values, in the class's declared order. */
    static Map<String, List<String>> paramValues(Args a, String bench) {
        Map<String, List<String>> v = new LinkedHashMap<>();
        for (String p : PARAMS.get(bench)) {
            v.put(p, switch (p) {
                case "model" -> a.models;
                case "nPrompt" -> List.of(String.valueOf(nPrompt(a)));
                case "nGen" -> List.of(String.valueOf(nGen(a)));
                case "batch" -> batches(a).stream().map(String::valueOf).toList();
                case "depth" -> bench.equals("decode") ? depths(a).stream().map(String::valueOf).toList() : List.of("0");
                case "threads" -> List.of(String.valueOf(a.threads));
                case "nGpuLayers" -> List.of(a.nGpuLayers);
                case "flashAttn" -> List.of(a.flashAttn);
                case "cacheType" -> List.of(a.cacheType);
                case "ubatch" -> List.of(String.valueOf(a.ubatch));
                case "sample" -> List.of(String.valueOf(a.sample));
                case "repeat" -> List.of(a.prefillRepeat);
                default -> throw new IllegalStateException(p);
            });
        }
        return v;
    }

    /** Expands the benchmarks × parameter grid, in JMH's order, with the ids the forks will use. */
    static List<Map<String, Object>> plan(Args a) {
        List<Map<String, Object>> plan = new ArrayList<>();
        for (String bench : benchmarks(a)) {
            Map<String, List<String>> values = paramValues(a, bench);
            List<Map<String, String>> combos = new ArrayList<>();
            combos.add(new LinkedHashMap<>());
            for (Map.Entry<String, List<String>> e : values.entrySet()) {
                List<Map<String, String>> next = new ArrayList<>();
                for (Map<String, String> c : combos) {
                    for (String val : e.getValue()) {
                        Map<String, String> n = new LinkedHashMap<>(c);
                        n.put(e.getKey(), val);
                        next.add(n);
                    }
                }
                combos = next;
            }
            String jmh = Preset.benchmarkClass(bench) + "." + METHOD.get(bench);
            for (Map<String, String> c : combos) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("id", dev.edgebench.bench.BenchId.of(jmh, c));
                p.put("benchmark", bench);
                p.put("jmhBenchmark", jmh);
                p.put("params", c);
                p.put("samples", samples(a));
                p.put("forks", forks(a));
                plan.add(p);
            }
        }
        return plan;
    }

    /**
     * Checks everything that can be checked before long work: models and types exist, sizes are
     * positive, and every sequence's tokens fit the context.
     *
     * @return the parsed model references
     */
    static List<Models.Ref> validate(Args a) {
        List<Models.Ref> refs = new ArrayList<>();
        for (String m : a.models) {
            refs.add(Models.parse(m, Catalog.builtin()));
        }
        positive("nPrompt", nPrompt(a));
        positive("nGen", nGen(a));
        positive("samples", samples(a));
        positive("forks", forks(a));
        String link = ForkLink.problem();
        if (link != null) {
            throw new IllegalArgumentException(link);
        }
        if (warmups(a) < 0) {
            throw new IllegalArgumentException("warm-up count must not be negative, was " + warmups(a));
        }
        if (a.ubatch <= 0) {
            throw new IllegalArgumentException("ubatch must be positive, was " + a.ubatch);
        }
        if (a.threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (all) or positive, was " + a.threads);
        }
        GgmlType.parse(a.cacheType);
        if (!List.of("auto", "on", "off").contains(a.flashAttn)) {
            throw new IllegalArgumentException("--fa must be auto, on or off, was '" + a.flashAttn + "'");
        }
        if (!a.nGpuLayers.equals("auto")) {
            try {
                if (Integer.parseInt(a.nGpuLayers) < -1) {
                    throw new IllegalArgumentException("--ngl must be auto, -1 (all) or a layer count, was " + a.nGpuLayers);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--ngl must be auto, -1 (all) or a layer count, was '" + a.nGpuLayers + "'");
            }
        }
        for (int d : depths(a)) {
            if (d < 0) {
                throw new IllegalArgumentException("depth must not be negative, was " + d);
            }
        }
        List<String> benches = benchmarks(a);
        for (int b : batches(a)) {
            positive("batch", b);
            if (b > MAX_SEQ) {
                throw new IllegalArgumentException("batch " + b + " exceeds llama.cpp's limit of " + MAX_SEQ + " parallel sequences");
            }
            for (Models.Ref r : refs) {
                long train = trainedContext(r);
                for (String bench : benches) {
                    List<Integer> ds = bench.equals("decode") ? depths(a) : List.of(0);
                    for (int d : ds) {
                        long perSeq = switch (bench) {
                            case "prefill" -> nPrompt(a);
                            case "decode" -> (long) d + nGen(a);
                            default -> (long) nPrompt(a) + nGen(a);
                        };
                        String what = switch (bench) {
                            case "prefill" -> "prompt " + nPrompt(a);
                            case "decode" -> "depth " + d + " + nGen " + nGen(a);
                            default -> "prompt " + nPrompt(a) + " + nGen " + nGen(a);
                        };
                        if (train > 0 && perSeq > train) {
                            throw new IllegalArgumentException(bench + ": " + what + " = " + perSeq + " tokens per sequence exceeds "
                                    + r.label() + "'s trained context of " + train + " tokens");
                        }
                        if (a.ctx != null && (long) b * perSeq > a.ctx) {
                            throw new IllegalArgumentException(bench + ": batch " + b + " × (" + what + ") = " + b * perSeq
                                    + " tokens exceeds the context of " + a.ctx + " (--ctx)");
                        }
                        if ((long) b * perSeq > Integer.MAX_VALUE) {
                            throw new IllegalArgumentException(bench + ": batch " + b + " × " + perSeq + " tokens is too large a context");
                        }
                    }
                }
            }
        }
        return refs;
    }

    /** @return the context length a model was trained with, from the catalog or the file header (0 = unknown) */
    static long trainedContext(Models.Ref r) {
        if (r.isCatalog()) {
            Catalog.ModelSpec m = Catalog.builtin().model(r.catalogName());
            return m.hparams().get("n_ctx_train") instanceof Number n ? n.longValue() : 0;
        }
        try {
            GgufFile g = GgufFile.read(r.file());
            return g.getLong(g.architecture() + ".context_length", 0);
        } catch (IOException | GgufFormatException e) {
            throw new IllegalArgumentException("model " + r.file() + " is not a valid GGUF file: " + e.getMessage());
        }
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + v);
        }
    }

    static Args parse(String[] argv) {
        Args a = new Args();
        boolean explicitModels = false;
        for (int i = 0; i < argv.length; i++) {
            String k = argv[i];
            if (k.equals("--")) {
                a.jmhArgs.addAll(Arrays.asList(argv).subList(i + 1, argv.length));
                break;
            }
            switch (k) {
                case "--dry-run" -> a.dryRun = true;
                case "--sample" -> a.sample = true;
                case "--no-telemetry" -> a.telemetry = false;
                case "--roofline" -> a.roofline = true;
                case "--no-roofline" -> a.roofline = false;
                default -> {
                    if (!k.startsWith("--")) {
                        throw new IllegalArgumentException("unexpected argument '" + k + "'; JMH options go after --");
                    }
                    if (i + 1 >= argv.length) {
                        throw new IllegalArgumentException(k + " needs a value");
                    }
                    String v = argv[++i];
                    switch (k) {
                        case "--preset" -> a.preset = Preset.named(v);
                        case "--model", "--models" -> {
                            if (!explicitModels) {
                                a.models.clear();
                                explicitModels = true;
                            }
                            for (String m : v.split(",")) {
                                if (!m.isBlank()) {
                                    a.models.add(m.trim());
                                }
                            }
                        }
                        case "--batch" -> a.batches = ints(k, v);
                        case "--depth" -> a.depths = ints(k, v);
                        case "--prompt", "--n-prompt" -> a.nPrompt = integer(k, v);
                        case "--gen", "--n-gen" -> a.nGen = integer(k, v);
                        case "--warmup" -> a.warmups = integer(k, v);
                        case "--samples" -> a.samples = integer(k, v);
                        case "--forks" -> a.forks = integer(k, v);
                        case "--ctx" -> a.ctx = integer(k, v);
                        case "--threads" -> a.threads = integer(k, v);
                        case "--ngl" -> a.nGpuLayers = v;
                        case "--fa" -> a.flashAttn = v.toLowerCase(Locale.ROOT);
                        case "--cache-type" -> a.cacheType = v.toLowerCase(Locale.ROOT);
                        case "--ubatch" -> a.ubatch = integer(k, v);
                        case "--prefill-repeat" -> {
                            if (!v.equals("auto") && integer(k, v) <= 0) {
                                throw new IllegalArgumentException("--prefill-repeat must be auto or positive, was " + v);
                            }
                            a.prefillRepeat = v;
                        }
                        case "--benchmarks" -> {
                            a.benchmarks = new ArrayList<>();
                            for (String b : v.split(",")) {
                                Preset.benchmarkClass(b.trim());
                                a.benchmarks.add(b.trim().toLowerCase(Locale.ROOT));
                            }
                        }
                        case "--out" -> a.out = Path.of(v);
                        case "--run-id" -> a.runId = v;
                        default -> throw new IllegalArgumentException("unknown option " + k + "; see `run --help`");
                    }
                }
            }
        }
        if (a.models.isEmpty()) {
            throw new IllegalArgumentException("no model given");
        }
        return a;
    }

    private static int integer(String k, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(k + " needs an integer, got '" + v + "'");
        }
    }

    private static List<Integer> ints(String k, String v) {
        List<Integer> out = new ArrayList<>();
        for (String s : v.split(",")) {
            out.add(integer(k, s));
        }
        return out;
    }

    static int warmups(Args a) {
        return a.warmups != null ? a.warmups : a.preset.warmups();
    }

    static int samples(Args a) {
        return a.samples != null ? a.samples : a.preset.samples();
    }

    static int forks(Args a) {
        return a.forks != null ? a.forks : a.preset.forks();
    }

    static int nPrompt(Args a) {
        return a.nPrompt != null ? a.nPrompt : a.preset.nPrompt();
    }

    static int nGen(Args a) {
        return a.nGen != null ? a.nGen : a.preset.nGen();
    }

    static List<Integer> batches(Args a) {
        return a.batches != null ? a.batches : a.preset.batches();
    }

    static List<Integer> depths(Args a) {
        return a.depths != null ? a.depths : a.preset.depths();
    }

    static List<String> benchmarks(Args a) {
        return a.benchmarks != null ? a.benchmarks : a.preset.benchmarks();
    }

    private static Map<String, Object> overrides(Args a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("models", a.models);
        m.put("batches", batches(a));
        m.put("depths", depths(a));
        m.put("nPrompt", nPrompt(a));
        m.put("nGen", nGen(a));
        m.put("benchmarks", benchmarks(a));
        m.put("threads", a.threads);
        m.put("nGpuLayers", a.nGpuLayers);
        m.put("flashAttn", a.flashAttn);
        m.put("cacheType", a.cacheType);
        m.put("ubatch", a.ubatch);
        m.put("sample", a.sample);
        m.put("telemetry", a.telemetry);
        m.put("jmhArgs", a.jmhArgs);
        return m;
    }

    /** sha256 of a file; cached beside models in the edgebench cache (keyed by size and mtime). */
    static String sha256(Path file) throws IOException {
        Path cacheDir = ModelForge.defaultCacheDir().toAbsolutePath().normalize();
        Path side = file.toAbsolutePath().normalize().startsWith(cacheDir)
                ? file.resolveSibling("." + file.getFileName() + ".sha256") : null;
        String key = Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis();
        if (side != null && Files.isRegularFile(side)) {
            String[] l = Files.readString(side).trim().split(" ");
            if (l.length == 3 && (l[0] + " " + l[1]).equals(key)) {
                return l[2];
            }
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        String hex = HexFormat.of().formatHex(md.digest());
        if (side != null) {
            Files.writeString(side, key + " " + hex);
        }
        return hex;
    }
}
