package dev.edgebench.history;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the history: runs, and series of per-run values with their per-sample values. The same
 * plain SQL on SQLite and PostgreSQL; matching a benchmark by name is done here rather than with
 * LIKE, whose case rules differ between the two. Borrowed from a {@link HistoryStore}; not
 * thread-safe.
 */
public final class HistoryQueries {
    private static final String RUN_COLUMNS = "run_id, content_sha256, source_format, started_at, finished_at, status, preset, device,"
            + " configuration, host, cpu_model, gpu, driver, power_mode, engine_name, engine_profile, engine_release, engine_commit,"
            + " code_commit, build_manifest, environment, source_path, ingested_at";

    private final Connection connection;

    HistoryQueries(Connection connection) {
        this.connection = connection;
    }

    /**
     * Which series to read.
     *
     * @param benchmark an exact benchmark id, or text its id contains (case-insensitive); null for all
     * @param metric    a metric name, {@code all}, or null for each benchmark's primary metric
     * @param device    an exact device, or text it contains (case-insensitive); null for all
     * @param since     only runs started at or after this; null for all
     */
    public record Filter(String benchmark, String metric, String device, Instant since) {
        public static final Filter ALL_PRIMARY = new Filter(null, null, null, null);

        boolean device(String d) {
            return device == null || d.equals(device) || d.toLowerCase(Locale.ROOT).contains(device.toLowerCase(Locale.ROOT));
        }
    }

    /** @return the run with this id, or null */
    public RunInfo run(String runId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT " + RUN_COLUMNS + " FROM runs WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? run(rs) : null;
            }
        }
    }

    /** @return the runs of the filter's device and time, in history order (start time, then id) */
    public List<RunInfo> runs(Filter f) throws SQLException {
        List<RunInfo> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT " + RUN_COLUMNS + " FROM runs"
                + (f.since() != null ? " WHERE started_at >= ?" : "") + " ORDER BY started_at, run_id")) {
            if (f.since() != null) {
                ps.setString(1, Times.format(f.since()));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    RunInfo r = run(rs);
                    if (f.device(r.device())) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    /**
     * One metric of one benchmark in one run.
     *
     * @param benchmark the benchmark id
     * @param metric    the metric
     * @param unit      its unit
     * @param higherIsBetter its direction
     * @param n         samples
     * @param mean      mean of the samples
     * @param ciLow     lower end of the 95% CI of the mean (Student t), NaN with one sample
     * @param ciHigh    upper end
     */
    public record RunMetric(String benchmark, String metric, String unit, boolean higherIsBetter, int n, double mean, double ciLow,
                            double ciHigh) {
    }

    /** @return every metric of the run's benchmarks that measured (status ok), by benchmark then metric */
    public List<RunMetric> metrics(String runId) throws SQLException {
        List<RunMetric> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT m.bench_id, m.metric, m.unit, m.higher_is_better, m.n, m.mean,"
                + " m.ci95_low, m.ci95_high FROM metrics m JOIN benchmarks b ON b.run_id = m.run_id AND b.bench_id = m.bench_id"
                + " WHERE m.run_id = ? AND b.status = 'ok' ORDER BY m.bench_id, m.metric")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RunMetric(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4) != 0, rs.getInt(5),
                            rs.getDouble(6), dbl(rs, 7), dbl(rs, 8)));
                }
            }
        }
        return out;
    }

    /**
     * A latency distribution of one benchmark in one run, from its HdrHistogram log (all iterations pooled).
     *
     * @param benchmark the benchmark id
     * @param tag       itl, ttft, prefill
     * @param count     values recorded
     * @param p50Us     median, µs
     * @param p99Us     99th percentile, µs
     * @param maxUs     largest value, µs
     */
    public record Latency(String benchmark, String tag, long count, double p50Us, double p99Us, double maxUs) {
    }

    /** @return the run's latency distributions, by benchmark then tag */
    public List<Latency> latency(String runId) throws SQLException {
        List<Latency> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT bench_id, tag, count_values, p50_us, p99_us, max_us FROM latency"
                + " WHERE run_id = ? ORDER BY bench_id, tag")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Latency(rs.getString(1), rs.getString(2), rs.getLong(3), dbl(rs, 4), dbl(rs, 5), dbl(rs, 6)));
                }
            }
        }
        return out;
    }

    /** @return benchmark id → its telemetry summary (JSON text) in the run, for the benchmarks that have one */
    public Map<String, String> telemetry(String runId) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT bench_id, telemetry FROM benchmarks WHERE run_id = ?"
                + " AND telemetry IS NOT NULL ORDER BY bench_id")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    /** @return every series the filter selects, each with its points in history order and its gaps */
    public List<Series> series(Filter f) throws SQLException {
        List<RunInfo> runs = runs(f);
        Map<String, RunInfo> byId = new LinkedHashMap<>();
        runs.forEach(r -> byId.put(r.runId(), r));
        Map<String, List<double[]>> samples = samples(f, byId);
        record Row(String runId, String bench, String metric, String unit, boolean higher, boolean primary, double mean, double lo,
                   double hi) {
        }
        Map<Series.Key, List<Row>> rows = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT m.run_id, m.bench_id, m.metric, m.unit, m.higher_is_better,"
                + " m.mean, m.ci95_low, m.ci95_high, b.primary_metric FROM metrics m JOIN benchmarks b ON b.run_id = m.run_id AND"
                + " b.bench_id = m.bench_id JOIN runs r ON r.run_id = m.run_id WHERE b.status = 'ok'"
                + (f.since() != null ? " AND r.started_at >= ?" : "") + " ORDER BY r.started_at, r.run_id, m.bench_id, m.metric")) {
            if (f.since() != null) {
                ps.setString(1, Times.format(f.since()));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    RunInfo run = byId.get(rs.getString(1));
                    String bench = rs.getString(2);
                    String metric = rs.getString(3);
                    boolean primary = metric.equals(rs.getString(9));
                    if (run == null || !benchmark(f, bench) || !metric(f, metric, primary)) {
                        continue;
                    }
                    Series.Key key = new Series.Key(bench, metric, run.device(), run.configuration());
                    rows.computeIfAbsent(key, k -> new ArrayList<>()).add(new Row(run.runId(), bench, metric, rs.getString(4),
                            rs.getInt(5) != 0, primary, rs.getDouble(6), dbl(rs, 7), dbl(rs, 8)));
                }
            }
        }
        List<Series> out = new ArrayList<>();
        for (Map.Entry<Series.Key, List<Row>> e : rows.entrySet()) {
            Series.Key k = e.getKey();
            List<Series.Point> pts = new ArrayList<>();
            for (Row r : e.getValue()) {
                List<double[]> vf = samples.get(r.runId + "\n" + r.bench + "\n" + r.metric);
                double[] v = vf == null ? new double[0] : vf.stream().mapToDouble(x -> x[0]).toArray();
                int[] forks = vf == null ? new int[0] : vf.stream().mapToInt(x -> (int) x[1]).toArray();
                pts.add(new Series.Point(byId.get(r.runId), v, forks, r.mean, r.lo, r.hi));
            }
            Row first = e.getValue().getFirst();
            out.add(new Series(k, first.unit, first.higher, first.primary, pts, gaps(runs, k, pts)));
        }
        return out;
    }

    /** Runs of the series' device and configuration between its first and last point that lack it. */
    private static List<RunInfo> gaps(List<RunInfo> runs, Series.Key k, List<Series.Point> pts) {
        List<RunInfo> out = new ArrayList<>();
        if (pts.isEmpty()) {
            return out;
        }
        java.util.Set<String> have = new java.util.HashSet<>();
        pts.forEach(p -> have.add(p.run().runId()));
        boolean inside = false;
        int seen = 0;
        for (RunInfo r : runs) {
            if (!r.device().equals(k.device()) || !r.configuration().equals(k.configuration())) {
                continue;
            }
            if (have.contains(r.runId())) {
                inside = true;
                seen++;
                if (seen == pts.size()) {
                    break;
                }
            } else if (inside) {
                out.add(r);
            }
        }
        return out;
    }

    private Map<String, List<double[]>> samples(Filter f, Map<String, RunInfo> runs) throws SQLException {
        Map<String, List<double[]>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT s.run_id, s.bench_id, s.metric, s.fork, s.sample_value FROM samples s"
                + " JOIN runs r ON r.run_id = s.run_id" + (f.since() != null ? " WHERE r.started_at >= ?" : "")
                + " ORDER BY s.run_id, s.bench_id, s.metric, s.idx")) {
            if (f.since() != null) {
                ps.setString(1, Times.format(f.since()));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!runs.containsKey(rs.getString(1)) || !benchmark(f, rs.getString(2))) {
                        continue;
                    }
                    out.computeIfAbsent(rs.getString(1) + "\n" + rs.getString(2) + "\n" + rs.getString(3), k -> new ArrayList<>())
                            .add(new double[]{rs.getDouble(5), rs.getInt(4)});
                }
            }
        }
        return out;
    }

    private static boolean benchmark(Filter f, String id) {
        return f.benchmark() == null || id.equals(f.benchmark())
                || id.toLowerCase(Locale.ROOT).contains(f.benchmark().toLowerCase(Locale.ROOT));
    }

    private static boolean metric(Filter f, String metric, boolean primary) {
        if (f.metric() == null) {
            return primary;
        }
        return f.metric().equals("all") || f.metric().equals(metric);
    }

    private static double dbl(ResultSet rs, int i) throws SQLException {
        double v = rs.getDouble(i);
        return rs.wasNull() ? Double.NaN : v;
    }

    private static RunInfo run(ResultSet rs) throws SQLException {
        return new RunInfo(rs.getString(1), rs.getString(2), rs.getString(3), Times.parse(rs.getString(4)), Times.parse(rs.getString(5)),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                rs.getString(12), rs.getString(13), rs.getString(14), rs.getString(15), rs.getString(16), rs.getString(17),
                rs.getString(18), rs.getString(19), rs.getString(20), rs.getString(21), rs.getString(22), Times.parse(rs.getString(23)));
    }
}
