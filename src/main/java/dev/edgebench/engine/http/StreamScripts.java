package dev.edgebench.engine.http;

import dev.edgebench.engine.http.LoopbackStreamServer.Line;
import dev.edgebench.engine.http.LoopbackStreamServer.Script;

import java.util.ArrayList;
import java.util.List;

/**
 * Streams as the real servers write them (field names and framing from vLLM, llama-server and
 * Ollama), one token per chunk at given gaps, for {@link LoopbackStreamServer}. Stateless.
 */
public final class StreamScripts {
    private StreamScripts() {
    }

    /** What an OpenAI-compatible server puts in its chunks besides the text. */
    public enum Usage {
        /** vLLM with return_token_ids: {@code token_ids} per chunk, final usage. */
        TOKEN_IDS,
        /** vLLM with continuous_usage_stats: cumulative usage in every chunk. */
        CUMULATIVE,
        /** final usage only (stream_options.include_usage). */
        FINAL,
        /** no usage at all: a server that ignores include_usage. */
        NONE
    }

    /**
     * An OpenAI {@code /v1/completions} stream of {@code gapsNs.length} one-token chunks, then the
     * finish chunk, the usage chunk (unless {@link Usage#NONE}) and {@code [DONE]}.
     *
     * @param gapsNs each chunk's delay after the previous (the first: after the request)
     */
    public static Script openAi(long[] gapsNs, Usage usage, int promptTokens) {
        List<Line> lines = new ArrayList<>(gapsNs.length + 3);
        int n = gapsNs.length;
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder(200).append("data: {\"id\":\"cmpl-loopback\",\"object\":\"text_completion\",\"model\":\"loopback-model\",")
                    .append("\"choices\":[{\"index\":0,\"text\":\" tok").append(i).append("\",\"logprobs\":null,\"finish_reason\":null");
            if (usage == Usage.TOKEN_IDS) {
                sb.append(",\"token_ids\":[").append(1000 + i).append(']');
            }
            sb.append("}]");
            if (usage == Usage.CUMULATIVE) {
                sb.append(",\"usage\":{\"prompt_tokens\":").append(promptTokens).append(",\"completion_tokens\":").append(i + 1)
                        .append(",\"total_tokens\":").append(promptTokens + i + 1).append('}');
            }
            lines.add(new Line(gapsNs[i], sb.append("}\n\n").toString()));
        }
        lines.add(new Line(0, "data: {\"id\":\"cmpl-loopback\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"\","
                + "\"logprobs\":null,\"finish_reason\":\"length\"}]}\n\n"));
        if (usage != Usage.NONE) {
            lines.add(new Line(0, "data: {\"id\":\"cmpl-loopback\",\"object\":\"text_completion\",\"choices\":[],\"usage\":{\"prompt_tokens\":"
                    + promptTokens + ",\"completion_tokens\":" + n + ",\"total_tokens\":" + (promptTokens + n) + "}}\n\n"));
        }
        lines.add(new Line(0, "data: [DONE]\n\n"));
        return new Script(200, lines);
    }

    /** An Ollama {@code /api/generate} stream: one NDJSON line per token, then {@code done:true} with counts and durations. */
    public static Script ollama(long[] gapsNs, int promptTokens) {
        List<Line> lines = new ArrayList<>(gapsNs.length + 1);
        for (int i = 0; i < gapsNs.length; i++) {
            lines.add(new Line(gapsNs[i], "{\"model\":\"loopback-model\",\"created_at\":\"2026-01-01T00:00:00Z\",\"response\":\" tok" + i
                    + "\",\"done\":false}\n"));
        }
        lines.add(new Line(0, "{\"model\":\"loopback-model\",\"created_at\":\"2026-01-01T00:00:00Z\",\"response\":\"\",\"done\":true,"
                + "\"done_reason\":\"length\",\"context\":[1,2,3],\"total_duration\":123456789,\"load_duration\":1000,"
                + "\"prompt_eval_count\":" + promptTokens + ",\"prompt_eval_duration\":2000000,\"eval_count\":" + gapsNs.length
                + ",\"eval_duration\":100000000}\n"));
        return new Script(200, lines);
    }

    /**
     * A llama-server native {@code /completion} stream with return_tokens and timings_per_token: one
     * event per token with its id and cumulative timings, then {@code stop:true}.
     */
    public static Script llama(long[] gapsNs, int promptTokens) {
        List<Line> lines = new ArrayList<>(gapsNs.length + 1);
        for (int i = 0; i < gapsNs.length; i++) {
            lines.add(new Line(gapsNs[i], "data: {\"index\":0,\"content\":\" tok" + i + "\",\"tokens\":[" + (2000 + i)
                    + "],\"stop\":false,\"id_slot\":0,\"tokens_predicted\":" + (i + 1) + ",\"tokens_evaluated\":" + promptTokens
                    + ",\"timings\":" + timings(promptTokens, i + 1) + "}\n\n"));
        }
        int n = gapsNs.length;
        lines.add(new Line(0, "data: {\"index\":0,\"content\":\"\",\"tokens\":[],\"id_slot\":0,\"stop\":true,\"model\":\"loopback-model\","
                + "\"tokens_predicted\":" + n + ",\"tokens_evaluated\":" + promptTokens + ",\"stop_type\":\"limit\",\"timings\":"
                + timings(promptTokens, n) + "}\n\n"));
        return new Script(200, lines);
    }

    private static String timings(int promptN, int predictedN) {
        return "{\"cache_n\":0,\"prompt_n\":" + promptN + ",\"prompt_ms\":12.5,\"prompt_per_token_ms\":0.1,\"prompt_per_second\":1000.0,"
                + "\"predicted_n\":" + predictedN + ",\"predicted_ms\":" + (predictedN * 10.0) + ",\"predicted_per_token_ms\":10.0,"
                + "\"predicted_per_second\":100.0}";
    }

    /** @return {@code n} equal gaps */
    public static long[] gaps(int n, long gapNs) {
        long[] g = new long[n];
        java.util.Arrays.fill(g, gapNs);
        return g;
    }
}
