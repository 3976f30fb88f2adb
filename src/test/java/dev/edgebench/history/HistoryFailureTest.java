package dev.edgebench.history;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the history cannot be opened: each failure names the database and what to do. */
class HistoryFailureTest {
    @TempDir
    Path tmp;

    @Test
    void anUnreachableServerIsNamed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HistoryLocation loc = HistoryLocation.parse("jdbc:postgresql://127.0.0.1:" + port + "/history", tmp, Map.of("PGUSER", "ci"));
        HistoryException e = assertThrows(HistoryException.class, () -> HistoryStore.open(loc));
        assertEquals(HistoryException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().startsWith("cannot open the history database jdbc:postgresql://127.0.0.1:" + port + "/history as ci"),
                e.getMessage());
    }

    @Test
    void wrongCredentialsAreRefusedWithTheUserNamed() throws Exception {
        HistoryLocation good = TestDatabases.postgres(tmp);
        HistoryLocation bad = HistoryLocation.parse(good.url(), tmp, Map.of("EDGEBENCH_HISTORY_USER", TestDatabases.user(),
                "EDGEBENCH_HISTORY_PASSWORD", "not-the-password"));
        HistoryException e = assertThrows(HistoryException.class, () -> HistoryStore.open(bad));
        assertEquals(HistoryException.Kind.CREDENTIALS, e.kind());
        assertTrue(e.getMessage().contains("refused the credentials of user '" + TestDatabases.user() + "'"), e.getMessage());
        assertTrue(!e.getMessage().contains("not-the-password"), "the password is never printed");
        HistoryStore.open(good).close();
    }

    @Test
    void credentialsOnTheCommandLineAreRefused() {
        for (String url : new String[]{"jdbc:postgresql://db:5432/h?user=ci&password=secret", "jdbc:postgresql://db/h?ssl=true&password=x",
                "jdbc:postgresql://ci:secret@db/h"}) {
            HistoryException e = assertThrows(HistoryException.class, () -> HistoryLocation.parse(url, tmp, Map.of()));
            assertEquals(HistoryException.Kind.BAD_INPUT, e.kind());
            assertTrue(e.getMessage().contains("credentials") || e.getMessage().contains("EDGEBENCH_HISTORY_USER"), e.getMessage());
        }
        HistoryException e = assertThrows(HistoryException.class, () -> HistoryLocation.parse("jdbc:mysql://db/h", tmp, Map.of()));
        assertTrue(e.getMessage().startsWith("unsupported history database 'jdbc:mysql://db/h'"), e.getMessage());
    }

    @Test
    void credentialsComeFromTheEnvironmentProjectVariablesFirst() throws HistoryException {
        HistoryLocation l = HistoryLocation.parse("jdbc:postgresql://db/h", tmp, Map.of("PGUSER", "pg", "PGPASSWORD", "p1",
                "EDGEBENCH_HISTORY_USER", "eb"));
        assertEquals("eb", l.user());
        assertEquals("p1", l.password());
        assertTrue(!l.describe().contains("p1"));
    }

    @Test
    void anSqliteFileThatCannotBeCreatedOrIsNoDatabase() throws IOException, HistoryException {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        HistoryLocation under = HistoryLocation.parse(file.resolve("history.sqlite").toString(), tmp, Map.of());
        HistoryException e = assertThrows(HistoryException.class, () -> HistoryStore.open(under));
        assertEquals(HistoryException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().startsWith("cannot create the folder of the history file"), e.getMessage());

        Path junk = Files.writeString(tmp.resolve("junk.sqlite"), "this is not an SQLite database, just text long enough to have a header");
        HistoryException j = assertThrows(HistoryException.class, () -> HistoryStore.open(HistoryLocation.parse(junk.toString(), tmp,
                Map.of())));
        assertTrue(j.getMessage().contains(junk.toString()), j.getMessage());
        assertTrue(j.getMessage().toLowerCase(java.util.Locale.ROOT).contains("not a database"), j.getMessage());
    }

    @Test
    void theDefaultIsAFileInTheResultsFolderCreatedOnFirstUse() throws HistoryException {
        HistoryLocation l = HistoryLocation.parse(null, tmp.resolve("results"), Map.of());
        assertEquals(tmp.resolve("results").resolve("history.sqlite"), l.sqliteFile());
        HistoryStore.open(l).close();
        assertTrue(Files.isRegularFile(l.sqliteFile()));
    }
}
