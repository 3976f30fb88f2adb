package dev.edgebench.load;

import dev.edgebench.engine.FinishReason;
import dev.edgebench.engine.PolledEvents;
import dev.edgebench.engine.RequestSpec;
import dev.edgebench.engine.StreamingEngine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A streaming engine on virtual time, for exact driver tests: each submitted request replays a
 * script of steps (a delay, then an event with some tokens, final or not, or an error), and
 * {@link #poll} moves the shared {@link Clock} to the next due event instead of waiting. Test code.
 */
final class VirtualEngine implements StreamingEngine {
    /** The shared virtual clock: the driver's {@link LoadClock} and the engine's time. */
    static final class Clock implements LoadClock {
        long now = 1_000_000_000L;

        @Override
        public long nowNs() {
            return now;
        }

        @Override
        public void parkUntil(long deadlineNs) {
            now = Math.max(now, deadlineNs);
        }
    }

    /** One step: after {@code delayNs} (from the previous step, or from the submit), an event. */
    record Step(long delayNs, int tokens, boolean isFinal, FinishReason reason, String error, boolean hold) {
        static Step tokens(long delayMs, int n) {
            return new Step(delayMs * 1_000_000, n, false, FinishReason.NOT_FINISHED, null, false);
        }

        static Step last(long delayMs, int n) {
            return new Step(delayMs * 1_000_000, n, true, FinishReason.LENGTH, null, false);
        }

        static Step error(long delayMs, String text) {
            return new Step(delayMs * 1_000_000, 0, true, FinishReason.UNKNOWN, text, false);
        }

        static Step holding() {
            return new Step(0, 0, false, FinishReason.NOT_FINISHED, null, true);
        }
    }

    private record Live(long id, long tag, List<Step> steps, int[] next, long[] dueNs) {
    }

    final Clock clock;
    private final IntFunction<List<Step>> script;
    private final List<Live> live = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    final List<RequestSpec> submitted = new ArrayList<>();
    final List<Long> cancelled = new ArrayList<>();
    int refuseNth = -1;
    private long nextId = 1;

    /** @param script the steps of the n-th submitted request (0-based) */
    VirtualEngine(Clock clock, IntFunction<List<Step>> script) {
        this.clock = clock;
        this.script = script;
    }

    @Override
    public long submit(RequestSpec request) {
        int nth = submitted.size();
        submitted.add(request);
        if (nth == refuseNth) {
            throw new IllegalArgumentException("queue full");
        }
        List<Step> steps = script.apply(nth);
        long id = nextId++;
        live.add(new Live(id, request.clientTag(), steps, new int[]{0}, new long[]{clock.now + steps.get(0).delayNs()}));
        errors.add(null);
        return id;
    }

    @Override
    public boolean cancel(long requestId) {
        cancelled.add(requestId);
        return live.removeIf(l -> l.id() == requestId);
    }

    @Override
    public int poll(int timeoutMs, PolledEvents out) {
        out.clear();
        long due = Long.MAX_VALUE;
        for (Live l : live) {
            if (!l.steps().get(l.next()[0]).hold()) {
                due = Math.min(due, l.dueNs()[0]);
            }
        }
        long deadline = clock.now + timeoutMs * 1_000_000L;
        if (due > deadline) {
            clock.now = deadline;
            return 0;
        }
        clock.now = Math.max(clock.now, due);
        boolean released = true;
        while (released && !out.full()) {
            released = false;
            Live best = null;
            for (Live l : live) {
                Step s = l.steps().get(l.next()[0]);
                if (!s.hold() && l.dueNs()[0] <= clock.now && (best == null || l.dueNs()[0] < best.dueNs()[0])) {
                    best = l;
                }
            }
            if (best != null) {
                Step s = best.steps().get(best.next()[0]++);
                int off = -1;
                for (int t = 0; t < s.tokens(); t++) {
                    int o = out.appendToken(t + 1);
                    off = off < 0 ? o : off;
                }
                out.appendEvent(best.id(), best.tag(), clock.now, 0, 0, 0, 0, Math.max(0, off), s.tokens(), s.isFinal(),
                        s.reason().code(), s.error() != null, false, 0);
                if (s.error() != null) {
                    errors.set((int) best.id() - 1, s.error());
                }
                if (s.isFinal()) {
                    live.remove(best);
                } else {
                    best.dueNs()[0] = best.dueNs()[0] + best.steps().get(best.next()[0]).delayNs();
                }
                released = true;
            }
        }
        return out.count();
    }

    @Override
    public String errorText(long requestId) {
        return errors.get((int) requestId - 1);
    }

    @Override
    public long nowNs() {
        return clock.now;
    }

    @Override
    public int eventCapacity() {
        return 16;
    }

    @Override
    public void close() {
    }
}
