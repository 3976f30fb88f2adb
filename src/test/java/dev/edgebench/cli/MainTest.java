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
