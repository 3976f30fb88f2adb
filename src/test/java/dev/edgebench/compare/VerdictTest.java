package dev.edgebench.compare;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The threshold rule: a verdict needs the whole interval beyond the threshold. */
class VerdictTest {
    static Bootstrap.Interval ci(double est, double lo, double hi) {
        return new Bootstrap.Interval(est, lo, hi);
    }

    @Test
    void higherIsBetter() {
        assertEquals(Verdict.SLOWER, Verdict.of(ci(0.90, 0.88, 0.92), true, 0.05));
        assertEquals(Verdict.INCONCLUSIVE, Verdict.of(ci(0.93, 0.91, 0.96), true, 0.05), "CI crosses 0.95");
        assertEquals(Verdict.UNCHANGED, Verdict.of(ci(0.98, 0.97, 0.99), true, 0.05), "significant but within the threshold");
        assertEquals(Verdict.UNCHANGED, Verdict.of(ci(1.0, 0.96, 1.04), true, 0.05));
        assertEquals(Verdict.FASTER, Verdict.of(ci(1.12, 1.10, 1.14), true, 0.05));
        assertEquals(Verdict.INCONCLUSIVE, Verdict.of(ci(1.0, 0.80, 1.20), true, 0.05), "noise never fails");
    }

    @Test
    void lowerIsBetter() {
        assertEquals(Verdict.SLOWER, Verdict.of(ci(1.10, 1.08, 1.12), false, 0.05));
        assertEquals(Verdict.FASTER, Verdict.of(ci(0.90, 0.88, 0.92), false, 0.05));
        assertEquals(Verdict.UNCHANGED, Verdict.of(ci(1.02, 1.01, 1.03), false, 0.05));
    }

    @Test
    void noIntervalIsInconclusive() {
        assertEquals(Verdict.INCONCLUSIVE, Verdict.of(ci(0.5, Double.NaN, Double.NaN), true, 0.05));
    }
}
