package dev.edgebench.profiling;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One step of a step session as a JFR event: its duration (JFR's own start and duration, on
 * JFR's ticks clock), phase, the tokens it processed and the batch. Committed by
 * {@link ProfiledStepSession} on the thread that ran the step; no stack trace is taken (one per
 * decode step would cost more than the step's own Java side).
 */
@Name("edgebench.Step")
@Label("edgebench step")
@Category({"edgebench"})
@Description("One load, warm-up, prefill or decode step of an edgebench step session")
@StackTrace(false)
public final class StepEvent extends Event {
    @Label("Phase")
    @Description("load, warmup, prefill or decode")
    public String phase;
    @Label("Tokens")
    @Description("tokens processed by the step, over all sequences")
    public int tokens;
    @Label("Batch")
    @Description("parallel sequences")
    public int batch;
    @Label("Position")
    @Description("tokens in every sequence's cache before the step")
    public int position;
}
