package dev.edgebench.engine;

import java.util.Objects;

/**
 * One request ({@code ebr_request}). The prompt array is read at submit time only.
 *
 * @param prompt       prompt token ids, at least one
 * @param maxNewTokens tokens to generate at most, at least 1
 * @param streaming    events as tokens arrive (true) or one final event
 * @param endId        stop after this token; -1 never
 * @param padId        -1: engine default
 * @param temperature  0 or less: greedy
 * @param topK         0: no top-k filter; 1: greedy
 * @param topP         0 or 1 and above: no top-p filter
 * @param hasSeed      whether {@code seed} is used
 * @param seed         sampling seed
 * @param clientTag    copied into every event of the request
 */
public record RequestSpec(int[] prompt, int maxNewTokens, boolean streaming, int endId, int padId, float temperature,
                          int topK, float topP, boolean hasSeed, long seed, long clientTag) {
    public RequestSpec {
        Objects.requireNonNull(prompt, "prompt");
        if (prompt.length == 0) {
            throw new IllegalArgumentException("a request needs at least one prompt token");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens " + maxNewTokens + " is below 1");
        }
    }

    /** @return a streamed greedy request without an end id */
    public static RequestSpec greedy(int[] prompt, int maxNewTokens, long clientTag) {
        return new RequestSpec(prompt, maxNewTokens, true, -1, -1, 0f, 0, 0f, false, 0L, clientTag);
    }
}
