package dev.edgebench.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The developer-profiling hooks a run may switch on, each one flag and all off by default: NVTX
 * ranges around load, warm-up, each prefill and decode step (for Nsight Systems/Compute), JFR step
 * events with a flight recording in the run folder, and async-profiler through JMH's
 * {@code -prof async} with its flame graphs in the run folder. When a flag is off, nothing of its
 * hook is installed: the measured path is the one without profiling.
 *
 * <p>The in-fork hooks reach the benchmark JVM as system properties ({@link #NVTX_PROPERTY},
 * {@link #JFR_PROPERTY}, readable by any JMH user too: {@code -jvmArgsAppend -Dedgebench.nvtx=true});
 * the run folder's layout for their files is named here.
 *
 * @param nvtx  NVTX ranges (needs a CUDA build's libedgebench_nvtx.so)
 * @param jfr   JFR step events and a flight recording per fork
 * @param async async-profiler flame graphs per benchmark
 */
public record ProfileHooks(boolean nvtx, boolean jfr, boolean async) {
    /** No hooks: what a run has unless asked. */
    public static final ProfileHooks NONE = new ProfileHooks(false, false, false);
    /** System property switching NVTX ranges on in a benchmark JVM. */
    public static final String NVTX_PROPERTY = "edgebench.nvtx";
    /** System property switching JFR step events on in a benchmark JVM. */
    public static final String JFR_PROPERTY = "edgebench.jfr";
    /** Run-folder sub-folder of the flight recordings. */
    public static final String JFR_DIR = "jfr";
    /** Run-folder sub-folder of async-profiler's output (one folder per benchmark, as JMH names them). */
    public static final String ASYNC_DIR = "async-profiler";

    /** @return whether any hook is on */
    public boolean any() {
        return nvtx || jfr || async;
    }

    /**
     * JVM arguments of a benchmark fork for the in-fork hooks: the property of each flag that is
     * on and, with {@link #jfr}, a flight recording ({@code profile} settings, which include the
     * step events) written at exit to {@code <run>/jfr/<benchmark file name>-<pid>.jfr}.
     *
     * @param runDir       the run folder
     * @param benchmarkFile the benchmark id's file-name form ({@link RunFolder#fileName})
     * @throws IllegalArgumentException with {@link #jfr} when the run folder's path holds a ','
     */
    public List<String> forkJvmArgs(Path runDir, String benchmarkFile) {
        List<String> args = new ArrayList<>();
        if (nvtx) {
            args.add("-D" + NVTX_PROPERTY + "=true");
        }
        if (jfr) {
            if (runDir.toString().contains(",")) {
                throw new IllegalArgumentException("--jfr: the run folder's path must not contain ',' (JFR's option separator): "
                        + runDir);
            }
            args.add("-D" + JFR_PROPERTY + "=true");
            // %p: one file per fork, so that forks of one benchmark never overwrite each other; ',' and '='
            // separate -XX:StartFlightRecording's options, so the benchmark's name loses them
            args.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                    + runDir.resolve(JFR_DIR).resolve(jfrName(benchmarkFile)));
        }
        return args;
    }

    /** @return the flight recording's file name for a benchmark (a JFR {@code %p} pattern: one file per fork) */
    static String jfrName(String benchmarkFile) {
        return benchmarkFile.replaceAll("[^A-Za-z0-9._+-]", "_") + "-%p.jfr";
    }

    /** @return the async-profiler output folder of a run */
    public static Path asyncDir(Path runDir) {
        return runDir.resolve(ASYNC_DIR);
    }

    /** @return whether a system property flag is set to true in this JVM */
    public static boolean enabled(String property) {
        return Boolean.parseBoolean(System.getProperty(property, "false"));
    }
}
