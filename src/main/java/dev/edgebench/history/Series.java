package dev.edgebench.history;

import java.util.List;

/**
 * One series of the history: a benchmark (or kernel op) × metric × device × configuration, its
 * per-run values in run order. Immutable once loaded.
 *
 * @param key            what the series is
 * @param unit           the metric's unit
 * @param higherIsBetter direction of "better"
 * @param primary        whether the metric is its benchmark's primary one
 * @param points         one per run that measured it, in run order (start time, then run id)
 * @param gaps           runs of the same device and configuration, between the series' first and last
 *                       point, that have no value for it (the benchmark failed or was not run)
 */
public record Series(Key key, String unit, boolean higherIsBetter, boolean primary, List<Point> points, List<RunInfo> gaps) {
    /**
     * @param benchmark     the benchmark id ({@code Class.method[param=value,...]})
     * @param metric        the metric name
     * @param device        the device the runs measured
     * @param configuration preset and power mode
     */
    public record Key(String benchmark, String metric, String device, String configuration) {
        /** @return one line naming the series */
        public String text() {
            return benchmark + " · " + metric + " · " + device + " · " + configuration;
        }
    }

    /**
     * One run's measurement of the series.
     *
     * @param run    the run
     * @param values the per-sample values, in order
     * @param forks  the fork of each value
     * @param mean   mean of the values
     * @param ciLow  lower end of the 95% CI of the mean (Student t), NaN with one value
     * @param ciHigh upper end
     */
    public record Point(RunInfo run, double[] values, int[] forks, double mean, double ciLow, double ciHigh) {
    }

    /** @return each point's mean, in order */
    public double[] means() {
        return points.stream().mapToDouble(Point::mean).toArray();
    }

    /**
     * @return each point's median of its samples, in order: what change-point detection runs on, as
     *         the kernel suite reports each op by its median (one disturbed sample does not move it)
     */
    public double[] medians() {
        return points.stream().mapToDouble(p -> p.values().length == 0 ? p.mean()
                : dev.edgebench.latency.Quantiles.sorted(sortedCopy(p.values()), 0.5)).toArray();
    }

    private static double[] sortedCopy(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c;
    }
}
