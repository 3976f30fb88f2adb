package dev.edgebench.results;

import dev.edgebench.latency.Quantiles;

import org.apache.commons.math3.distribution.TDistribution;

import java.util.Arrays;

/**
 * Summary statistics of one metric's per-sample values: mean, median, sample standard deviation
 * (n − 1), coefficient of variation, and the 95% confidence interval of the mean from Student's
 * t distribution with n − 1 degrees of freedom. Immutable.
 *
 * @param n      number of samples
 * @param mean   arithmetic mean
 * @param median median (mean of the two middle values for even n)
 * @param stddev sample standard deviation; NaN for n &lt; 2
 * @param cv     stddev / mean; NaN when undefined
 * @param ciLow  lower end of the 95% CI of the mean; NaN for n &lt; 2
 * @param ciHigh upper end
 * @param min    smallest value
 * @param max    largest value
 */
public record Stats(int n, double mean, double median, double stddev, double cv, double ciLow, double ciHigh, double min,
                    double max) {
    /** Confidence level of {@link #ciLow()}/{@link #ciHigh()}. */
    public static final double CONFIDENCE = 0.95;

    /**
     * @param values per-sample values (not modified)
     * @throws IllegalArgumentException for no values or a NaN
     */
    public static Stats of(double[] values) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] v = values.clone();
        for (double x : v) {
            if (Double.isNaN(x)) {
                throw new IllegalArgumentException("a sample is NaN");
            }
        }
        Arrays.sort(v);
        int n = v.length;
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        double mean = sum / n;
        double median = Quantiles.sorted(v, 0.5);
        double sd = Double.NaN;
        double lo = Double.NaN;
        double hi = Double.NaN;
        if (n >= 2) {
            double ss = 0;
            for (double x : v) {
                ss += (x - mean) * (x - mean);
            }
            sd = Math.sqrt(ss / (n - 1));
            double half = tQuantile(n - 1) * sd / Math.sqrt(n);
            lo = mean - half;
            hi = mean + half;
        }
        double cv = n >= 2 && mean != 0 ? sd / Math.abs(mean) : Double.NaN;
        return new Stats(n, mean, median, sd, cv, lo, hi, v[0], v[n - 1]);
    }

    /** @return the two-sided 95% quantile of Student's t with {@code df} degrees of freedom */
    public static double tQuantile(int df) {
        return new TDistribution(null, df).inverseCumulativeProbability(1 - (1 - CONFIDENCE) / 2);
    }

    /** @return half the width of the CI (the "±" figure) */
    public double ciHalfWidth() {
        return (ciHigh - ciLow) / 2;
    }
}
