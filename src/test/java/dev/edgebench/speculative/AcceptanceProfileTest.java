package dev.edgebench.speculative;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AcceptanceProfileTest {
    @Test
    void oneRateIsTheMeanAcceptanceForThatK() {
        for (int k : new int[] {1, 2, 4, 8}) {
            for (double a : new double[] {0.1, 0.4, 0.6, 0.8, 0.95}) {
                AcceptanceProfile p = AcceptanceProfile.parse(String.valueOf(a), k);
                assertEquals(a, p.expectedAlpha(), 1e-9, "k " + k + ", alpha " + a);
                assertEquals(1 + k * a, p.expectedTau(), 1e-9);
                for (int i = 1; i < k; i++) {
                    assertTrue(p.unconditional(i) <= p.unconditional(i - 1));
                    // geometric: one per-token rate
                    assertEquals(p.conditional(0), p.conditional(i), 1e-9);
                }
            }
        }
        assertEquals(0.6, AcceptanceProfile.parse("0.6", 1).unconditional(0), 1e-12, "k = 1: the rate itself");
        assertEquals(1.0, AcceptanceProfile.parse("1", 5).unconditional(4), 0);
        assertEquals(0.0, AcceptanceProfile.parse("0", 5).unconditional(0), 0);
    }

    @Test
    void aListIsTheUnconditionalProfile() {
        AcceptanceProfile p = AcceptanceProfile.parse("0.9,0.6,0.3,0.1", 3);
        assertEquals(3, p.length());
        assertEquals(0.6, p.unconditional(1), 0);
        assertEquals(0.6 / 0.9, p.conditional(1), 1e-12);
        assertEquals(0.5, p.conditional(2), 1e-12);
        assertEquals(0.6, p.expectedAlpha(), 1e-12);
    }

    @Test
    void badProfilesAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AcceptanceProfile.parse("1.2", 2)).getMessage()
                .contains("1.2 is outside [0, 1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AcceptanceProfile.parse("-0.1", 2)).getMessage()
                .contains("outside [0, 1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AcceptanceProfile.parse("0.5,0.7", 2)).getMessage()
                .contains("must not increase"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AcceptanceProfile.parse("0.5,0.4", 3)).getMessage()
                .contains("fewer than the 3 draft tokens"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AcceptanceProfile.parse("x", 3)).getMessage()
                .contains("'x' is not a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AcceptanceProfile.parse("NaN", 3)).getMessage()
                .contains("outside [0, 1]"));
        assertThrows(IllegalArgumentException.class, () -> AcceptanceProfile.parse("0.5", 0));
        assertEquals(3, AcceptanceProfile.check("0.9,0.5,0.5"));
        assertThrows(IllegalArgumentException.class, () -> AcceptanceProfile.check("0.5,0.9"));
    }

    /** The drawing rule (conditional p_i ÷ p_i−1 after each acceptance) reproduces the profile; the exact interval holds. */
    @Test
    void drawsFollowTheProfileWithinTheInterval() {
        AcceptanceProfile p = AcceptanceProfile.parse("0.9,0.7,0.4,0.2", 4);
        SplittableRandom rng = new SplittableRandom(11);
        SpeculativeStats stats = new SpeculativeStats(4);
        int steps = 20_000;
        for (int s = 0; s < steps; s++) {
            int n = 0;
            while (n < 4 && rng.nextDouble() < p.conditional(n)) {
                n++;
            }
            stats.sequenceStep(n);
        }
        double[] ci = p.alphaInterval(steps, 3.29);
        assertTrue(stats.alpha() >= ci[0] && stats.alpha() <= ci[1], stats.alpha() + " in " + ci[0] + ".." + ci[1]);
        for (int i = 0; i < 4; i++) {
            double[] pi = p.positionInterval(i, steps, 3.29);
            assertTrue(stats.alphaAt(i) >= pi[0] && stats.alphaAt(i) <= pi[1], "position " + i + ": " + stats.alphaAt(i));
        }
        // the interval is not vacuous: a profile a tenth off is outside it
        double[] off = AcceptanceProfile.parse("0.8,0.6,0.3,0.1", 4).alphaInterval(steps, 3.29);
        assertTrue(stats.alpha() > off[1], stats.alpha() + " vs " + off[1]);
    }
}
