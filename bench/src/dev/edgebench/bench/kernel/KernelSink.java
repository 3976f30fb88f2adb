package dev.edgebench.bench.kernel;

/**
 * Where {@link KernelBenchmark} leaves what {@link KernelProfiler} publishes: the kernel's FLOP and
 * byte counts and copies per graph (set once per trial), the time of each graph run of the
 * current iteration (accumulated per invocation), or the reason the kernel was skipped.
 *
 * <p>One benchmark thread writes, the profiler reads between iterations; fields are volatile and
 * the accumulators are only written by that one thread. Nothing here allocates per invocation.
 */
public final class KernelSink {
    private static volatile double flopsPerOp;
    private static volatile double bytesPerOp;
    private static volatile int copies;
    private static volatile int variants;
    private static volatile String weightBuffer = "";
    private static volatile String skipReason;
    private static volatile long runNs;
    private static volatile long runs;

    private KernelSink() {
    }

    /** Called at trial setup for a kernel that will run. */
    static void ready(double flops, double bytes, int copiesPerRun, int inputSets, String buffer) {
        flopsPerOp = flops;
        bytesPerOp = bytes;
        copies = copiesPerRun;
        variants = inputSets;
        weightBuffer = buffer;
        skipReason = null;
        reset();
    }

    /** Called at trial setup for a kernel that cannot run; the reason names op, types and backend. */
    static void skipped(String reason) {
        skipReason = reason;
        copies = 0;
        reset();
    }

    /** Adds one graph run of {@code ns} nanoseconds. */
    static void add(long ns) {
        runNs += ns;
        runs++;
    }

    /** Forgets the iteration's runs. */
    static void reset() {
        runNs = 0;
        runs = 0;
    }

    static double flopsPerOp() {
        return flopsPerOp;
    }

    static double bytesPerOp() {
        return bytesPerOp;
    }

    static int copies() {
        return copies;
    }

    static int variants() {
        return variants;
    }

    static String weightBuffer() {
        return weightBuffer;
    }

    static String skipReason() {
        return skipReason;
    }

    static long runNs() {
        return runNs;
    }

    static long runs() {
        return runs;
    }
}
