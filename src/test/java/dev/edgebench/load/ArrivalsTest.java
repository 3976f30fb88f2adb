package dev.edgebench.load;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seeded schedules: Poisson arrivals have the asked mean rate and an index of dispersion of
 * counts near 1; gamma arrivals with burstiness k keep the rate and have dispersion near 1/k.
 */
class ArrivalsTest {
    private static final int N = 40_000;
    private static final double RATE = 50;

    /** Index of dispersion (variance / mean) of arrivals counted in 1 s windows. */
    private static double dispersion(long[] t) {
        int windows = (int) (t[t.length - 1] / 1_000_000_000L);
        double[] counts = new double[windows];
        for (long x : t) {
            int w = (int) (x / 1_000_000_000L);
            if (w < windows) {
                counts[w]++;
            }
        }
        double mean = java.util.Arrays.stream(counts).average().orElseThrow();
        double var = java.util.Arrays.stream(counts).map(c -> (c - mean) * (c - mean)).sum() / (windows - 1);
        return var / mean;
    }

    private static double meanGapS(long[] t) {
        return t[t.length - 1] / 1e9 / t.length;
    }

    @Test
    void poissonHasTheRateAndDispersionOne() {
        long[] t = Arrivals.offsetsNs(RATE, 1, N, 2026);
        assertEquals(1 / RATE, meanGapS(t), 0.02 / RATE, "mean gap");
        double d = dispersion(t);
        assertTrue(d > 0.85 && d < 1.15, "index of dispersion " + d);
    }

    @Test
    void gammaKeepsTheRateAndBurstinessSetsTheDispersion() {
        long[] bursty = Arrivals.offsetsNs(RATE, 0.25, N, 7);
        assertEquals(1 / RATE, meanGapS(bursty), 0.05 / RATE);
        double db = dispersion(bursty);
        assertTrue(db > 3.0 && db < 5.0, "burstiness 0.25: dispersion about 4, was " + db);
        long[] even = Arrivals.offsetsNs(RATE, 4, N, 7);
        assertEquals(1 / RATE, meanGapS(even), 0.02 / RATE);
        double de = dispersion(even);
        assertTrue(de > 0.18 && de < 0.33, "burstiness 4: dispersion about 0.25, was " + de);
    }

    @Test
    void theSeedFixesTheSchedule() {
        assertArrayEquals(Arrivals.offsetsNs(3, 1, 100, 5), Arrivals.offsetsNs(3, 1, 100, 5));
        assertFalse(java.util.Arrays.equals(Arrivals.offsetsNs(3, 1, 100, 5), Arrivals.offsetsNs(3, 1, 100, 6)));
        long[] t = Arrivals.offsetsNs(3, 0.5, 1000, 5);
        for (int i = 1; i < t.length; i++) {
            assertTrue(t[i] >= t[i - 1]);
        }
    }

    @Test
    void badRatesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Arrivals.offsetsNs(0, 1, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> Arrivals.offsetsNs(1, 0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> Arrivals.offsetsNs(Double.NaN, 1, 10, 1));
    }
}
