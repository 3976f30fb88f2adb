package dev.edgebench.engine;

import dev.edgebench.latency.TokenTimeline;

/**
 * An engine that takes a whole request and streams tokens back (TensorRT-LLM's executor,
 * TensorRT Edge-LLM, a server), or a {@link StepEngine} driven that way
 * ({@link StepRequestEngine}). Its output is a {@link TokenTimeline}.
 */
public interface RequestEngine extends AutoCloseable {
    /**
     * Generates {@code nGen} tokens for each of the engine's sequences after an {@code nPrompt}
     * token prompt, filling {@code timeline} (which it resets first).
     */
    void generate(int nPrompt, int nGen, TokenTimeline timeline);

    @Override
    void close();
}
