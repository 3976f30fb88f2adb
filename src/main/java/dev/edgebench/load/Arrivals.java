package dev.edgebench.load;

import java.util.SplittableRandom;

/**
 * Seeded request arrival schedules for the open loop: inter-arrival times drawn from a gamma
 * distribution of shape {@code burstiness} and mean {@code 1 / rate} (vLLM's {@code --burstiness}):
 * burstiness 1 is a Poisson process (exponential gaps, index of dispersion of counts 1); below 1
 * the arrivals come in bursts (dispersion ≈ 1 / burstiness), above 1 more evenly. The same seed
 * gives the same schedule. Stateless; thread-safe.
 */
public final class Arrivals {
    private Arrivals() {
    }

    /**
     * @param ratePerS   mean requests per second, positive
     * @param burstiness gamma shape, positive (1 = Poisson)
     * @param n          arrivals
     * @param seed       the schedule's seed
     * @return each arrival's offset from the start, ns, ascending; the first is one gap after 0
     */
    public static long[] offsetsNs(double ratePerS, double burstiness, int n, long seed) {
        if (!(ratePerS > 0) || Double.isInfinite(ratePerS)) {
            throw new IllegalArgumentException("request rate must be positive, was " + ratePerS);
        }
        if (!(burstiness > 0) || Double.isInfinite(burstiness)) {
            throw new IllegalArgumentException("burstiness must be positive, was " + burstiness);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double theta = 1.0 / (ratePerS * burstiness);
        long[] out = new long[n];
        double t = 0;
        for (int i = 0; i < n; i++) {
            t += gamma(rng, burstiness) * theta;
            out[i] = Math.round(t * 1e9);
        }
        return out;
    }

    /** A gamma(shape, 1) draw: Marsaglia and Tsang (2000); shape below 1 by the boost U^(1/shape). */
    static double gamma(SplittableRandom rng, double shape) {
        if (shape == 1.0) {
            return -Math.log(1.0 - rng.nextDouble());
        }
        if (shape < 1.0) {
            double u = rng.nextDouble();
            return gamma(rng, shape + 1.0) * Math.pow(u == 0 ? Double.MIN_VALUE : u, 1.0 / shape);
        }
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.sqrt(9.0 * d);
        while (true) {
            double x;
            double v;
            do {
                x = normal(rng);
                v = 1.0 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    private static double normal(SplittableRandom rng) {
        // Box-Muller: one value of the pair is enough here
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
