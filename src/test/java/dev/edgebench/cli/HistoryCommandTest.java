package dev.edgebench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.compare.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code history} through picocli, on an SQLite history in a temporary folder: each subcommand, exit codes and bad input. */
class HistoryCommandTest {
    @TempDir
    Path tmp;

    record Result(int rc, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new HistoryCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args);
        return new Result(rc, out.toString(), err.toString());
    }

    private String[] with(String db, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("--history");
        a.add(db);
        return a.toArray(String[]::new);
    }

    /** Twelve runs of two benchmarks; decode gets 10% slower from run 7, prefill stays. */
    private List<String> history() throws Exception {
        List<String> dirs = new ArrayList<>();
        for (int r = 1; r <= 12; r++) {
            Path d = Fixtures.run(tmp.resolve("runs").resolve("run-" + r), "run-" + r, r, java.util.Map.of("startedAt",
                    String.format("2026-11-%02dT00:00:00Z", r)), Fixtures.bench().mean(r >= 7 ? 18 : 20).cv(0.005),
                    Fixtures.bench().kind("prefill").mean(120).cv(0.005));
            dirs.add(d.toString());
        }
        return dirs;
    }

    @Test
    void ingestListShowChangesExportReport() throws Exception {
        String db = tmp.resolve("h.sqlite").toString();
        List<String> runs = history();
        List<String> ingest = new ArrayList<>(List.of("ingest"));
        ingest.addAll(runs);
        ingest.addAll(List.of("--commit", "feedface", "--history", db));
        Result a = run(ingest.toArray(String[]::new));
        assertEquals(0, a.rc(), a.err());
        assertEquals(12, a.out().lines().filter(l -> l.startsWith("stored")).count(), a.out());

        Result again = run("ingest", runs.get(2), "--history", db);
        assertEquals(0, again.rc(), again.err());
        assertTrue(again.out().startsWith("already  run-3"), again.out());

        Result list = run("list", "--history", db);
        assertEquals(0, list.rc());
        assertTrue(list.out().contains("| 12 | run-12 | 2026-11-12T00:00:00 | feedface |"), list.out());
        assertTrue(list.out().endsWith("12 runs\n"), list.out());

        Result show = run("show", "decode", "--history", db);
        assertEquals(0, show.rc(), show.err());
        assertTrue(show.out().contains("DecodeBenchmark.decode[batch=1,model=Qwen3-0.6B:Q4_0,threads=0] · decode.tok_s"), show.out());
        assertTrue(show.out().lines().anyMatch(l -> l.startsWith("| 7 | run-7 |") && l.contains("slower")), show.out());

        Result changes = run("changes", "--history", db);
        assertEquals(0, changes.rc(), changes.err());
        assertTrue(changes.out().startsWith("1 change point in 2 series examined."), changes.out());
        assertTrue(changes.out().contains("| run-7 (#7) | feedface |"), changes.out());
        assertTrue(changes.out().matches("(?s).*\\*\\*-(9\\.[5-9]|10\\.[0-4])%\\*\\* \\(.*\\) slower.*"), changes.out());
        assertEquals(1, run("changes", "--history", db, "--fail-on-regression").rc());
        assertEquals(0, run("changes", "--history", db, "--benchmark", "prefill", "--fail-on-regression").rc());
        assertRejected("the minimum segment is at least 2 runs", with(db, "changes", "--min-runs", "1"));

        Result bmf = run("export", "--bencher", "--history", db);
        assertEquals(0, bmf.rc(), bmf.err());
        JsonNode doc = new ObjectMapper().readTree(bmf.out());
        JsonNode m = doc.path("DecodeBenchmark.decode[batch=1,model=Qwen3-0.6B:Q4_0,threads=0]").path("decode.tok_s");
        assertTrue(m.path("lower_value").asDouble() < m.path("value").asDouble() && m.path("value").asDouble() < m.path("upper_value").asDouble(),
                bmf.out());
        assertEquals(18, m.path("value").asDouble(), 0.5, "the latest run (run-12)");
        Result all = run("export", "--bencher", "--all", "--out", tmp.resolve("bmf").toString(), "--history", db);
        assertEquals(0, all.rc(), all.err());
        assertTrue(Files.isRegularFile(tmp.resolve("bmf").resolve("run-1.bmf.json")));

        Path html = tmp.resolve("trend.html");
        Result report = run("report", "--out", html.toString(), "--history", db);
        assertEquals(0, report.rc(), report.err());
        assertTrue(Files.readString(html).contains("edgebench-history"), "the page holds the history document");
    }

    @Test
    void badInputExitsTwoAndSaysWhy() throws Exception {
        String db = tmp.resolve("h.sqlite").toString();
        assertRejected("is a folder without run.json", with(db, "ingest", tmp.toString()));
        assertRejected("does not exist", with(db, "ingest", tmp.resolve("nope").toString()));
        assertRejected("no run", with(db, "export", "--bencher"));
        assertRejected("name the format: --bencher", with(db, "export"));
        assertRejected("no series matches 'decode'", with(db, "show", "decode"));
        assertRejected("--since 'yesterday' is neither a date", with(db, "list", "--since", "yesterday"));
        assertRejected("credentials come from the environment only", "list", "--history", "jdbc:postgresql://h/db?password=x");
        assertRejected("Missing required parameter", "ingest");
        assertRejected("name a subcommand");

        List<String> runs = history();
        assertEquals(0, run("ingest", runs.get(0), "--history", db).rc());
        Result single = run("changes", "--history", db);
        assertEquals(0, single.rc(), single.err());
        assertTrue(single.out().contains("not examined") && single.out().contains("1 run in the history"), single.out());
        Path conflicting = Fixtures.run(tmp.resolve("other").resolve("run-1"), "run-1", 99, Fixtures.bench());
        assertRejected("run run-1 is already in the history with other content", with(db, "ingest", conflicting.toString()));
    }

    @Test
    void kernelSuiteFilesAreIngestedWithTheirDevice() throws Exception {
        String db = tmp.resolve("h.sqlite").toString();
        Path k = tmp.resolve("kernels-tiny-decode");
        Files.createDirectories(k);
        for (String f : new String[]{"kernels-jmh.json", "kernels.json"}) {
            try (var in = HistoryCommandTest.class.getResourceAsStream("/dev/edgebench/history/kernels-tiny/" + f)) {
                Files.copy(in, k.resolve(f));
            }
        }
        Result r = run("ingest", k.resolve("kernels-jmh.json").toString(), "--started-at", "2026-11-20T10:00:00Z", "--commit", "abc123",
                "--history", db);
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().startsWith("stored   kernels-tiny-decode (15 benchmarks, AMD EPYC, abc123)"), r.out());
        Result list = run("list", "--history", db);
        assertTrue(list.out().contains("| 1 | kernels-tiny-decode | 2026-11-20T10:00:00 | abc123 | AMD EPYC | preset=kernels-quick |"), list.out());
        Result show = run("show", "MUL_MAT q8_0[64x32064]", "--history", db);
        assertEquals(0, show.rc(), show.err());
        assertTrue(show.out().contains("No change-point analysis: 1 run in the history"), show.out());

        Path bare = Files.createDirectories(tmp.resolve("bare")).resolve("kernels-jmh.json");
        Files.copy(k.resolve("kernels-jmh.json"), bare);
        assertRejected("is a JMH file without kernels.json beside it: name its device (--device)", with(db, "ingest", bare.toString()));
        Result named = run("ingest", bare.toString(), "--device", "AMD EPYC", "--run-id", "bare-1", "--history", db);
        assertEquals(0, named.rc(), named.err());
        assertRejected("--run-id and --started-at name one run", with(db, "ingest", bare.toString(), k.toString(), "--run-id", "x"));
        assertRejected("Invalid value for option '--started-at'", with(db, "ingest", bare.toString(), "--started-at", "monday"));
    }

    @Test
    void anUnreachableDatabaseLeavesTheRunAndSaysHowToIngestLater() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/history";
        Path run = Fixtures.run(tmp.resolve("run-1"), "run-1", 1, Fixtures.bench());
        byte[] before = Files.readAllBytes(run.resolve("run.json"));
        Result r = run("ingest", run.toString(), "--history", url);
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("cannot open the history database " + url), r.err());
        assertTrue(r.err().contains("the run folders are untouched; ingest them later with: history ingest " + run + " --history " + url), r.err());
        assertEquals(new String(before), Files.readString(run.resolve("run.json")));
    }

    private static void assertRejected(String expected, String... args) {
        Result r = run(args);
        assertEquals(2, r.rc(), () -> "exit code for " + List.of(args) + "; out: " + r.out() + " err: " + r.err());
        assertTrue(r.err().contains(expected), () -> "expected '" + expected + "' in: " + r.err());
    }
}
