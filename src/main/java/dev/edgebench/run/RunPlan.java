package dev.edgebench.run;

import dev.edgebench.model.Catalog;
import dev.edgebench.model.GgmlType;
import dev.edgebench.model.GgufFile;
import dev.edgebench.model.GgufFormatException;
import dev.edgebench.model.Models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A run's validated grid: every (model, workload, parameters) cell in the order JMH runs them,
 * built once from the command line by {@link #of}. Everything that can be checked without
 * loading the engine is checked here, before any model is forged or any JVM forked, and a problem
 * is an {@link IllegalArgumentException} naming the option and the value.
 *
 * @param options    what the user asked, resolved against the preset
 * @param models     the parsed model references, once each, in the order given
 * @param benchmarks the grid, workload by workload
 */
public record RunPlan(RunOptions options, List<Models.Ref> models, List<PlannedBenchmark> benchmarks) {
    /** llama.cpp's limit on parallel sequences ({@code LLAMA_MAX_SEQ}). */
    public static final int MAX_SEQ = 256;
    /**
     * The K/V cache types the pinned llama.cpp accepts for a context (its own {@code --cache-type-k}
     * list); any other ggml type aborts context creation.
     */
    public static final List<String> KV_CACHE_TYPES = List.of("f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0",
            "q5_1");

    /**
     * @throws IllegalArgumentException naming the first problem found
     */
    public static RunPlan of(RunOptions o) {
        return of(o, Runtime.getRuntime().availableProcessors());
    }

    /** The same, for a machine of {@code logicalCpus} CPUs. */
    static RunPlan of(RunOptions o, int logicalCpus) {
        if (o.models().isEmpty()) {
            throw new IllegalArgumentException("--model: no model given");
        }
        List<Models.Ref> refs = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String m : o.models()) {
            Models.Ref r = Models.parse(m, Catalog.builtin());
            String key = r.isCatalog() ? r.toString() : r.file().toAbsolutePath().normalize().toString();
            if (!seen.add(key)) {
                throw new IllegalArgumentException("--model: " + m + " is given twice");
            }
            refs.add(r);
        }
        positive("--prompt", o.nPrompt());
        positive("--gen", o.nGen());
        positive("--samples", o.samples());
        positive("--forks", o.forks());
        positive("--ubatch", o.ubatch());
        if (o.warmups() < 0) {
            throw new IllegalArgumentException("--warmup must not be negative, was " + o.warmups());
        }
        if (o.threads() < 0) {
            throw new IllegalArgumentException("--threads must be 0 (all) or positive, was " + o.threads());
        }
        if (o.threads() > logicalCpus) {
            throw new IllegalArgumentException("--threads " + o.threads() + " is more than the " + logicalCpus
                    + " logical CPUs of this machine; oversubscribed threads measure the scheduler, not the engine"
                    + " (0 uses all " + logicalCpus + ")");
        }
        String kv = o.cacheType().toLowerCase(Locale.ROOT);
        if (!KV_CACHE_TYPES.contains(kv)) {
            throw new IllegalArgumentException("--cache-type " + o.cacheType() + " is not a KV cache type the engine supports;"
                    + " supported: " + String.join(", ", KV_CACHE_TYPES));
        }
        GgmlType.parse(kv);
        if (!List.of("auto", "on", "off").contains(o.flashAttn())) {
            throw new IllegalArgumentException("--fa must be auto, on or off, was '" + o.flashAttn() + "'");
        }
        if (!o.nGpuLayers().equals("auto")) {
            int n;
            try {
                n = Integer.parseInt(o.nGpuLayers());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--ngl must be auto, -1 (all) or a layer count, was '" + o.nGpuLayers() + "'");
            }
            if (n < -1) {
                throw new IllegalArgumentException("--ngl must be auto, -1 (all) or a layer count, was " + n);
            }
        }
        if (!o.prefillRepeat().equals("auto")) {
            int n;
            try {
                n = Integer.parseInt(o.prefillRepeat());
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n <= 0) {
                throw new IllegalArgumentException("--prefill-repeat must be auto or a positive number, was '" + o.prefillRepeat()
                        + "'");
            }
        }
        if (o.ctx() != null) {
            positive("--ctx", o.ctx());
        }
        for (int d : o.depths()) {
            if (d < 0) {
                throw new IllegalArgumentException("--depth must not be negative, was " + d);
            }
        }
        for (int b : o.batches()) {
            positive("--batch", b);
            if (b > MAX_SEQ) {
                throw new IllegalArgumentException("--batch " + b + " exceeds llama.cpp's limit of " + MAX_SEQ + " parallel sequences");
            }
        }
        checkRequests(o);
        checkContext(o, refs);
        SpeculativePlan.check(o, refs);
        List<PlannedBenchmark> grid = new ArrayList<>();
        for (Workload w : o.workloads()) {
            grid.addAll(grid(o, w));
        }
        return new RunPlan(o, List.copyOf(refs), List.copyOf(grid));
    }

    /** Most requests in flight a run may ask for. */
    public static final int MAX_CONCURRENCY = 4096;

    /** The engine and the request load agree with the workloads; every load option is usable. */
    private static void checkRequests(RunOptions o) {
        RequestLoad r = o.requests();
        if (r.engine() == null || r.engine().isBlank()) {
            throw new IllegalArgumentException("--engine must name an engine (llama, llama-batched, trtllm:<engine dir>, ...)");
        }
        if (r.stepEngine()) {
            if (o.workloads().contains(Workload.REQUESTS)) {
                throw new IllegalArgumentException("--benchmarks requests needs a streaming engine (--engine llama-batched,"
                        + " trtllm:<engine dir>, ...); --engine llama runs the step benchmarks");
            }
            return;
        }
        for (Workload w : o.workloads()) {
            if (w != Workload.REQUESTS) {
                throw new IllegalArgumentException("--engine " + r.engine() + " runs the requests workload only; " + w.key()
                        + " is a step-engine benchmark (--engine llama)");
            }
        }
        if (r.concurrencies().isEmpty()) {
            throw new IllegalArgumentException("--concurrency: no value given");
        }
        for (int c : r.concurrencies()) {
            positive("--concurrency", c);
            int most = r.engine().equals("llama-batched") ? MAX_SEQ : MAX_CONCURRENCY;
            if (c > most) {
                throw new IllegalArgumentException("--concurrency " + c + " exceeds the " + most + " requests in flight "
                        + r.engine() + " can hold");
            }
        }
        for (double rate : r.rates()) {
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException("--request-rate must be positive requests per second, was " + rate);
            }
        }
        if (!(r.burstiness() > 0) || Double.isInfinite(r.burstiness())) {
            throw new IllegalArgumentException("--burstiness must be positive (1 = Poisson), was " + r.burstiness());
        }
        positive("--requests", r.requests());
        if (!(r.lengthRange() >= 0 && r.lengthRange() < 1)) {
            throw new IllegalArgumentException("--length-range must be at least 0 and below 1, was " + r.lengthRange());
        }
        dev.edgebench.latency.Slo.parse(r.slo());
    }

    /** Every sequence's tokens fit the model's trained context, {@code --ctx}, and an int. */
    private static void checkContext(RunOptions o, List<Models.Ref> refs) {
        for (Models.Ref r : refs) {
            long train = trainedContext(r);
            for (Workload w : o.workloads()) {
                for (int d : w.sweepsDepth() ? o.depths() : List.of(0)) {
                    double range = w == Workload.REQUESTS ? o.requests().lengthRange() : 0;
                    int nPrompt = RequestLoad.maxLength(o.nPrompt(), range);
                    int nGen = RequestLoad.maxLength(o.nGen(), range);
                    long perSeq = w.tokensPerSequence(d, nPrompt, nGen);
                    String what = w.describeTokens(d, nPrompt, nGen);
                    if (train > 0 && perSeq > train) {
                        throw new IllegalArgumentException(w.key() + ": " + what + " = " + perSeq + " tokens per sequence exceeds "
                                + r.label() + "'s trained context of " + train + " tokens");
                    }
                    boolean requests = w == Workload.REQUESTS;
                    for (int b : requests ? o.requests().concurrencies() : o.batches()) {
                        if (o.ctx() != null && (long) b * perSeq > o.ctx()) {
                            throw new IllegalArgumentException(w.key() + ": " + (requests ? "concurrency " : "batch ") + b + " × ("
                                    + what + ") = " + b * perSeq
                                    + " tokens exceeds the context of " + o.ctx() + " (--ctx)");
                        }
                        if ((long) b * perSeq > Integer.MAX_VALUE) {
                            throw new IllegalArgumentException(w.key() + ": batch " + b + " × " + perSeq
                                    + " tokens is too large a context");
                        }
                    }
                }
            }
        }
    }

    /** @return the largest context (tokens, all sequences) any cell of the plan needs */
    public long maxContextTokens() {
        long max = 0;
        for (PlannedBenchmark p : benchmarks) {
            double range = p.params().containsKey("lengthRange") ? Double.parseDouble(p.params().get("lengthRange")) : 0;
            long perSeq = p.workload().tokensPerSequence(depthOf(p), RequestLoad.maxLength(nPromptOf(p), range),
                    RequestLoad.maxLength(nGenOf(p), range));
            int seqs = p.params().containsKey("batch") ? p.intParam("batch") : p.intParam("concurrency");
            max = Math.max(max, (long) seqs * perSeq);
        }
        return max;
    }

    private static int depthOf(PlannedBenchmark p) {
        return p.params().containsKey("depth") ? p.intParam("depth") : 0;
    }

    private static int nPromptOf(PlannedBenchmark p) {
        return p.params().containsKey("nPrompt") ? p.intParam("nPrompt") : 0;
    }

    private static int nGenOf(PlannedBenchmark p) {
        return p.params().containsKey("nGen") ? p.intParam("nGen") : 0;
    }

    /** @return the context length a model was trained with, from the catalog or the file header (0 = unknown) */
    static long trainedContext(Models.Ref r) {
        if (r.isCatalog()) {
            Catalog.ModelSpec m = Catalog.builtin().model(r.catalogName());
            return m.hparams().get("n_ctx_train") instanceof Number n ? n.longValue() : 0;
        }
        Path f = r.file();
        if (!Files.isReadable(f) && Files.exists(f)) {
            throw new IllegalArgumentException("model " + f + ": permission denied");
        }
        try {
            GgufFile g = GgufFile.read(f);
            return g.getLong(g.architecture() + ".context_length", 0);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalArgumentException("model " + f + ": permission denied");
        } catch (IOException | GgufFormatException e) {
            throw new IllegalArgumentException("model " + f + " is not a valid GGUF file: " + e.getMessage());
        }
    }

    /** The cells of one workload: its parameters' values crossed, in the benchmark's declared order. */
    private static List<PlannedBenchmark> grid(RunOptions o, Workload w) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (String p : w.params()) {
            values.put(p, switch (p) {
                case "model" -> o.models();
                case "nPrompt" -> List.of(String.valueOf(o.nPrompt()));
                case "nGen" -> List.of(String.valueOf(o.nGen()));
                case "batch" -> o.batches().stream().map(String::valueOf).toList();
                case "depth" -> w.sweepsDepth() ? o.depths().stream().map(String::valueOf).toList() : List.of("0");
                case "threads" -> List.of(String.valueOf(o.threads()));
                case "nGpuLayers" -> List.of(o.nGpuLayers());
                case "flashAttn" -> List.of(o.flashAttn());
                case "cacheType" -> List.of(o.cacheType().toLowerCase(Locale.ROOT));
                case "ubatch" -> List.of(String.valueOf(o.ubatch()));
                case "sample" -> List.of(String.valueOf(o.sample()));
                case "repeat" -> List.of(o.prefillRepeat());
                case "draft" -> List.of(String.valueOf(o.speculative().draft()));
                case "draftTokens" -> o.speculative().draftTokens().stream().map(String::valueOf).toList();
                case "acceptRate" -> o.speculative().acceptRateParams();
                case "engine" -> List.of(o.requests().engine());
                case "concurrency" -> o.requests().concurrencies().stream().map(String::valueOf).toList();
                case "rate" -> o.requests().rateParams();
                case "burstiness" -> List.of(o.requests().burstinessParam());
                case "nRequests" -> List.of(String.valueOf(o.requests().requests()));
                case "lengthRange" -> List.of(o.requests().lengthRangeParam());
                case "slo" -> List.of(dev.edgebench.latency.Slo.parse(o.requests().slo()).toString());
                default -> throw new IllegalStateException("no value for parameter " + p + " of " + w.key());
            });
        }
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
        List<PlannedBenchmark> out = new ArrayList<>();
        for (Map<String, String> c : combos) {
            out.add(new PlannedBenchmark(BenchmarkId.of(w.jmhBenchmark(), c), w, c, o.samples(), o.forks()));
        }
        return out;
    }

    /** @return the values each parameter of a workload takes in this plan, in the benchmark's declared order */
    public Map<String, List<String>> paramValues(Workload w) {
        Map<String, List<String>> v = new LinkedHashMap<>();
        for (PlannedBenchmark p : benchmarks) {
            if (p.workload() == w) {
                p.params().forEach((k, val) -> {
                    List<String> l = v.computeIfAbsent(k, x -> new ArrayList<>());
                    if (!l.contains(val)) {
                        l.add(val);
                    }
                });
            }
        }
        return v;
    }

    private static void positive(String option, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(option + " must be positive, was " + v);
        }
    }

    /** @return the same plan with every benchmark run in {@code forks} forks (rounds of an interleaved run, one fork each) */
    public RunPlan withForks(int forks) {
        return new RunPlan(options, models, benchmarks.stream()
                .map(p -> new PlannedBenchmark(p.id(), p.workload(), p.params(), p.samples(), forks)).toList());
    }
}
