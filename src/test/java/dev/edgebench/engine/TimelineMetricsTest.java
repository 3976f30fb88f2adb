package dev.edgebench.engine;

import dev.edgebench.latency.TimelineMetrics;
import dev.edgebench.latency.TokenClock;
import dev.edgebench.latency.TokenTimeline;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TimelineMetricsTest {
    @Test
    void ttftAndPooledGapsPerSequence() {
        TokenTimeline t = new TokenTimeline(2, 4);
        t.reset(1_000, 16);
        t.prefillEnd(6_000);
        // sequence 0: tokens at 6000, 7000, 9000; sequence 1: 6500, 8500
        t.token(0, 6_000);
        t.token(1, 6_500);
        t.token(0, 7_000);
        t.token(1, 8_500);
        t.token(0, 9_000);
        Recorder ttft = TokenClock.newRecorder();
        Recorder itl = TokenClock.newRecorder();
        TimelineMetrics.record(t, ttft, itl);
        Histogram tt = ttft.getIntervalHistogram();
        Histogram it = itl.getIntervalHistogram();
        assertEquals(2, tt.getTotalCount());
        assertEquals(5_000, tt.getMinValue(), 5);
        assertEquals(5_500, tt.getMaxValue(), 5);
        assertEquals(3, it.getTotalCount());
        assertEquals(1_000, it.getMinValue(), 1);
        assertEquals(2_000, it.getMaxValue(), 2);
        assertEquals(5, TimelineMetrics.generatedTokens(t));
        assertEquals(5 * 1e9 / 8_000, TimelineMetrics.generationTokensPerSecond(t), 1e-6);
    }

    @Test
    void resetReusesWithoutOldTokens() {
        TokenTimeline t = new TokenTimeline(1, 2);
        t.reset(0, 1);
        t.tokenAll(10);
        t.tokenAll(20);
        assertThrows(IllegalStateException.class, () -> t.tokenAll(30));
        t.reset(100, 1);
        assertEquals(0, t.tokens(0));
        assertThrows(IndexOutOfBoundsException.class, () -> t.tokenNs(0, 0));
    }

    @Test
    void stepEngineFirstTokenArrivesAtPrefillEnd() {
        StepSession fake = new StepSession() {
            int pos;

            @Override
            public int nSeq() {
                return 1;
            }

            @Override
            public int nCtxPerSeq() {
                return 64;
            }

            @Override
            public int nVocab() {
                return 10;
            }

            @Override
            public int position() {
                return pos;
            }

            @Override
            public void prefill(int nTokens) {
                pos += nTokens;
            }

            @Override
            public void decodeStep() {
                pos++;
            }

            @Override
            public void truncate(int depth) {
                pos = depth;
            }

            @Override
            public void warmup() {
            }

            @Override
            public void close() {
            }
        };
        TokenTimeline t = new TokenTimeline(1, 8);
        try (StepRequestEngine e = new StepRequestEngine(fake)) {
            e.generate(5, 8, t);
        }
        assertEquals(8, t.tokens(0));
        assertEquals(t.prefillEndNs(), t.tokenNs(0, 0));
        assertEquals(5 + 7, fake.position());
    }
}
