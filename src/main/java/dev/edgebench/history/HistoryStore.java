package dev.edgebench.history;

import dev.edgebench.compare.ResultSet;
import dev.edgebench.results.LatencyLog;
import dev.edgebench.results.Stats;
import org.HdrHistogram.Histogram;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The history database: opens (and migrates) an SQLite file or a PostgreSQL database, ingests
 * runs and reads them back ({@link HistoryQueries}). One connection per store; not thread-safe;
 * close it.
 *
 * <p>Ingest is idempotent: a run is keyed by its id and the sha256 of its result file; a run
 * already stored with the same content is skipped, the same id with other content is refused
 * (two versions of one run would count twice). A run is written in one transaction: a failure
 * leaves nothing of it behind, and the run folder is never touched.
 */
public final class HistoryStore implements AutoCloseable {
    private final HistoryLocation location;
    private final Connection connection;
    private final int versionFound;

    private HistoryStore(HistoryLocation location, Connection connection, int versionFound) {
        this.location = location;
        this.connection = connection;
        this.versionFound = versionFound;
    }

    /**
     * Opens the history, creating the SQLite file or the tables on first use.
     *
     * @throws HistoryException UNREACHABLE, CREDENTIALS or NEWER_SCHEMA
     */
    public static HistoryStore open(HistoryLocation location) throws HistoryException {
        Connection c = location.connect();
        try {
            int found = Schema.migrate(c, location.describe());
            return new HistoryStore(location, c, found);
        } catch (SQLException e) {
            closeQuietly(c);
            throw new HistoryException(HistoryException.Kind.UNREACHABLE, "cannot set up the history tables in " + location.describe()
                    + ": " + e.getMessage(), e);
        } catch (HistoryException e) {
            closeQuietly(c);
            throw e;
        }
    }

    public HistoryLocation location() {
        return location;
    }

    /** @return the schema version the database had when opened (0: it was created now) */
    public int versionFound() {
        return versionFound;
    }

    /** @return the reader of this store */
    public HistoryQueries queries() {
        return new HistoryQueries(connection);
    }

    /**
     * What one ingest did.
     *
     * @param run     the run as stored
     * @param stored  true when written now, false when it was already there with the same content
     * @param benchmarks how many benchmarks it holds
     */
    public record Ingested(RunInfo run, boolean stored, int benchmarks) {
    }

    /**
     * @param rs what compare's reader loaded from the run folder, run.json or JMH file
     * @throws HistoryException CONFLICT when the run id is stored with other content; BAD_INPUT for an
     *                          unusable run; UNREACHABLE when the database fails while writing
     */
    public Ingested ingest(ResultSet rs, IngestOptions options) throws HistoryException {
        RunInfo run = RunFacts.of(rs, options, Instant.now());
        try {
            RunInfo existing = queries().run(run.runId());
            if (existing != null) {
                return alreadyThere(existing, run, rs.benchmarks().size());
            }
            connection.setAutoCommit(false);
            try {
                insertRun(run);
                for (ResultSet.Bench b : rs.benchmarks().values()) {
                    insertBench(run.runId(), b);
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                // a runner of the same fleet may have stored it a moment ago
                RunInfo now = queries().run(run.runId());
                if (now != null) {
                    return alreadyThere(now, run, rs.benchmarks().size());
                }
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            return new Ingested(run, true, rs.benchmarks().size());
        } catch (SQLException e) {
            throw new HistoryException(HistoryException.Kind.UNREACHABLE, "writing run " + run.runId() + " to " + location.describe()
                    + " failed: " + e.getMessage() + ". Nothing of it was stored; the run folder is intact: ingest it again later"
                    + " with `history ingest " + rs.source() + "`", e);
        }
    }

    private static Ingested alreadyThere(RunInfo existing, RunInfo run, int benchmarks) throws HistoryException {
        if (!existing.contentSha256().equals(run.contentSha256())) {
            throw new HistoryException(HistoryException.Kind.CONFLICT, "run " + run.runId() + " is already in the history with other"
                    + " content (sha256 " + existing.contentSha256().substring(0, 12) + "… from " + existing.sourcePath() + "; this one "
                    + run.contentSha256().substring(0, 12) + "… from " + run.sourcePath() + "): refusing to store two versions of one run."
                    + " Give this one another id (--run-id) if it is a different run");
        }
        return new Ingested(existing, false, benchmarks);
    }

    private void insertRun(RunInfo r) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO runs (run_id, content_sha256, source_format, started_at,"
                + " finished_at, status, preset, device, configuration, host, cpu_model, gpu, driver, power_mode, engine_name,"
                + " engine_profile, engine_release, engine_commit, code_commit, build_manifest, environment, source_path, ingested_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            Object[] v = {r.runId(), r.contentSha256(), r.format(), Times.format(r.startedAt()), Times.format(r.finishedAt()), r.status(),
                    r.preset(), r.device(), r.configuration(), r.host(), r.cpuModel(), r.gpu(), r.driver(), r.powerMode(), r.engineName(),
                    r.engineProfile(), r.engineRelease(), r.engineCommit(), r.codeCommit(), r.buildManifest(), r.environment(),
                    r.sourcePath(), Times.format(r.ingestedAt())};
            for (int i = 0; i < v.length; i++) {
                ps.setString(i + 1, (String) v[i]);
            }
            ps.executeUpdate();
        }
    }

    private void insertBench(String runId, ResultSet.Bench b) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO benchmarks (run_id, bench_id, kind, status, error,"
                + " primary_metric, params, telemetry) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, runId);
            ps.setString(2, b.id());
            ps.setString(3, b.kind());
            ps.setString(4, b.status());
            ps.setString(5, b.error());
            ps.setString(6, b.primary());
            ps.setString(7, RunFacts.json(b.params()));
            ps.setString(8, RunFacts.json(b.telemetry()));
            ps.executeUpdate();
        }
        try (PreparedStatement m = connection.prepareStatement("INSERT INTO metrics (run_id, bench_id, metric, unit, higher_is_better, n,"
                + " mean, median, stddev, ci95_low, ci95_high, min_value, max_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement s = connection.prepareStatement("INSERT INTO samples (run_id, bench_id, metric, idx, fork, sample_value)"
                     + " VALUES (?, ?, ?, ?, ?, ?)")) {
            for (ResultSet.Metric x : b.metrics().values()) {
                Stats st = Stats.of(x.values());
                m.setString(1, runId);
                m.setString(2, b.id());
                m.setString(3, x.name());
                m.setString(4, x.unit());
                m.setInt(5, x.higherIsBetter() ? 1 : 0);
                m.setInt(6, st.n());
                double[] stats = {st.mean(), st.median(), st.stddev(), st.ciLow(), st.ciHigh(), st.min(), st.max()};
                for (int i = 0; i < stats.length; i++) {
                    setDouble(m, 7 + i, stats[i]);
                }
                m.addBatch();
                for (int i = 0; i < x.values().length; i++) {
                    s.setString(1, runId);
                    s.setString(2, b.id());
                    s.setString(3, x.name());
                    s.setInt(4, i);
                    s.setInt(5, x.forks()[i]);
                    s.setDouble(6, x.values()[i]);
                    s.addBatch();
                }
            }
            m.executeBatch();
            s.executeBatch();
        }
        if (b.latency().isEmpty()) {
            return;
        }
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO latency (run_id, bench_id, tag, count_values, mean_us, p50_us,"
                + " p90_us, p95_us, p99_us, p999_us, max_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Map.Entry<String, List<Histogram>> e : b.latency().entrySet()) {
                Histogram h = LatencyLog.merge(e.getValue());
                if (h.getTotalCount() == 0) {
                    continue;
                }
                ps.setString(1, runId);
                ps.setString(2, b.id());
                ps.setString(3, e.getKey());
                ps.setLong(4, h.getTotalCount());
                double[] v = {h.getMean(), h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(95),
                        h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue()};
                for (int i = 0; i < v.length; i++) {
                    setDouble(ps, 5 + i, v[i] / 1000.0);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** NaN (a CI of one value) is stored as NULL: SQLite would do so anyway, PostgreSQL would keep NaN; one behaviour for both. */
    private static void setDouble(PreparedStatement ps, int i, double v) throws SQLException {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, v);
        }
    }

    /** Test support and repair: runs one statement (e.g. to mark the schema as newer). Not for normal use. */
    void execute(String sql) throws SQLException {
        try (var st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    @Override
    public void close() throws HistoryException {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new HistoryException(HistoryException.Kind.UNREACHABLE, "closing " + location.describe() + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the open already failed; that error is the one to report
        }
    }

    static List<String> ids(List<RunInfo> runs) {
        List<String> out = new ArrayList<>();
        runs.forEach(r -> out.add(r.runId()));
        return out;
    }
}
