package dev.edgebench.compare;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bootstrap intervals: deterministic, centred, covering, and wider when forks disagree. */
class BootstrapTest {
    static double[][] sample(Random r, int forks, int perFork, double mean, double sd, double forkSd) {
        double[][] out = new double[forks][perFork];
        for (int f = 0; f < forks; f++) {
            double off = r.nextGaussian() * forkSd;
            for (int i = 0; i < perFork; i++) {
                out[f][i] = mean + off + r.nextGaussian() * sd;
            }
        }
        return out;
    }

    @Test
    void sameSeedSameInterval() {
        Random r = new Random(1);
        double[][] a = sample(r, 2, 8, 100, 2, 0);
        double[][] b = sample(r, 2, 8, 100, 2, 0);
        Bootstrap.Interval x = Bootstrap.ratio(a, b, Bootstrap.Statistic.MEAN, 5000, 42, 0.95, 0);
        Bootstrap.Interval y = Bootstrap.ratio(a, b, Bootstrap.Statistic.MEAN, 5000, 42, 0.95, 0);
        assertEquals(x, y);
        assertTrue(x.low() < x.estimate() && x.estimate() < x.high(), x::toString);
    }

    @Test
    void aTenPercentDropIsInsideAndOneIsOutside() {
        Random r = new Random(2);
        double[][] a = sample(r, 2, 10, 100, 1, 0);
        double[][] b = sample(r, 2, 10, 90, 1, 0);
        Bootstrap.Interval x = Bootstrap.ratio(a, b, Bootstrap.Statistic.MEAN, 10_000, 7, 0.95, 0);
        assertTrue(x.low() < 0.9 && 0.9 < x.high(), x::toString);
        assertTrue(x.high() < 0.95, x::toString);
        Bootstrap.Interval m = Bootstrap.ratio(a, b, Bootstrap.Statistic.MEDIAN, 10_000, 7, 0.95, 0);
        assertTrue(m.low() < 0.9 && 0.9 < m.high(), m::toString);
    }

    /** Over many A/A pairs from one distribution, about 5% of the 95% intervals miss 1. */
    @Test
    void coverageOfAaPairsIsAboutNinetyFivePercent() {
        Random r = new Random(3);
        int miss = 0;
        int trials = 300;
        for (int t = 0; t < trials; t++) {
            double[][] a = sample(r, 1, 16, 50, 2, 0);
            double[][] b = sample(r, 1, 16, 50, 2, 0);
            Bootstrap.Interval x = Bootstrap.ratio(a, b, Bootstrap.Statistic.MEAN, 2000, t, 0.95, 0);
            if (x.low() > 1 || x.high() < 1) {
                miss++;
            }
        }
        // the percentile bootstrap with n = 16 is slightly narrow: expect 5-10% misses, never many more
        assertTrue(miss <= trials * 0.12, "misses: " + miss);
        assertTrue(miss >= 3, "misses: " + miss);
    }

    /** When forks disagree, resampling forks widens the interval compared with pooling the samples. */
    @Test
    void forkToForkVarianceWidensTheInterval() {
        Random r = new Random(4);
        double[][] a = sample(r, 4, 8, 100, 0.5, 5);
        double[][] b = sample(r, 4, 8, 100, 0.5, 5);
        Bootstrap.Interval hier = Bootstrap.ratio(a, b, Bootstrap.Statistic.MEAN, 5000, 1, 0.95, 0);
        Bootstrap.Interval pooled = Bootstrap.ratio(new double[][]{flat(a)}, new double[][]{flat(b)}, Bootstrap.Statistic.MEAN, 5000, 1, 0.95, 0);
        assertTrue(hier.high() - hier.low() > 2 * (pooled.high() - pooled.low()), hier + " vs " + pooled);
    }

    @Test
    void oneSampleGivesNoInterval() {
        Bootstrap.Interval x = Bootstrap.ratio(new double[][]{{10}}, new double[][]{{9}}, Bootstrap.Statistic.MEAN, 1000, 1, 0.95, 0);
        assertEquals(0.9, x.estimate(), 1e-12);
        assertFalse(x.hasCi());
    }

    @Test
    void percentileRatiosMatchHdrHistogram() {
        Random r = new Random(5);
        List<Histogram> a = new ArrayList<>();
        List<Histogram> b = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Histogram ha = new Histogram(3);
            Histogram hb = new Histogram(3);
            for (int k = 0; k < 200; k++) {
                ha.recordValue(1_000_000 + (long) (Math.abs(r.nextGaussian()) * 100_000));
                hb.recordValue(1_200_000 + (long) (Math.abs(r.nextGaussian()) * 100_000));
            }
            a.add(ha);
            b.add(hb);
        }
        Bootstrap.Interval[] x = Bootstrap.percentileRatios(a, b, new double[]{50, 99}, 2000, 9, 0.95, new double[2]);
        Histogram ma = dev.edgebench.results.LatencyLog.merge(a);
        Histogram mb = dev.edgebench.results.LatencyLog.merge(b);
        assertEquals((double) mb.getValueAtPercentile(50) / ma.getValueAtPercentile(50), x[0].estimate(), 1e-12);
        assertEquals((double) mb.getValueAtPercentile(99) / ma.getValueAtPercentile(99), x[1].estimate(), 1e-12);
        assertTrue(x[0].low() > 1.1 && x[0].high() < 1.3, x[0]::toString);
    }

    private static double[] flat(double[][] g) {
        return java.util.Arrays.stream(g).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    /** Run-to-run noise widens the interval by about its size: a 10% run CV on a 1-run baseline gives roughly ±28%. */
    @Test
    void runToRunNoiseWidensTheInterval() {
        Random r = new Random(6);
        double[][] a = sample(r, 2, 8, 100, 1, 0);
        double[][] b = sample(r, 2, 8, 100, 1, 0);
        Bootstrap.Interval tight = Bootstrap.ratio(a, b, Bootstrap.Statistic.MEAN, 10_000, 3, 0.95, 0);
        double sd = Bootstrap.runNoiseSd(0.10, 1);
        assertEquals(Math.sqrt(Math.log(1.01) * 2), sd, 1e-12);
        Bootstrap.Interval wide = Bootstrap.ratio(a, b, Bootstrap.Statistic.MEAN, 10_000, 3, 0.95, sd);
        assertTrue(tight.high() - tight.low() < 0.03, tight::toString);
        assertTrue(wide.low() < 0.78 && wide.high() > 1.22 && wide.low() > 0.65 && wide.high() < 1.4, wide::toString);
        assertTrue(Bootstrap.runNoiseSd(0.10, 12) < sd, "a pooled baseline's own mean is steadier");
        assertEquals(0, Bootstrap.runNoiseSd(0, 3));
    }

    /** An interleaved A/B whose rounds swing together (machine state) is resolved round by round. */
    @Test
    void pairingByRoundCancelsSharedDrift() {
        Random r = new Random(8);
        double[][] a = new double[6][5];
        double[][] b = new double[6][5];
        for (int round = 0; round < 6; round++) {
            double machine = round % 2 == 0 ? 60 : 95;
            for (int i = 0; i < 5; i++) {
                a[round][i] = machine * (1 + r.nextGaussian() * 0.02);
                b[round][i] = machine * 1.5 * (1 + r.nextGaussian() * 0.02);
            }
        }
        Bootstrap.Interval paired = Bootstrap.pairedRatio(a, b, Bootstrap.Statistic.MEAN, 5000, 1, 0.95);
        Bootstrap.Interval unpaired = Bootstrap.ratio(a, b, Bootstrap.Statistic.MEAN, 5000, 1, 0.95, 0);
        assertTrue(paired.low() > 1.47 && paired.high() < 1.53, paired::toString);
        assertTrue(unpaired.high() - unpaired.low() > 5 * (paired.high() - paired.low()), unpaired + " vs " + paired);
    }
}
