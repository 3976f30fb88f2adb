package dev.edgebench.history;

import dev.edgebench.compare.Bootstrap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the runs where each series shifted. Detection is {@link EDivisive} on the per-run means,
 * in history order, with a seeded permutation test; the significance level is shared over the
 * series examined (Bonferroni: each series is tested at {@code familyAlpha / series}), so that a
 * history with no change flags nothing in at least 1 − familyAlpha of cases however many ops it
 * tracks. The size of each shift, after ÷ before between neighbouring change points, and its 95%
 * CI come from the per-sample values by compare's two-stage bootstrap with the run as the outer
 * unit (runs drawn with replacement, then samples within each drawn run), so that run-to-run
 * noise is in the interval. Changes of several series at one run are linked: a kernel regression
 * shows up as the op and the steps that contain it. Stateless; deterministic for a seed.
 */
public final class ChangeDetection {
    /**
     * @param familyAlpha     the chance of any false alarm over all series examined (default 0.01: a history with no
     *                        change flags nothing in 99 of 100 cases)
     * @param minSize         the fewest runs on each side of a change, at least 2
     * @param minPermutations the fewest permutations a test may run (more when the per-series level needs them)
     * @param resamples       bootstrap replicates of the shift's CI
     * @param seed            seed of the permutations and the bootstrap
     */
    public record Options(double familyAlpha, int minSize, int minPermutations, int resamples, long seed) {
        public static final Options DEFAULTS = new Options(0.01, 3, 199, 2000, Bootstrap.DEFAULT_SEED);

        public Options {
            if (!(familyAlpha > 0 && familyAlpha < 1)) {
                throw new IllegalArgumentException("the significance level is a fraction in (0, 1), got " + familyAlpha);
            }
            if (minSize < 2) {
                throw new IllegalArgumentException("the minimum segment is at least 2 runs, got " + minSize);
            }
        }
    }

    /**
     * One change.
     *
     * @param series       the series
     * @param index        0-based index of the first point after the change
     * @param run          the first run after the change
     * @param previous     the last run before it
     * @param gapsBetween  runs between the two without a value for this series: the change happened in one of them or at {@code run}
     * @param pValue       the permutation p-value of the split
     * @param permutations permutations run
     * @param ratio        mean after ÷ mean before (between neighbouring change points), with its 95% bootstrap CI
     * @param runsBefore   runs in the segment before
     * @param runsAfter    runs in the segment after
     * @param alsoMoved    other series of the same device and configuration with a change at the same run
     */
    public record ChangePoint(Series series, int index, RunInfo run, RunInfo previous, List<RunInfo> gapsBetween, double pValue,
                              int permutations, Bootstrap.Interval ratio, int runsBefore, int runsAfter, List<Series.Key> alsoMoved) {
        /** @return "slower" or "faster" by the metric's direction */
        public String direction() {
            boolean up = ratio.estimate() > 1;
            return up == series.higherIsBetter() ? "faster" : "slower";
        }
    }

    /**
     * @param series the series examined
     * @param reason why it was not examined, or null
     */
    public record Skipped(Series series, String reason) {
    }

    /**
     * @param changes        every change, ordered by run, then series
     * @param skipped        series too short to examine
     * @param examined       how many series were examined
     * @param perSeriesAlpha the significance level each was tested at
     * @param options        the options used
     * @param underpowered   series examined but too short for any split to reach the level (see {@link #permutationFloor})
     */
    public record Report(List<ChangePoint> changes, List<Skipped> skipped, int examined, double perSeriesAlpha, Options options,
                         List<Series> series, List<Series> underpowered) {
        /** @return the fewest runs a series needs before a change can reach this report's level */
        public int runsNeeded() {
            return ChangeDetection.runsNeeded(perSeriesAlpha);
        }
    }

    /**
     * The smallest p-value the permutation test can give a series of {@code n} runs: a perfect
     * separation of the two halves is matched by 2 of the C(n, ⌊n/2⌋) ways to place its values
     * (itself and its mirror); any other split has fewer ways, so a larger floor.
     */
    public static double permutationFloor(int n) {
        int k = n / 2;
        double ways = 1;
        for (int i = 1; i <= k; i++) {
            ways = ways * (n - k + i) / i;
        }
        return Math.min(1, 2 / ways);
    }

    /** @return the fewest runs whose {@link #permutationFloor} is at most {@code alpha} */
    public static int runsNeeded(double alpha) {
        int n = 4;
        while (permutationFloor(n) > alpha && n < 10_000) {
            n++;
        }
        return n;
    }

    private ChangeDetection() {
    }

    public static Report detect(List<Series> series, Options o) {
        List<Series> testable = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (Series s : series) {
            int n = s.points().size();
            if (n < 2 * o.minSize()) {
                skipped.add(new Skipped(s, n + (n == 1 ? " run" : " runs") + " in the history: a change point needs at least "
                        + 2 * o.minSize() + " (" + o.minSize() + " on each side)"));
            } else {
                testable.add(s);
            }
        }
        double alpha = o.familyAlpha() / Math.max(1, testable.size());
        // (exceedances + 1) / (P + 1) must be able to reach alpha, with room to spare
        int permutations = (int) Math.max(o.minPermutations(), Math.ceil(10 / alpha) - 1);
        List<ChangePoint> found = new ArrayList<>();
        List<Series> underpowered = new ArrayList<>();
        for (Series s : testable) {
            if (permutationFloor(s.points().size()) > alpha) {
                underpowered.add(s);    // no split of it can reach the level: saying "no change" would claim too much
                continue;
            }
            long seed = o.seed() ^ (long) s.key().text().hashCode() * 0x9E3779B97F4A7C15L;
            List<EDivisive.Split> splits = EDivisive.changePoints(s.medians(), o.minSize(), alpha, permutations, seed);
            List<Integer> at = splits.stream().map(EDivisive.Split::index).sorted().toList();
            for (EDivisive.Split sp : splits) {
                int i = at.indexOf(sp.index());
                int from = i == 0 ? 0 : at.get(i - 1);
                int to = i == at.size() - 1 ? s.points().size() : at.get(i + 1);
                List<Series.Point> before = s.points().subList(from, sp.index());
                List<Series.Point> after = s.points().subList(sp.index(), to);
                Bootstrap.Interval ratio = Bootstrap.ratio(perRun(before), perRun(after), Bootstrap.Statistic.MEDIAN, o.resamples(),
                        seed + sp.index(), 0.95, 0);
                RunInfo run = s.points().get(sp.index()).run();
                RunInfo prev = s.points().get(sp.index() - 1).run();
                List<RunInfo> gaps = s.gaps().stream().filter(g -> g.startedAt().isAfter(prev.startedAt())
                        && g.startedAt().isBefore(run.startedAt())).toList();
                found.add(new ChangePoint(s, sp.index(), run, prev, gaps, sp.pValue(), sp.permutations(), ratio, before.size(),
                        after.size(), List.of()));
            }
        }
        return new Report(link(found), skipped, testable.size(), alpha, o, series, List.copyOf(underpowered));
    }

    /** Each run's values as one outer unit of the bootstrap. */
    private static double[][] perRun(List<Series.Point> pts) {
        return pts.stream().filter(p -> p.values().length > 0).map(Series.Point::values).toArray(double[][]::new);
    }

    private static List<ChangePoint> link(List<ChangePoint> found) {
        Map<String, List<ChangePoint>> byRun = new LinkedHashMap<>();
        for (ChangePoint c : found) {
            byRun.computeIfAbsent(c.series().key().device() + "\n" + c.series().key().configuration() + "\n" + c.run().runId(),
                    k -> new ArrayList<>()).add(c);
        }
        List<ChangePoint> out = new ArrayList<>();
        for (ChangePoint c : found) {
            List<Series.Key> others = byRun.get(c.series().key().device() + "\n" + c.series().key().configuration() + "\n"
                    + c.run().runId()).stream().map(x -> x.series().key()).filter(k -> !k.equals(c.series().key())).toList();
            out.add(new ChangePoint(c.series(), c.index(), c.run(), c.previous(), c.gapsBetween(), c.pValue(), c.permutations(),
                    c.ratio(), c.runsBefore(), c.runsAfter(), others));
        }
        out.sort(Comparator.comparing((ChangePoint c) -> c.run().startedAt()).thenComparing(c -> c.run().runId())
                .thenComparing(c -> c.series().key().text()));
        return out;
    }
}
