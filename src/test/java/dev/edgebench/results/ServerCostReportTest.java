package dev.edgebench.results;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerCostReportTest {
    /** Reference: scipy.stats.ttest_ind([2,4,6,8], [1,2,3,4], equal_var=False).confidence_interval(). */
    @Test
    void aDifferenceHasWelchsInterval() {
        double[] d = ServerCostReport.difference(new double[] {1, 2, 3, 4}, new double[] {2, 4, 6, 8});
        assertEquals(2.5, d[0], 1e-12);
        assertEquals(-1.364167215486197, d[1], 1e-9);
        assertEquals(6.364167215486197, d[2], 1e-9);
    }

    @Test
    void identicalSamplesHaveNoInterval() {
        double[] d = ServerCostReport.difference(new double[] {3, 3, 3}, new double[] {5, 5});
        assertEquals(2.0, d[0], 1e-12);
        assertTrue(Double.isNaN(d[1]) && Double.isNaN(d[2]));
    }

    @Test
    void engineThatDidNotRunIsSaidSo() {
        String md = ServerCostReport.markdown(null, null, null, List.of(1, 4));
        assertTrue(md.contains("### Concurrency 1") && md.contains("### Concurrency 4"), md);
        assertTrue(md.contains("| llama-server over loopback | — | — | — | not measured |"), md);
        assertTrue(md.contains("| step engine, in-process (one sequence) | — | — | — | runs one sequence |"), md);
        assertTrue(!md.contains("| Added by | TTFT ms | Time per output token ms | E2E ms |\n|---|---:|---:|---:|\n| the"), md);
    }
}
