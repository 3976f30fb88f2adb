package dev.edgebench.latency;

import org.HdrHistogram.Recorder;

/**
 * The one place where latency metrics are computed from {@link TokenTimeline}s, identically for
 * every engine.
 *
 * <ul>
 *   <li>TTFT (time to first token) of a sequence = its first token's arrival − the request start.
 *       For a step engine without sampling the first token is available when prefill ends, so
 *       TTFT = prefill time.</li>
 *   <li>ITL (inter-token latency) = the gap between consecutive tokens of one sequence; every
 *       gap of every sequence is pooled into one distribution (vLLM's convention, not a
 *       per-request mean).</li>
 *   <li>End-to-end generation throughput = generated tokens over all sequences / (last arrival −
 *       start).</li>
 * </ul>
 */
public final class TimelineMetrics {
    private TimelineMetrics() {
    }

    /**
     * Records each sequence's TTFT and every inter-token gap.
     *
     * @param t    a finished timeline
     * @param ttft receives TTFT in ns, one value per sequence
     * @param itl  receives each inter-token gap in ns
     */
    public static void record(TokenTimeline t, Recorder ttft, Recorder itl) {
        for (int s = 0; s < t.nSeq(); s++) {
            int n = t.tokens(s);
            if (n == 0) {
                continue;
            }
            ttft.recordValue(Math.max(0, t.tokenNs(s, 0) - t.startNs()));
            for (int i = 1; i < n; i++) {
                itl.recordValue(Math.max(0, t.tokenNs(s, i) - t.tokenNs(s, i - 1)));
            }
        }
    }

    /** @return generated tokens over all sequences */
    public static long generatedTokens(TokenTimeline t) {
        long n = 0;
        for (int s = 0; s < t.nSeq(); s++) {
            n += t.tokens(s);
        }
        return n;
    }

    /** @return end-to-end generated tokens per second (all sequences) */
    public static double generationTokensPerSecond(TokenTimeline t) {
        long ns = t.endNs() - t.startNs();
        return ns <= 0 ? 0 : generatedTokens(t) * 1e9 / ns;
    }
}
