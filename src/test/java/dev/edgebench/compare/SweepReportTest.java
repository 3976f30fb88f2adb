package dev.edgebench.compare;

import dev.edgebench.run.BenchmarkId;
import dev.edgebench.run.Metric;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two engines' requests benchmarks over a concurrency sweep (1, 2, 4): compare's report gets one
 * sweep with both sides' throughput, latency and goodput per step, and its HTML draws the
 * throughput-vs-latency lines and the goodput bars in a real headless Chromium.
 */
class SweepReportTest {
    @TempDir
    Path tmp;

    static ResultSet side(String label, double tokS, double tpotMs) {
        Map<String, ResultSet.Bench> out = new LinkedHashMap<>();
        for (int c : new int[] {1, 2, 4}) {
            Map<String, String> p = new TreeMap<>(Map.of("concurrency", String.valueOf(c), "rate", "0", "model", "edgebench-tiny:Q4_0",
                    "nPrompt", "128", "nGen", "128"));
            String id = BenchmarkId.of("dev.edgebench.bench.RequestsBenchmark.requests", p);
            Map<String, ResultSet.Metric> m = new LinkedHashMap<>();
            m.put(Metric.OUTPUT_TOK_S.key(), metric(Metric.OUTPUT_TOK_S, tokS * c * 0.8));
            m.put(Metric.TPOT_MEAN_MS.key(), metric(Metric.TPOT_MEAN_MS, tpotMs * (1 + 0.3 * c)));
            m.put(Metric.TTFT_P50_MS.key(), metric(Metric.TTFT_P50_MS, 10.0 * c));
            m.put(Metric.GOODPUT_REQ_S.key(), metric(Metric.GOODPUT_REQ_S, 2.0 * c));
            out.put(id, new ResultSet.Bench(id, "requests", p, "ok", null, Metric.OUTPUT_TOK_S.key(), m, Map.of(), Map.of()));
        }
        return new ResultSet(Path.of(label), "edgebench.run/2", label, "quick", null, out, List.of(), 1, Map.of());
    }

    static ResultSet.Metric metric(Metric m, double mean) {
        return new ResultSet.Metric(m.key(), m.unit(), m.higherIsBetter(), new double[] {mean * 0.98, mean, mean * 1.02}, new int[] {0, 0, 0});
    }

    @Test
    void aConcurrencySweepBecomesOneSweepWithEveryStep() throws Exception {
        Comparison c = Comparer.compare(side("llama-batched", 700, 1.4), side("llama-server", 630, 1.5), CompareConfig.Suite.DEFAULT, 500, 1);
        List<JsonReport.SweepRow> sweeps = JsonReport.sweeps(c);
        assertEquals(1, sweeps.size(), sweeps::toString);
        JsonReport.SweepRow s = sweeps.getFirst();
        assertEquals("concurrency", s.axis());
        assertEquals(List.of(1.0, 2.0, 4.0), s.points().stream().map(JsonReport.SweepPoint::step).toList());
        assertEquals(700 * 4 * 0.8, s.points().get(2).baselineOutputTokS(), 1e-9);
        assertEquals(630 * 4 * 0.8, s.points().get(2).currentOutputTokS(), 1e-9);
        assertEquals(1.5 * 1.3, s.points().get(0).currentTpotMs(), 1e-9);
        assertTrue(!s.name().contains("concurrency="), s.name());
    }

    @Tag("browser")
    @Test
    void theSweepChartsRenderInABrowser() throws Exception {
        Comparison c = Comparer.compare(side("llama-batched", 700, 1.4), side("llama-server", 630, 1.5), CompareConfig.Suite.DEFAULT, 500, 1);
        Path html = tmp.resolve("compare.html");
        Files.writeString(html, HtmlReport.render(c));
        String dom = HtmlReportBrowserTest.runChromium(tmp.resolve("profile"), "--dump-dom", html.toUri().toString());
        // output tok/s group + ratio chart + the sweep's throughput-vs-TPOT, throughput-vs-TTFT and goodput charts
        assertEquals("5", HtmlReportBrowserTest.attr(dom, "data-charts"), () -> dom.substring(dom.indexOf("<body"), dom.indexOf("<body") + 300));
        assertEquals("true", HtmlReportBrowserTest.attr(dom, "data-render-complete"));
        assertEquals("0", HtmlReportBrowserTest.attr(dom, "data-errors"), () -> dom.substring(dom.indexOf("id=\"errors\""),
                dom.indexOf("id=\"errors\"") + 400));
        assertEquals("5", HtmlReportBrowserTest.attr(dom, "data-painted"), "every chart painted its canvas");
        assertTrue(dom.contains("Throughput vs time per output token") && dom.contains("Goodput per concurrency step"), "the sweep's charts");
        Path png = Path.of(System.getProperty("edgebench.project.dir", ".")).resolve("target/compare-sweep.png");
        HtmlReportBrowserTest.runChromium(tmp.resolve("profile2"), "--screenshot=" + png.toAbsolutePath(), html.toUri().toString());
        assertTrue(Files.size(png) > 10_000, "screenshot written");
    }
}
