package dev.edgebench.history;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Named;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The databases the history tests run against: SQLite in a temporary folder, and PostgreSQL at
 * {@code $EDGEBENCH_TEST_PG_URL} with {@code $EDGEBENCH_TEST_PG_USER} / {@code _PASSWORD} (make test
 * starts a throw-away server with scripts/pg-test-server.sh and sets them). Each test gets a
 * fresh, empty database: a new file, or a new PostgreSQL database created for it.
 */
final class TestDatabases {
    static final String PG_URL = "EDGEBENCH_TEST_PG_URL";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** Makes a fresh history location. */
    interface Db {
        HistoryLocation fresh(Path tmp) throws Exception;
    }

    private TestDatabases() {
    }

    static Stream<Named<Db>> both() {
        return Stream.of(Named.of("sqlite", tmp -> HistoryLocation.parse(tmp.resolve("h" + COUNTER.incrementAndGet()).resolve("history.sqlite")
                .toString(), tmp, Map.of())), Named.of("postgresql", TestDatabases::postgres));
    }

    /** @return a new, empty PostgreSQL database; skips the test when no server is configured */
    static HistoryLocation postgres(Path tmp) throws SQLException, HistoryException {
        String url = System.getenv(PG_URL);
        Assumptions.assumeTrue(url != null && !url.isBlank(), "no PostgreSQL for tests: " + PG_URL + " is unset (`make test` starts one"
                + " with scripts/pg-test-server.sh and sets it)");
        String name = "history_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url, user(), password()); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return HistoryLocation.parse(url.substring(0, url.lastIndexOf('/') + 1) + name, tmp, credentials());
    }

    static Map<String, String> credentials() {
        return Map.of("EDGEBENCH_HISTORY_USER", user(), "EDGEBENCH_HISTORY_PASSWORD", password());
    }

    static String user() {
        return System.getenv().getOrDefault("EDGEBENCH_TEST_PG_USER", "edgebench");
    }

    static String password() {
        return System.getenv().getOrDefault("EDGEBENCH_TEST_PG_PASSWORD", "");
    }
}
