package dev.edgebench.profiling;

import dev.edgebench.engine.StepSession;

/**
 * A {@link StepSession} with profiling hooks around its steps: an NVTX range and/or a JFR
 * {@link StepEvent} per warm-up, prefill and decode step. Installed by {@link StepHooks#wrap} only
 * when a hook is on, so that a session without hooks runs the undecorated path.
 *
 * <p>Owns the wrapped session (closing this closes it). Not thread-safe, like the session. With
 * JFR events on, each step makes one event object, which escape analysis removes once compiled
 * while no recording takes the event ({@code HookOverheadBenchmark}: 2.4 ns per step then, 94 ns
 * with a recording); with only NVTX on, the step path allocates nothing.
 */
final class ProfiledStepSession implements StepSession {
    private final StepSession inner;
    private final boolean nvtx;
    private final boolean jfr;

    ProfiledStepSession(StepSession inner, boolean nvtx, boolean jfr) {
        this.inner = inner;
        this.nvtx = nvtx;
        this.jfr = jfr;
    }

    /** @return the session under the hooks */
    StepSession inner() {
        return inner;
    }

    @Override
    public int nSeq() {
        return inner.nSeq();
    }

    @Override
    public int nCtxPerSeq() {
        return inner.nCtxPerSeq();
    }

    @Override
    public int nVocab() {
        return inner.nVocab();
    }

    @Override
    public int position() {
        return inner.position();
    }

    @Override
    public void prefill(int nTokens) {
        int at = inner.position();
        StepEvent e = begin();
        if (nvtx) {
            Nvtx.push(Nvtx.PREFILL);
        }
        try {
            inner.prefill(nTokens);
        } finally {
            if (nvtx) {
                Nvtx.pop();
            }
        }
        commit(e, "prefill", nTokens * inner.nSeq(), at);
    }

    @Override
    public void decodeStep() {
        int at = inner.position();
        StepEvent e = begin();
        if (nvtx) {
            Nvtx.push(Nvtx.DECODE);
        }
        try {
            inner.decodeStep();
        } finally {
            if (nvtx) {
                Nvtx.pop();
            }
        }
        commit(e, "decode", inner.nSeq(), at);
    }

    @Override
    public void warmup() {
        int at = inner.position();
        StepEvent e = begin();
        if (nvtx) {
            Nvtx.push(Nvtx.WARMUP);
        }
        try {
            inner.warmup();
        } finally {
            if (nvtx) {
                Nvtx.pop();
            }
        }
        commit(e, "warmup", 0, at);
    }

    @Override
    public void truncate(int depth) {
        inner.truncate(depth);
    }

    @Override
    public void close() {
        inner.close();
    }

    private StepEvent begin() {
        if (!jfr) {
            return null;
        }
        StepEvent e = new StepEvent();
        e.begin();
        return e;
    }

    private void commit(StepEvent e, String phase, int tokens, int position) {
        if (e == null) {
            return;
        }
        e.end();
        if (e.shouldCommit()) {
            e.phase = phase;
            e.tokens = tokens;
            e.batch = inner.nSeq();
            e.position = position;
            e.commit();
        }
    }
}
