package dev.edgebench.speculative;

import java.util.List;

/**
 * A named draft/target pair that shares a tokenizer ({@code --pair NAME}): the seed's pairs and
 * CPU-sized ones. Synthetic weights make the real agreement of two different models meaningless,
 * so the seed pairs are meant for synthetic acceptance ({@code --accept-rate}); the self pairs
 * (one catalog model and seed at two precisions) agree in part for real.
 *
 * @param name        what {@code --pair} takes
 * @param target      catalog {@code NAME:TYPE} of the verifying model
 * @param draft       catalog {@code NAME:TYPE} of the drafting model
 * @param description what it is for
 */
public record SpeculativePair(String name, String target, String draft, String description) {
    /** The built-in pairs. */
    public static final List<SpeculativePair> ALL = List.of(
            new SpeculativePair("llama3", "Llama-3.1-8B:Q4_0", "Llama-3.2-1B:Q4_0",
                    "the seed's pair: Llama-3.2-1B drafting for Llama-3.1-8B (llama-bpe, 128,256 tokens)"),
            new SpeculativePair("qwen3", "Qwen3-8B:Q4_0", "Qwen3-0.6B:Q4_0",
                    "the seed's pair: Qwen3-0.6B drafting for Qwen3-8B (qwen2, 151,936 tokens)"),
            new SpeculativePair("qwen3-self", "Qwen3-0.6B:F16", "Qwen3-0.6B:Q4_0",
                    "CPU-sized self draft: Qwen3-0.6B at Q4_0 drafting for its own F16 weights"),
            new SpeculativePair("tiny-self", "edgebench-tiny:F16", "edgebench-tiny:Q4_0",
                    "test-sized self draft: edgebench-tiny at Q4_0 drafting for its own F16 weights (seconds on a CPU)"));

    /**
     * @throws IllegalArgumentException naming the known pairs
     */
    public static SpeculativePair named(String name) {
        for (SpeculativePair p : ALL) {
            if (p.name.equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("--pair: unknown pair '" + name + "'; known: " + ALL.stream().map(SpeculativePair::name)
                .toList());
    }
}
