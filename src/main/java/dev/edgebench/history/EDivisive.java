package dev.edgebench.history;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * E-divisive with means: the hierarchical, non-parametric change-point method of Matteson and
 * James (2014), "A nonparametric approach for multiple change point analysis of multivariate
 * data" (JASA 109:505), in the form used by MongoDB's signal processing and Apache Otava: the
 * divergence of a split is the energy distance between the two sides (exponent 1), the best
 * split of a segment is the one that maximises it, and a split is kept only when a permutation
 * test finds it significant; then the segments are split again, until no split is significant.
 *
 * <p>For a segment {@code [s, e)} and a split {@code τ} with left side X (m points) and right side
 * Y (k points), the statistic is {@code q = m·k/(m+k) · (2/(m·k)·Σ|Xi−Yj| − 2/(m(m−1))·Σi<j|Xi−Xj|
 * − 2/(k(k−1))·Σi<j|Yi−Yj|)}. Computed for every split of a segment in O(length²).
 *
 * <p>Significance: each permutation shuffles the values within every current segment (the
 * null hypothesis: no further change inside any of them) and takes the largest q over all
 * segments; the p-value is (exceedances + 1) / (permutations + 1). Permutations stop early once
 * the p-value can no longer fall to the significance level (Besag and Clifford's sequential
 * test), so a series without a change costs a few dozen permutations. Deterministic for a seed;
 * stateless, thread-safe.
 */
public final class EDivisive {
    /**
     * @param index       the first point of the new segment (0-based): the change happened between index−1 and index
     * @param q           the divergence statistic of the split
     * @param pValue      the permutation p-value
     * @param permutations permutations run (fewer than the maximum when stopped early)
     */
    public record Split(int index, double q, double pValue, int permutations) {
    }

    private EDivisive() {
    }

    /**
     * @param x               the per-run values in order
     * @param minSize         the fewest points a segment may have (at least 2)
     * @param alpha           the significance level of each split (0 < alpha < 1)
     * @param maxPermutations the most permutations per split test
     * @param seed            the permutation stream's seed
     * @return the significant splits, in the order found (most divergent first)
     */
    public static List<Split> changePoints(double[] x, int minSize, double alpha, int maxPermutations, long seed) {
        if (minSize < 2) {
            throw new IllegalArgumentException("the minimum segment is at least 2 points, got " + minSize);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("the significance level is in (0, 1), got " + alpha);
        }
        List<int[]> segments = new ArrayList<>();
        segments.add(new int[]{0, x.length});
        List<Split> found = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] perm = x.clone();
        while (true) {
            Best best = bestOver(x, segments, minSize);
            if (best == null) {
                return found;
            }
            // stop as soon as (exceedances + 1) / (P + 1) cannot be <= alpha for any P <= maxPermutations
            int allowed = (int) Math.floor(alpha * (maxPermutations + 1)) - 1;
            if (allowed < 0) {
                throw new IllegalArgumentException(maxPermutations + " permutations cannot reach a p-value of " + alpha
                        + ": use at least " + (int) Math.ceil(1 / alpha) + " permutations");
            }
            int exceed = 0;
            int done = 0;
            while (done < maxPermutations && exceed <= allowed) {
                System.arraycopy(x, 0, perm, 0, x.length);
                for (int[] seg : segments) {
                    shuffle(perm, seg[0], seg[1], rnd);
                }
                Best b = bestOver(perm, segments, minSize);
                if (b != null && b.q >= best.q) {
                    exceed++;
                }
                done++;
            }
            double p = (exceed + 1.0) / (done + 1.0);
            if (exceed > allowed || p > alpha) {
                return found;
            }
            found.add(new Split(best.index, best.q, p, done));
            int[] seg = segments.remove(best.segment);
            segments.add(new int[]{seg[0], best.index});
            segments.add(new int[]{best.index, seg[1]});
        }
    }

    private record Best(int segment, int index, double q) {
    }

    private static Best bestOver(double[] x, List<int[]> segments, int minSize) {
        Best best = null;
        for (int i = 0; i < segments.size(); i++) {
            int[] seg = segments.get(i);
            double[] r = bestSplit(x, seg[0], seg[1], minSize);
            if (r != null && (best == null || r[1] > best.q)) {
                best = new Best(i, (int) r[0], r[1]);
            }
        }
        return best;
    }

    /** @return {index, q} of the most divergent split of [s, e), or null when the segment is too short to split */
    static double[] bestSplit(double[] x, int s, int e, int minSize) {
        int n = e - s;
        if (n < 2 * minSize) {
            return null;
        }
        double total = 0;
        for (int i = s; i < e; i++) {
            for (int j = i + 1; j < e; j++) {
                total += Math.abs(x[i] - x[j]);
            }
        }
        // left = within [s, t), right = within [t, e), advanced one point at a time
        double left = 0;
        double right = total;
        int bestIndex = -1;
        double bestQ = Double.NEGATIVE_INFINITY;
        for (int t = s + 1; t <= e - minSize; t++) {
            int moved = t - 1;
            double toLeft = 0;
            for (int i = s; i < moved; i++) {
                toLeft += Math.abs(x[i] - x[moved]);
            }
            double toRight = 0;
            for (int j = moved + 1; j < e; j++) {
                toRight += Math.abs(x[moved] - x[j]);
            }
            left += toLeft;
            right -= toRight;
            int m = t - s;
            int k = e - t;
            if (m < minSize) {
                continue;
            }
            double cross = total - left - right;
            double energy = 2 * cross / ((double) m * k) - 2 * left / ((double) m * (m - 1)) - 2 * right / ((double) k * (k - 1));
            double q = (double) m * k / (m + k) * energy;
            if (q > bestQ) {
                bestQ = q;
                bestIndex = t;
            }
        }
        return bestIndex < 0 ? null : new double[]{bestIndex, bestQ};
    }

    private static void shuffle(double[] a, int s, int e, SplittableRandom rnd) {
        for (int i = e - 1; i > s; i--) {
            int j = s + rnd.nextInt(i - s + 1);
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
