package dev.edgebench.engine;

import dev.edgebench.latency.TokenTimeline;

/**
 * Drives a {@link StepSession} as a {@link RequestEngine}: clear, prefill the prompt, then
 * decode token by token, stamping each arrival. Used for end-to-end generation benchmarks and for
 * A/B against request engines.
 */
public final class StepRequestEngine implements RequestEngine {
    private final StepSession session;

    public StepRequestEngine(StepSession session) {
        this.session = session;
    }

    @Override
    public void generate(int nPrompt, int nGen, TokenTimeline timeline) {
        session.truncate(0);
        long start = System.nanoTime();
        timeline.reset(start, nPrompt);
        session.prefill(nPrompt);
        long t = System.nanoTime();
        timeline.prefillEnd(t);
        // the first token's logits come out of prefill: it has arrived when prefill ends
        timeline.tokenAll(t);
        for (int i = 1; i < nGen; i++) {
            session.decodeStep();
            timeline.tokenAll(System.nanoTime());
        }
    }

    @Override
    public void close() {
        session.close();
    }
}
