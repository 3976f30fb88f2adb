package dev.edgebench.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 14 #8: no command or a mistyped one never falls through to JMH; JMH users keep their command line. */
class MainTest {
    @Test
    void aMistypedCommandIsBadInputWithASuggestion() {
        Captured.Result r = Captured.run(Main::execute, "comapre", "a", "b");
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().contains("Unmatched argument") && r.err().contains("compare"), r.err());
        assertFalse(Main.goesToJmh(new String[]{"comapre"}));
    }

    @Test
    void noCommandPrintsTheUsageAndIsBadInput() {
        Captured.Result r = Captured.run(Main::execute);
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("Usage: edgebench") && r.err().contains("a command is required"), r.err());
    }

    @Test
    void helpListsEveryCommand() {
        Captured.Result r = Captured.run(Main::execute, "--help");
        assertEquals(0, r.rc());
        for (String c : new String[]{"run", "ab", "parity", "kernels", "compare", "baseline", "telemetry", "forge", "facts", "catalog", "profile", "jmh"}) {
            assertTrue(r.out().contains("  " + c + " ") || r.out().contains("  " + c + "\n"), c + " in: " + r.out());
        }
    }

    /** Every command and subcommand answers --help (bad-input messages point users to it). */
    @Test
    void everyCommandAndSubcommandAnswersHelp() {
        java.util.List<String[]> paths = new java.util.ArrayList<>();
        collect(Cli.commandLine(new Main()), new java.util.ArrayList<>(), paths);
        assertTrue(paths.size() > 15, "commands found: " + paths.size());
        for (String[] path : paths) {
            String[] args = java.util.Arrays.copyOf(path, path.length + 1);
            args[path.length] = "--help";
            Captured.Result r = Captured.run(Main::execute, args);
            String what = String.join(" ", args);
            assertEquals(0, r.rc(), () -> what + ": " + r.err());
            assertTrue(r.out().contains("Usage: edgebench " + String.join(" ", path)), () -> what + ": " + r.out());
        }
    }

    /** The process's own streams: what a command prints without a line end still reaches them (history's tables do). */
    @Test
    void aCommandsWholeOutputReachesTheProcessStreams(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        String db = "jdbc:sqlite:" + tmp.resolve("h.sqlite");
        Captured.Result r = Captured.run(Main::execute, "history", "list", "--history", db);
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().startsWith("| # | run | started (UTC) |"), "history list's table, printed without a final println: [" + r.out() + "]");
    }

    private static void collect(picocli.CommandLine line, java.util.List<String> prefix, java.util.List<String[]> out) {
        for (var e : line.getSubcommands().entrySet()) {
            if (e.getKey().equals("jmh")) {
                continue;   // JMH's own command line: `jmh -h` is JMH's help
            }
            java.util.List<String> p = new java.util.ArrayList<>(prefix);
            p.add(e.getKey());
            out.add(p.toArray(new String[0]));
            collect(e.getValue(), p, out);
        }
    }

    @Test
    void jmhArgumentsGoToJmh() {
        assertTrue(Main.goesToJmh(new String[]{"jmh", "-h"}));
        assertTrue(Main.goesToJmh(new String[]{"-l"}));
        assertTrue(Main.goesToJmh(new String[]{"-lp"}));
        assertTrue(Main.goesToJmh(new String[]{"DecodeBenchmark", "-p", "model=edgebench-tiny:Q4_0"}));
        assertTrue(Main.goesToJmh(new String[]{"PrefillBenchmark.prefill"}));
        assertFalse(Main.goesToJmh(new String[]{"--help"}));
        assertFalse(Main.goesToJmh(new String[]{"run", "--dry-run"}));
        assertFalse(Main.goesToJmh(new String[]{"NoSuchBenchmarkAnywhere"}));
        assertFalse(Main.goesToJmh(new String[]{}));
    }

    @Test
    void aValueThatIsNotANumberNamesTheOption() {
        Captured.Result r = Captured.run(Main::execute, "run", "--batch", "1,x");
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("--batch") && r.err().contains("'x' is not an int"), r.err());
    }
}
