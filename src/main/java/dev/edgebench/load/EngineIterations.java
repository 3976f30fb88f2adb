package dev.edgebench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An engine's own iteration counters at one moment, read from its iteration statistics
 * ({@code StreamingEngine.iterationStatsJson}: {@code iterations}, {@code tokensTotal},
 * {@code decodeNsTotal}, {@code sampleNsTotal}, {@code generatedTokensTotal}, {@code deviceSampledTotal}), and
 * the difference of two readings: what the
 * engine did during one sample. A counter the engine does not keep is -1, and stays -1 in a
 * difference.
 *
 * @param iterations scheduler iterations (one batch each)
 * @param tokens     tokens in those batches (prompt and decode)
 * @param decodeNs   time in the model's forward pass, device work included
 * @param sampleNs   time choosing tokens from logits
 * @param generated  tokens chosen (one per sequence per iteration that produced logits)
 * @param onDevice   of those, the ones chosen on the device, in the model's graph (0 for an engine that says nothing)
 */
public record EngineIterations(long iterations, long tokens, long decodeNs, long sampleNs, long generated, long onDevice) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param json the engine's statistics text
     * @return its counters, or null when the text is empty, not JSON, or has no iteration counter
     */
    public static EngineIterations parse(String json) {
        if (json == null || json.isBlank()) {
            return null;
        }
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (java.io.IOException e) {
            return null;
        }
        if (n == null || !n.path("iterations").canConvertToLong()) {
            return null;
        }
        return new EngineIterations(n.path("iterations").asLong(), counter(n, "tokensTotal"), counter(n, "decodeNsTotal"),
                counter(n, "sampleNsTotal"), counter(n, "generatedTokensTotal"), Math.max(0, counter(n, "deviceSampledTotal")));
    }

    /**
     * The decode-only iterations of one reading's list of recent iterations ({@code recent}: since the
     * previous reading) in which {@code sequences} sequences decoded and no prompt token rode along: the
     * engine's steady decode rate at that concurrency, like llama-batched-bench's S_TG (which times B
     * sequences decoding together after their prompts), without the prompt waves and the ragged start and
     * end of a closed-loop sample.
     *
     * @param json      the engine's statistics text
     * @param sequences sequences decoding in a steady iteration (the concurrency)
     * @return their count, tokens and time (forward pass and token choice), or null without a list
     */
    public static SteadyDecode steadyDecode(String json, int sequences) {
        if (json == null || json.isBlank()) {
            return null;
        }
        JsonNode recent;
        try {
            recent = JSON.readTree(json).path("recent");
        } catch (java.io.IOException e) {
            return null;
        }
        if (!recent.isArray()) {
            return null;
        }
        long n = 0;
        long tokens = 0;
        long ns = 0;
        for (JsonNode r : recent) {
            if (r.path("promptTokens").asLong(-1) == 0 && r.path("decodeTokens").asLong(-1) == sequences && r.has("decodeNs")) {
                n++;
                tokens += sequences;
                ns += r.path("decodeNs").asLong() + Math.max(0, r.path("sampleNs").asLong(0));
            }
        }
        return new SteadyDecode(n, tokens, ns);
    }

    /**
     * @param iterations steady decode iterations
     * @param tokens     tokens they produced
     * @param ns         their forward passes and token choices
     */
    public record SteadyDecode(long iterations, long tokens, long ns) {
        /** @return tokens per second over those iterations, or 0 without any */
        public double tokPerS() {
            return ns > 0 ? tokens * 1e9 / ns : 0;
        }
    }

    private static long counter(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.canConvertToLong() ? v.asLong() : -1;
    }

    /** @return this reading less an earlier one */
    public EngineIterations since(EngineIterations before) {
        return new EngineIterations(iterations - before.iterations, diff(tokens, before.tokens), diff(decodeNs, before.decodeNs),
                diff(sampleNs, before.sampleNs), diff(generated, before.generated), onDevice - before.onDevice);
    }

    private static long diff(long now, long then) {
        return now < 0 || then < 0 ? -1 : now - then;
    }
}
