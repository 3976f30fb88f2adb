package dev.edgebench.load;

import dev.edgebench.engine.FinishReason;
import dev.edgebench.engine.PolledEvents;
import dev.edgebench.engine.RequestSpec;
import dev.edgebench.engine.StreamingEngine;
import dev.edgebench.run.RunFolder;
import dev.edgebench.latency.RequestMetrics;
import dev.edgebench.latency.RequestTimeline;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Drives batches of requests through any {@link StreamingEngine} from one thread: the closed loop
 * keeps {@code concurrency} requests in flight until {@code requests} are done; the open loop sends
 * each request at its time in a seeded arrival schedule ({@link Arrivals}), at most
 * {@code concurrency} in flight (a request due while the limit is reached waits, and its latency
 * still counts from its scheduled time). Everything a batch needs (prompts, lengths, schedule,
 * timelines) is made before its first request; the loop that submits, polls and records allocates
 * nothing per token or per event. Token arrival times are the events' receive times
 * ({@link PolledEvents#recvNs}), stamped where the tokens arrived, so a late poll does not shift them.
 *
 * <p>Not thread-safe; owns neither the engine nor the clock.
 */
public final class RequestDriver {
    /** Longest single wait for events, ms: bounds how late the stall check runs. */
    private static final int POLL_MS = 50;

    private final StreamingEngine engine;
    private final LoadClock clock;
    private final PolledEvents events;
    private int batchNo;
    private volatile boolean interrupted;

    /** @param engine an open engine (the caller closes it) */
    public RequestDriver(StreamingEngine engine, LoadClock clock) {
        this.engine = engine;
        this.clock = clock;
        this.events = new PolledEvents(engine.eventCapacity(), 4096);
    }

    /**
     * Asks the batch in progress to stop, from any thread (a shutdown hook at Ctrl-C): within one
     * poll ({@value #POLL_MS} ms at most) it issues nothing more, cancels every request in flight,
     * records them as cancelled ({@link FinishReason#CANCELLED}, error {@link #INTERRUPTED}) and
     * returns; so does every later {@link #run}, at once.
     */
    public void interrupt() {
        interrupted = true;
    }

    /** The error text of a request cancelled by {@link #interrupt}. */
    public static final String INTERRUPTED = "interrupted: cancelled in flight";

    /**
     * Runs the warm-up requests (closed loop, left out), then the measured batch.
     *
     * @param iteration stored in every record (the JMH iteration), 0 outside a benchmark
     */
    public BatchResult run(LoadSpec spec, int iteration) {
        if (spec.warmupRequests() > 0) {
            LoadSpec w = new LoadSpec(spec.concurrency(), 0, 1, spec.warmupRequests(), 0, 0, spec.nPrompt(), spec.promptRange(),
                    spec.nGen(), spec.genRange(), ~spec.seed(), spec.slo(), spec.nVocab(), spec.bosId(), spec.stallNs());
            new Batch(w).run();
        }
        Batch b = new Batch(spec);
        b.run();
        return b.result(iteration);
    }

    /** One batch's plan and state; arrays indexed by the request's place in the batch. */
    private final class Batch {
        final LoadSpec spec;
        final int n;
        final long tagBase;
        final RequestSpec[] requests;
        final long[] offsetNs;
        final RequestTimeline[] timelines;
        final long[] ids;
        final FinishReason[] finish;
        final String[] errors;
        final long[] engineFirst;
        final long[] engineLast;
        final boolean[] live;
        /** Closed loop: when each slot became free (a FIFO, one entry per free slot), so a request counts from then. */
        final long[] freedNs;
        int freedHead;
        int freedTail;
        long startNs;
        int issued;

        Batch(LoadSpec spec) {
            this.spec = spec;
            this.n = spec.requests();
            // the batch number in the tag's high half: events of an earlier batch (a request cancelled at a stall) are ignored
            this.tagBase = (long) (++batchNo) << 32;
            SplittableRandom rng = new SplittableRandom(spec.seed());
            requests = new RequestSpec[n];
            timelines = new RequestTimeline[n];
            for (int i = 0; i < n; i++) {
                int p = Prompts.length(spec.nPrompt(), spec.promptRange(), rng);
                int g = Prompts.length(spec.nGen(), spec.genRange(), rng);
                requests[i] = RequestSpec.greedy(Prompts.prompt(spec.nVocab(), spec.bosId(), p, rng), g, tagBase | i);
                timelines[i] = new RequestTimeline(g);
            }
            offsetNs = spec.openLoop() ? Arrivals.offsetsNs(spec.ratePerS(), spec.burstiness(), n, rng.nextLong()) : new long[n];
            ids = new long[n];
            finish = new FinishReason[n];
            errors = new String[n];
            engineFirst = new long[n];
            engineLast = new long[n];
            live = new boolean[n];
            freedNs = new long[n + spec.concurrency()];
        }

        void run() {
            int inFlight = 0;
            int done = 0;
            int limit = n;  // planned requests; a duration can end the plan early
            startNs = clock.nowNs();
            for (int s = 0; s < spec.concurrency(); s++) {
                freedNs[freedTail++] = startNs;
            }
            long lastProgress = startNs;
            long stopIssuing = spec.durationNs() > 0 ? startNs + spec.durationNs() : Long.MAX_VALUE;
            while (true) {
                if (interrupted) {
                    cancelInFlight();
                    return;
                }
                long now = clock.nowNs();
                while (issued < limit && inFlight < spec.concurrency()) {
                    // closed loop: from the moment the slot freed (the final event's arrival), not from when the loop saw it
                    long sched = spec.openLoop() ? startNs + offsetNs[issued] : freedNs[freedHead];
                    if (sched >= stopIssuing) {
                        limit = issued;
                        break;
                    }
                    if (sched > now) {
                        break;
                    }
                    if (!spec.openLoop()) {
                        freedHead++;
                    }
                    if (submit(issued, sched)) {
                        inFlight++;
                    } else {
                        done++;
                        freedNs[freedTail++] = clock.nowNs();  // refused: the slot is free again at once
                    }
                    issued++;
                    lastProgress = now;
                }
                if (issued == limit && done == issued) {
                    return;
                }
                // wait: until the next arrival when one could be sent, else for events
                int timeoutMs = POLL_MS;
                long nextNs = Long.MAX_VALUE;
                if (spec.openLoop() && issued < limit && inFlight < spec.concurrency()) {
                    nextNs = startNs + offsetNs[issued];
                    timeoutMs = (int) Math.max(0, Math.min(POLL_MS, (nextNs - clock.nowNs()) / 1_000_000));
                }
                int got;
                try {
                    got = engine.poll(timeoutMs, events);
                } catch (RuntimeException e) {
                    failInFlight("the engine failed: " + e.getMessage());
                    return;
                }
                if (got == 0 && timeoutMs == 0 && nextNs != Long.MAX_VALUE) {
                    clock.parkUntil(nextNs);  // less than a millisecond to the next arrival
                }
                for (int k = 0; k < got; k++) {
                    if (take(k)) {
                        inFlight--;
                        done++;
                        freedNs[freedTail++] = events.recvNs(k);
                    }
                }
                now = clock.nowNs();
                if (got > 0) {
                    lastProgress = now;
                } else if (inFlight > 0 && now - lastProgress > spec.stallNs()) {
                    failInFlight("no event for " + spec.stallNs() / 1_000_000 + " ms: cancelled");
                    return;
                }
            }
        }

        /** @return whether the engine took request i */
        private boolean submit(int i, long sched) {
            RequestTimeline t = timelines[i];
            t.reset(sched);
            t.sent(clock.nowNs());
            try {
                ids[i] = engine.submit(requests[i]);
                live[i] = true;
                return true;
            } catch (RuntimeException e) {
                errors[i] = "refused: " + e.getMessage();
                t.finish(clock.nowNs(), true);
                return false;
            }
        }

        /** Records event k; @return whether it ended a live request of this batch */
        private boolean take(int k) {
            long tag = events.clientTag(k);
            if ((tag & 0xFFFF_FFFF_0000_0000L) != tagBase) {
                return false;
            }
            int i = (int) (tag & 0xFFFF_FFFFL);
            if (i < 0 || i >= n || !live[i]) {
                return false;
            }
            RequestTimeline t = timelines[i];
            long recv = events.recvNs(k);
            t.chunk(recv, events.tokenCount(k));
            if (events.hasPerf(k)) {
                engineFirst[i] = events.firstTokenNs(k);
                engineLast[i] = events.lastTokenNs(k);
            }
            if (!events.isFinal(k)) {
                return false;
            }
            boolean failed = events.hasError(k);
            finish[i] = events.finishReason(k);
            if (failed) {
                String text = engine.errorText(events.requestId(k));
                errors[i] = text == null || text.isEmpty() ? "the engine reported an error" : text;
            }
            t.finish(recv, failed);
            live[i] = false;
            return true;
        }

        /** Cancels every live request and records it as cancelled by {@link #interrupt}. */
        private void cancelInFlight() {
            failInFlight(INTERRUPTED);
            for (int i = 0; i < issued; i++) {
                if (INTERRUPTED.equals(errors[i])) {
                    finish[i] = FinishReason.CANCELLED;
                }
            }
        }

        /** Cancels every live request and records it as failed with {@code why}. */
        private void failInFlight(String why) {
            long now = clock.nowNs();
            for (int i = 0; i < issued; i++) {
                if (live[i]) {
                    try {
                        engine.cancel(ids[i]);
                    } catch (RuntimeException ignored) {
                        // the engine is gone: the request is recorded as failed either way
                    }
                    errors[i] = why;
                    timelines[i].finish(now, true);
                    live[i] = false;
                }
            }
        }

        BatchResult result(int sample) {
            int count = issued;
            List<RequestTimeline> measured = new ArrayList<>(count);
            List<RequestRecord> records = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                measured.add(timelines[i]);
            }
            RequestMetrics.BatchStats stats = RequestMetrics.batch(measured, spec.slo());
            for (int i = 0; i < count; i++) {
                records.add(record(sample, i));
            }
            return new BatchResult(spec, startNs, List.copyOf(measured), List.copyOf(records), stats, interrupted);
        }

        /** The engine's own figures for a request it took (a server's usage and timings), or null. */
        private com.fasterxml.jackson.databind.JsonNode engineFigures(long id) {
            if (id == 0) {
                return null;
            }
            String json = engine.requestFiguresJson(id);
            if (json == null || json.isBlank()) {
                return null;
            }
            try {
                return RunFolder.json().readTree(json);
            } catch (java.io.IOException e) {
                return RunFolder.json().getNodeFactory().textNode(json);
            }
        }

        private RequestRecord record(int sample, int i) {
            RequestTimeline t = timelines[i];
            int[] chunkSizes = new int[t.chunks()];
            for (int c = 0; c < chunkSizes.length; c++) {
                chunkSizes[c] = t.chunkTokens(c);
            }
            long[] arrivals = new long[t.tokens()];
            for (int k = 0; k < arrivals.length; k++) {
                arrivals[k] = t.tokenNs(k) - t.scheduledNs();
            }
            String reason = finish[i] == null ? "NONE" : finish[i].name();
            return new RequestRecord(sample, i, ids[i], requests[i].prompt().length, requests[i].maxNewTokens(),
                    t.scheduledNs() - startNs, t.scheduledNs(), t.sentNs(), RequestMetrics.issueDelayNs(t), t.firstTokenNs(),
                    t.lastTokenNs(), t.endNs(), t.tokens(), t.chunks(), chunkSizes, arrivals, RequestMetrics.ttftNs(t),
                    RequestMetrics.tpotNs(t), RequestMetrics.e2eNs(t), reason, errors[i], engineFirst[i], engineLast[i],
                    spec.slo().meets(t), engineFigures(ids[i]));
        }
    }
}
