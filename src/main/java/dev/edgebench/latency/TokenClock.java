package dev.edgebench.latency;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The per-JVM latency recorders and iteration counters that benchmarks write and the edgebench
 * JMH profiler reads. Every value is in nanoseconds.
 *
 * <p>Recorders: {@link #itl} (each decode step, i.e. each inter-token gap; for a step engine the
 * two are the same), {@link #ttft} (time to first token: prefill, or a whole request's first
 * arrival), {@link #prefill} (each prefill call). Recording is wait-free and allocation-free
 * ({@link Recorder#recordValue}); the profiler swaps out an interval histogram per iteration.
 *
 * <p>Counters are written by the benchmark thread only and reset by the profiler before each
 * iteration. Trackable range: 1 ns to 1 hour at 3 significant digits.
 */
public final class TokenClock {
    /** Highest value a recorder tracks: one hour in ns. */
    public static final long HIGHEST_NS = 3_600_000_000_000L;
    /** Significant decimal digits kept. */
    public static final int DIGITS = 3;

    /** Each decode step / inter-token gap. */
    public static final Recorder itl = newRecorder();
    /** Time to first token. */
    public static final Recorder ttft = newRecorder();
    /** Each prefill call. */
    public static final Recorder prefill = newRecorder();
    /** Request workloads: each gap between streamed chunks (ICL). */
    public static final Recorder icl = newRecorder();
    /** Request workloads: each request's time per output token. */
    public static final Recorder tpot = newRecorder();
    /** Request workloads: each request's end-to-end latency. */
    public static final Recorder e2e = newRecorder();
    /** The recorders a request batch is recorded into ({@link RequestMetrics#record}). */
    public static final RequestMetrics.Recorders REQUESTS = new RequestMetrics.Recorders(ttft, itl, icl, tpot, e2e);

    /** The last request batch's figures in this iteration, or null when the benchmark runs no requests. */
    private static volatile RequestMetrics.BatchStats batch;
    /** What the engine itself did during this iteration's request batch, or null. */
    private static volatile EngineTime engineTime;

    private static long prefillNs;
    private static long prefillTokens;
    private static long decodeNs;
    private static long decodeTokens;
    private static long e2eNs;
    private static long e2eTokens;

    /** Facts of the benchmark being run, for derived metrics; set in its setup. */
    private static volatile RunFacts facts;

    private TokenClock() {
    }

    /**
     * What the profiler needs to derive throughput and bandwidth.
     *
     * @param nSeq                parallel sequences
     * @param weightBytesPerToken bytes of weights one decode step reads (0 = unknown)
     * @param modelLabel          e.g. "Llama-3.2-1B:Q4_0"
     */
    public record RunFacts(int nSeq, long weightBytesPerToken, String modelLabel, int cpuThreads) {
    }

    public static Recorder newRecorder() {
        return new Recorder(1, HIGHEST_NS, DIGITS);
    }

    /** @return an empty histogram of the recorders' geometry */
    public static Histogram newHistogram() {
        return new Histogram(1, HIGHEST_NS, DIGITS);
    }

    public static void setFacts(RunFacts f) {
        facts = f;
    }

    /** @return the current benchmark's facts, or null */
    public static RunFacts facts() {
        return facts;
    }

    /** Adds one prefill of {@code tokens} (over all sequences) that took {@code ns}. */
    public static void addPrefill(long ns, long tokens) {
        prefillNs += ns;
        prefillTokens += tokens;
        prefill.recordValue(Math.max(1, Math.min(ns, HIGHEST_NS)));
        WorkCounter.addPrefill(tokens);
    }

    /** Adds one decode step producing {@code tokens} (one per sequence) that took {@code ns}. */
    public static void addDecodeStep(long ns, long tokens) {
        decodeNs += ns;
        decodeTokens += tokens;
        itl.recordValue(Math.max(1, Math.min(ns, HIGHEST_NS)));
        WorkCounter.addGenerated(tokens);
    }

    /**
     * Adds one end-to-end generation (its prefill is added separately with {@link #addPrefill}).
     *
     * @param ns           request start to last token
     * @param tokens       generated tokens over all sequences
     * @param decodeNs     prefill end to last token
     * @param decodeTokens tokens generated after the first of each sequence
     */
    public static void addGeneration(long ns, long tokens, long decodeNs, long decodeTokens) {
        e2eNs += ns;
        e2eTokens += tokens;
        TokenClock.decodeNs += decodeNs;
        TokenClock.decodeTokens += decodeTokens;
        WorkCounter.addGenerated(tokens);
    }

    /** Totals of one iteration. */
    public record Totals(long prefillNs, long prefillTokens, long decodeNs, long decodeTokens, long e2eNs, long e2eTokens) {
    }

    /** @return the totals since the last {@link #resetTotals()} */
    public static Totals totals() {
        return new Totals(prefillNs, prefillTokens, decodeNs, decodeTokens, e2eNs, e2eTokens);
    }

    /** Records a request batch's figures for the profiler (one batch per iteration). */
    public static void setBatch(RequestMetrics.BatchStats stats) {
        batch = stats;
    }

    /** @return the iteration's request batch figures, or null */
    public static RequestMetrics.BatchStats batch() {
        return batch;
    }

    /**
     * An engine's own account of one request batch (its iteration statistics): -1 where it keeps no such counter.
     *
     * @param iterations scheduler iterations
     * @param tokens     tokens in their batches
     * @param decodeNs   time in the forward pass
     * @param sampleNs   time choosing tokens
     */
    public record EngineTime(long iterations, long tokens, long decodeNs, long sampleNs, long generated, long onDevice,
                             double steadyDecodeTokPerS) {
    }

    /** Records the engine's account of this iteration's request batch, for the profiler. */
    public static void setEngineTime(EngineTime t) {
        engineTime = t;
    }

    /** @return the engine's account of this iteration's request batch, or null */
    public static EngineTime engineTime() {
        return engineTime;
    }

    /** Zeroes the iteration totals and discards what the recorders hold. */
    public static void resetTotals() {
        prefillNs = prefillTokens = decodeNs = decodeTokens = e2eNs = e2eTokens = 0;
        batch = null;
        engineTime = null;
        itl.reset();
        ttft.reset();
        prefill.reset();
        icl.reset();
        tpot.reset();
        e2e.reset();
    }
}
