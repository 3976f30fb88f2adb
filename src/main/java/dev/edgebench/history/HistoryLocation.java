package dev.edgebench.history;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Where the history lives: an SQLite file (the embedded default, {@code <results>/history.sqlite},
 * created with its folder on first use) or a PostgreSQL database named by a JDBC URL. PostgreSQL
 * credentials come from the environment only, {@code EDGEBENCH_HISTORY_USER} /
 * {@code EDGEBENCH_HISTORY_PASSWORD} first, then libpq's {@code PGUSER} / {@code PGPASSWORD}; a
 * URL that carries a user or password is refused, so that no secret lands in a shell history or
 * a CI log. Immutable.
 *
 * @param url        the JDBC URL
 * @param postgres   true for PostgreSQL, false for SQLite
 * @param sqliteFile the SQLite file, or null
 * @param user       the PostgreSQL user from the environment, or null
 * @param password   the PostgreSQL password from the environment, or null (never printed)
 */
public record HistoryLocation(String url, boolean postgres, Path sqliteFile, String user, String password) {
    /** The default file name inside the results folder. */
    public static final String DEFAULT_FILE = "history.sqlite";

    /**
     * @param spec       null (the default file in {@code resultsDir}), a file path, {@code jdbc:sqlite:FILE} or
     *                   {@code jdbc:postgresql://HOST:PORT/DB}
     * @param resultsDir the results folder holding the default file
     * @param env        the environment to take credentials from (System.getenv() outside tests)
     * @throws HistoryException BAD_INPUT for a URL of another database or one carrying credentials
     */
    public static HistoryLocation parse(String spec, Path resultsDir, Map<String, String> env) throws HistoryException {
        if (spec == null || spec.isBlank()) {
            Path f = resultsDir.resolve(DEFAULT_FILE);
            return new HistoryLocation("jdbc:sqlite:" + f, false, f, null, null);
        }
        String lower = spec.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            for (String secret : new String[]{"user", "password"}) {
                if (lower.contains("?" + secret + "=") || lower.contains("&" + secret + "=")) {
                    throw new HistoryException(HistoryException.Kind.BAD_INPUT, "the history URL carries a " + secret
                            + ": credentials come from the environment only (EDGEBENCH_HISTORY_USER / EDGEBENCH_HISTORY_PASSWORD,"
                            + " or PGUSER / PGPASSWORD), never from the command line");
                }
            }
            if (spec.substring("jdbc:postgresql:".length()).contains("@")) {
                throw new HistoryException(HistoryException.Kind.BAD_INPUT, "the history URL carries user@host credentials: give"
                        + " jdbc:postgresql://HOST:PORT/DB and put the user and password in EDGEBENCH_HISTORY_USER /"
                        + " EDGEBENCH_HISTORY_PASSWORD (or PGUSER / PGPASSWORD)");
            }
            String user = first(env, "EDGEBENCH_HISTORY_USER", "PGUSER");
            String password = first(env, "EDGEBENCH_HISTORY_PASSWORD", "PGPASSWORD");
            return new HistoryLocation(spec, true, null, user, password);
        }
        if (lower.startsWith("jdbc:sqlite:")) {
            Path f = Path.of(spec.substring("jdbc:sqlite:".length()));
            return new HistoryLocation("jdbc:sqlite:" + f, false, f, null, null);
        }
        if (lower.startsWith("jdbc:")) {
            throw new HistoryException(HistoryException.Kind.BAD_INPUT, "unsupported history database '" + spec
                    + "': give a file path or jdbc:sqlite:FILE (SQLite), or jdbc:postgresql://HOST:PORT/DB (PostgreSQL)");
        }
        Path f = Path.of(spec);
        if (Files.isDirectory(f)) {
            f = f.resolve(DEFAULT_FILE);
        }
        return new HistoryLocation("jdbc:sqlite:" + f, false, f, null, null);
    }

    private static String first(Map<String, String> env, String a, String b) {
        String v = env.get(a);
        return v != null && !v.isEmpty() ? v : env.get(b);
    }

    /** @return the location for messages: the file, or the URL (which carries no secret) */
    public String describe() {
        return postgres ? url + (user != null ? " as " + user : "") : sqliteFile.toString();
    }

    /**
     * Opens a connection: creates the SQLite file's folder first; gives PostgreSQL 10 s to answer.
     *
     * @throws HistoryException UNREACHABLE (no server, no such database, an unwritable file) or CREDENTIALS
     */
    Connection connect() throws HistoryException {
        try {
            if (postgres) {
                Properties p = new Properties();
                if (user != null) {
                    p.setProperty("user", user);
                }
                if (password != null) {
                    p.setProperty("password", password);
                }
                p.setProperty("connectTimeout", "10");
                p.setProperty("loginTimeout", "10");
                p.setProperty("ApplicationName", "edgebench history");
                return DriverManager.getConnection(url, p);
            }
            Path parent = sqliteFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (Files.isDirectory(sqliteFile)) {
                throw new HistoryException(HistoryException.Kind.UNREACHABLE, sqliteFile + " is a folder, not an SQLite file");
            }
            Connection c = DriverManager.getConnection(url);
            try (var st = c.createStatement()) {
                // wait for a concurrent writer instead of failing at once; keep foreign keys honest
                st.execute("PRAGMA busy_timeout = 10000");
                st.execute("PRAGMA foreign_keys = ON");
            }
            return c;
        } catch (IOException e) {
            throw new HistoryException(HistoryException.Kind.UNREACHABLE, "cannot create the folder of the history file "
                    + sqliteFile + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Turns a connection failure into a message that says which database, what happened and what to check. */
    HistoryException failure(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("28P01") || state.equals("28000")) {
            return new HistoryException(HistoryException.Kind.CREDENTIALS, "the history database " + url + " refused the credentials of "
                    + (user == null ? "the default user (EDGEBENCH_HISTORY_USER / PGUSER unset)" : "user '" + user + "'")
                    + ": check EDGEBENCH_HISTORY_USER / EDGEBENCH_HISTORY_PASSWORD (or PGUSER / PGPASSWORD) (" + e.getMessage() + ")", e);
        }
        if (state.equals("3D000")) {
            return new HistoryException(HistoryException.Kind.UNREACHABLE, "the history database " + url + " does not exist on that"
                    + " server: create it (createdb) or fix the URL (" + e.getMessage() + ")", e);
        }
        return new HistoryException(HistoryException.Kind.UNREACHABLE, "cannot open the history database " + describe() + ": "
                + e.getMessage(), e);
    }
}
