package dev.edgebench.cli;

import dev.edgebench.compare.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** baseline update and show through the command line: the stored folder, the listing, and refused platform names. */
class BaselineCommandTest {
    @TempDir
    Path tmp;

    private static Captured.Result run(String... args) {
        return Captured.run(a -> Cli.execute(new BaselineCommand(), a), args);
    }

    @Test
    void updateThenShow() throws Exception {
        Path run = Fixtures.run(tmp.resolve("runs/r1"), "r1", 1, Fixtures.bench());
        Path dir = tmp.resolve("baselines");
        Captured.Result u = run("update", run.toString(), "--dir", dir.toString());
        assertEquals(0, u.rc(), u::err);
        assertTrue(u.out().contains("baseline: " + dir.resolve("x86_64-cpu-avx2") + " now holds run r1"), u.out());

        Captured.Result list = run("show", "--dir", dir.toString());
        assertEquals(0, list.rc(), list::err);
        assertTrue(list.out().startsWith("| platform | run | updated | benchmarks | engine build |"), list.out());
        assertTrue(list.out().matches("(?s).*\\| x86_64-cpu-avx2 \\| r1 \\| \\d{4}-.* \\| 1 \\| .*"), list.out());

        Captured.Result one = run("show", "x86_64-cpu-avx2", "--dir", dir.toString());
        assertEquals(0, one.rc(), one::err);
        assertTrue(one.out().startsWith("baseline x86_64-cpu-avx2: run r1, updated "), one.out());
        assertTrue(one.out().contains("| benchmark | metric | mean ± 95% CI | CV | samples |"), one.out());
        assertTrue(one.out().contains("decode.tok_s"), one.out());

        Captured.Result missing = run("show", "jetson-orin", "--dir", dir.toString());
        assertEquals(2, missing.rc());
        assertTrue(missing.err().contains("no baseline for platform 'jetson-orin'"), missing.err());
        assertTrue(missing.err().contains("have: [x86_64-cpu-avx2]"), missing.err());

        Captured.Result empty = run("show", "--dir", tmp.resolve("none").toString());
        assertEquals(0, empty.rc(), empty::err);
        assertTrue(empty.out().startsWith("no baselines in "), empty.out());
    }

    @Test
    void aPlatformIsANameNotAPath() throws Exception {
        Path run = Fixtures.run(tmp.resolve("runs/r1"), "r1", 1, Fixtures.bench());
        Path dir = tmp.resolve("baselines");
        for (String p : new String[]{"", ".", "..", "...", " ", "../x", "a/b", "a\\b"}) {
            Captured.Result r = run("update", run.toString(), "--dir", dir.toString(), "--platform", p);
            assertEquals(2, r.rc(), () -> "'" + p + "': " + r.err());
            assertTrue(r.err().contains("Invalid value for option '--platform': a platform is a name"), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
            Captured.Result s = run("show", p, "--dir", dir.toString());
            assertEquals(2, s.rc(), () -> "show '" + p + "': " + s.err());
            assertTrue(s.err().contains("a platform is a name"), s.err());
        }
        assertFalse(Files.exists(dir.resolve("run.json")), "nothing written into the baselines folder itself");
        assertFalse(Files.exists(tmp.resolve("run.json")), "nor above it");
    }

    @Test
    void badInvocationsExitWithTwo() throws Exception {
        Captured.Result none = run();
        assertEquals(2, none.rc());
        assertTrue(none.err().contains("update") && none.err().contains("show"), "the usage lists the subcommands: " + none.err());
        Captured.Result typo = run("shwo");
        assertEquals(2, typo.rc());
        assertTrue(typo.err().contains("shwo"), typo.err());
        Captured.Result noRun = run("update", "--dir", tmp.toString());
        assertEquals(2, noRun.rc());
        assertTrue(noRun.err().contains("Missing required parameter"), noRun.err());
        Captured.Result notARun = run("update", tmp.resolve("nothing").toString(), "--dir", tmp.resolve("b").toString());
        assertEquals(2, notARun.rc());
        assertTrue(notARun.err().contains("does not exist"), notARun.err());
        Captured.Result help = run("update", "--help");
        assertEquals(0, help.rc());
        assertEquals("", help.err());
        for (String s : List.of("RUN", "--platform", "--dir", "--force", "run-to-run noise")) {
            assertTrue(help.out().contains(s), () -> s + " in " + help.out());
        }
    }
}
