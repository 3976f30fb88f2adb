package dev.edgebench.history;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * The history's tables and their migrations. One schema and one dialect of SQL for SQLite and
 * PostgreSQL: TEXT, INTEGER, BIGINT and DOUBLE PRECISION columns, natural primary keys (no
 * auto-increment, whose syntax differs), times as fixed-width ISO-8601 UTC text (so that text
 * order is time order), JSON documents as text. {@code schema_version} records every migration
 * applied; a database whose highest version is above {@link #CURRENT} was written by a newer
 * edgebench and is refused untouched.
 */
final class Schema {
    /** The version this edgebench writes. */
    static final int CURRENT = 1;

    /** One migration: the version it brings the database to and its statements. */
    record Migration(int version, String description, List<String> statements) {
    }

    static final List<Migration> MIGRATIONS = List.of(new Migration(1, "runs, benchmarks, metrics, samples, latency", List.of(
            """
            CREATE TABLE runs (
              run_id TEXT PRIMARY KEY,
              content_sha256 TEXT NOT NULL,
              source_format TEXT NOT NULL,
              started_at TEXT NOT NULL,
              finished_at TEXT,
              status TEXT,
              preset TEXT,
              device TEXT NOT NULL,
              configuration TEXT NOT NULL,
              host TEXT,
              cpu_model TEXT,
              gpu TEXT,
              driver TEXT,
              power_mode TEXT,
              engine_name TEXT,
              engine_profile TEXT,
              engine_release TEXT,
              engine_commit TEXT,
              code_commit TEXT,
              build_manifest TEXT,
              environment TEXT,
              source_path TEXT,
              ingested_at TEXT NOT NULL)""",
            """
            CREATE TABLE benchmarks (
              run_id TEXT NOT NULL REFERENCES runs (run_id),
              bench_id TEXT NOT NULL,
              kind TEXT,
              status TEXT NOT NULL,
              error TEXT,
              primary_metric TEXT,
              params TEXT,
              telemetry TEXT,
              PRIMARY KEY (run_id, bench_id))""",
            """
            CREATE TABLE metrics (
              run_id TEXT NOT NULL,
              bench_id TEXT NOT NULL,
              metric TEXT NOT NULL,
              unit TEXT,
              higher_is_better INTEGER NOT NULL,
              n INTEGER NOT NULL,
              mean DOUBLE PRECISION,
              median DOUBLE PRECISION,
              stddev DOUBLE PRECISION,
              ci95_low DOUBLE PRECISION,
              ci95_high DOUBLE PRECISION,
              min_value DOUBLE PRECISION,
              max_value DOUBLE PRECISION,
              PRIMARY KEY (run_id, bench_id, metric),
              FOREIGN KEY (run_id, bench_id) REFERENCES benchmarks (run_id, bench_id))""",
            """
            CREATE TABLE samples (
              run_id TEXT NOT NULL,
              bench_id TEXT NOT NULL,
              metric TEXT NOT NULL,
              idx INTEGER NOT NULL,
              fork INTEGER NOT NULL,
              sample_value DOUBLE PRECISION NOT NULL,
              PRIMARY KEY (run_id, bench_id, metric, idx),
              FOREIGN KEY (run_id, bench_id, metric) REFERENCES metrics (run_id, bench_id, metric))""",
            """
            CREATE TABLE latency (
              run_id TEXT NOT NULL,
              bench_id TEXT NOT NULL,
              tag TEXT NOT NULL,
              count_values BIGINT NOT NULL,
              mean_us DOUBLE PRECISION,
              p50_us DOUBLE PRECISION,
              p90_us DOUBLE PRECISION,
              p95_us DOUBLE PRECISION,
              p99_us DOUBLE PRECISION,
              p999_us DOUBLE PRECISION,
              max_us DOUBLE PRECISION,
              PRIMARY KEY (run_id, bench_id, tag),
              FOREIGN KEY (run_id, bench_id) REFERENCES benchmarks (run_id, bench_id))""",
            "CREATE INDEX metrics_series ON metrics (bench_id, metric)",
            "CREATE INDEX runs_device_time ON runs (device, configuration, started_at)")));

    private Schema() {
    }

    /**
     * Brings the database to {@link #CURRENT}, each migration in its own transaction.
     *
     * @return the version found before migrating (0 for a new database)
     * @throws HistoryException NEWER_SCHEMA when the database is ahead of this edgebench
     */
    static int migrate(Connection c, String where) throws SQLException, HistoryException {
        boolean auto = c.getAutoCommit();
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL,"
                    + " applied_at TEXT NOT NULL)");
        }
        int found = version(c);
        if (found > CURRENT) {
            throw new HistoryException(HistoryException.Kind.NEWER_SCHEMA, "the history database " + where + " has schema version "
                    + found + ", written by a newer edgebench; this one knows versions up to " + CURRENT
                    + ". Use a newer edgebench (nothing was changed in the database)");
        }
        c.setAutoCommit(false);
        try {
            for (Migration m : MIGRATIONS) {
                if (m.version() <= found) {
                    continue;
                }
                try (Statement st = c.createStatement()) {
                    for (String sql : m.statements()) {
                        st.execute(sql);
                    }
                }
                try (var ps = c.prepareStatement("INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
                    ps.setInt(1, m.version());
                    ps.setString(2, m.description());
                    ps.setString(3, Times.format(Instant.now()));
                    ps.executeUpdate();
                }
                c.commit();
            }
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        return found;
    }

    static int version(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
