package dev.edgebench.run;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * edgebench's metric vocabulary: every per-sample figure a benchmark publishes, with its one
 * name, its unit and which direction is better. The JMH profilers publish secondary results under
 * these names, {@code run.json} stores per-sample values under them, and the summary, compare and
 * the history read them back by the same name: a metric is named here and nowhere else.
 *
 * <p>The unit is part of the name where a reader could otherwise mistake it ({@code _MiB},
 * {@code _W}); values are always stored in the unit given here.
 */
public enum Metric {
    PREFILL_TOK_S("prefill.tok_s", "tok/s", true, Aggregation.AVG, "prompt tokens (all sequences) per second of prefill"),
    PREFILL_MS("prefill.ms", "ms", false, Aggregation.AVG, "time of one prefill (prompt of every sequence + synchronize)"),
    DECODE_TOK_S("decode.tok_s", "tok/s", true, Aggregation.AVG, "generated tokens (all sequences) per second of decode steps"),
    DECODE_WEIGHT_GBPS("decode.weight_GBps", "GB/s", true, Aggregation.AVG,
            "weight bytes one decode step reads × steps per second"),
    GENERATION_TOK_S("generation.tok_s", "tok/s", true, Aggregation.AVG,
            "generated tokens per second from request start to the last token"),
    GENERATION_MS("generation.ms", "ms", false, Aggregation.AVG, "one whole generation, request start to last token"),
    ITL_MEAN_MS("itl.mean_ms", "ms", false, Aggregation.AVG, "mean of every decode step (inter-token latency)"),
    SAMPLE_MS("sample.ms", "ms", false, Aggregation.AVG, "JMH's primary score of the sample"),
    PEAK_RSS_MIB("memory.peak_rss_MiB", "MiB", false, Aggregation.MAX, "the benchmark JVM's peak resident set (VmHWM)"),
    GPU_USED_MIB("memory.gpu_used_MiB", "MiB", false, Aggregation.MAX, "memory in use on the GPU(s) at the end of a sample"),
    WEIGHT_MB_PER_TOKEN("model.weight_MB_per_token", "MB", false, Aggregation.AVG, "weight bytes one decode step reads"),
    POWER_AVG_W("power.avg_W", "W", false, Aggregation.AVG, "average power over the sample"),
    POWER_PEAK_W("power.peak_W", "W", false, Aggregation.MAX, "highest power sampled in the sample"),
    ENERGY_SAMPLE_J("energy.sample_J", "J", false, Aggregation.AVG, "energy of the sample"),
    ENERGY_FROM_POWER_J("energy.from_power_J", "J", false, Aggregation.AVG, "energy of the sample, power integrated"),
    ENERGY_FROM_COUNTER("energy.from_counter", "0..1", false, Aggregation.AVG,
            "share of the sample's energy read from a hardware counter"),
    ENERGY_PER_TOKEN_J("energy.per_token_J", "J/tok", false, Aggregation.AVG, "energy per generated token"),
    TOK_PER_S_PER_W("tok_per_s_per_W", "tok/s/W", true, Aggregation.AVG, "generated tokens per joule"),
    TEMP_MAX_C("temp.max_C", "C", false, Aggregation.MAX, "hottest sensor in the sample"),
    GPU_CLOCK_MIN_MHZ("clock.sm.min_MHz", "MHz", true, Aggregation.MIN, "lowest GPU clock sampled"),
    GPU_CLOCK_MAX_MHZ("clock.sm.max_MHz", "MHz", true, Aggregation.MAX, "highest GPU clock sampled"),
    THROTTLED("throttled", "0/1", false, Aggregation.MAX, "1 when a clock-event (throttle) reason was active"),
    RSS_PEAK_SAMPLED_MIB("memory.rss.peak_MiB", "MiB", false, Aggregation.MAX, "peak resident set seen by the sampler"),
    GPU_MEMORY_PEAK_MIB("memory.gpu.peak_MiB", "MiB", false, Aggregation.MAX, "peak GPU memory seen by the sampler"),
    SAMPLER_COST_US("telemetry.sampler.cost_us", "us/sample", false, Aggregation.AVG, "CPU time of one telemetry sample"),
    SAMPLER_WALL_US("telemetry.sampler.wall_us", "us/sample", false, Aggregation.AVG, "wall time of one telemetry sample"),
    COOLDOWN_WAIT_S("cooldown.wait_s", "s", false, Aggregation.AVG, "time waited for the machine to cool before the sample"),
    KERNEL_US_PER_OP("kernel.us_per_op", "us/op", false, Aggregation.AVG, "time of one op"),
    KERNEL_GFLOPS("kernel.gflops", "GFLOP/s", true, Aggregation.AVG, "arithmetic rate of the op"),
    KERNEL_GBPS("kernel.gbps", "GB/s", true, Aggregation.AVG, "bytes the op moves per second"),
    KERNEL_ROOFLINE_PCT("kernel.roofline_pct", "%", true, Aggregation.AVG, "share of the measured roofline"),
    KERNEL_COPIES("kernel.copies", "ops/graph", false, Aggregation.MAX, "copies of the op in one timed graph"),
    // speculative decoding (workload "speculative"): rates count the tokens after the first, over the time after it
    SPEC_TOK_S("spec.tok_s", "tok/s", true, Aggregation.AVG, "speculative generation: tokens (all sequences) per second"),
    SPEC_VANILLA_TOK_S("spec.vanilla_tok_s", "tok/s", true, Aggregation.AVG,
            "plain greedy decoding of the same target, prompts and seed, in the same sample"),
    SPEC_SPEEDUP("spec.speedup", "x", true, Aggregation.AVG, "spec.tok_s ÷ spec.vanilla_tok_s"),
    SPEC_PREDICTED_SPEEDUP("spec.predicted_speedup", "x", true, Aggregation.AVG,
            "the cost model's speedup at the measured α, from the draft, verify and bookkeeping steps as they ran in the loop"),
    SPEC_BREAK_EVEN_ALPHA("spec.break_even_alpha", "0..1", false, Aggregation.AVG,
            "the α at which the cost model (parts as they ran) predicts speedup 1 (above 1: cannot pay at this k and batch)"),
    SPEC_PREDICTED_ALONE("spec.predicted_speedup_alone", "x", true, Aggregation.AVG,
            "the cost model's speedup at the measured α from draft and verify steps each timed alone (probes)"),
    SPEC_BREAK_EVEN_ALONE("spec.break_even_alpha_alone", "0..1", false, Aggregation.AVG,
            "the α at which the cost model from the parts timed alone predicts speedup 1"),
    SPEC_ALPHA("spec.alpha", "0..1", true, Aggregation.AVG, "acceptance rate: accepted ÷ drafted tokens"),
    SPEC_TAU("spec.tau", "tok/step", true, Aggregation.AVG, "mean acceptance length: tokens per sequence per verify step"),
    SPEC_DRAFT_MS("spec.draft_ms_per_step", "ms", false, Aggregation.AVG, "the k draft decodes of one step"),
    SPEC_VERIFY_MS("spec.verify_ms_per_step", "ms", false, Aggregation.AVG, "the target's verify decode of one step"),
    SPEC_BOOKKEEPING_MS("spec.bookkeeping_ms_per_step", "ms", false, Aggregation.AVG,
            "argmax, acceptance, KV rollback and batch building of one step"),
    SPEC_VANILLA_STEP_MS("spec.vanilla_step_ms", "ms", false, Aggregation.AVG, "one plain decode step of the target"),
    SPEC_PROBE_DRAFT_MS("spec.probe.draft_ms", "ms", false, Aggregation.AVG, "cost model part: one draft decode step, alone"),
    SPEC_PROBE_VERIFY_MS("spec.probe.verify_ms", "ms", false, Aggregation.AVG,
            "cost model part: one target verify of k + 1 tokens per sequence with rollback, alone"),
    SPEC_DIVERGED("spec.diverged_seqs", "seqs", false, Aggregation.MAX,
            "sequences whose greedy speculative output differed from plain decoding (real and self modes; 0 expected)"),
    SPEC_ALPHA_P1("spec.alpha.p1", "0..1", true, Aggregation.AVG, "share of steps accepting draft position 1"),
    SPEC_ALPHA_P2("spec.alpha.p2", "0..1", true, Aggregation.AVG, "share of steps accepting draft position 2"),
    SPEC_ALPHA_P3("spec.alpha.p3", "0..1", true, Aggregation.AVG, "share of steps accepting draft position 3"),
    SPEC_ALPHA_P4("spec.alpha.p4", "0..1", true, Aggregation.AVG, "share of steps accepting draft position 4"),
    SPEC_ALPHA_P5("spec.alpha.p5", "0..1", true, Aggregation.AVG, "share of steps accepting draft position 5"),
    SPEC_ALPHA_P6("spec.alpha.p6", "0..1", true, Aggregation.AVG, "share of steps accepting draft position 6"),
    SPEC_ALPHA_P7("spec.alpha.p7", "0..1", true, Aggregation.AVG, "share of steps accepting draft position 7"),
    SPEC_ALPHA_P8("spec.alpha.p8", "0..1", true, Aggregation.AVG, "share of steps accepting draft position 8"),
    // request workloads: one sample = one batch of requests through the request driver
    REQUESTS_PER_S("requests.req_s", "req/s", true, Aggregation.AVG,
            "requests finished without error per second (first scheduled start to last final event)"),
    OUTPUT_TOK_S("requests.output_tok_s", "tok/s", true, Aggregation.AVG, "output tokens of every request per second of the batch"),
    REQUEST_DECODE_TOK_S("requests.decode_tok_s", "tok/s", true, Aggregation.AVG,
            "tokens after each request's first per second that some request was decoding (1/TPOT at concurrency 1)"),
    GOODPUT_REQ_S("requests.goodput_req_s", "req/s", true, Aggregation.AVG, "requests meeting every SLO (--slo) per second"),
    GOODPUT_FRACTION("requests.goodput_fraction", "0..1", true, Aggregation.AVG, "share of requests meeting every SLO"),
    ERROR_RATE("requests.error_rate", "0..1", false, Aggregation.AVG, "share of requests that failed or were refused"),
    TTFT_P50_MS("requests.ttft_p50_ms", "ms", false, Aggregation.AVG, "median time to first token, from the scheduled start"),
    TTFT_P99_MS("requests.ttft_p99_ms", "ms", false, Aggregation.AVG, "99th percentile of the time to first token"),
    ITL_P50_MS("requests.itl_p50_ms", "ms", false, Aggregation.AVG, "median inter-token latency, per token (chunks spread)"),
    ITL_P99_MS("requests.itl_p99_ms", "ms", false, Aggregation.AVG, "99th percentile of the per-token inter-token latency"),
    TPOT_MEAN_MS("requests.tpot_mean_ms", "ms", false, Aggregation.AVG, "mean over requests of (E2E - TTFT) / (tokens - 1)"),
    E2E_P50_MS("requests.e2e_p50_ms", "ms", false, Aggregation.AVG, "median end-to-end latency, from the scheduled start"),
    ISSUE_DELAY_MAX_MS("requests.issue_delay_max_ms", "ms", false, Aggregation.MAX,
            "largest delay of a send against its scheduled time (open loop falling behind)"),
    // the engine's own account of a request batch (its iteration statistics), where it keeps one
    SETTLE_MS("setup.settle_ms", "ms", false, Aggregation.AVG,
            "untimed wait before the sample until the rest of edgebench was quiet (CPU engines whose threads fill every core;"
                    + " 300 ms is the limit: the machine never went quiet)"),
    ENGINE_CPU_THREADS("engine.cpu_threads", "threads", false, Aggregation.MAX,
            "CPU threads the engine computes with: the threads parameter, or what auto chose for the model and device"),
    ENGINE_ITERATIONS("engine.iterations", "iterations", false, Aggregation.AVG, "scheduler iterations (batches) the engine ran for the sample"),
    ENGINE_BATCH_TOKENS("engine.batch_tokens", "tokens", true, Aggregation.AVG, "mean tokens per engine iteration (prompt and decode)"),
    ENGINE_DECODE_SHARE("engine.decode_share", "0..1", true, Aggregation.AVG,
            "share of the batch's time the engine spent in the forward pass (device work included)"),
    ENGINE_STEADY_DECODE_TOK_S("engine.steady_decode_tok_s", "tok/s", true, Aggregation.AVG,
            "tokens per second of the engine's decode-only iterations with every sequence of the concurrency decoding (forward"
                    + " pass and token choice, no prompt in the batch): llama-batched-bench's S_TG's like"),
    ENGINE_DEVICE_SAMPLED("engine.device_sampled_share", "0..1", false, Aggregation.AVG,
            "share of the tokens the engine chose on the device, in the model's graph, rather than from logits on the host"),
    ENGINE_SAMPLE_SHARE("engine.sample_share", "0..1", false, Aggregation.AVG, "share of the batch's time the engine spent choosing tokens from logits");


    /** Draft positions whose acceptance run.json keeps ({@link #alphaAtPosition}); later positions count in α only. */
    public static final int SPEC_POSITIONS = 8;

    /** How JMH folds a metric's values over iterations and forks into its score. */
    public enum Aggregation { AVG, MAX, MIN }

    /** Prefix of the latency percentiles (µs) the profiler publishes, e.g. {@code itl.p99}: {@link #percentileName}. */
    public static final String ITL = "itl";
    /** Prefix of the time-to-first-token percentiles (µs). */
    public static final String TTFT = "ttft";
    /** Prefix of the inter-chunk latency percentiles (µs; request workloads: the gap between streamed chunks). */
    public static final String ICL = "icl";
    /** Prefix of the time-per-output-token percentiles (µs; request workloads: one value per request). */
    public static final String TPOT = "tpot";
    /** Prefix of the end-to-end request latency percentiles (µs). */
    public static final String E2E = "e2e";

    private static final Map<String, Metric> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Metric::key, Function.identity()));

    private final String key;
    private final String unit;
    private final boolean higherIsBetter;
    private final Aggregation aggregation;
    private final String description;

    Metric(String key, String unit, boolean higherIsBetter, Aggregation aggregation, String description) {
        this.key = key;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
        this.aggregation = aggregation;
        this.description = description;
    }

    /** @return the metric's name, as it appears in JMH's secondary results, run.json and reports */
    public String key() {
        return key;
    }

    public String unit() {
        return unit;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    public Aggregation aggregation() {
        return aggregation;
    }

    public String description() {
        return description;
    }

    /** @return the metric of that name, if it is one of the vocabulary */
    public static Optional<Metric> named(String key) {
        return Optional.ofNullable(BY_NAME.get(key));
    }

    /** @return the acceptance metric of draft position {@code position} (1-based), if it is one run.json keeps */
    public static Optional<Metric> alphaAtPosition(int position) {
        return position >= 1 && position <= SPEC_POSITIONS ? named("spec.alpha.p" + position) : Optional.empty();
    }

    /**
     * @param prefix     {@link #ITL}, {@link #TTFT}, {@link #ICL}, {@link #TPOT} or {@link #E2E}
     * @param percentile 0..100; 100 is {@code max}
     * @return the name of a latency percentile (µs), e.g. {@code itl.p99}, {@code itl.p99.9}, {@code itl.max}
     */
    public static String percentileName(String prefix, double percentile) {
        if (percentile >= 100) {
            return prefix + ".max";
        }
        return prefix + "." + (percentile == Math.rint(percentile) ? "p" + (long) percentile : "p" + percentile);
    }
}
