package dev.edgebench.compare;

import com.fasterxml.jackson.databind.JsonNode;

import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One side of a comparison: the benchmarks of a run (run.json of schema {@code edgebench.run/1},
 * a run folder, a baseline folder) or of a plain JMH JSON result file, keyed by benchmark id.
 * Immutable once loaded; not thread-safe to build.
 *
 * @param source     the file or folder it was read from
 * @param format     {@code edgebench.run/1} or {@code jmh}
 * @param label      a short name for reports (run id, file name)
 * @param suite      the preset name (selects thresholds), or {@code jmh}
 * @param run        the run.json document (null for JMH JSON): environment, engine, models, preset
 * @param benchmarks benchmark id to result, in file order
 * @param warnings   what was odd but usable (a missing latency log, a failed benchmark)
 * @param runs       how many runs of one build the set pools (a baseline of several runs; 1 for a run)
 * @param runMeans   benchmark id → metric (or {@code latency.<tag>.p<N>}) → each pooled run's mean (or
 *                   percentile); empty unless a baseline pools at least 3 runs
 */
public record ResultSet(Path source, String format, String label, String suite, JsonNode run,
                        Map<String, Bench> benchmarks, List<String> warnings, int runs, Map<String, Map<String, double[]>> runMeans) {
    /** @return each pooled run's mean of a benchmark's metric, or null */
    public double[] runMeans(String id, String metric) {
        return runMeans.getOrDefault(id, Map.of()).get(metric);
    }

    /** @return the coefficient of variation of the run means of a benchmark's metric, or NaN */
    public double runToRunCv(String id, String metric) {
        double[] m = runMeans(id, metric);
        if (m == null || m.length < 3) {
            return Double.NaN;
        }
        double mean = java.util.Arrays.stream(m).average().orElse(Double.NaN);
        double ss = java.util.Arrays.stream(m).map(x -> (x - mean) * (x - mean)).sum();
        return Math.sqrt(ss / (m.length - 1)) / Math.abs(mean);
    }


    /**
     * One benchmark and parameter set.
     *
     * @param id      {@code Class.method[param=value,...]}, parameters in name order: the match key
     * @param kind    prefill / decode / generation, or the JMH mode for JMH results
     * @param params  parameter values by name
     * @param status  ok, failed or incomplete
     * @param error   why it failed, or null
     * @param primary name of the primary metric (the one compared by default)
     * @param metrics metric name to per-sample values
     * @param latency tag (itl, ttft, prefill) to its per-iteration histograms (ns) from the hlog; empty without one
     * @param telemetry the benchmark's telemetry summary as run.json holds it (power source, throttling, power mode,
     *                  clocks, ...); empty when none was sampled or for JMH results
     */
    public record Bench(String id, String kind, Map<String, String> params, String status, String error, String primary,
                        Map<String, Metric> metrics, Map<String, List<Histogram>> latency, Map<String, Object> telemetry) {
        public boolean ok() {
            return "ok".equals(status);
        }
    }

    /**
     * The per-sample values of one metric.
     *
     * @param name           e.g. decode.tok_s
     * @param unit           e.g. tok/s
     * @param higherIsBetter direction of "better"
     * @param values         one per measured sample, in order
     * @param forks          the fork of each value (0, 1, ...); all 0 when unknown
     */
    public record Metric(String name, String unit, boolean higherIsBetter, double[] values, int[] forks) {
        /** @return the values grouped by fork, forks in index order, empty forks dropped */
        public double[][] byFork() {
            int k = 0;
            for (int f : forks) {
                k = Math.max(k, f + 1);
            }
            int[] n = new int[k];
            for (int f : forks) {
                n[f]++;
            }
            double[][] out = new double[k][];
            for (int i = 0; i < k; i++) {
                out[i] = new double[n[i]];
            }
            int[] at = new int[k];
            for (int i = 0; i < values.length; i++) {
                out[forks[i]][at[forks[i]]++] = values[i];
            }
            return java.util.Arrays.stream(out).filter(a -> a.length > 0).toArray(double[][]::new);
        }
    }
}
