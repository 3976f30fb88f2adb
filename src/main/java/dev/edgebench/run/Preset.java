package dev.edgebench.run;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A methodology preset: the protocol (warm-up, samples, forks) and the default workload. Every
 * field can be overridden on the command line; the preset's name is recorded in run.json.
 *
 * @param name        preset name
 * @param description what it is for
 * @param warmups     warm-up samples (JMH warm-up iterations)
 * @param samples     measured samples (JMH measurement iterations)
 * @param forks       JMH forks per benchmark
 * @param nPrompt     prompt tokens (prefill and generation)
 * @param nGen        generated tokens (decode and generation)
 * @param batches     parallel sequences to sweep
 * @param depths      decode context depths to sweep
 * @param workloads   which benchmarks run
 */
public record Preset(String name, String description, int warmups, int samples, int forks, int nPrompt, int nGen,
                     List<Integer> batches, List<Integer> depths, List<Workload> workloads) {

    /** The built-in presets. */
    public static final List<Preset> ALL = List.of(
            new Preset("quick", "the main job on a laptop CPU: minutes", 2, 10, 1, 128, 128, List.of(1), List.of(0),
                    List.of(Workload.PREFILL, Workload.DECODE)),
            new Preset("seed-2026", "the published Jetson Orin protocol: mean tok/s with 95% CI and peak memory", 5, 50, 1, 128,
                    256, List.of(1, 4, 8), List.of(0), List.of(Workload.PREFILL, Workload.DECODE, Workload.GENERATION)),
            new Preset("edge-llm", "TensorRT Edge-LLM llm_bench: prefill of 2048 tokens; decode of 128 at depth 2048", 3, 10, 1,
                    2048, 128, List.of(1, 8), List.of(2048), List.of(Workload.PREFILL, Workload.DECODE)),
            new Preset("ci", "regression tracking: two forks so that fork-to-fork variance is in the samples", 2, 8, 2, 128, 64,
                    List.of(1), List.of(0), List.of(Workload.PREFILL, Workload.DECODE)),
            new Preset("speculative", "speculative decoding against plain decoding of the same target at batch 1 and 8 (with --pair,"
                    + " or --model and --draft)", 1, 5, 1, 128, 128, List.of(1, 8), List.of(0), List.of(Workload.SPECULATIVE)));

    /**
     * @throws IllegalArgumentException naming the known presets
     */
    public static Preset named(String name) {
        for (Preset p : ALL) {
            if (p.name.equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + name + "'; known: "
                + ALL.stream().map(Preset::name).toList());
    }
}
