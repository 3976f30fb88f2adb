package dev.edgebench.cli;

import dev.edgebench.bench.ProfileRun;
import dev.edgebench.profiling.StepHooks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code profile}: one workload in this process, for a fixed number of steps or a fixed time, with
 * nothing else running (no JMH fork, no telemetry), printing the pid and phase marks, for an
 * external profiler to launch or attach to. The work is {@link ProfileRun}'s.
 */
@Command(name = "profile", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run one workload in this process (no JMH, no telemetry) for nsys, ncu, perf or asprof; prints its pid"
                + " and phase marks.",
        footer = {"", "Examples:",
                "  nsys profile --trace=cuda,nvtx -o eb-decode java -jar benchmarks.jar profile --model Llama-3.2-1B:Q4_0"
                        + " --workload decode --steps 64 --nvtx",
                "  ncu --nvtx --nvtx-include \"edgebench@decode/\" --launch-count 200 -o eb-step java -jar benchmarks.jar"
                        + " profile --workload decode --steps 2 --nvtx",
                "  perf stat -p PID  (PID printed first; --wait gives time to attach)",
                "", "Exit codes: 0 ok, 2 bad input."})
final class ProfileCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "M", description = "catalog NAME:TYPE[@SEED] or a .gguf file (default Llama-3.2-1B:Q4_0)")
    String model = "Llama-3.2-1B:Q4_0";
    @Option(names = "--workload", paramLabel = "prefill|decode", description = "what each step is (default decode)")
    String workload = "decode";
    @Option(names = "--steps", paramLabel = "N", description = "measured steps (default: 0, run for --seconds)")
    int steps;
    @Option(names = "--seconds", paramLabel = "S", description = "measured time when --steps is not given (default 10)")
    double seconds = 10;
    @Option(names = "--batch", paramLabel = "N", description = "parallel sequences (default 1)")
    int batch = 1;
    @Option(names = "--prompt", paramLabel = "N", description = "prompt tokens per prefill step (default 128)")
    int nPrompt = 128;
    @Option(names = "--gen", paramLabel = "N", description = "decode steps before the cache is cut back to --depth (default 128)")
    int nGen = 128;
    @Option(names = "--depth", paramLabel = "N", description = "context depth the steps start from (default 0)")
    int depth;
    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (0 = auto, as run: every CPU, or 4 with every layer on a GPU)")
    int threads;
    @Option(names = "--ngl", paramLabel = "auto|-1|N", description = "GPU layers")
    String nGpuLayers = "auto";
    @Option(names = "--fa", paramLabel = "auto|on|off", description = "flash attention")
    String flashAttn = "auto";
    @Option(names = "--cache-type", paramLabel = "T", description = "KV cache type")
    String cacheType = "f16";
    @Option(names = "--ubatch", paramLabel = "N", description = "physical batch")
    int ubatch = 512;
    @Option(names = "--wait", paramLabel = "S", description = "seconds to wait after printing the pid, before loading")
    int waitS;
    @Option(names = "--nvtx", description = "NVTX ranges: load, warmup, steady, and each prefill/decode step (CUDA builds)")
    boolean nvtx;
    @Option(names = "--jfr", description = "JFR step events (start the recording with -XX:StartFlightRecording)")
    boolean jfr;

    @Override
    public Integer call() throws InterruptedException {
        ProfileRun.Kind kind = switch (workload.toLowerCase(Locale.ROOT)) {
            case "prefill" -> ProfileRun.Kind.PREFILL;
            case "decode" -> ProfileRun.Kind.DECODE;
            default -> throw new IllegalArgumentException("--workload must be prefill or decode, was '" + workload + "'");
        };
        var spec = new ProfileRun.Spec(model, kind, batch, nPrompt, nGen, depth, threads, nGpuLayers, flashAttn.toLowerCase(Locale.ROOT),
                cacheType.toLowerCase(Locale.ROOT), ubatch, steps, seconds, waitS);
        StepHooks hooks;
        try {
            hooks = nvtx || jfr ? new StepHooks(nvtx, jfr) : StepHooks.NONE;
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("--nvtx: " + e.getMessage(), e);
        }
        ProfileRun.run(spec, hooks, System.out);
        return 0;
    }
}
