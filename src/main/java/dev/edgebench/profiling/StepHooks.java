package dev.edgebench.profiling;

import dev.edgebench.engine.StepSession;
import dev.edgebench.run.ProfileHooks;

import java.util.function.Supplier;

/**
 * Installs the in-process profiling hooks that {@link ProfileHooks} switches on in this JVM
 * (system properties {@code edgebench.nvtx}, {@code edgebench.jfr}): NVTX ranges and JFR events
 * around model load and each step. With both off, {@link #wrap} returns the session itself and
 * {@link #load} only calls its supplier: the profiling code is not on the path at all.
 *
 * @param nvtx NVTX ranges ({@link Nvtx}; the library is loaded when this is made)
 * @param jfr  JFR {@link StepEvent}s
 */
public record StepHooks(boolean nvtx, boolean jfr) {
    /** Hooks off. */
    public static final StepHooks NONE = new StepHooks(false, false);

    public StepHooks {
        if (nvtx) {
            Nvtx.load();
        }
    }

    /**
     * @return the hooks this JVM's system properties ask for
     * @throws IllegalStateException when NVTX is asked for and its library is missing
     */
    public static StepHooks fromSystemProperties() {
        boolean n = ProfileHooks.enabled(ProfileHooks.NVTX_PROPERTY);
        boolean j = ProfileHooks.enabled(ProfileHooks.JFR_PROPERTY);
        return n || j ? new StepHooks(n, j) : NONE;
    }

    /** @return whether any hook is on */
    public boolean any() {
        return nvtx || jfr;
    }

    /** @return the session with the hooks around its steps, or the session itself when none is on (ownership passes) */
    public StepSession wrap(StepSession session) {
        return any() ? new ProfiledStepSession(session, nvtx, jfr) : session;
    }

    /**
     * Runs a model load (engine and context creation) inside a "load" range and event.
     *
     * @param nSeq the batch the context is made for, for the event
     */
    public <T> T load(Supplier<T> opening, int nSeq) {
        if (!any()) {
            return opening.get();
        }
        StepEvent e = jfr ? new StepEvent() : null;
        if (e != null) {
            e.begin();
        }
        if (nvtx) {
            Nvtx.push(Nvtx.LOAD);
        }
        try {
            return opening.get();
        } finally {
            if (nvtx) {
                Nvtx.pop();
            }
            if (e != null && e.shouldCommit()) {
                e.phase = "load";
                e.batch = nSeq;
                e.commit();
            }
        }
    }
}
