package dev.edgebench.engine.http;

import dev.edgebench.engine.FinishReason;
import dev.edgebench.engine.PolledEvents;
import dev.edgebench.engine.StreamingEngine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Polls an engine until given requests have ended (bounded by a deadline) and keeps copies of the events. */
final class Drain {
    record Event(long requestId, long clientTag, long recvNs, int[] tokens, boolean isFinal, boolean hasError, FinishReason finish) {
        int nTok() {
            return tokens.length;
        }
    }

    private Drain() {
    }

    static List<Event> until(StreamingEngine e, long timeoutMs, long... requestIds) {
        Set<Long> open = new HashSet<>();
        for (long id : requestIds) {
            open.add(id);
        }
        List<Event> out = new ArrayList<>();
        PolledEvents ev = new PolledEvents(e.eventCapacity(), 64);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            int n = e.poll(50, ev);
            for (int i = 0; i < n; i++) {
                int[] t = new int[ev.tokenCount(i)];
                for (int k = 0; k < t.length; k++) {
                    t[k] = ev.token(ev.tokenOffset(i) + k);
                }
                out.add(new Event(ev.requestId(i), ev.clientTag(i), ev.recvNs(i), t, ev.isFinal(i), ev.hasError(i), ev.finishReason(i)));
                if (ev.isFinal(i)) {
                    open.remove(ev.requestId(i));
                }
            }
        }
        if (!open.isEmpty()) {
            throw new AssertionError("requests " + open + " did not end within " + timeoutMs + " ms; events: " + out);
        }
        return out;
    }

    static List<Event> of(List<Event> events, long requestId) {
        return events.stream().filter(x -> x.requestId() == requestId).toList();
    }

    static Event last(List<Event> events, long requestId) {
        List<Event> r = of(events, requestId);
        return r.get(r.size() - 1);
    }

    static String tokens(List<Event> events) {
        return Arrays.toString(events.stream().filter(x -> !x.isFinal()).flatMapToInt(x -> Arrays.stream(x.tokens())).toArray());
    }
}
