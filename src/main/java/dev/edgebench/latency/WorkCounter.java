package dev.edgebench.latency;

/**
 * Cumulative counts of work done in this JVM by the running benchmark: tokens generated
 * (decoded), tokens prefilled, and benchmark operations. Benchmarks add to it; profilers read it
 * before and after an iteration and take the difference, so readers never reset it and never
 * disturb each other.
 *
 * <p>Written by the benchmark thread only (plain volatile stores, no allocation); read by any
 * thread.
 */
public final class WorkCounter {
    private static volatile long generatedTokens;
    private static volatile long prefillTokens;

    private WorkCounter() {
    }

    /** Adds generated (decoded) tokens, summed over sequences. Benchmark thread only. */
    public static void addGenerated(long tokens) {
        generatedTokens = generatedTokens + tokens;
    }

    /** Adds prefilled prompt tokens, summed over sequences. Benchmark thread only. */
    public static void addPrefill(long tokens) {
        prefillTokens = prefillTokens + tokens;
    }

    /** @return tokens generated since the JVM started */
    public static long generatedTokens() {
        return generatedTokens;
    }

    /** @return prompt tokens prefilled since the JVM started */
    public static long prefillTokens() {
        return prefillTokens;
    }
}
