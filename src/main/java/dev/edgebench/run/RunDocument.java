package dev.edgebench.run;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * {@code run.json}: one run, schema {@value #SCHEMA} (described in {@code results/README.md} and
 * {@code results/run.schema.json}). Written at the start with the plan and no results, then again
 * after each benchmark and at the end, so that a run killed at any point leaves a document that
 * says what was measured. {@link RunDocuments#read} also reads {@value #SCHEMA_V1} files.
 *
 * <p>The environment, the engine's self-description, the device ceilings and model facts are
 * descriptions other layers produce; they are kept as JSON trees and read by path
 * ({@code environment.host.arch}).
 *
 * @param schema           {@value #SCHEMA}
 * @param runId            the run folder's name
 * @param startedAt        ISO-8601 instant
 * @param finishedAt       ISO-8601 instant of the last assembly; null while only the plan is written
 * @param status           {@code running}, {@code complete}, {@code partial} (a benchmark failed) or
 *                         {@code interrupted} (the run stopped before its plan was done)
 * @param command          the command line
 * @param preset           the protocol and the options it was resolved with
 * @param environment      host, OS, JVM, GPUs, power state
 * @param engine           the engine's name, build manifest and devices
 * @param models           each model with its file, sha256 and facts
 * @param plan             every planned benchmark
 * @param ceilings         device bandwidth and matrix rate measured in the run, or null
 * @param benchmarks       results, one per planned benchmark, in plan order
 * @param warnings         what makes figures less comparable (throttling, unlocked clocks)
 * @param failedBenchmarks planned benchmarks without a complete result
 * @param ab               which side of an interleaved A/B this run is, or null for a plain run
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunDocument(String schema, String runId, String startedAt, String finishedAt, String status, String command,
                          PresetInfo preset, JsonNode environment, JsonNode engine, List<ModelInfo> models,
                          List<PlannedBenchmark> plan, JsonNode ceilings, List<BenchmarkResult> benchmarks, List<String> warnings,
                          Integer failedBenchmarks, AbSide ab) {
    /** The schema this version writes. */
    public static final String SCHEMA = "edgebench.run/2";
    /** The schema of earlier versions, still read. */
    public static final String SCHEMA_V1 = "edgebench.run/1";

    /** @return the same run with its results, status and finishing time */
    public RunDocument withResults(String newStatus, String finished, List<BenchmarkResult> results, List<String> warn,
                                   int failed) {
        return new RunDocument(schema, runId, startedAt, finished, newStatus, command, preset, environment, engine, models, plan,
                ceilings, results, warn.isEmpty() ? null : warn, failed, ab);
    }

    /** @return the same run with these warnings (found before it started: its results' warnings are added to them) */
    public RunDocument withWarnings(List<String> w) {
        return new RunDocument(schema, runId, startedAt, finishedAt, status, command, preset, environment, engine, models, plan,
                ceilings, benchmarks, w == null || w.isEmpty() ? null : List.copyOf(w), failedBenchmarks, ab);
    }

    /** @return the same run with the engine's description */
    public RunDocument withEngine(JsonNode e) {
        return new RunDocument(schema, runId, startedAt, finishedAt, status, command, preset, environment, e, models, plan,
                ceilings, benchmarks, warnings, failedBenchmarks, ab);
    }

    /** @return the same run with measured device ceilings */
    public RunDocument withCeilings(JsonNode c) {
        return new RunDocument(schema, runId, startedAt, finishedAt, status, command, preset, environment, engine, models, plan, c,
                benchmarks, warnings, failedBenchmarks, ab);
    }

    /** @return the same run marked as one side of an A/B */
    public RunDocument withAb(AbSide side) {
        return new RunDocument(schema, runId, startedAt, finishedAt, status, command, preset, environment, engine, models, plan,
                ceilings, benchmarks, warnings, failedBenchmarks, side);
    }

    /**
     * One side of {@code ab}.
     *
     * @param side       A or B
     * @param name       the side's name (its folder)
     * @param rounds     rounds, each one fork of every benchmark on each side
     * @param order      alternate (A B, B A, ...) or fixed
     * @param libraryDir the engine build this side's forks loaded
     */
    public record AbSide(String side, String name, int rounds, String order, String libraryDir) {
    }

    /**
     * @param name        preset name
     * @param description what it is for
     * @param warmups     warm-up samples
     * @param samples     measured samples per fork
     * @param forks       forks per benchmark
     * @param options     every option the run was resolved with (run/1 called this {@code overridden})
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PresetInfo(String name, String description, int warmups, int samples, int forks,
                             @JsonAlias("overridden") JsonNode options) {
    }

    /**
     * @param ref    the reference as given (catalog {@code NAME:TYPE@SEED} or a path)
     * @param path   the file measured
     * @param sha256 its content hash
     * @param facts  parameters, sizes, bytes per token ({@code ModelFacts}) and the KV bytes per token of the run's cache type
     * @param role   {@code draft} for the speculative workload's draft model; null for the models the run measures
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ModelInfo(String ref, String path, String sha256, JsonNode facts, String role) {
        /** The role of a speculative workload's draft model. */
        public static final String DRAFT = "draft";

        /** A model the run measures. */
        public ModelInfo(String ref, String path, String sha256, JsonNode facts) {
            this(ref, path, sha256, facts, null);
        }
    }

    /**
     * One benchmark's outcome.
     *
     * @param id           benchmark id
     * @param benchmark    workload name (prefill, decode, generation, ...)
     * @param jmhBenchmark the JMH benchmark method, fully qualified
     * @param params       its parameters
     * @param status       ok, failed or incomplete
     * @param error        why it is not ok, or null
     * @param samples      measured samples found
     * @param warmups      warm-up samples found
     * @param metrics      per-sample values by {@link Metric} name
     * @param latency      HdrHistogram summaries by tag (itl, ttft, prefill): meanUs, minUs, p50Us ... maxUs, count
     * @param hlog         the latency log, relative to the run folder, or null
     * @param telemetry    power, energy and machine state, or null without telemetry
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record BenchmarkResult(String id, String benchmark, String jmhBenchmark, Map<String, String> params, String status,
                                  String error, int samples, int warmups, Map<String, Series> metrics,
                                  Map<String, Map<String, Double>> latency, String hlog, TelemetrySummary telemetry) {
        /** @return whether the benchmark produced every planned sample */
        public boolean ok() {
            return "ok".equals(status);
        }

        /** @return one metric's series, or null when the benchmark did not produce it */
        public Series metric(Metric m) {
            return metrics == null ? null : metrics.get(m.key());
        }
    }

    /**
     * A metric's per-sample values.
     *
     * @param unit           {@link Metric#unit()}
     * @param higherIsBetter {@link Metric#higherIsBetter()}
     * @param values         one value per measured sample
     * @param stats          their summary
     * @param forks          the fork (0, 1, ...) of each value, or null when not known
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Series(String unit, boolean higherIsBetter, double[] values, SummaryStats stats, int[] forks) {
    }

    /**
     * Summary statistics as stored: the 95% CI of the mean from Student's t; null where undefined
     * (stddev and CI for one sample).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SummaryStats(int n, Double mean, Double median, Double stddev, Double cv, Double ci95Low, Double ci95High,
                               Double min, Double max) {
    }

    /**
     * A benchmark's telemetry summary.
     *
     * @param powerSource              what power was read from
     * @param energySources            counter and/or integrated, per sample
     * @param throttled                a clock-event reason was active while measuring
     * @param throttleReasons          which ones
     * @param powerMode                the Jetson power mode, where known
     * @param clocksLocked             whether Jetson clocks were locked, where known
     * @param gpuClockMinMHz           lowest GPU clock seen
     * @param gpuClockMaxMHz           highest GPU clock seen
     * @param gpuMemoryPeakMiB         peak GPU memory seen
     * @param samplerCpuMeanUs         CPU cost of one telemetry sample
     * @param counterVsIntegratedRatio energy counter ÷ integrated power over the same windows
     * @param warnings                 what the samplers could not do
     * @param report                   the full telemetry report, relative to the run folder
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TelemetrySummary(String powerSource, List<String> energySources, boolean throttled, List<String> throttleReasons,
                                   String powerMode, Boolean clocksLocked, Double gpuClockMinMHz, Double gpuClockMaxMHz,
                                   Double gpuMemoryPeakMiB, Double samplerCpuMeanUs, Double counterVsIntegratedRatio,
                                   List<String> warnings, String report) {
    }
}
