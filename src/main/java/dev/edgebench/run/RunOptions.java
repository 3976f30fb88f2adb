package dev.edgebench.run;

import java.util.List;

/**
 * What a user asked a run for, every value resolved against the preset (nothing left null but
 * {@code ctx} and {@code roofline}, which mean "no limit" and "GPU builds only"). Built by the
 * command line, turned into a validated {@link RunPlan} by {@link RunPlan#of}.
 *
 * @param preset        the methodology preset the defaults came from
 * @param models        catalog {@code NAME:TYPE[@SEED]} references or .gguf paths, once each
 * @param workloads     the benchmarks to run
 * @param batches       parallel sequences to sweep
 * @param depths        decode context depths to sweep (tokens prefilled untimed)
 * @param nPrompt       prompt tokens per sequence
 * @param nGen          generated tokens per sequence
 * @param warmups       warm-up samples (JMH warm-up iterations)
 * @param samples       measured samples per fork
 * @param forks         JMH forks per benchmark
 * @param ctx           refuse workloads needing more than this many context tokens; null = no limit
 * @param threads       CPU threads; 0 = all logical CPUs
 * @param nGpuLayers    "auto", "-1" (all) or a layer count
 * @param flashAttn     auto | on | off
 * @param cacheType     K and V cache type (f16, q8_0, ...)
 * @param ubatch        physical batch size
 * @param prefillRepeat prefills per prefill sample: "auto" or a positive number
 * @param sample        generation feeds back greedy tokens
 * @param telemetry     sample power, clocks and temperature
 * @param roofline      measure device ceilings: true, false, or null (GPU builds only)
 * @param jmhArgs       JMH options given after {@code --}, unchanged
 * @param speculative   the speculative workload's draft, k values and acceptance profiles
 * @param requests      the engine and the request load ({@link RequestLoad#NONE}: the step engine)
 */
public record RunOptions(Preset preset, List<String> models, List<Workload> workloads, List<Integer> batches,
                         List<Integer> depths, int nPrompt, int nGen, int warmups, int samples, int forks, Integer ctx,
                         int threads, String nGpuLayers, String flashAttn, String cacheType, int ubatch, String prefillRepeat,
                         boolean sample, boolean telemetry, Boolean roofline, List<String> jmhArgs,
                         SpeculativeOptions speculative, RequestLoad requests) {
    public RunOptions {
        requests = requests == null ? RequestLoad.NONE : requests;
        models = List.copyOf(models);
        workloads = List.copyOf(workloads);
        batches = List.copyOf(batches);
        depths = List.copyOf(depths);
        jmhArgs = List.copyOf(jmhArgs);
        speculative = speculative == null ? SpeculativeOptions.none() : speculative;
    }

    /** @return the preset's options, for the default model */
    public static RunOptions defaults(Preset p, List<String> models) {
        return new RunOptions(p, models, p.workloads(), p.batches(), p.depths(), p.nPrompt(), p.nGen(), p.warmups(), p.samples(),
                p.forks(), null, 0, "auto", "auto", "f16", 512, "auto", false, true, null, List.of(),
                SpeculativeOptions.none(), RequestLoad.NONE);
    }

    /** @return these options with other models */
    public RunOptions withModels(List<String> m) {
        return new RunOptions(preset, m, workloads, batches, depths, nPrompt, nGen, warmups, samples, forks, ctx, threads,
                nGpuLayers, flashAttn, cacheType, ubatch, prefillRepeat, sample, telemetry, roofline, jmhArgs, speculative, requests);
    }

    /** @return these options with another engine and request load */
    public RunOptions withRequests(RequestLoad r) {
        return new RunOptions(preset, models, workloads, batches, depths, nPrompt, nGen, warmups, samples, forks, ctx, threads,
                nGpuLayers, flashAttn, cacheType, ubatch, prefillRepeat, sample, telemetry, roofline, jmhArgs, speculative, r);
    }

    /** @return these options without telemetry and device ceilings (what parity's edgebench side runs) */
    public RunOptions bare() {
        return new RunOptions(preset, models, workloads, batches, depths, nPrompt, nGen, warmups, samples, forks, ctx, threads,
                nGpuLayers, flashAttn, cacheType, ubatch, prefillRepeat, sample, false, false, jmhArgs, speculative, requests);
    }
}
