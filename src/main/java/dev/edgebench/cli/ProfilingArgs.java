package dev.edgebench.cli;

import dev.edgebench.engine.llama.NativeLibraries;
import dev.edgebench.profiling.Nvtx;
import dev.edgebench.run.ProfileHooks;
import picocli.CommandLine.Option;

/**
 * The developer-profiling options of {@code run} (a picocli mixin), each off by default; see
 * {@link ProfileHooks} for what each one installs and where its files go.
 */
public final class ProfilingArgs {
    @Option(names = "--nvtx", description = "NVTX ranges around load, warm-up, each prefill and decode step (CUDA builds),"
            + " for nsys/ncu")
    boolean nvtx;
    @Option(names = "--jfr", description = "JFR step events (duration, tokens, batch, phase); the recording goes to <run>/jfr/")
    boolean jfr;
    @Option(names = "--profile", paramLabel = "async",
            description = "async: async-profiler CPU samples of Java and native frames, flame graphs in <run>/async-profiler/")
    String profiler;

    /**
     * @return the hooks asked for
     * @throws IllegalArgumentException when {@code --profile} names a profiler that is not known, or
     *                                  {@code --nvtx} is asked of a build without the NVTX library
     */
    public ProfileHooks hooks() {
        if (profiler != null && !profiler.equals("async")) {
            throw new IllegalArgumentException("--profile must be async, was '" + profiler + "'");
        }
        if (nvtx && System.getProperty("edgebench.nvtx.lib") == null) {
            try {
                NativeLibraries.locate(Nvtx.LIBRARY);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--nvtx needs " + Nvtx.LIBRARY + ", built only with CUDA (make native PROFILE=cuda): "
                        + e.getMessage(), e);
            }
        }
        return new ProfileHooks(nvtx, jfr, profiler != null);
    }
}
