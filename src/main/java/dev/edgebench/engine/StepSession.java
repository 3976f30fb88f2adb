package dev.edgebench.engine;

/**
 * An open model + context of a step engine: the caller drives prefill and each decode step
 * itself, so it can time each one. All sequences advance together; {@link #position()} is the
 * shared depth. Every method returns only when the engine's work is complete (synchronized), so
 * a clock read after it measures the work.
 *
 * <p>{@link #prefill} and {@link #decodeStep} are the measured path: implementations allocate
 * nothing there. Not thread-safe.
 */
public interface StepSession extends AutoCloseable {
    /** @return parallel sequences */
    int nSeq();

    /** @return context tokens per sequence */
    int nCtxPerSeq();

    /** @return vocabulary size */
    int nVocab();

    /** @return tokens already in every sequence's cache */
    int position();

    /**
     * Processes {@code nTokens} prompt tokens (seeded random ids) for every sequence, from
     * {@link #position()}, in chunks of the engine's batch size; the last token of each sequence
     * yields logits.
     *
     * @throws IllegalArgumentException when the tokens do not fit the context
     */
    void prefill(int nTokens);

    /**
     * Generates one token for every sequence: feeds one token per sequence (seeded random, or
     * the greedy choice when the session samples) and runs the model.
     *
     * @throws IllegalStateException when the context is full
     */
    void decodeStep();

    /** Drops cached tokens so that {@link #position()} becomes {@code depth} (0 = empty). */
    void truncate(int depth);

    /** Runs one untimed prompt batch and one decode step so that lazy allocations happen before timing. */
    void warmup();

    @Override
    void close();
}
