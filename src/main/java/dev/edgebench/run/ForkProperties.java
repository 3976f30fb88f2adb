package dev.edgebench.run;

import dev.edgebench.util.EdgebenchHome;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one rule for what a forked benchmark JVM receives from the JVM that starts it: native
 * access, the run folder, edgebench's home, and every {@code edgebench.*} system property set on
 * the host (engine library folder, profile, model cache, telemetry and cool-down settings, ...),
 * unchanged; and the JIT rule below. Every command that forks (run, ab, parity, kernels) uses this list.
 *
 * <p><b>The JIT rule.</b> One decode step of a small model on a GPU takes about a millisecond, so a
 * sample of 128 steps after one warm-up sample calls edgebench's per-step Java code (the step, the
 * {@code llama_decode} binding, the latency recorder) a few hundred times: below HotSpot's
 * thresholds for compiling it (200 calls for C1, 5,000 for C2), so the first samples time an
 * interpreted path of several microseconds a step, where llama-bench's is compiled C++. Forks
 * therefore compile edgebench's and HdrHistogram's methods after a fiftieth of the usual calls
 * ({@code -XX:CompileCommand=CompileThresholdScaling,...,0.02}): C2 within the warm-up, the JDK's
 * and JMH's own code untouched. {@value #JIT_PROPERTY}{@code =false} leaves the thresholds alone (for an A/B).
 */
public final class ForkProperties {
    /** The property naming the engine's library folder. */
    public static final String NATIVE_LIB = "edgebench.native.lib";
    /** System property: {@code false} leaves HotSpot's compile thresholds as they are in forks. */
    public static final String JIT_PROPERTY = "edgebench.jit.early";
    /** System property read in the fork: {@code false} gives llama.cpp's log a Java callback per line (engine.llama.NativeLog). */
    public static final String LOG_GATE_PROPERTY = "edgebench.native.logGate";
    /** System property read in the fork: {@code false} starts CPU samples without waiting for the rest of edgebench (bench.Settle). */
    public static final String SETTLE_PROPERTY = "edgebench.settle";
    /** The fraction of HotSpot's compile thresholds edgebench's own methods get in a fork. */
    static final String JIT_SCALING = "0.02";

    private ForkProperties() {
    }

    /**
     * @param runDir    the run folder the fork writes into, or null for none
     * @param nativeLib the engine library folder the fork loads, or null for the host's setting
     * @return JVM arguments for the fork
     */
    public static List<String> jvmArgs(Path runDir, Path nativeLib) {
        List<String> args = new ArrayList<>();
        args.add("--enable-native-access=ALL-UNNAMED");
        flag(LOG_GATE_PROPERTY, true);   // read in the fork: refused here, before anything runs
        flag(SETTLE_PROPERTY, true);
        if (flag(JIT_PROPERTY, true)) {
            args.add("-XX:CompileCommand=quiet");
            for (String methods : List.of("dev.edgebench.*::*", "org.HdrHistogram.*::*")) {
                args.add("-XX:CompileCommand=CompileThresholdScaling," + methods + "," + JIT_SCALING);
            }
        }
        if (runDir != null) {
            args.add("-Dedgebench.run.dir=" + runDir);
        }
        args.add("-Dedgebench.home=" + EdgebenchHome.dir());
        if (nativeLib != null) {
            args.add("-D" + NATIVE_LIB + "=" + nativeLib);
        }
        System.getProperties().stringPropertyNames().stream().sorted()
                .filter(p -> p.startsWith("edgebench.") && !p.equals("edgebench.run.dir") && !p.equals("edgebench.home"))
                .filter(p -> nativeLib == null || !p.equals(NATIVE_LIB))
                .forEach(p -> args.add("-D" + p + "=" + System.getProperty(p)));
        return args;
    }

    /**
     * A true/false system property.
     *
     * @throws IllegalArgumentException naming the property when it holds anything else
     */
    public static boolean flag(String property, boolean unset) {
        String v = System.getProperty(property);
        if (v == null) {
            return unset;
        }
        return switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("system property " + property + " is '" + v + "'; it takes true or false");
        };
    }
}
