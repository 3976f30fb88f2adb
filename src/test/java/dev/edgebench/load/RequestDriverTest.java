package dev.edgebench.load;

import dev.edgebench.latency.RequestMetrics;
import dev.edgebench.latency.RequestTimeline;
import dev.edgebench.latency.Slo;
import dev.edgebench.latency.TokenClock;
import dev.edgebench.run.RunFolder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static dev.edgebench.load.VirtualEngine.Step;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request driver against an engine on virtual time: scripted chunk timings give exact TTFT,
 * ITL, ICL, TPOT, E2E, throughput and schedule figures; errors, refusals and stalls are recorded.
 */
class RequestDriverTest {
    private static final long MS = 1_000_000;

    /** First token after 100 ms, then a 3-token chunk 30 ms later, a 1-token chunk 10 ms later, a token-less final. */
    private static List<Step> chunked(int nth) {
        return List.of(Step.tokens(100, 1), Step.tokens(30, 3), Step.tokens(10, 1), Step.last(0, 0));
    }

    /**
     * Ctrl-C mid-batch: the driver is interrupted from another thread's point of view (here, by the
     * engine's 6th poll): the finished requests keep their figures, the two in flight are cancelled in
     * the engine and recorded as CANCELLED, the rest are never sent, and a later batch returns at once.
     */
    @Test
    void anInterruptedBatchCancelsWhatIsInFlightAndRecordsItAsCancelled() {
        VirtualEngine.Clock clock = new VirtualEngine.Clock();
        // request 0 finishes at once; the others stream a token every 10 ms for ever
        VirtualEngine inner = new VirtualEngine(clock, nth -> nth == 0 ? List.of(Step.last(5, 3))
                : java.util.stream.IntStream.range(0, 1000).mapToObj(k -> Step.tokens(10, 1)).toList());
        RequestDriver[] driver = new RequestDriver[1];
        int[] polls = {0};
        dev.edgebench.engine.StreamingEngine engine = new dev.edgebench.engine.StreamingEngine() {
            public long submit(dev.edgebench.engine.RequestSpec r) {
                return inner.submit(r);
            }

            public boolean cancel(long id) {
                return inner.cancel(id);
            }

            public int poll(int timeoutMs, dev.edgebench.engine.PolledEvents out) {
                if (++polls[0] == 6) {
                    driver[0].interrupt();
                }
                return inner.poll(timeoutMs, out);
            }

            public String errorText(long id) {
                return inner.errorText(id);
            }

            public long nowNs() {
                return inner.nowNs();
            }

            public int eventCapacity() {
                return inner.eventCapacity();
            }

            public void close() {
            }
        };
        driver[0] = new RequestDriver(engine, clock);
        BatchResult r = driver[0].run(LoadSpec.closed(2, 10, 16, 3, 1000, 42), 3);
        assertTrue(r.interrupted());
        assertEquals(3, r.records().size(), "the finished request and the two in flight; the rest were never sent");
        assertEquals(3, inner.submitted.size());
        assertEquals("LENGTH", r.records().get(0).finishReason());
        assertNull(r.records().get(0).error());
        for (RequestRecord rec : r.records().subList(1, 3)) {
            assertEquals("CANCELLED", rec.finishReason(), rec::toString);
            assertEquals(RequestDriver.INTERRUPTED, rec.error());
            assertTrue(rec.tokens() > 0, "its tokens so far are kept: " + rec);
        }
        assertEquals(2, inner.cancelled.size(), "both in flight were cancelled in the engine");
        BatchResult next = driver[0].run(LoadSpec.closed(2, 10, 16, 3, 1000, 43), 4);
        assertTrue(next.interrupted() && next.records().isEmpty(), "a later batch sends nothing");
    }

    @Test
    void closedLoopGivesExactChunkedFigures() {
        VirtualEngine.Clock clock = new VirtualEngine.Clock();
        VirtualEngine engine = new VirtualEngine(clock, RequestDriverTest::chunked);
        LoadSpec spec = LoadSpec.closed(2, 3, 16, 5, 1000, 42);
        BatchResult r = new RequestDriver(engine, clock).run(spec, 7);

        assertEquals(3, r.records().size());
        for (RequestRecord rec : r.records()) {
            assertEquals(7, rec.iteration());
            assertEquals(100 * MS, rec.ttftNs(), "TTFT from the scheduled start");
            assertEquals(140 * MS, rec.e2eNs());
            assertEquals(10.0 * MS, rec.tpotNs(), 1e-9, "(140 - 100) ms / (5 - 1)");
            assertEquals(5, rec.tokens());
            assertEquals(3, rec.chunks(), "the token-less final is not a chunk");
            assertArrayEquals(new int[]{1, 3, 1}, rec.chunkSizes());
            assertArrayEquals(new long[]{100 * MS, 130 * MS, 130 * MS, 130 * MS, 140 * MS}, rec.tokenArrivalsNs());
            assertEquals("LENGTH", rec.finishReason());
            assertNull(rec.error());
            assertEquals(0, rec.issueDelayNs());
        }
        // two at once, the third when the first slot frees (closed loop)
        assertEquals(0, r.records().get(0).scheduleOffsetNs());
        assertEquals(0, r.records().get(1).scheduleOffsetNs());
        assertEquals(140 * MS, r.records().get(2).scheduleOffsetNs());

        RequestMetrics.BatchStats s = r.stats();
        assertEquals(280 * MS, s.durationNs());
        assertEquals(15, s.outputTokens());
        assertEquals(3 / 0.28, s.requestsPerS(), 1e-9);
        assertEquals(15 / 0.28, s.outputTokPerS(), 1e-9);
        assertEquals(0, s.errorRate());
        assertEquals(1.0, s.goodFraction(), "no SLO: every successful request is good");
        // decode: 4 tokens after each first; busy [100,140] and [240,280] ms = 80 ms for 12 tokens
        assertEquals(12 / 0.08, s.decodeTokPerS(), 1e-6);

        Recorders rec = new Recorders();
        r.timelines().forEach(t -> RequestMetrics.record(t, rec.recorders));
        Histogram itl = rec.itl.getIntervalHistogram();
        assertEquals(12, itl.getTotalCount(), "tokens - 1 ITL values per request");
        assertEquals(10 * MS, itl.getValueAtPercentile(0), 10 * MS / 1000, "a 3-token chunk after 30 ms: three 10 ms values");
        assertEquals(10 * MS, itl.getMaxValue(), 10 * MS / 1000);
        Histogram icl = rec.icl.getIntervalHistogram();
        assertEquals(6, icl.getTotalCount(), "chunk gaps: 30 and 10 ms per request");
        assertEquals(3, icl.getCountBetweenValues(29 * MS, 31 * MS));
        assertEquals(3, icl.getCountBetweenValues(9 * MS, 11 * MS));
        assertEquals(3, rec.tpot.getIntervalHistogram().getTotalCount());
        assertEquals(100 * MS, rec.ttft.getIntervalHistogram().getMaxValue(), 100 * MS / 1000);
    }

    @Test
    void aFirstChunkOfSeveralTokensGivesZeroGapsAndTheMeanItlIsTheTpot() {
        RequestTimeline t = new RequestTimeline(8);
        t.reset(0);
        t.sent(0);
        t.chunk(50 * MS, 2);
        t.chunk(80 * MS, 3);
        t.finish(80 * MS, false);
        double[] itl = new double[8];
        int n = RequestMetrics.itlNs(t, itl);
        assertEquals(4, n);
        assertArrayEquals(new double[]{0, 10 * MS, 10 * MS, 10 * MS}, java.util.Arrays.copyOf(itl, n), 1e-9);
        assertEquals(7.5 * MS, RequestMetrics.tpotNs(t), 1e-9);
        assertEquals((itl[0] + itl[1] + itl[2] + itl[3]) / 4, RequestMetrics.tpotNs(t), 1e-9);
    }

    @Test
    void openLoopMeasuresFromTheScheduleWhenTheEngineFallsBehind() {
        VirtualEngine.Clock clock = new VirtualEngine.Clock();
        // every request: one token and the end after 250 ms; arrivals average 100 ms apart, one at a time
        VirtualEngine engine = new VirtualEngine(clock, nth -> List.of(Step.last(250, 1)));
        LoadSpec spec = LoadSpec.closed(1, 6, 8, 1, 1000, 3).withRate(10, 1);
        BatchResult r = new RequestDriver(engine, clock).run(spec, 1);
        List<RequestRecord> recs = r.records();
        assertEquals(6, recs.size());
        long prevEnd = 0;
        for (int i = 0; i < recs.size(); i++) {
            RequestRecord rec = recs.get(i);
            assertTrue(i == 0 || rec.scheduleOffsetNs() >= recs.get(i - 1).scheduleOffsetNs(), "the schedule ascends");
            long sent = Math.max(rec.scheduledNs(), prevEnd);
            assertEquals(sent, rec.sentNs(), "sent at its time or when the one slot freed");
            assertEquals(sent - rec.scheduledNs(), rec.issueDelayNs());
            assertEquals(sent + 250 * MS - rec.scheduledNs(), rec.ttftNs(), "latency counts from the schedule, not the send");
            prevEnd = rec.endNs();
        }
        assertTrue(r.stats().maxIssueDelayNs() > 0, "one slot at 10 req/s of 250 ms requests falls behind");
        // the same seed gives the same schedule
        VirtualEngine.Clock clock2 = new VirtualEngine.Clock();
        BatchResult again = new RequestDriver(new VirtualEngine(clock2, nth -> List.of(Step.last(250, 1))), clock2).run(spec, 1);
        for (int i = 0; i < recs.size(); i++) {
            assertEquals(recs.get(i).scheduleOffsetNs(), again.records().get(i).scheduleOffsetNs());
        }
    }

    @Test
    void errorsAndRefusalsAreRecordedAndTheOthersFinish() {
        VirtualEngine.Clock clock = new VirtualEngine.Clock();
        VirtualEngine engine = new VirtualEngine(clock, nth -> nth == 1
                ? List.of(Step.tokens(20, 1), Step.error(5, "out of KV cache"))
                : List.of(Step.tokens(20, 1), Step.last(10, 1)));
        engine.refuseNth = 2;
        BatchResult r = new RequestDriver(engine, clock).run(LoadSpec.closed(4, 4, 8, 2, 1000, 1), 1);
        List<RequestRecord> recs = r.records();
        assertEquals(4, recs.size());
        assertNull(recs.get(0).error());
        assertEquals("out of KV cache", recs.get(1).error());
        assertEquals(1, recs.get(1).tokens(), "tokens before the error are kept");
        assertTrue(recs.get(2).error().contains("refused") && recs.get(2).error().contains("queue full"), recs.get(2).error());
        assertNull(recs.get(3).error());
        assertEquals(0.5, r.stats().errorRate());
        assertEquals(2, r.stats().good());
        assertFalse(recs.get(1).good());
    }

    @Test
    void aStalledRequestIsCancelledAndRecordedAsFailed() {
        VirtualEngine.Clock clock = new VirtualEngine.Clock();
        VirtualEngine engine = new VirtualEngine(clock, nth -> nth == 0 ? List.of(Step.tokens(5, 1), Step.holding())
                : List.of(Step.last(5, 1)));
        LoadSpec spec = LoadSpec.closed(2, 2, 8, 4, 1000, 1).withLimits(0, 0, 2_000 * MS);
        BatchResult r = new RequestDriver(engine, clock).run(spec, 1);
        assertTrue(r.records().get(0).error().contains("no event for 2000 ms"), r.records().get(0).error());
        assertEquals(List.of(r.records().get(0).engineRequestId()), engine.cancelled);
        assertNull(r.records().get(1).error());
    }

    @Test
    void warmupRequestsAreLeftOutAndADurationEndsTheBatch() {
        VirtualEngine.Clock clock = new VirtualEngine.Clock();
        VirtualEngine engine = new VirtualEngine(clock, nth -> List.of(Step.last(100, 1)));
        LoadSpec spec = LoadSpec.closed(1, 50, 8, 1, 1000, 1).withLimits(3, 450 * MS, LoadSpec.DEFAULT_STALL_NS);
        BatchResult r = new RequestDriver(engine, clock).run(spec, 1);
        // 3 warm-up requests, then one every 100 ms until 450 ms: starts at 0, 100, 200, 300, 400
        assertEquals(3 + 5, engine.submitted.size());
        assertEquals(5, r.records().size());
        assertEquals(5, r.stats().requests());
    }

    @Test
    void promptsHaveExactLengthsFromTheVocabularyWithTheBosFirst() {
        VirtualEngine.Clock clock = new VirtualEngine.Clock();
        VirtualEngine engine = new VirtualEngine(clock, nth -> List.of(Step.last(1, 1)));
        LoadSpec spec = LoadSpec.closed(2, 20, 64, 32, 500, 9).withLengths(0.5, 0.25, 1);
        new RequestDriver(engine, clock).run(spec, 1);
        for (var req : engine.submitted) {
            assertTrue(req.prompt().length >= 32 && req.prompt().length <= 96, "prompt " + req.prompt().length);
            assertTrue(req.maxNewTokens() >= 24 && req.maxNewTokens() <= 40, "gen " + req.maxNewTokens());
            assertEquals(1, req.prompt()[0]);
            for (int t : req.prompt()) {
                assertTrue(t >= 0 && t < 500);
            }
        }
        assertTrue(engine.submitted.stream().mapToInt(q -> q.prompt().length).distinct().count() > 1, "drawn lengths vary");
    }

    @Test
    void recordsGoToTheRunFolderAsJsonLines(@TempDir Path dir) throws IOException {
        VirtualEngine.Clock clock = new VirtualEngine.Clock();
        BatchResult r = new RequestDriver(new VirtualEngine(clock, RequestDriverTest::chunked), clock)
                .run(LoadSpec.closed(1, 2, 4, 5, 100, 1), 3);
        RunFolder f = new RunFolder(dir);
        Path file = f.requests("RequestsBenchmark.requests[engine=llama-batched]");
        assertEquals(dir.resolve("requests").resolve("RequestsBenchmark.requests_engine=llama-batched_.jsonl"), file);
        RequestLog.append(file, r.records());
        RequestLog.append(file, r.records());
        List<RequestRecord> back = RequestLog.read(file);
        assertEquals(4, back.size());
        assertArrayEquals(r.records().get(1).tokenArrivalsNs(), back.get(1).tokenArrivalsNs());
        assertEquals(r.records().get(1).ttftNs(), back.get(3).ttftNs());
    }

    /** Recorders of the latency clock's geometry. */
    private static final class Recorders {
        final Recorder ttft = TokenClock.newRecorder();
        final Recorder itl = TokenClock.newRecorder();
        final Recorder icl = TokenClock.newRecorder();
        final Recorder tpot = TokenClock.newRecorder();
        final Recorder e2e = TokenClock.newRecorder();
        final RequestMetrics.Recorders recorders = new RequestMetrics.Recorders(ttft, itl, icl, tpot, e2e);
    }
}
