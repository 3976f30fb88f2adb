package dev.edgebench.cli;

import dev.edgebench.compare.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** compare's exit codes: 0 no regression, 1 regression, 2 bad input, each bad input with a clear message. */
class CompareCommandTest {
    @TempDir
    Path tmp;

    /** @return {exit code, stdout, stderr} */
    static Object[] run(String... args) {
        Captured.Result r = Captured.run(a -> Cli.execute(new CompareCommand(), a), args);
        return new Object[]{r.rc(), r.out(), r.err()};
    }

    void bad(String expected, String... args) {
        Object[] r = run(args);
        assertEquals(2, r[0], () -> "exit code for " + List.of(args) + "; stderr: " + r[2]);
        assertTrue(((String) r[2]).contains(expected), () -> "expected '" + expected + "' in: " + r[2]);
    }

    @Test
    void exitCodes() throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "a", 1, Fixtures.bench());
        Path same = Fixtures.run(tmp.resolve("same"), "same", 2, Fixtures.bench());
        Path slow = Fixtures.run(tmp.resolve("slow"), "slow", 3, Fixtures.bench().mean(17));
        Object[] ok = run(a.toString(), same.toString(), "--resamples", "2000");
        assertEquals(0, ok[0], () -> (String) ok[2]);
        assertTrue(((String) ok[1]).contains("✅ no regression"), (String) ok[1]);
        assertTrue(Files.isRegularFile(same.resolve("compare/compare.md")));
        assertTrue(Files.isRegularFile(same.resolve("compare/compare.json")));
        assertTrue(Files.isRegularFile(same.resolve("compare/compare.html")));
        com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(same.resolve("compare/compare.json").toFile());
        assertEquals("edgebench.compare/1", doc.path("schema").asText());
        assertEquals(0, doc.path("exitCode").asInt());
        assertEquals(1, doc.path("metrics").size());
        com.fasterxml.jackson.databind.JsonNode m = doc.path("metrics").get(0);
        assertEquals("decode.tok_s", m.path("metric").asText());
        assertTrue(m.path("ratio").path("low").asDouble() < m.path("ratio").path("estimate").asDouble()
                && m.path("ratio").path("estimate").asDouble() < m.path("ratio").path("high").asDouble(), m::toString);
        assertTrue(m.path("baseline").path("forks").asInt() == 2 && m.path("baseline").path("n").asInt() == 16, m::toString);
        assertEquals(2, doc.path("latency").size(), "itl p50 and p99");
        assertEquals(1, doc.path("curves").size());
        assertEquals(2000, doc.path("method").path("resamples").asInt());
        Object[] reg = run(a.toString(), slow.toString(), "--resamples", "2000", "--out", tmp.resolve("rep").toString());
        assertEquals(1, reg[0], () -> (String) reg[2]);
        assertTrue(Files.isRegularFile(tmp.resolve("rep/compare.md")));
        Object[] loose = run(a.toString(), slow.toString(), "--threshold", "20%", "--resamples", "2000", "--no-html", "--quiet");
        assertEquals(0, loose[0], "a 15% drop is within a 20% threshold");
        assertEquals("", loose[1]);
    }

    @Test
    void badNumbersNameTheirOption() throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "a", 1, Fixtures.bench());
        String[][] cases = {
                {"--threshold", "abc", "Invalid value for option '--threshold': 'abc' is not a number"},
                {"--latency-threshold", "abc", "Invalid value for option '--latency-threshold': 'abc' is not a number"},
                {"--max-cv", "abc", "Invalid value for option '--max-cv': 'abc' is not a number"},
                {"--max-cv", "0", "Invalid value for option '--max-cv': must be positive"},
                {"--run-noise", "1.5", "Invalid value for option '--run-noise': must be a CV in [0, 1)"},
                {"--resamples", "abc", "Invalid value for option '--resamples': 'abc' is not an integer"},
                {"--resamples", "50", "Invalid value for option '--resamples': must be at least 100, was 50"},
                {"--seed", "abc", "Invalid value for option '--seed'"},
                {"--statistic", "mode", "Invalid value for option '--statistic'"},
        };
        for (String[] c : cases) {
            bad(c[2], a.toString(), a.toString(), c[0], c[1]);
            Object[] r = run(a.toString(), a.toString(), c[0], c[1]);
            assertTrue(!((String) r[2]).contains("For input string"), () -> "no bare parser message: " + r[2]);
        }
    }

    @Test
    void helpListsEveryOptionAndTheExitCodes() {
        Object[] r = run("--help");
        assertEquals(0, r[0]);
        assertEquals("", r[2], "no picocli warning (a '%' in a description must be written '%%')");
        for (String s : new String[]{"BASELINE", "CURRENT", "--threshold", "--latency-threshold", "--config", "--suite", "--metrics",
                "--statistic", "--[no-]latency-gate", "--max-cv", "--run-noise", "--paired", "--resamples", "--seed", "--out",
                "--no-html", "--quiet", "Exit codes: 0 no regression"}) {
            assertTrue(((String) r[1]).contains(s), () -> s + " in:\n" + r[1]);
        }
    }

    @Test
    void abMixesInTheSameOptions() {
        AbCommand ab = new AbCommand();
        Cli.commandLine(ab).parseArgs("--a", "x", "--b", "y", "--threshold", "3%", "--no-latency-gate", "--paired", "--rounds", "4");
        assertEquals(0.03, ab.compare.threshold, 1e-12);
        assertEquals(Boolean.FALSE, ab.compare.gateLatency);
        assertTrue(ab.compare.paired);
        assertEquals(4, ab.rounds);
        picocli.CommandLine.ParameterException e = org.junit.jupiter.api.Assertions.assertThrows(
                picocli.CommandLine.ParameterException.class,
                () -> Cli.commandLine(new AbCommand()).parseArgs("--a", "x", "--b", "y", "--resamples", "abc"));
        assertTrue(e.getMessage().contains("'--resamples'"), e.getMessage());
    }

    @Test
    void badInputs() throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "a", 1, Fixtures.bench());
        Path other = tmp.resolve("other.json");
        Files.writeString(other, Files.readString(a.resolve("run.json")).replace("edgebench.run/2", "edgebench.run/0"));
        bad("has schema 'edgebench.run/0'; this edgebench reads 'edgebench.run/2' and 'edgebench.run/1'", other.toString(), a.toString());
        Path empty = tmp.resolve("empty.json");
        Files.writeString(empty, "");
        bad("is empty", a.toString(), empty.toString());
        Path corrupt = tmp.resolve("corrupt.json");
        Files.writeString(corrupt, Files.readString(a.resolve("run.json")).substring(0, 400));
        bad("is not valid JSON (corrupt or truncated)", a.toString(), corrupt.toString());
        Path notResult = tmp.resolve("x.json");
        Files.writeString(notResult, "{\"hello\": 1}");
        bad("neither an edgebench run.json", a.toString(), notResult.toString());
        Files.createDirectories(tmp.resolve("nofolder"));
        bad("without run.json", a.toString(), tmp.resolve("nofolder").toString());
        bad("does not exist", a.toString(), tmp.resolve("missing").toString());
        Path disjoint = Fixtures.run(tmp.resolve("d"), "d", 2, Fixtures.bench().batch(64));
        bad("no benchmark in common", a.toString(), disjoint.toString());
        bad("Missing required parameter: 'CURRENT'", a.toString());
        bad("a threshold is a fraction", a.toString(), a.toString(), "--threshold", "150%");
        bad("Unknown option: '--frobnicate'", a.toString(), a.toString(), "--frobnicate");
        Path cfg = tmp.resolve("cfg.json");
        Files.writeString(cfg, "{\"suites\": {\"ci\": {\"threshold\": 2}}}");
        bad("must be a fraction", a.toString(), a.toString(), "--config", cfg.toString());
    }
}
