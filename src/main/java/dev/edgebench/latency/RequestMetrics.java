package dev.edgebench.latency;

import org.HdrHistogram.Recorder;

import java.util.Arrays;
import java.util.List;

/**
 * Request-level latency maths, the same for every engine (in-process or over HTTP), following the
 * serving benchmarks' definitions (vLLM {@code bench serve}, AIPerf):
 *
 * <ul>
 *   <li>TTFT = first token's arrival − the request's <em>scheduled</em> start (not its send time: a
 *       driver that falls behind its schedule does not hide the delay; coordinated omission).</li>
 *   <li>E2E = last token's arrival (or the final event, when no token came) − scheduled start.</li>
 *   <li>TPOT = (E2E − TTFT) / (tokens − 1), measured to the last token; undefined for one token.</li>
 *   <li>ITL, one value per token after the first: a chunk of k tokens arriving a gap g after the
 *       previous chunk contributes k values of g/k (vLLM #42661); the extra tokens of the first chunk
 *       arrived with the first token and contribute 0 each. So a request's ITL values sum to
 *       E2E − TTFT and their mean is its TPOT.</li>
 *   <li>ICL (inter-chunk latency), one value per chunk after the first: the gap itself, reported
 *       apart so that chunking is visible.</li>
 * </ul>
 *
 * Stateless; thread-safe.
 */
public final class RequestMetrics {
    private RequestMetrics() {
    }

    /** @return TTFT in ns, or -1 when no token arrived */
    public static long ttftNs(RequestTimeline r) {
        return r.tokens() == 0 ? -1 : r.firstTokenNs() - r.scheduledNs();
    }

    /** @return E2E in ns: the last token (or the final event) − the scheduled start; -1 before the request ended without tokens */
    public static long e2eNs(RequestTimeline r) {
        long end = r.tokens() > 0 ? r.lastTokenNs() : r.endNs();
        return end == 0 ? -1 : end - r.scheduledNs();
    }

    /** @return TPOT in ns, or -1 for fewer than two tokens */
    public static double tpotNs(RequestTimeline r) {
        int n = r.tokens();
        return n < 2 ? -1 : (double) (r.lastTokenNs() - r.firstTokenNs()) / (n - 1);
    }

    /** @return how late the request was sent against its schedule, ns (never negative) */
    public static long issueDelayNs(RequestTimeline r) {
        return Math.max(0, r.sentNs() - r.scheduledNs());
    }

    /** Where a request's distributions go; every value in ns. Recording allocates nothing. */
    public record Recorders(Recorder ttft, Recorder itl, Recorder icl, Recorder tpot, Recorder e2e) {
    }

    /**
     * Records one request's TTFT, per-token ITL, chunk gaps (ICL), TPOT and E2E. A request without
     * tokens records nothing; values are clamped to the recorders' range (at least 1 ns: HdrHistogram
     * records no 0, so a zero ITL value is 1 ns).
     */
    public static void record(RequestTimeline r, Recorders to) {
        if (r.tokens() == 0) {
            return;
        }
        to.ttft().recordValue(clamp(ttftNs(r)));
        to.e2e().recordValue(clamp(e2eNs(r)));
        if (r.tokens() > 1) {
            to.tpot().recordValue(clamp(Math.round(tpotNs(r))));
        }
        int extraFirst = r.chunkTokens(0) - 1;
        for (int k = 0; k < extraFirst; k++) {
            to.itl().recordValue(1);
        }
        for (int c = 1; c < r.chunks(); c++) {
            long gap = r.chunkNs(c) - r.chunkNs(c - 1);
            to.icl().recordValue(clamp(gap));
            int k = r.chunkTokens(c);
            long each = Math.round((double) gap / k);
            to.itl().recordValueWithCount(clamp(each), k);
        }
    }

    /**
     * Fills {@code out} with one request's ITL values (ns), in token order.
     *
     * @return the number of values: tokens − 1 (0 for fewer than two tokens)
     */
    public static int itlNs(RequestTimeline r, double[] out) {
        int n = 0;
        if (r.tokens() == 0) {
            return 0;
        }
        for (int k = 1; k < r.chunkTokens(0); k++) {
            out[n++] = 0;
        }
        for (int c = 1; c < r.chunks(); c++) {
            double each = (double) (r.chunkNs(c) - r.chunkNs(c - 1)) / r.chunkTokens(c);
            for (int k = 0; k < r.chunkTokens(c); k++) {
                out[n++] = each;
            }
        }
        return n;
    }

    private static long clamp(long ns) {
        return Math.max(1, Math.min(ns, TokenClock.HIGHEST_NS));
    }

    /**
     * What a batch of requests achieved.
     *
     * @param requests           measured requests
     * @param failed             requests that ended with an error (or never ended)
     * @param good               requests meeting every SLO ({@link Slo#meets})
     * @param outputTokens       tokens received over all measured requests
     * @param durationNs         first scheduled start → last final event
     * @param requestsPerS       finished requests without error / duration
     * @param outputTokPerS      output tokens / duration
     * @param goodputPerS        good requests / duration
     * @param goodFraction       good / requests
     * @param errorRate          failed / requests
     * @param decodeTokPerS      tokens after each request's first / the time at least one request was between its first
     *                           and its last token (the union of those intervals): 1 / TPOT at concurrency 1, the
     *                           aggregate decode rate when requests overlap; 0 when undefined
     * @param maxIssueDelayNs    the largest lateness of a send against its schedule
     */
    public record BatchStats(int requests, int failed, int good, long outputTokens, long durationNs, double requestsPerS,
                             double outputTokPerS, double goodputPerS, double goodFraction, double errorRate, double decodeTokPerS,
                             long maxIssueDelayNs) {
    }

    /** @return the batch's throughput, goodput and error figures */
    public static BatchStats batch(List<RequestTimeline> rs, Slo slo) {
        if (rs.isEmpty()) {
            return new BatchStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        int failed = 0;
        int good = 0;
        long tokens = 0;
        long decodeTokens = 0;
        long maxDelay = 0;
        long[][] spans = new long[rs.size()][];
        int nSpans = 0;
        for (RequestTimeline r : rs) {
            start = Math.min(start, r.scheduledNs());
            end = Math.max(end, Math.max(r.endNs(), r.lastTokenNs()));
            if (!r.finished() || r.failed()) {
                failed++;
            }
            if (slo.meets(r)) {
                good++;
            }
            tokens += r.tokens();
            maxDelay = Math.max(maxDelay, issueDelayNs(r));
            if (r.tokens() > 1) {
                decodeTokens += r.tokens() - 1;
                spans[nSpans++] = new long[]{r.firstTokenNs(), r.lastTokenNs()};
            }
        }
        long duration = Math.max(0, end - start);
        double s = duration / 1e9;
        int n = rs.size();
        long busy = union(spans, nSpans);
        return new BatchStats(n, failed, good, tokens, duration, s > 0 ? (n - failed) / s : 0, s > 0 ? tokens / s : 0,
                s > 0 ? good / s : 0, (double) good / n, (double) failed / n, busy > 0 ? decodeTokens * 1e9 / busy : 0, maxDelay);
    }

    /** @return the length of the union of [from, to] intervals */
    static long union(long[][] spans, int n) {
        long[][] s = Arrays.copyOf(spans, n);
        Arrays.sort(s, (a, b) -> Long.compare(a[0], b[0]));
        long total = 0;
        long curFrom = 0;
        long curTo = Long.MIN_VALUE;
        for (long[] iv : s) {
            if (iv[0] > curTo) {
                if (curTo != Long.MIN_VALUE) {
                    total += curTo - curFrom;
                }
                curFrom = iv[0];
                curTo = iv[1];
            } else {
                curTo = Math.max(curTo, iv[1]);
            }
        }
        if (curTo != Long.MIN_VALUE) {
            total += curTo - curFrom;
        }
        return total;
    }
}
