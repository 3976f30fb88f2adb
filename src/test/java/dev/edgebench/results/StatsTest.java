package dev.edgebench.results;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatsTest {
    @Test
    void knownSampleHasTextbookStatistics() {
        double[] v = {10, 12, 9, 11, 13, 8, 10, 12, 11, 14};
        Stats s = Stats.of(v);
        assertEquals(10, s.n());
        assertEquals(11.0, s.mean(), 1e-12);
        assertEquals(11.0, s.median(), 1e-12);
        // squared deviations 1+1+4+0+4+9+1+1+0+9 = 30, n - 1 = 9
        assertEquals(Math.sqrt(30.0 / 9), s.stddev(), 1e-12);
        // t(0.975, 9) = 2.2622
        double half = 2.262157 * Math.sqrt(30.0 / 9) / Math.sqrt(10);
        assertEquals(11.0 - half, s.ciLow(), 1e-5);
        assertEquals(11.0 + half, s.ciHigh(), 1e-5);
        assertEquals(s.stddev() / 11.0, s.cv(), 1e-12);
        assertEquals(8, s.min());
        assertEquals(14, s.max());
    }

    @Test
    void tQuantileMatchesTables() {
        assertEquals(12.706, Stats.tQuantile(1), 1e-3);
        assertEquals(2.0452, Stats.tQuantile(29), 1e-4);
        assertEquals(1.9600, Stats.tQuantile(100000), 1e-3);
    }

    @Test
    void singleSampleHasNoSpread() {
        Stats s = Stats.of(new double[]{5});
        assertEquals(5, s.mean());
        assertTrue(Double.isNaN(s.stddev()));
        assertTrue(Double.isNaN(s.ciLow()));
        assertEquals(null, RunAssembler.summary(s).ci95Low(), "stored as null in run.json");
    }

    @Test
    void evenCountMedianAveragesTheMiddle() {
        assertEquals(2.5, Stats.of(new double[]{4, 1, 3, 2}).median());
    }

    @Test
    void rejectsEmptyAndNaN() {
        assertThrows(IllegalArgumentException.class, () -> Stats.of(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> Stats.of(new double[]{1, Double.NaN}));
    }
}
