package dev.edgebench.run;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One kind of benchmark: which JMH benchmark method measures it, the parameters that method's
 * {@code @Param} fields take (a test holds them equal), how much context one sequence needs, and
 * which metric is its headline. A new workload is one constant here and one benchmark class.
 */
public enum Workload {
    /** N prompt tokens for each of B sequences, from depth D (prefilled untimed). */
    PREFILL("prefill", "dev.edgebench.bench.PrefillBenchmark", "prefill", Metric.PREFILL_TOK_S,
            List.of("nPrompt", "depth", "repeat")),
    /** G generated tokens for each of B sequences at depth D, one llama_decode + synchronize per step. */
    DECODE("decode", "dev.edgebench.bench.DecodeBenchmark", "decode", Metric.DECODE_TOK_S, List.of("nGen", "depth")),
    /** One prompt, then G tokens, end to end, as a request engine would serve it. */
    GENERATION("generation", "dev.edgebench.bench.GenerationBenchmark", "generate", Metric.GENERATION_TOK_S,
            List.of("nPrompt", "nGen", "sample")),
    /**
     * Draft-model speculative decoding of G tokens after a prompt, and plain greedy decoding of the
     * same target in the same sample (the speedup's reference); k swept with {@code --draft-tokens}.
     */
    SPECULATIVE("speculative", "dev.edgebench.bench.SpeculativeBenchmark", "speculate", Metric.SPEC_TOK_S,
            List.of("nPrompt", "nGen", "draft", "draftTokens", "acceptRate")),
    /**
     * N requests of P prompt and G output tokens through a streaming engine ({@code --engine}), closed loop at a
     * concurrency or open loop at a request rate: one sample is one batch.
     */
    REQUESTS("requests", "dev.edgebench.bench.RequestsBenchmark", "requests", Metric.OUTPUT_TOK_S,
            List.of("engine", "concurrency", "rate", "burstiness", "nRequests", "nPrompt", "nGen", "lengthRange", "slo"));

    /** Parameters every engine benchmark declares (the benchmarks' common state). */
    public static final List<String> ENGINE_PARAMS = List.of("model", "batch", "threads", "nGpuLayers", "flashAttn", "cacheType",
            "ubatch");
    /** The engine parameters of request workloads: as {@link #ENGINE_PARAMS} but no batch (the concurrency replaces it). */
    public static final List<String> REQUEST_ENGINE_PARAMS = List.of("model", "threads", "nGpuLayers", "flashAttn", "cacheType",
            "ubatch");

    private final String key;
    private final String jmhClass;
    private final String jmhMethod;
    private final Metric primary;
    private final List<String> workloadParams;

    Workload(String key, String jmhClass, String jmhMethod, Metric primary, List<String> workloadParams) {
        this.key = key;
        this.jmhClass = jmhClass;
        this.jmhMethod = jmhMethod;
        this.primary = primary;
        this.workloadParams = workloadParams;
    }

    /** @return the name users type ({@code --benchmarks prefill,decode}) and run.json records */
    @JsonValue
    public String key() {
        return key;
    }

    /** @return the JMH benchmark class, fully qualified */
    public String jmhClass() {
        return jmhClass;
    }

    /** @return {@code Class.method}, fully qualified: what JMH calls the benchmark */
    public String jmhBenchmark() {
        return jmhClass + "." + jmhMethod;
    }

    /** @return the headline metric (compare's primary metric for this workload) */
    public Metric primary() {
        return primary;
    }

    /** @return every {@code @Param} of the benchmark: the workload's own, then the engine's */
    public List<String> params() {
        return java.util.stream.Stream.concat(workloadParams.stream(), (this == REQUESTS ? REQUEST_ENGINE_PARAMS : ENGINE_PARAMS)
                .stream()).toList();
    }

    /** @return whether the workload sweeps the context depth ({@code --depth}) */
    public boolean sweepsDepth() {
        return this == DECODE;
    }

    /**
     * @return context tokens one sequence needs: depth + prompt for prefill, depth + generated for
     *         decode, prompt + generated for generation
     */
    public long tokensPerSequence(int depth, int nPrompt, int nGen) {
        return switch (this) {
            case PREFILL -> (long) depth + nPrompt;
            case DECODE -> (long) depth + nGen;
            case GENERATION, REQUESTS -> (long) nPrompt + nGen;
            // + k + 1 verify positions: checked per k by RunPlan
            case SPECULATIVE -> (long) nPrompt + nGen;
        };
    }

    /** @return a description of that need for error messages, e.g. "depth 2048 + nGen 128" */
    public String describeTokens(int depth, int nPrompt, int nGen) {
        return switch (this) {
            case PREFILL -> depth > 0 ? "depth " + depth + " + prompt " + nPrompt : "prompt " + nPrompt;
            case DECODE -> "depth " + depth + " + nGen " + nGen;
            case GENERATION, SPECULATIVE, REQUESTS -> "prompt " + nPrompt + " + nGen " + nGen;
        };
    }

    /**
     * @throws IllegalArgumentException naming the known workloads
     */
    @JsonCreator
    public static Workload named(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Workload w : values()) {
            if (w.key.equals(n)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown benchmark '" + name + "'; known: "
                + Arrays.stream(values()).map(Workload::key).toList());
    }

    /** @return the workload a JMH benchmark name ({@code Class.method}, simple or qualified) belongs to, if any */
    public static java.util.Optional<Workload> ofJmhBenchmark(String benchmark) {
        for (Workload w : values()) {
            String simple = w.jmhBenchmark().substring(w.jmhBenchmark().lastIndexOf('.', w.jmhBenchmark().lastIndexOf('.') - 1) + 1);
            if (benchmark.equals(w.jmhBenchmark()) || benchmark.equals(simple) || benchmark.startsWith(simple + "[")) {
                return java.util.Optional.of(w);
            }
        }
        return java.util.Optional.empty();
    }
}
