package dev.edgebench.speculative;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A synthetic acceptance profile for k draft positions: {@code unconditional[i]} is the
 * probability that draft position i is accepted (which needs every earlier position accepted),
 * so the values never increase. The mean of the k values is the expected acceptance rate α
 * (accepted ÷ drafted), and 1 + their sum the expected acceptance length τ (tokens per verify step).
 *
 * <p>Two ways to write one ({@link #parse}):
 * <ul>
 *   <li>one number A: α = A for this k, drawn as independent per-token acceptances of a rate p
 *       solved so that mean(p, p², …, p^k) = A (the geometric profile of llama.cpp's
 *       {@code --spec-synth-len}, which solves for p the same way);</li>
 *   <li>a list P0,P1,…: the unconditional per-position probabilities, non-increasing, at least k
 *       of them (the first k are used; llama.cpp's {@code --spec-synth-rates}).</li>
 * </ul>
 *
 * <p>Position i is accepted with the conditional probability p_i ÷ p_{i−1} (p_{−1} = 1), from
 * the caller's seeded random numbers. Immutable.
 */
public final class AcceptanceProfile {
    private final double[] unconditional;
    private final double[] conditional;
    private final String spec;

    private AcceptanceProfile(double[] unconditional, String spec) {
        this.unconditional = unconditional;
        this.spec = spec;
        this.conditional = new double[unconditional.length];
        double prev = 1;
        for (int i = 0; i < unconditional.length; i++) {
            conditional[i] = prev == 0 ? 0 : Math.min(1, unconditional[i] / prev);
            prev = unconditional[i];
        }
    }

    /**
     * @param spec one number in [0, 1] or a comma-separated non-increasing list of them
     * @param k    draft tokens per step, > 0
     * @throws IllegalArgumentException naming the value that is wrong ({@code --accept-rate ...})
     */
    public static AcceptanceProfile parse(String spec, int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("--draft-tokens must be positive for an acceptance profile, was " + k);
        }
        List<Double> values = values(spec);
        if (values.size() == 1) {
            return ofRate(values.getFirst(), k, spec.trim());
        }
        if (values.size() < k) {
            throw new IllegalArgumentException("--accept-rate " + spec + " gives " + values.size()
                    + " per-position probabilities, fewer than the " + k + " draft tokens (--draft-tokens)");
        }
        double[] u = new double[k];
        for (int i = 0; i < k; i++) {
            u[i] = values.get(i);
            if (i > 0 && u[i] > u[i - 1]) {
                throw new IllegalArgumentException("--accept-rate " + spec + ": position " + i + " (" + u[i]
                        + ") exceeds position " + (i - 1) + " (" + u[i - 1] + "); a position is accepted only after every"
                        + " earlier one, so the probabilities must not increase");
            }
        }
        return new AcceptanceProfile(u, spec.trim());
    }

    /**
     * Checks a profile's text without a k: every value is a number in [0, 1], a list does not increase.
     *
     * @return the number of values given
     * @throws IllegalArgumentException naming the value that is wrong
     */
    public static int check(String spec) {
        List<Double> v = values(spec);
        for (int i = 1; i < v.size(); i++) {
            if (v.get(i) > v.get(i - 1)) {
                throw new IllegalArgumentException("--accept-rate " + spec + ": position " + i + " (" + v.get(i)
                        + ") exceeds position " + (i - 1) + " (" + v.get(i - 1) + "); the probabilities must not increase");
            }
        }
        return v.size();
    }

    private static List<Double> values(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("--accept-rate: no value given");
        }
        List<Double> out = new ArrayList<>();
        for (String s : spec.split(",")) {
            double v;
            try {
                v = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--accept-rate " + spec + ": '" + s.trim() + "' is not a number");
            }
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("--accept-rate " + spec + ": " + s.trim()
                        + " is outside [0, 1]; an acceptance rate is a probability");
            }
            out.add(v);
        }
        return out;
    }

    /** The geometric profile whose mean over k positions is {@code alpha}. */
    static AcceptanceProfile ofRate(double alpha, int k, String spec) {
        double p;
        if (alpha >= 1) {
            p = 1;
        } else if (alpha <= 0) {
            p = 0;
        } else {
            // mean(p..p^k) rises monotonically from 0 to 1 with p: bisect
            double lo = 0;
            double hi = 1;
            for (int it = 0; it < 60; it++) {
                double mid = (lo + hi) / 2;
                if (geometricMean(mid, k) < alpha) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            p = (lo + hi) / 2;
        }
        double[] u = new double[k];
        double term = p;
        for (int i = 0; i < k; i++) {
            u[i] = term;
            term *= p;
        }
        return new AcceptanceProfile(u, spec);
    }

    private static double geometricMean(double p, int k) {
        double sum = 0;
        double term = p;
        for (int i = 0; i < k; i++) {
            sum += term;
            term *= p;
        }
        return sum / k;
    }

    /** @return draft positions covered */
    public int length() {
        return unconditional.length;
    }

    /** @return the probability that draft position i is accepted */
    public double unconditional(int i) {
        return unconditional[i];
    }

    /** @return the probability that position i is accepted given that position i − 1 was */
    public double conditional(int i) {
        return conditional[i];
    }

    /** @return expected α: accepted ÷ drafted */
    public double expectedAlpha() {
        return Arrays.stream(unconditional).average().orElse(0);
    }

    /** @return expected τ: tokens per verify step (accepted + the target's bonus token) */
    public double expectedTau() {
        return 1 + Arrays.stream(unconditional).sum();
    }

    /**
     * The interval in which a measured α (accepted ÷ drafted over {@code sequenceSteps} steps of k
     * drafts) falls with the confidence of {@code z} standard errors. The accepted count of one
     * step is not binomial (a position is accepted only after the earlier ones), so its variance
     * is computed exactly: E[n²] = Σ_i Σ_j p_max(i,j).
     *
     * @return {low, high}
     */
    public double[] alphaInterval(long sequenceSteps, double z) {
        int k = unconditional.length;
        double mean = 0;
        double second = 0;
        for (int i = 0; i < k; i++) {
            mean += unconditional[i];
            for (int j = 0; j < k; j++) {
                second += unconditional[Math.max(i, j)];
            }
        }
        double se = Math.sqrt(Math.max(0, second - mean * mean) / sequenceSteps);
        return new double[] {(mean - z * se) / k, (mean + z * se) / k};
    }

    /**
     * The binomial interval of the measured α at position i (each sequence-step accepts it or not,
     * independently of the other steps), normal approximation with z standard errors.
     *
     * @return {low, high}
     */
    public double[] positionInterval(int i, long sequenceSteps, double z) {
        double p = unconditional[i];
        double se = Math.sqrt(p * (1 - p) / sequenceSteps);
        return new double[] {p - z * se, p + z * se};
    }

    /** @return the text it was parsed from */
    public String spec() {
        return spec;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("AcceptanceProfile[");
        for (int i = 0; i < unconditional.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", unconditional[i]));
        }
        return b.append("]").toString();
    }
}
