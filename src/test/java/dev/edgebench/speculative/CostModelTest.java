package dev.edgebench.speculative;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CostModelTest {
    @Test
    void freeVerificationPaysWithAnyAcceptance() {
        // weight-bound: verifying 5 tokens costs one step; the draft costs a tenth of a step
        CostModel m = new CostModel(4, 1, 1e6, 10e6, 0, 10e6);
        assertEquals(14e6, m.stepNs(), 0);
        assertEquals((1 + 4 * 0.6) * 10 / 14.0, m.speedup(0.6), 1e-12);
        assertEquals(0.1, m.breakEvenAlpha(), 1e-12);
        assertEquals(1.0, m.speedup(m.breakEvenAlpha()), 1e-12);
        assertEquals(1.0, m.verifyCostInSteps(), 0);
    }

    @Test
    void computeBoundVerificationNeverPays() {
        // compute-bound: verifying k + 1 tokens costs k + 1 steps: even α = 1 loses to the draft's cost
        CostModel m = new CostModel(4, 8, 2e6, 50e6, 1e6, 10e6);
        assertTrue(m.breakEvenAlpha() > 1, "break-even " + m.breakEvenAlpha());
        assertTrue(m.speedup(1) < 1);
        assertEquals(8 * (1 + 4 * 0.5) * 1e9 / m.stepNs(), m.tokensPerS(0.5), 1e-6);
    }

    @Test
    void unmeasuredPartsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CostModel(0, 1, 1, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new CostModel(2, 1, 1, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new CostModel(2, 1, Double.NaN, 1, 0, 1));
    }
}
