package dev.edgebench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An engine's own iteration counters at one moment, read from its iteration statistics
 * ({@code StreamingEngine.iterationStatsJson}: {@code iterations}, {@code tokensTotal},
 * {@code decodeNsTotal}, {@code sampleNsTotal}), and the difference of two readings: what the
 * engine did during one sample. A counter the engine does not keep is -1, and stays -1 in a
 * difference.
 *
 * @param iterations scheduler iterations (one batch each)
 * @param tokens     tokens in those batches (prompt and decode)
 * @param decodeNs   time in the model's forward pass, device work included
 * @param sampleNs   time choosing tokens from logits
 */
public record EngineIterations(long iterations, long tokens, long decodeNs, long sampleNs) {
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
                counter(n, "sampleNsTotal"));
    }

    private static long counter(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.canConvertToLong() ? v.asLong() : -1;
    }

    /** @return this reading less an earlier one */
    public EngineIterations since(EngineIterations before) {
        return new EngineIterations(iterations - before.iterations, diff(tokens, before.tokens), diff(decodeNs, before.decodeNs),
                diff(sampleNs, before.sampleNs));
    }

    private static long diff(long now, long then) {
        return now < 0 || then < 0 ? -1 : now - then;
    }
}
