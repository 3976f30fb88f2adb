package dev.edgebench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ab: bad input before any work; with the built engine, two interleaved sides become two run folders and a comparison. */
class AbCommandTest {
    @TempDir
    Path tmp;

    static Object[] run(String... args) {
        Captured.Result r = Captured.run(a -> Cli.execute(new AbCommand(), a), args);
        return new Object[]{r.rc(), r.out(), r.err()};
    }

    void bad(String expected, String... args) {
        Object[] r = run(args);
        assertEquals(2, r[0], () -> "exit code for " + List.of(args) + "; stderr: " + r[2]);
        assertTrue(((String) r[2]).contains(expected), () -> "expected '" + expected + "' in: " + r[2]);
    }

    @Test
    void badInput() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("build/lib"));
        Files.writeString(lib.resolve(System.mapLibraryName("llama")), "");
        bad("Missing required option: '--b=BUILD'", "--a", tmp.resolve("build").toString());
        bad("holds no engine build", "--a", tmp.resolve("build").toString(), "--b", tmp.toString());
        bad("--rounds must be at least 2", "--a", tmp.resolve("build").toString(), "--b", tmp.resolve("build").toString(), "--rounds", "1");
        bad("use --rounds", "--a", tmp.resolve("build").toString(), "--b", tmp.resolve("build").toString(), "--forks", "3");
        bad("unknown preset", "--a", tmp.resolve("build").toString(), "--b", tmp.resolve("build").toString(), "--preset", "nope");
        Object[] dry = run("--a", tmp.resolve("build").toString(), "--b", tmp.resolve("build").toString(), "--model", "edgebench-tiny:Q4_0",
                "--benchmarks", "prefill", "--dry-run");
        assertEquals(0, dry[0], () -> (String) dry[2]);
        assertTrue(((String) dry[1]).contains("PrefillBenchmark.prefill[batch=1"), (String) dry[1]);
    }

    /** Two rounds on the same build: both sides measured in separate forks, each side's samples tagged by fork, compared. */
    @Test
    @Tag("native")
    void interleavedRunsOfTheSameBuild() throws Exception {
        System.setProperty("edgebench.models", Files.createDirectories(tmp.resolve("models")).toString());
        Path build = Path.of(System.getProperty("edgebench.native.dir", "native/build")).resolve(System.getProperty("edgebench.profile", "cpu"));
        Object[] r = run("--a", build.toString(), "--b", build.toString(), "--a-name", "first", "--b-name", "second", "--rounds", "2",
                "--model", "edgebench-tiny:Q4_0", "--benchmarks", "prefill,decode", "--prompt", "16", "--gen", "8", "--samples", "3",
                "--warmup", "1", "--threads", "1", "--runs-dir", tmp.resolve("runs").toString(), "--run-id", "ab-test", "--resamples", "1000");
        assertNotEquals(2, r[0], () -> "stderr: " + r[2]);
        Path ab = tmp.resolve("runs/ab-test");
        ObjectMapper json = new ObjectMapper();
        for (String side : List.of("first", "second")) {
            JsonNode run = json.readTree(ab.resolve(side).resolve("run.json").toFile());
            assertEquals("complete", run.path("status").asText(), () -> side + ": " + run.path("benchmarks") + "\nstderr: " + r[2]);
            assertEquals(side, run.path("ab").path("name").asText());
            assertEquals("cpu", run.path("engine").path("build").path("profile").asText());
            for (JsonNode b : run.path("benchmarks")) {
                JsonNode m = b.path("metrics").path(b.path("benchmark").asText() + ".tok_s");
                assertEquals(6, m.path("values").size(), () -> side + " " + b);
                Set<Integer> forks = new HashSet<>();
                m.path("forks").forEach(f -> forks.add(f.asInt()));
                assertEquals(Set.of(0, 1), forks, "one fork per round");
            }
            dev.edgebench.results.RunSchema.assertValid(run);
        }
        JsonNode cmp = json.readTree(ab.resolve("compare.json").toFile());
        assertEquals(2, cmp.path("metrics").size(), cmp::toString);
        assertTrue(Files.isRegularFile(ab.resolve("compare.md")));
        assertTrue(Files.isRegularFile(ab.resolve("compare.html")));
        assertEquals(r[0], cmp.path("exitCode").asInt());
    }
}
