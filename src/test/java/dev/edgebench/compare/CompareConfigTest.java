package dev.edgebench.compare;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Suites lay over "*" over the defaults; rules match by glob; thresholds parse as 5% or 0.05. */
class CompareConfigTest {
    @TempDir
    Path tmp;

    @Test
    void defaults() throws Exception {
        CompareConfig.Suite s = CompareConfig.defaults().suite("ci");
        assertEquals(0.05, s.threshold());
        assertEquals(0.10, s.latencyThreshold());
        assertEquals(List.of("primary"), s.metrics());
        assertArrayEquals(new double[]{50, 99}, s.latencyPercentiles());
        assertTrue(s.gateLatency());
    }

    @Test
    void suitesAndRules() throws Exception {
        Path f = tmp.resolve("compare.json");
        Files.writeString(f, """
                {"schema": "edgebench.compare-config/1",
                 "suites": {"*": {"threshold": 0.04},
                            "ci": {"latencyThreshold": 0.2, "gateLatency": false, "statistic": "median",
                                   "rules": [{"benchmark": "DecodeBenchmark.decode[batch=8*", "metric": "decode.tok_s", "threshold": 0.1},
                                             {"benchmark": "*", "metric": "latency.itl.p99", "threshold": 0.3}]}}}
                """);
        CompareConfig c = CompareConfig.load(f);
        CompareConfig.Suite ci = c.suite("ci");
        assertEquals(0.04, ci.threshold());
        assertEquals(0.2, ci.latencyThreshold());
        assertFalse(ci.gateLatency());
        assertEquals(Bootstrap.Statistic.MEDIAN, ci.statistic());
        assertEquals(0.1, ci.thresholdFor("DecodeBenchmark.decode[batch=8,model=x]", "decode.tok_s"));
        assertEquals(0.04, ci.thresholdFor("DecodeBenchmark.decode[batch=1,model=x]", "decode.tok_s"));
        assertEquals(0.3, ci.thresholdFor("DecodeBenchmark.decode[batch=1,model=x]", "latency.itl.p99"));
        assertEquals(0.2, ci.thresholdFor("DecodeBenchmark.decode[batch=1,model=x]", "latency.itl.p50"));
        assertEquals(0.04, c.suite("quick").threshold(), "other suites get *");
        CompareConfig.Suite over = ci.withThreshold(0.02, null);
        assertEquals(0.02, over.thresholdFor("DecodeBenchmark.decode[batch=8,model=x]", "decode.tok_s"), "--threshold overrides rules");
        assertEquals(0.3, over.thresholdFor("x", "latency.itl.p99"), "latency rules stay");
    }

    @Test
    void badConfigs() throws Exception {
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, "{\"schema\": \"edgebench.compare-config/9\"}");
        assertTrue(assertThrows(BadInputException.class, () -> CompareConfig.load(f)).getMessage().contains("edgebench.compare-config/1"));
        Files.writeString(f, "{\"suites\": {\"ci\": {\"threshold\": 5}}}");
        assertTrue(assertThrows(BadInputException.class, () -> CompareConfig.load(f)).getMessage().contains("fraction"));
    }

    @Test
    void thresholds() {
        assertEquals(0.05, CompareConfig.parseThreshold("5%"), 1e-12);
        assertEquals(0.07, CompareConfig.parseThreshold("0.07"), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> CompareConfig.parseThreshold("150%"));
        assertThrows(NumberFormatException.class, () -> CompareConfig.parseThreshold("five"));
    }
}
