package dev.edgebench.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgebench.results.RunSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Matching, verdicts, latency percentiles, unmatched benchmarks and environment warnings on fixture runs. */
class CompareTest {
    @TempDir
    Path tmp;

    static Comparison compare(Path a, Path b, CompareConfig.Suite s) throws Exception {
        return Comparer.compare(ResultLoader.load(a), ResultLoader.load(b), s, 4000, Bootstrap.DEFAULT_SEED);
    }

    static CompareConfig.Suite suite() throws BadInputException {
        return CompareConfig.defaults().suite("ci");
    }

    @Test
    void fixturesAreValidRuns() throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "a", 1, Fixtures.bench(), Fixtures.bench().kind("prefill").mean(120));
        RunSchema.assertValid(new ObjectMapper().readTree(a.resolve("run.json").toFile()));
    }

    @Test
    void sameDistributionIsNoRegression() throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "a", 1, Fixtures.bench(), Fixtures.bench().kind("prefill").mean(120));
        Path b = Fixtures.run(tmp.resolve("b"), "b", 2, Fixtures.bench(), Fixtures.bench().kind("prefill").mean(120));
        Comparison c = compare(a, b, suite());
        assertEquals(2, c.metrics().size());
        assertEquals(0, c.regressions(), () -> MarkdownReport.render(c));
        assertEquals(Comparison.EXIT_OK, c.exitCode());
        assertTrue(c.metrics().stream().allMatch(m -> m.verdict() == Verdict.UNCHANGED), () -> MarkdownReport.render(c));
        assertTrue(c.environment().isEmpty(), c.environment()::toString);
        assertTrue(c.latencies().stream().anyMatch(l -> l.tag().equals("itl") && l.percentile() == 99));
        assertTrue(c.curves().containsKey(Fixtures.bench().id()));
    }

    @Test
    void aTenPercentSlowerDecodeIsARegression() throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "a", 1, Fixtures.bench(), Fixtures.bench().kind("prefill").mean(120));
        Path b = Fixtures.run(tmp.resolve("b"), "b", 2, Fixtures.bench().mean(18), Fixtures.bench().kind("prefill").mean(132));
        Comparison c = compare(a, b, suite());
        Comparison.MetricResult decode = c.metrics().stream().filter(m -> m.metric().equals("decode.tok_s")).findFirst().orElseThrow();
        Comparison.MetricResult prefill = c.metrics().stream().filter(m -> m.metric().equals("prefill.tok_s")).findFirst().orElseThrow();
        assertEquals(Verdict.SLOWER, decode.verdict());
        assertTrue(decode.ratio().low() < 0.9 && decode.ratio().high() > 0.9, decode.ratio()::toString);
        assertEquals(Verdict.FASTER, prefill.verdict());
        assertEquals(Comparison.EXIT_REGRESSION, c.exitCode());
        String md = MarkdownReport.render(c);
        assertTrue(md.contains("❌ 1 regression"), md);
        assertTrue(md.contains("🔴 slower") && md.contains("🟢 faster"), md);
        assertTrue(md.contains("−10."), md);
    }

    @Test
    void noisyDataIsInconclusiveNotSlower() throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "a", 1, Fixtures.bench().cv(0.15));
        Path b = Fixtures.run(tmp.resolve("b"), "b", 2, Fixtures.bench().cv(0.15).mean(19));
        Comparison c = compare(a, b, suite());
        assertEquals(Verdict.INCONCLUSIVE, c.metrics().get(0).verdict(), () -> MarkdownReport.render(c));
        assertEquals(Comparison.EXIT_OK, c.exitCode());
    }

    /** The noise guard: samples varying beyond maxCv get no verdict, even for a large change, and say why. */
    @Test
    void aDisturbedMachineGetsNoVerdict() throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "a", 1, Fixtures.bench().cv(0.6));
        assertTrue(Comparer.robustCv(new double[]{10, 10.1, 9.9, 10, 1000}) < 0.02, "one outlier does not trip the guard");
        Path b = Fixtures.run(tmp.resolve("b"), "b", 2, Fixtures.bench().cv(0.6).mean(10));
        Comparison c = compare(a, b, suite());
        Comparison.MetricResult m = c.metrics().get(0);
        assertEquals(Verdict.INCONCLUSIVE, m.verdict());
        assertTrue(m.reason() != null && m.reason().contains("too noisy"), m::toString);
        assertTrue(c.latencies().stream().allMatch(l -> l.verdict() == Verdict.INCONCLUSIVE && l.reason() != null));
        assertEquals(Comparison.EXIT_OK, c.exitCode());
        assertTrue(MarkdownReport.render(c).contains("too noisy (robust CV"), MarkdownReport.render(c));
        assertEquals(Verdict.SLOWER, compare(a, b, suite().withMaxCv(5)).metrics().get(0).verdict(), "without the guard");
    }

    @Test
    void worseTailLatencyIsFlaggedAndCanBeReportOnly() throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "a", 1, Fixtures.bench());
        Path b = Fixtures.run(tmp.resolve("b"), "b", 2, Fixtures.bench().itl(50_000, 2.0));
        Comparison c = compare(a, b, suite());
        Comparison.LatencyResult p99 = c.latencies().stream().filter(l -> l.percentile() == 99).findFirst().orElseThrow();
        Comparison.LatencyResult p50 = c.latencies().stream().filter(l -> l.percentile() == 50).findFirst().orElseThrow();
        assertEquals(Verdict.SLOWER, p99.verdict(), p99::toString);
        assertEquals(Verdict.UNCHANGED, p50.verdict(), p50::toString);
        assertEquals(Comparison.EXIT_REGRESSION, c.exitCode());
        assertTrue(MarkdownReport.render(c).contains("itl p99"));
        Comparison report = compare(a, b, suite().withGateLatency(false));
        assertEquals(Comparison.EXIT_OK, report.exitCode());
        assertTrue(MarkdownReport.render(report).contains("worse (not gating)"));
    }

    @Test
    void unmatchedAreReportedAndEnvironmentDifferencesWarned() throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "a", 1, Fixtures.bench(), Fixtures.bench().batch(8).mean(60));
        Path b = Fixtures.run(tmp.resolve("b"), "b", 2,
                Map.of("engine.build.cpuIsa", "avx512", "environment.gpus", List.of(Map.of("name", "NVIDIA H100", "driver", "580.1")),
                        "environment.power.nvpmodel", "15W"),
                Fixtures.bench(), Fixtures.bench().batch(4).mean(50));
        Comparison c = compare(a, b, suite());
        assertEquals(List.of(Fixtures.bench().batch(8).id()), c.onlyBaseline());
        assertEquals(List.of(Fixtures.bench().batch(4).id()), c.onlyCurrent());
        String md = MarkdownReport.render(c);
        assertTrue(md.contains("only in the baseline: `" + Fixtures.bench().batch(8).id()), md);
        assertTrue(md.contains("only in the current run: `" + Fixtures.bench().batch(4).id()), md);
        assertTrue(md.contains("engine CPU instruction set: avx2 → avx512"), md);
        assertTrue(md.contains("GPU count: 0 → 1"), md);
        assertTrue(md.contains("power nvpmodel: (absent) → 15W"), md);
        assertTrue(md.contains("decode batch=1"), "short names show the varying parameter: " + md);
    }

    @Test
    void aBenchmarkThatFailsNowIsARegression() throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "a", 1, Fixtures.bench(), Fixtures.bench().kind("prefill"));
        Path b = Fixtures.run(tmp.resolve("b"), "b", 2, Fixtures.bench().status("failed"), Fixtures.bench().kind("prefill"));
        Comparison c = compare(a, b, suite());
        assertEquals(Verdict.FAILED, c.metrics().stream().filter(m -> m.metric().equals("decode.tok_s")).findFirst().orElseThrow().verdict());
        assertEquals(Comparison.EXIT_REGRESSION, c.exitCode());
    }

    @Test
    void nothingInCommonIsBadInput() throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "a", 1, Fixtures.bench().batch(1));
        Path b = Fixtures.run(tmp.resolve("b"), "b", 2, Fixtures.bench().batch(2));
        BadInputException e = assertThrows(BadInputException.class, () -> compare(a, b, suite()));
        assertTrue(e.getMessage().contains("no benchmark in common"), e.getMessage());
    }

    @Test
    void aBaselineWithoutValidResultsIsBadInput() throws Exception {
        Path a = Fixtures.run(tmp.resolve("a"), "a", 1, Fixtures.bench().status("failed"));
        Path b = Fixtures.run(tmp.resolve("b"), "b", 2, Fixtures.bench());
        BadInputException e = assertThrows(BadInputException.class, () -> compare(a, b, suite()));
        assertTrue(e.getMessage().contains("nothing could be compared") && e.getMessage().contains("no valid result"), e.getMessage());
    }

    /** Kernel benchmarks arrive as JMH JSON with op/type/shape parameters: they match and compare the same way. */
    @Test
    void jmhJsonKernelResults() throws Exception {
        Path a = Fixtures.jmhKernels(tmp.resolve("a.json"), 1, 1.0);
        Path b = Fixtures.jmhKernels(tmp.resolve("b.json"), 2, 1.10);
        Comparison c = compare(a, b, CompareConfig.defaults().suite("jmh"));
        assertEquals(2, c.metrics().size());
        Comparison.MetricResult mm = c.metrics().stream().filter(m -> m.id().contains("op=MUL_MAT")).findFirst().orElseThrow();
        Comparison.MetricResult add = c.metrics().stream().filter(m -> m.id().contains("op=ADD")).findFirst().orElseThrow();
        assertEquals("OpBenchmark.op[op=MUL_MAT,shape=4096x14336,type=q4_0]", mm.id());
        assertEquals(3, mm.baseForks());
        assertEquals(Verdict.SLOWER, mm.verdict(), "µs/op up 10%: lower is better");
        assertEquals(Verdict.UNCHANGED, add.verdict());
        assertTrue(c.environment().isEmpty());
    }
}
