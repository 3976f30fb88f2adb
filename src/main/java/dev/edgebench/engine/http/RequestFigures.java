package dev.edgebench.engine.http;

/**
 * What one request's stream told edgebench besides its events: how its tokens were counted, and
 * the server's own figures for the same request, kept beside the client's so the two views can be
 * compared. Counts are -1 and times NaN where the server did not report them.
 *
 * @param api                the API used ({@code completions}, {@code chat}, {@code llama}, {@code ollama})
 * @param httpStatus         the response status (0: no response)
 * @param tokenCounting      how chunk token counts were known: {@code token-ids} (the server's ids per
 *                           chunk), {@code cumulative} (Δ of a cumulative count: usage with
 *                           continuous_usage_stats, llama-server's timings or tokens_predicted),
 *                           {@code chunks-only} (count unknown per chunk: its events carry 0 tokens and
 *                           give chunk gaps, never per-token ITL; the total is the server's
 *                           completion count), {@code mixed}, or {@code none} (no output)
 * @param chunks             JSON lines received
 * @param chunksWithUnlistedIds chunks whose cumulative count rose by more than the ids they listed
 *                           (llama-server lists a chunk's last id only; the others count as id -1)
 * @param countedTokens      tokens the events carried (ids or Δ counts)
 * @param promptTokensSent   prompt token ids sent
 * @param promptTokens       the server's prompt count (usage.prompt_tokens, tokens_evaluated, prompt_eval_count)
 * @param completionTokens   the server's output count (usage.completion_tokens, tokens_predicted, eval_count)
 * @param cachedTokens       prompt tokens served from the server's cache (cached_tokens, timings.cache_n)
 * @param promptMs           llama-server timings.prompt_ms (prefill)
 * @param promptN            llama-server timings.prompt_n (tokens prefilled)
 * @param predictedMs        llama-server timings.predicted_ms (generation, first to last token)
 * @param predictedN         llama-server timings.predicted_n
 * @param draftN             llama-server timings.draft_n (speculative decoding)
 * @param draftAccepted      llama-server timings.draft_n_accepted
 * @param totalDurationNs    Ollama total_duration
 * @param loadDurationNs     Ollama load_duration
 * @param promptEvalDurationNs Ollama prompt_eval_duration
 * @param evalDurationNs     Ollama eval_duration
 * @param firstChunkAfterSubmitNs client: submit to the first JSON line, ns (-1: none)
 * @param endAfterSubmitNs   client: submit to the end marker, ns (-1: did not end normally)
 * @param cancelled          whether the request was cancelled
 * @param resends            times the request was sent again because its connection closed before
 *                           any answer (0 or 1; its times still count from the first send)
 */
public record RequestFigures(String api, int httpStatus, String tokenCounting, long chunks, long chunksWithUnlistedIds, long countedTokens,
                             int promptTokensSent, long promptTokens, long completionTokens, long cachedTokens,
                             double promptMs, long promptN, double predictedMs, long predictedN, long draftN, long draftAccepted,
                             long totalDurationNs, long loadDurationNs, long promptEvalDurationNs, long evalDurationNs,
                             long firstChunkAfterSubmitNs, long endAfterSubmitNs, boolean cancelled, int resends) {

    /** @return whether the server's prompt count differs from the ids sent (a tokenizer round trip changed it) */
    public boolean promptMismatch() {
        return promptTokens >= 0 && promptTokens != promptTokensSent;
    }

    /** @return the figures as one JSON object (for a per-request record) */
    public String toJson() {
        StringBuilder sb = new StringBuilder(512).append('{');
        Dialect.quote(sb.append("\"api\":"), api);
        sb.append(",\"httpStatus\":").append(httpStatus);
        Dialect.quote(sb.append(",\"tokenCounting\":"), tokenCounting);
        sb.append(",\"chunks\":").append(chunks).append(",\"chunksWithUnlistedIds\":").append(chunksWithUnlistedIds).append(",\"countedTokens\":").append(countedTokens)
                .append(",\"promptTokensSent\":").append(promptTokensSent).append(",\"promptMismatch\":").append(promptMismatch());
        num(sb, "promptTokens", promptTokens);
        num(sb, "completionTokens", completionTokens);
        num(sb, "cachedTokens", cachedTokens);
        num(sb, "promptMs", promptMs);
        num(sb, "promptN", promptN);
        num(sb, "predictedMs", predictedMs);
        num(sb, "predictedN", predictedN);
        num(sb, "draftN", draftN);
        num(sb, "draftAccepted", draftAccepted);
        num(sb, "totalDurationNs", totalDurationNs);
        num(sb, "loadDurationNs", loadDurationNs);
        num(sb, "promptEvalDurationNs", promptEvalDurationNs);
        num(sb, "evalDurationNs", evalDurationNs);
        num(sb, "firstChunkAfterSubmitNs", firstChunkAfterSubmitNs);
        num(sb, "endAfterSubmitNs", endAfterSubmitNs);
        return sb.append(",\"cancelled\":").append(cancelled).append(",\"resends\":").append(resends).append('}').toString();
    }

    private static void num(StringBuilder sb, String name, long v) {
        if (v >= 0) {
            sb.append(",\"").append(name).append("\":").append(v);
        }
    }

    private static void num(StringBuilder sb, String name, double v) {
        if (!Double.isNaN(v)) {
            sb.append(",\"").append(name).append("\":").append(v);
        }
    }

    /** Collects the figures while the stream runs (from the one thread delivering its body). */
    static final class Builder {
        private static final byte[] USAGE = ChunkScanner.key("usage");
        private static final byte[] TIMINGS = ChunkScanner.key("timings");
        private static final byte[] PROMPT_TOKENS = ChunkScanner.key("prompt_tokens");
        private static final byte[] CACHED_TOKENS = ChunkScanner.key("cached_tokens");
        private static final byte[] TOKENS_EVALUATED = ChunkScanner.key("tokens_evaluated");
        private static final byte[] CACHE_N = ChunkScanner.key("cache_n");
        private static final byte[] PROMPT_N = ChunkScanner.key("prompt_n");
        private static final byte[] PROMPT_MS = ChunkScanner.key("prompt_ms");
        private static final byte[] PREDICTED_MS = ChunkScanner.key("predicted_ms");
        private static final byte[] DRAFT_N = ChunkScanner.key("draft_n");
        private static final byte[] DRAFT_ACCEPTED = ChunkScanner.key("draft_n_accepted");
        private static final byte[] TOTAL_DURATION = ChunkScanner.key("total_duration");
        private static final byte[] LOAD_DURATION = ChunkScanner.key("load_duration");
        private static final byte[] PROMPT_EVAL_COUNT = ChunkScanner.key("prompt_eval_count");
        private static final byte[] PROMPT_EVAL_DURATION = ChunkScanner.key("prompt_eval_duration");
        private static final byte[] EVAL_COUNT = ChunkScanner.key("eval_count");
        private static final byte[] EVAL_DURATION = ChunkScanner.key("eval_duration");

        final Dialect dialect;
        final int promptTokensSent;
        volatile int httpStatus;
        long chunks;
        long countedTokens;
        long idsChunks;
        long cumulativeChunks;
        long uncountedChunks;
        long chunksWithUnlistedIds;
        long firstChunkNs;
        long lastChunkNs;
        volatile long endNs;
        volatile boolean cancelled;
        volatile int resends;
        long promptTokens = -1;
        long completionTokens = -1;
        long cachedTokens = -1;
        double promptMs = Double.NaN;
        long promptN = -1;
        double predictedMs = Double.NaN;
        long predictedN = -1;
        long draftN = -1;
        long draftAccepted = -1;
        long totalDurationNs = -1;
        long loadDurationNs = -1;
        long promptEvalDurationNs = -1;
        long evalDurationNs = -1;

        Builder(Dialect dialect, int promptTokensSent) {
            this.dialect = dialect;
            this.promptTokensSent = promptTokensSent;
        }

        /** Takes the server's figures from a line that carries them (usage, timings, a final line); later lines win. */
        void scan(byte[] b, int from, int to) {
            boolean usage = ChunkScanner.valueAt(b, from, to, USAGE) >= 0;
            boolean timings = ChunkScanner.valueAt(b, from, to, TIMINGS) >= 0;
            boolean last = dialect.isFinalLine(b, from, to);
            if (!usage && !timings && !last) {
                return;
            }
            if (usage) {
                promptTokens = pick(promptTokens, ChunkScanner.longValue(b, from, to, PROMPT_TOKENS));
                completionTokens = pick(completionTokens, ChunkScanner.longValue(b, from, to, Dialect.COMPLETION_TOKENS));
                cachedTokens = pick(cachedTokens, ChunkScanner.longValue(b, from, to, CACHED_TOKENS));
            }
            if (timings) {
                cachedTokens = pick(cachedTokens, ChunkScanner.longValue(b, from, to, CACHE_N));
                promptN = pick(promptN, ChunkScanner.longValue(b, from, to, PROMPT_N));
                promptMs = pick(promptMs, ChunkScanner.doubleValue(b, from, to, PROMPT_MS));
                predictedN = pick(predictedN, ChunkScanner.longValue(b, from, to, Dialect.PREDICTED_N));
                predictedMs = pick(predictedMs, ChunkScanner.doubleValue(b, from, to, PREDICTED_MS));
                draftN = pick(draftN, ChunkScanner.longValue(b, from, to, DRAFT_N));
                draftAccepted = pick(draftAccepted, ChunkScanner.longValue(b, from, to, DRAFT_ACCEPTED));
            }
            if (last && dialect == Dialect.LLAMA) {
                promptTokens = pick(promptTokens, ChunkScanner.longValue(b, from, to, TOKENS_EVALUATED));
                completionTokens = pick(completionTokens, ChunkScanner.longValue(b, from, to, Dialect.TOKENS_PREDICTED));
            }
            if (last && dialect == Dialect.OLLAMA) {
                totalDurationNs = pick(totalDurationNs, ChunkScanner.longValue(b, from, to, TOTAL_DURATION));
                loadDurationNs = pick(loadDurationNs, ChunkScanner.longValue(b, from, to, LOAD_DURATION));
                promptTokens = pick(promptTokens, ChunkScanner.longValue(b, from, to, PROMPT_EVAL_COUNT));
                promptEvalDurationNs = pick(promptEvalDurationNs, ChunkScanner.longValue(b, from, to, PROMPT_EVAL_DURATION));
                completionTokens = pick(completionTokens, ChunkScanner.longValue(b, from, to, EVAL_COUNT));
                evalDurationNs = pick(evalDurationNs, ChunkScanner.longValue(b, from, to, EVAL_DURATION));
            }
        }

        private static long pick(long old, long v) {
            return v == ChunkScanner.ABSENT ? old : v;
        }

        private static double pick(double old, double v) {
            return Double.isNaN(v) ? old : v;
        }

        RequestFigures build(long submitNs) {
            int kinds = (idsChunks > 0 ? 1 : 0) + (cumulativeChunks > 0 ? 1 : 0) + (uncountedChunks > 0 ? 1 : 0);
            String counting = kinds == 0 ? "none" : kinds > 1 ? "mixed"
                    : idsChunks > 0 ? "token-ids" : cumulativeChunks > 0 ? "cumulative" : "chunks-only";
            return new RequestFigures(dialect.name().toLowerCase(java.util.Locale.ROOT), httpStatus, counting, chunks, chunksWithUnlistedIds, countedTokens,
                    promptTokensSent, promptTokens, completionTokens, cachedTokens, promptMs, promptN, predictedMs, predictedN,
                    draftN, draftAccepted, totalDurationNs, loadDurationNs, promptEvalDurationNs, evalDurationNs,
                    firstChunkNs == 0 ? -1 : firstChunkNs - submitNs, endNs == 0 ? -1 : endNs - submitNs, cancelled, resends);
        }
    }
}
