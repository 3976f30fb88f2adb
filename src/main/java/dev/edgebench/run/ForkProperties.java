package dev.edgebench.run;

import dev.edgebench.util.EdgebenchHome;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one rule for what a forked benchmark JVM receives from the JVM that starts it: native
 * access, the run folder, edgebench's home, and every {@code edgebench.*} system property set on
 * the host (engine library folder, profile, model cache, telemetry and cool-down settings, ...),
 * unchanged. Every command that forks (run, ab, parity, kernels) uses this list.
 */
public final class ForkProperties {
    /** The property naming the engine's library folder. */
    public static final String NATIVE_LIB = "edgebench.native.lib";

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
}
