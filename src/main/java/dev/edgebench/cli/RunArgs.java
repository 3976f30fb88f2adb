package dev.edgebench.cli;

import dev.edgebench.engine.StreamingEngineProvider;
import dev.edgebench.run.Preset;
import dev.edgebench.run.RequestLoad;
import dev.edgebench.run.RunOptions;
import dev.edgebench.run.SpeculativeOptions;
import dev.edgebench.run.Workload;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The options of a run, shared by {@code run}, {@code ab} and {@code parity} (a picocli mixin).
 * Every option is typed; a value that does not convert is refused by picocli with the option's
 * name. {@link #toOptions()} resolves them against the preset.
 */
public final class RunArgs {
    @Option(names = "--preset", paramLabel = "NAME", description = "quick (default) | seed-2026 | edge-llm | ci | speculative")
    String preset = "quick";
    @Option(names = "--model", paramLabel = "M[,M...]",
            description = "catalog NAME:TYPE[@SEED] (e.g. Llama-3.2-1B:Q4_0) or a .gguf file; repeatable (a path that exists is"
                    + " taken whole, commas and all)")
    List<String> models = new ArrayList<>();
    @Option(names = "--benchmarks", split = ",", paramLabel = "LIST",
            description = "prefill,decode,generation,speculative (step engine); requests (streaming engines, the default with --engine)")
    List<String> benchmarks;
    @Option(names = "--batch", split = ",", paramLabel = "LIST", description = "parallel sequences, e.g. 1,4,8")
    List<Integer> batches;
    @Option(names = "--depth", split = ",", paramLabel = "LIST", description = "decode context depths (prefilled untimed)")
    List<Integer> depths;
    @Option(names = "--prompt", paramLabel = "N", description = "prompt tokens")
    Integer nPrompt;
    @Option(names = "--gen", paramLabel = "N", description = "generated tokens")
    Integer nGen;
    @Option(names = "--warmup", paramLabel = "N", description = "warm-up samples")
    Integer warmups;
    @Option(names = "--samples", paramLabel = "N", description = "measured samples")
    Integer samples;
    @Option(names = "--forks", paramLabel = "N", description = "JMH forks per benchmark")
    Integer forks;
    @Option(names = "--ctx", paramLabel = "N", description = "fail if a workload needs more context tokens")
    Integer ctx;
    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (0 = auto: every logical CPU, or 4 when every layer and the output are on a GPU)")
    int threads;
    @Option(names = "--ngl", paramLabel = "auto|-1|N", description = "GPU layers")
    String nGpuLayers = "auto";
    @Option(names = "--fa", paramLabel = "auto|on|off", description = "flash attention")
    String flashAttn = "auto";
    @Option(names = "--cache-type", paramLabel = "T", description = "KV cache type: f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1")
    String cacheType = "f16";
    @Option(names = "--ubatch", paramLabel = "N", description = "physical batch")
    int ubatch = 512;
    @Option(names = "--prefill-repeat", paramLabel = "auto|N",
            description = "prefills per prefill sample, back to back (default auto: about 100 ms worth)")
    String prefillRepeat = "auto";
    @Option(names = "--sample", description = "feed back greedy tokens (sampling time counts)")
    boolean sample;
    @Option(names = "--no-telemetry", description = "do not sample power, clocks and temperature")
    boolean noTelemetry;
    @Option(names = "--roofline", negatable = true,
            description = "measure the device's bandwidth and matrix rate (default: on GPU builds only)")
    Boolean roofline;
    @Option(names = "--draft", paramLabel = "M", description = "speculative: the draft model (catalog NAME:TYPE[@SEED] or a .gguf)")
    String draft;
    @Option(names = "--draft-tokens", split = ",", paramLabel = "LIST", description = "speculative: draft tokens k per step, swept (default 4)")
    List<Integer> draftTokens;
    @Option(names = "--accept-rate", paramLabel = "A|P0,P1,..",
            description = "speculative, synthetic acceptance: α (accepted ÷ drafted) or per-position probabilities; repeat to sweep")
    List<String> acceptRates = new ArrayList<>();
    @Option(names = "--pair", paramLabel = "NAME", description = "speculative: a target and draft pair: llama3, qwen3, qwen3-self, tiny-self")
    String pair;
    @Option(names = "--engine", paramLabel = "SPEC",
            description = "llama (default: the step benchmarks) or a streaming engine for the requests workload: llama-batched,"
                    + " llama-step (the step engine, one request at a time), trtllm:<engine dir>, llama-server, openai:<url>, ...")
    String engine = RequestLoad.STEP_ENGINE;
    @Option(names = "--concurrency", split = ",", paramLabel = "LIST", description = "requests in flight at most, swept (default 1)")
    List<Integer> concurrencies;
    @Option(names = "--request-rate", split = ",", paramLabel = "LIST",
            description = "open loop: requests per second, swept (seeded Poisson arrivals); absent: closed loop")
    List<Double> rates;
    @Option(names = "--burstiness", paramLabel = "K", description = "open loop: gamma shape of the arrival gaps (1 = Poisson, <1 burstier)")
    Double burstiness;
    @Option(names = "--requests", paramLabel = "N", description = "measured requests per sample (default 16)")
    Integer requests;
    @Option(names = "--length-range", paramLabel = "R",
            description = "draw each prompt and output length uniformly (seeded) from [N·(1−R), N·(1+R)]; 0 (default): exact")
    Double lengthRange;
    @Option(names = "--slo", paramLabel = "LIMITS", description = "goodput objectives, e.g. ttft=200ms,tpot=50ms,e2e=2s")
    String slo;
    @Parameters(paramLabel = "-- JMH options", description = "everything after -- goes to JMH unchanged")
    List<String> jmhArgs = new ArrayList<>();

    /** @return the options resolved against the preset */
    public RunOptions toOptions() {
        Preset p = Preset.named(preset);
        RequestLoad load = requestLoad();
        List<Workload> workloads = benchmarks == null ? (load.stepEngine() ? p.workloads() : List.of(Workload.REQUESTS))
                : benchmarks.stream().map(Workload::named).toList();
        List<String> m = models.isEmpty() ? List.of("Llama-3.2-1B:Q4_0") : expandModels(models);
        String d = draft;
        if (pair != null) {
            dev.edgebench.speculative.SpeculativePair sp = dev.edgebench.speculative.SpeculativePair.named(pair);
            if (!models.isEmpty() || draft != null) {
                throw new IllegalArgumentException("--pair " + pair + " names the target and the draft: leave out --model and --draft");
            }
            m = List.of(sp.target());
            d = sp.draft();
            if (benchmarks == null) {
                workloads = List.of(Workload.SPECULATIVE);
            }
        }
        return new RunOptions(p, m, workloads, batches != null ? batches : p.batches(), depths != null ? depths : p.depths(),
                nPrompt != null ? nPrompt : p.nPrompt(), nGen != null ? nGen : p.nGen(), warmups != null ? warmups : p.warmups(),
                samples != null ? samples : p.samples(), forks != null ? forks : p.forks(), ctx, threads, nGpuLayers,
                flashAttn.toLowerCase(Locale.ROOT), cacheType.toLowerCase(Locale.ROOT), ubatch, prefillRepeat, sample, !noTelemetry,
                roofline, jmhArgs, new SpeculativeOptions(d, draftTokens != null ? draftTokens : SpeculativeOptions.DEFAULT_DRAFT_TOKENS,
                acceptRates), load);
    }

    /**
     * The engine and the request load; a streaming engine specification is checked against the
     * engines on the class path here, before any long work.
     */
    RequestLoad requestLoad() {
        String e = engine == null ? "" : engine.trim();
        boolean step = e.equals(RequestLoad.STEP_ENGINE);
        if (!step) {
            if (e.isEmpty()) {
                throw new IllegalArgumentException("--engine must name an engine (llama, llama-batched, trtllm:<engine dir>, ...)");
            }
            try {
                StreamingEngineProvider.forSpec(e);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("--engine: " + ex.getMessage(), ex);
            }
            if (batches != null) {
                throw new IllegalArgumentException("--batch is for the step engine (--engine llama); a streaming engine takes"
                        + " --concurrency");
            }
        } else if (concurrencies != null || rates != null || burstiness != null || requests != null || slo != null
                || lengthRange != null) {
            throw new IllegalArgumentException("--concurrency, --request-rate, --burstiness, --requests, --length-range and --slo need a"
                    + " streaming"
                    + " engine (--engine llama-batched, trtllm:<engine dir>, ...); --engine llama runs the step benchmarks");
        }
        RequestLoad d = RequestLoad.NONE;
        return new RequestLoad(e, concurrencies != null ? concurrencies : d.concurrencies(), rates != null ? rates : d.rates(),
                burstiness != null ? burstiness : d.burstiness(), requests != null ? requests : d.requests(),
                lengthRange != null ? lengthRange : d.lengthRange(), slo != null ? slo : d.slo());
    }

    /** Each {@code --model} value: a file that exists whole, else split on commas. */
    static List<String> expandModels(List<String> given) {
        List<String> out = new ArrayList<>();
        for (String v : given) {
            if (Files.isRegularFile(Path.of(v))) {
                out.add(v);
                continue;
            }
            for (String s : v.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }
}
