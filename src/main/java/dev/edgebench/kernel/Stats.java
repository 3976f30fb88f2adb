package dev.edgebench.kernel;

import java.util.Arrays;

/** Small order statistics for the kernel tables. Stateless; thread-safe. */
public final class Stats {
    private Stats() {
    }

    /** @return the median (mean of the middle two for an even count); NaN when empty */
    public static double median(double[] v) {
        return quantile(v, 0.5);
    }

    /**
     * @param q in [0, 1]
     * @return the q-quantile, linear interpolation between order statistics (type 7); NaN when empty
     */
    public static double quantile(double[] v, double q) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(s.length - 1, lo + 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    /** @return (max - min) / median, as a fraction; 0 for fewer than two values */
    public static double relativeRange(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double min = Arrays.stream(v).min().orElseThrow();
        double max = Arrays.stream(v).max().orElseThrow();
        return (max - min) / median(v);
    }
}
