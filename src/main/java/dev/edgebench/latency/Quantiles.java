package dev.edgebench.latency;

import java.util.Arrays;

/**
 * Order statistics, one definition for the whole project: the q-quantile by linear interpolation
 * between order statistics (R's type 7), so the median of an even count is the mean of the middle
 * two. Stateless; thread-safe.
 */
public final class Quantiles {
    private Quantiles() {
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
        return sorted(s, q);
    }

    /**
     * @param sorted values in ascending order, not empty
     * @param q      in [0, 1]
     * @return the q-quantile of already sorted values (type 7)
     */
    public static double sorted(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
