package dev.edgebench.engine.http;

import dev.edgebench.engine.FinishReason;
import dev.edgebench.engine.RequestSpec;

import java.nio.charset.StandardCharsets;

/**
 * One server API's streaming protocol: the path, the request body, how lines are framed (SSE
 * {@code data:} lines or NDJSON), and which keys of a streamed JSON line carry the text, the token
 * ids, a cumulative token count, the end of the stream and why it ended. Immutable.
 */
public enum Dialect {
    /** OpenAI {@code /v1/completions} (vLLM, llama-server, trtllm-serve, Ollama's compatibility layer). */
    COMPLETIONS("/v1/completions", true, "text", "token_ids", "finish_reason"),
    /** OpenAI {@code /v1/chat/completions}: the prompt is sent as text (the server's {@code /detokenize} of the ids). */
    CHAT("/v1/chat/completions", true, "content", "token_ids", "finish_reason"),
    /** llama-server's native {@code /completion}: token ids per event ({@code tokens}) and {@code timings}. */
    LLAMA("/completion", true, "content", "tokens", "stop_type"),
    /** Ollama's native {@code /api/generate}: NDJSON, final counts and durations in ns. */
    OLLAMA("/api/generate", false, "response", null, "done_reason");

    final String path;
    /** SSE ({@code data: ...} lines, {@code [DONE]}) rather than one JSON object per line. */
    final boolean sse;
    final byte[] textKey;
    final byte[] tokenIdsKey;
    final byte[] finishKey;

    Dialect(String path, boolean sse, String textKey, String tokenIdsKey, String finishKey) {
        this.path = path;
        this.sse = sse;
        this.textKey = ChunkScanner.key(textKey);
        this.tokenIdsKey = tokenIdsKey == null ? null : ChunkScanner.key(tokenIdsKey);
        this.finishKey = ChunkScanner.key(finishKey);
    }

    // Cumulative counts of generated tokens, as each server streams them: vLLM's usage with
    // continuous_usage_stats, llama-server's timings (timings_per_token) and native tokens_predicted.
    static final byte[] COMPLETION_TOKENS = ChunkScanner.key("completion_tokens");
    static final byte[] PREDICTED_N = ChunkScanner.key("predicted_n");
    static final byte[] TOKENS_PREDICTED = ChunkScanner.key("tokens_predicted");
    static final byte[] STOP = ChunkScanner.key("stop");
    static final byte[] DONE = ChunkScanner.key("done");
    static final byte[] ERROR = ChunkScanner.key("error");

    /** @return whether this JSON line ends the stream (SSE dialects other than LLAMA end with {@code [DONE]}) */
    boolean isFinalLine(byte[] b, int from, int to) {
        return switch (this) {
            case LLAMA -> ChunkScanner.isTrue(b, from, to, STOP);
            case OLLAMA -> ChunkScanner.isTrue(b, from, to, DONE);
            default -> false;
        };
    }

    private static final byte[] STOP_V = "stop".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EOS_V = "eos".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LENGTH_V = "length".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LIMIT_V = "limit".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WORD_V = "word".getBytes(StandardCharsets.US_ASCII);

    /** @return why the request ended, from this line's finish key, or null when the line does not say */
    FinishReason finishReason(byte[] b, int from, int to) {
        int p = ChunkScanner.valueAt(b, from, to, finishKey);
        if (p < 0 || b[p] != '"') {
            return null;
        }
        if (ChunkScanner.stringEquals(b, from, to, finishKey, LENGTH_V) || ChunkScanner.stringEquals(b, from, to, finishKey, LIMIT_V)) {
            return FinishReason.LENGTH;
        }
        if (ChunkScanner.stringEquals(b, from, to, finishKey, STOP_V) || ChunkScanner.stringEquals(b, from, to, finishKey, EOS_V)) {
            return FinishReason.END_ID;
        }
        if (ChunkScanner.stringEquals(b, from, to, finishKey, WORD_V)) {
            return FinishReason.STOP_WORDS;
        }
        return FinishReason.UNKNOWN;
    }

    /**
     * The request body. Token ids go as the prompt where the API takes them (completions, llama);
     * {@code promptText} is used by CHAT (messages) and OLLAMA (which takes ids only as {@code context}).
     *
     * @param extras whether to send the fields beyond the API's standard ones (ignore_eos,
     *               return_token_ids / return_tokens, continuous_usage_stats, timings_per_token, cache_prompt=false)
     */
    String body(String model, RequestSpec r, String promptText, boolean extras) {
        StringBuilder sb = new StringBuilder(64 + r.prompt().length * 7);
        sb.append('{');
        if (model != null && !model.isEmpty()) {
            sb.append("\"model\":");
            quote(sb, model).append(',');
        }
        switch (this) {
            case COMPLETIONS -> ids(sb.append("\"prompt\":"), r.prompt());
            case CHAT -> quote(sb.append("\"messages\":[{\"role\":\"user\",\"content\":"), promptText).append("}]");
            case LLAMA -> ids(sb.append("\"prompt\":"), r.prompt());
            case OLLAMA -> ids(sb.append("\"prompt\":\"\",\"raw\":true,\"context\":"), r.prompt());
        }
        sb.append(",\"stream\":true");
        if (this == OLLAMA) {
            sb.append(",\"options\":{\"num_predict\":").append(r.maxNewTokens());
            sampling(sb, r, "top_k", "top_p");
            return sb.append("}}").toString();
        }
        sb.append(this == LLAMA ? ",\"n_predict\":" : ",\"max_tokens\":").append(r.maxNewTokens());
        sampling(sb, r, "top_k", "top_p");
        if (this != LLAMA) {
            sb.append(",\"stream_options\":{\"include_usage\":true").append(extras ? ",\"continuous_usage_stats\":true}" : "}");
        }
        if (extras) {
            if (r.endId() < 0) {
                sb.append(",\"ignore_eos\":true");
            }
            // cache_prompt off: llama-server would otherwise serve a repeated (seeded) prompt from its cache
            sb.append(this == LLAMA ? ",\"return_tokens\":true" : ",\"return_token_ids\":true").append(",\"cache_prompt\":false");
            sb.append(",\"timings_per_token\":true");
        }
        return sb.append('}').toString();
    }

    private static void sampling(StringBuilder sb, RequestSpec r, String topK, String topP) {
        sb.append(",\"temperature\":").append(r.temperature() > 0 ? r.temperature() : 0);
        if (r.topK() > 0) {
            sb.append(",\"").append(topK).append("\":").append(r.topK());
        }
        if (r.topP() > 0 && r.topP() < 1) {
            sb.append(",\"").append(topP).append("\":").append(r.topP());
        }
        if (r.hasSeed()) {
            sb.append(",\"seed\":").append(r.seed());
        }
    }

    private static void ids(StringBuilder sb, int[] ids) {
        sb.append('[');
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(ids[i]);
        }
        sb.append(']');
    }

    static StringBuilder quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }
}
