package dev.edgebench.kernel;

import java.util.Locale;

/**
 * One step of inference whose kernels the inventory lists.
 *
 * <ul>
 *   <li>decode: {@code batch} independent sequences, each at {@code depth} tokens of context,
 *       each adding one token (one {@code llama_decode} of {@code batch} tokens, logits for all);</li>
 *   <li>prefill: {@code tokens} prompt tokens of one sequence after {@code depth} tokens already
 *       in the cache, processed in micro-batches of {@code ubatch} tokens (llama.cpp's
 *       {@code n_ubatch}), logits for the last token only.</li>
 * </ul>
 *
 * @param kind   decode or prefill
 * @param batch  decode: sequences (&gt;= 1); prefill: 1
 * @param depth  tokens already in each sequence's KV cache (&gt;= 0)
 * @param tokens prefill: prompt tokens (&gt;= 1); decode: 1 per sequence
 * @param ubatch prefill: micro-batch size (&gt;= 1); decode: the batch
 */
public record Phase(Kind kind, int batch, int depth, int tokens, int ubatch) {
    /** llama.cpp pads the KV length a graph sees to a multiple of this (llama_kv_cache::get_n_kv). */
    public static final int KV_PAD = 256;
    /** llama.cpp's default {@code n_ubatch}. */
    public static final int DEFAULT_UBATCH = 512;

    /** The two phases. */
    public enum Kind { DECODE, PREFILL }

    public Phase {
        if (kind == null) {
            throw new IllegalArgumentException("phase kind is null");
        }
        if (batch < 1 || depth < 0 || tokens < 1 || ubatch < 1) {
            throw new IllegalArgumentException("phase needs batch >= 1, depth >= 0, tokens >= 1, ubatch >= 1; got batch " + batch
                    + ", depth " + depth + ", tokens " + tokens + ", ubatch " + ubatch);
        }
    }

    /** @return one decode step of {@code batch} sequences at {@code depth} */
    public static Phase decode(int batch, int depth) {
        return new Phase(Kind.DECODE, batch, depth, 1, batch);
    }

    /** @return a prefill of {@code tokens} after {@code depth} cached tokens, in ubatches of {@code ubatch} */
    public static Phase prefill(int tokens, int depth, int ubatch) {
        return new Phase(Kind.PREFILL, 1, depth, tokens, ubatch);
    }

    /** @return KV cells in use once the step's tokens are stored (all sequences) */
    public long kvCells() {
        return kind == Kind.DECODE ? (long) batch * (depth + 1) : (long) depth + tokens;
    }

    /** @return a context size (tokens) that holds the step with llama.cpp's KV padding */
    public int contextSize() {
        return (int) padKv(kvCells());
    }

    /** @return the KV length llama.cpp's graph sees when {@code cells} cells are used: a multiple of 256, at least 256 */
    public static long padKv(long cells) {
        return Math.max(KV_PAD, (cells + KV_PAD - 1) / KV_PAD * KV_PAD);
    }

    /** @return e.g. "decode b1 d512" or "prefill n512 d0" */
    public String label() {
        return kind == Kind.DECODE ? "decode b" + batch + " d" + depth : "prefill n" + tokens + " d" + depth
                + (tokens > ubatch ? " u" + ubatch : "");
    }

    /**
     * Parses {@code decode} or {@code prefill} with the numbers given separately.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Phase parse(String kind, int batch, int depth, int tokens, int ubatch) {
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case "decode", "tg" -> decode(batch, depth);
            case "prefill", "pp" -> prefill(tokens, depth, ubatch);
            default -> throw new IllegalArgumentException("unknown phase '" + kind + "'; use decode or prefill");
        };
    }

    @Override
    public String toString() {
        return label();
    }
}
