package dev.edgebench.bench;

import dev.edgebench.latency.TokenClock;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PercentileResultTest {
    @Test
    void aggregationPoolsHistogramsInsteadOfAveragingPercentiles() throws Exception {
        Histogram a = TokenClock.newHistogram();
        Histogram b = TokenClock.newHistogram();
        for (int i = 1; i <= 99; i++) {
            a.recordValue(1_000);
        }
        a.recordValue(1_000_000);
        for (int i = 1; i <= 100; i++) {
            b.recordValue(2_000);
        }
        PercentileResult ra = new PercentileResult("itl.p99", a, 99);
        PercentileResult rb = new PercentileResult("itl.p99", b, 99);
        var agg = ra.getIterationAggregator().aggregate(List.of(ra, rb));
        Histogram pooled = TokenClock.newHistogram();
        pooled.add(a);
        pooled.add(b);
        assertEquals(pooled.getValueAtPercentile(99) / 1000.0, agg.getScore(), 1e-9);
        // an average of the two per-iteration p99s would be (1.0 + 2.0) / 2 µs
        assertEquals(2.0, agg.getScore(), 0.01);
        assertEquals("us", agg.getScoreUnit());
    }

    @Test
    void maxIsTheLargestValue() {
        Histogram h = TokenClock.newHistogram();
        h.recordValue(5_000);
        h.recordValue(123_456);
        assertEquals(h.getMaxValue() / 1000.0, new PercentileResult("itl.max", h, 100).getScore(), 1e-9);
    }
}
